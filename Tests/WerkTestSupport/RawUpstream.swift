import Glibc
import Synchronization

/// A misbehaving upstream: a loopback listener whose every connection runs `serve` on its own thread
/// with a blocking socket.
public final class RawUpstream: Sendable {
    /// The listening socket.
    public let fd: Int32
    /// The loopback port it listens on.
    public let port: Int
    let serve: @Sendable (RawConnection) -> Void
    let counter = AcceptCounter()
    let stopped = StopFlag()
    /// How many connections were accepted.
    public var accepted: Int { counter.count.load(ordering: .relaxed) }

    private init(_ serve: @escaping @Sendable (RawConnection) -> Void, listening: Void) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = listen(fd, 16)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
        self.serve = serve
    }

    /// Starts accepting (after init, so the thread may hold the upstream).
    private func start() -> RawUpstream {
        let listener = fd, serve = self.serve, counter = self.counter, stopped = self.stopped
        DetachedThread.start {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    // Shut down by deinit: the fd is closed here, once. Anything else (a signal that
                    // interrupted accept, an aborted connection) is retried.
                    if stopped.value.load(ordering: .acquiring) { close(listener); return }
                    if errno == EMFILE || errno == ENFILE { usleep(1000) }
                    continue
                }
                counter.count.add(1, ordering: .relaxed)
                let connection = RawConnection(fd: client)
                DetachedThread.start { serve(connection) }
            }
        }
        return self
    }

    /// A started upstream.
    public convenience init(_ serve: @escaping @Sendable (RawConnection) -> Void) throws {
        self.init(serve, listening: ())
        _ = start()
    }

    deinit {
        stopped.value.store(true, ordering: .releasing)
        shutdown(fd, Int32(SHUT_RDWR))
    }
}

/// Set when the upstream is released.
final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// Counts accepted connections.
final class AcceptCounter: Sendable {
    let count = Atomic<Int>(0)
}

/// A loopback port nothing listens on (bound, then closed).
public func unusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// One accepted connection of a ``RawUpstream``.
public final class RawConnection: Sendable {
    /// The connected socket.
    public let fd: Int32
    init(fd: Int32) {
        self.fd = fd
        var tv = timeval(tv_sec: 20, tv_usec: 0)   // a test that goes wrong ends instead of hanging
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { close(fd) }

    /// Reads until the end of a request head; returns it (empty at end of stream).
    public func readHead() -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while !bytes.reversed().starts(with: [10, 13, 10, 13]) {
            let n = recv(fd, &byte, 1, 0)
            if n < 0 && errno == EINTR { continue }   // a signal (tests that exercise shutdown send some)
            guard n == 1 else { return "" }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Sends text; false when the peer is gone.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Sends bytes; false when the peer is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Blocks until the peer shuts its side down (POLLRDHUP), without reading, for at most 20 s;
    /// signals (tests of shutdown send some) do not end the wait early.
    public func waitForPeerToLeave() {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            var entry = pollfd(fd: fd, events: Int16(0x2000), revents: 0)   // POLLRDHUP
            let left = deadline - ContinuousClock.now
            let milliseconds = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return
        }
    }

    /// Blocks until the peer closes (or the receive timeout), discarding what arrives.
    public func drainUntilClosed() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 || (n < 0 && errno == EINTR) { continue }
            return
        }
    }
}

/// Detached threads for the raw upstream.
public enum DetachedThread {
    /// The closure a thread runs.
    public final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread.
    public static func start(_ body: @escaping @Sendable () -> Void) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        if pthread_create(&thread, nil, { raw in
            Unmanaged<DetachedThread.Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, context) == 0 {
            pthread_detach(thread)
        }
    }
}

