import Glibc

/// Nanoseconds of the monotonic clock.
enum Monotonic {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// A point in time by which an operation must make progress, and the timeout it stands for.
struct Deadline {
    var at: Int64
    var kind: HTTPClientError.Timeout

    init(_ duration: Duration, _ kind: HTTPClientError.Timeout) {
        let (seconds, attoseconds) = duration.components
        at = Monotonic.now() &+ seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
        self.kind = kind
    }

    /// Milliseconds left for poll(2), at least 0.
    var remainingMilliseconds: Int32 {
        let left = (at - Monotonic.now()) / 1_000_000
        return Int32(clamping: max(0, left))
    }
}

/// A non-blocking client socket used with poll(2) timeouts, and its read buffer. Only its
/// connection's ``IOThread`` touches it (or the pool, while no request holds it).
final class ClientSocket: @unchecked Sendable {
    let fd: Int32
    /// The read buffer: bytes `start..<end` are received and not yet consumed.
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity = 64 * 1024
    private var start = 0
    private var end = 0
    /// Bytes received over the socket's life (a pooled connection that failed before receiving any
    /// for a request had been closed by the upstream while idle).
    private(set) var receivedBytes = 0

    private init(fd: Int32) {
        self.fd = fd
        storage = .allocate(capacity: capacity)
    }

    deinit {
        close(fd)
        storage.deallocate()
    }

    /// Connects to `endpoint` within `timeout` (name resolution included).
    static func connect(to endpoint: HTTPEndpoint, timeout: Duration) throws(HTTPClientError) -> ClientSocket {
        let deadline = Deadline(timeout, .connect)
        if let path = endpoint.unixSocketPath {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard path.utf8.count < capacity else {
                throw HTTPClientError(.connect, "The Unix socket path is longer than \(capacity - 1) bytes.")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in path.utf8.enumerated() { raw[i] = b }
            }
            return try withUnsafePointer(to: &address) { pointer throws(HTTPClientError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(HTTPClientError) in
                    try connect(family: AF_UNIX, sa, socklen_t(MemoryLayout<sockaddr_un>.size), deadline, endpoint)
                }
            }
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(endpoint.host ?? "", String(endpoint.port ?? 80), &hints, &results)
        guard status == 0, let first = results else {
            throw HTTPClientError(.connect, "Cannot resolve '\(endpoint.host ?? "")': \(String(cString: gai_strerror(status))).")
        }
        defer { freeaddrinfo(results) }
        var lastError = HTTPClientError(.connect, "No address for '\(endpoint.host ?? "")'.")
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            do {
                return try connect(family: info.pointee.ai_family, info.pointee.ai_addr, info.pointee.ai_addrlen, deadline, endpoint)
            } catch {
                if case .timeout = error.kind { throw error }
                lastError = error
            }
            current = info.pointee.ai_next
        }
        throw lastError
    }

    private static func connect(family: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t, _ deadline: Deadline,
                                _ endpoint: HTTPEndpoint) throws(HTTPClientError) -> ClientSocket {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .io("socket", errno) }
        let socket = ClientSocket(fd: fd)
        if family != AF_UNIX {
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        if Glibc.connect(fd, address, length) != 0 {
            guard errno == EINPROGRESS || errno == EAGAIN || errno == EINTR else {   // EINTR: it goes on asynchronously
                throw HTTPClientError(.connect, "Cannot connect to \(endpoint): \(String(cString: strerror(errno))).")
            }
            try socket.wait(for: Int16(POLLOUT), deadline)
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else {
                throw HTTPClientError(.connect, "Cannot connect to \(endpoint): \(String(cString: strerror(error))).")
            }
        }
        return socket
    }

    /// Waits until the socket is ready for `events`, or throws the deadline's timeout.
    func wait(for events: Int16, _ deadline: Deadline) throws(HTTPClientError) {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let n = poll(&entry, 1, deadline.remainingMilliseconds)
            if n > 0 { return }
            if n == 0 { throw HTTPClientError(.timeout(deadline.kind), Self.timeoutMessage(deadline.kind)) }
            if errno != EINTR { throw .io("poll", errno) }
        }
    }

    static func timeoutMessage(_ kind: HTTPClientError.Timeout) -> String {
        switch kind {
        case .connect: "The upstream did not accept the connection within the connect timeout."
        case .headers: "The upstream did not send a complete response head within the header timeout."
        case .idle: "The upstream made no progress within the idle timeout."
        }
    }

    /// Sends all of `bytes`, each wait bounded by the idle timeout.
    func send(_ bytes: UnsafeRawBufferPointer, idle: Duration) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n >= 0 { offset += n; continue }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { throw .io("send", errno) }
            try wait(for: Int16(POLLOUT), Deadline(idle, .idle))
        }
    }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8], idle: Duration) throws(HTTPClientError) {
        let failure: HTTPClientError? = bytes.withUnsafeBytes { raw in
            do throws(HTTPClientError) { try send(raw, idle: idle); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    /// Reads more bytes into the buffer, waiting until `deadline`; false at the end of the stream.
    @discardableResult
    func fill(_ deadline: Deadline) throws(HTTPClientError) -> Bool {
        if start == end {
            start = 0
            end = 0
        } else if capacity - end < 16 * 1024 {
            if start > 0 {
                memmove(storage, storage + start, end - start)
                end -= start
                start = 0
            }
            if capacity - end < 16 * 1024 {   // a long line: grow (its length is limited by the caller)
                let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                larger.update(from: storage, count: end)
                storage.deallocate()
                storage = larger
                capacity *= 2
            }
        }
        while true {
            let n = recv(fd, storage + end, capacity - end, 0)
            if n > 0 {
                end += n
                receivedBytes += n
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { throw .io("recv", errno) }
            try wait(for: Int16(POLLIN), deadline)
        }
    }

    /// The number of buffered, unconsumed bytes.
    var available: Int { end - start }

    /// Takes up to `count` buffered bytes.
    func take(upTo count: Int) -> [UInt8] {
        let n = min(count, available)
        defer { start += n }
        return Array(UnsafeBufferPointer(start: storage + start, count: n))
    }

    /// Finds the index (relative to the unconsumed bytes) of the first LF, reading more until more
    /// than `limit` bytes are buffered (then `.tooLarge`); nil at end of stream.
    func indexOfLineFeed(limit: Int, _ deadline: Deadline) throws(HTTPClientError) -> Int? {
        var searched = 0
        while true {
            if let found = memchr(storage + start + searched, 10, available - searched) {
                return UnsafeMutableRawPointer(found).assumingMemoryBound(to: UInt8.self) - (storage + start)
            }
            searched = available
            if searched > limit { throw HTTPClientError(.tooLarge, "A response line is longer than \(limit) bytes.") }
            guard try fill(deadline) else { return nil }
        }
    }

    /// Consumes `count` bytes already in the buffer.
    func consume(_ count: Int) { start += count }

    /// The unconsumed byte at `index` (relative).
    func byte(at index: Int) -> UInt8 { storage[start + index] }

    /// A copy of the unconsumed bytes in `range` (relative).
    func peek(_ range: Range<Int>) -> [UInt8] {
        Array(UnsafeBufferPointer(start: storage + start + range.lowerBound, count: range.count))
    }

    /// Whether an idle pooled connection is no longer usable: the upstream closed it, reset it, or
    /// sent bytes nobody asked for.
    var isStale: Bool {
        if available > 0 { return true }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) != 0
    }
}
