import CWerkSystem
import Glibc
import Synchronization

/// One event loop: one thread, one epoll instance, one listener, and the connections accepted on it.
/// It is also a `TaskExecutor`, so handler tasks started with `Task.immediate(executorPreference:)`
/// run on the loop thread (inline until their first real suspension).
///
/// Invariant that makes `@unchecked Sendable` safe: every stored `var` is read and written only on
/// the loop thread (checked with `precondition(inLoop)` at the entry points that matter). Other
/// threads reach the loop only through `remote` (a `Mutex`) followed by a write to `wakeFD`. The
/// same confinement is why the stored `var`s are `@exclusivity(unchecked)`.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    /// Work queued from other threads.
    private enum Work {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    let index: Int
    let server: ServerCore
    let epollFD: Int32
    let wakeFD: Int32
    /// Set once by the loop thread before anything else runs on it.
    private let threadID = Atomic<UInt>(0)
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    private let remote = Mutex<[Work]>([])

    /// Connections by file descriptor.
    @exclusivity(unchecked) var connections: [Connection?] = []
    @exclusivity(unchecked) var connectionCount = 0
    /// The listening socket of this loop (-1 once closed).
    @exclusivity(unchecked) var listenerFD: Int32 = -1
    /// Whether the listener is in the epoll set (it leaves it at the connection cap).
    @exclusivity(unchecked) var accepting = false
    /// Connections that produced output to flush after the current batch.
    @exclusivity(unchecked) private var flushQueue: [Connection] = []
    /// Whether the loop is draining for shutdown, and the time to give up waiting.
    @exclusivity(unchecked) var draining = false
    @exclusivity(unchecked) var drainDeadline: UInt64 = 0
    @exclusivity(unchecked) private var stopped = false
    @exclusivity(unchecked) var nextTick: UInt64 = 0
    /// The monotonic clock, read once after each `epoll_wait` and after each batch: deadlines are
    /// armed from it instead of a clock call per request.
    @exclusivity(unchecked) private(set) var now: UInt64 = 0
    let dateCache = DateCache()
    @exclusivity(unchecked) var accessLog: [UInt8] = []

    init(index: Int, server: ServerCore, listenerFD: Int32) throws(ServerError) {
        self.index = index
        self.server = server
        let ep = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard ep >= 0 else { throw ServerError.system("epoll_create1", errno) }
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wake >= 0 else { let e = errno; close(ep); throw ServerError.system("eventfd", e) }
        epollFD = ep
        wakeFD = wake
        self.listenerFD = listenerFD
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.fd = wake
        _ = epoll_ctl(ep, EPOLL_CTL_ADD, wake, &ev)
    }

    deinit {
        close(epollFD)
        close(wakeFD)
    }

    // MARK: Executor

    /// Whether the caller runs on this loop's thread.
    var inLoop: Bool { threadID.load(ordering: .relaxed) == UInt(bitPattern: Int(bitPattern: pthread_self())) }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if inLoop {
            localJobs.append(unowned)
        } else {
            remote.withLock { $0.append(.job(unowned)) }
            wake()
        }
    }

    /// Runs `body` on the loop thread: now when called there, otherwise soon.
    func execute(_ body: @escaping @Sendable () -> Void) {
        if inLoop { body() } else {
            remote.withLock { $0.append(.closure(body)) }
            wake()
        }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private func drainRemote() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        let work = remote.withLock { queue -> [Work] in
            let taken = queue
            queue.removeAll(keepingCapacity: true)
            return taken
        }
        for item in work {
            switch item {
            case .job(let job): localJobs.append(job)
            case .closure(let body): body()
            }
        }
    }

    private func runJobs() {
        let executor = asUnownedTaskExecutor()
        while !localJobs.isEmpty {
            let jobs = localJobs
            localJobs.removeAll(keepingCapacity: true)
            for job in jobs { job.runSynchronously(on: executor) }
        }
    }

    // MARK: Loop

    /// The loop thread's body. Returns when the loop stops (after shutdown). The server's error
    /// logger is ``Log/current`` on the loop thread, and so in every handler task started from it.
    func run() {
        threadID.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .relaxed)
        werk_set_thread_name("werk-loop-\(index)")
        Log.$current.withValue(server.configuration.errorLogger) { runLoop() }
        server.loopStopped(self)
    }

    private func runLoop() {
        if listenerFD >= 0 { setAccepting(true) }
        let capacity = 512
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        let tick = server.configuration.tickNanoseconds
        now = Clock.now()
        nextTick = now + tick
        while !stopped {
            var timeout: Int32 = 0
            if localJobs.isEmpty {
                timeout = now >= nextTick ? 0 : Int32(min((nextTick - now) / 1_000_000 + 1, 1000))
            }
            let n = epoll_wait(epollFD, events, Int32(capacity), timeout)
            now = Clock.now()
            if n > 0 {
                for i in 0..<Int(n) {
                    let event = events[i]
                    let fd = event.data.fd
                    if fd == wakeFD {
                        drainRemote()
                    } else if fd == listenerFD {
                        acceptConnections()
                    } else if Int(fd) < connections.count, let connection = connections[Int(fd)] {
                        connection.handle(events: event.events)
                    }
                }
            }
            runJobs()
            flushPending()
            now = Clock.now()
            if now >= nextTick {
                nextTick = now + tick
                onTick(now: now)
            }
            if !accessLog.isEmpty { flushAccessLog() }
        }
        for case let connection? in connections { connection.close() }
        runJobs()
        if !accessLog.isEmpty { flushAccessLog() }
    }

    /// Asks `connection` to be flushed after the current batch (once).
    func scheduleFlush(_ connection: Connection) {
        if !connection.flushScheduled {
            connection.flushScheduled = true
            flushQueue.append(connection)
        }
    }

    private func flushPending() {
        while !flushQueue.isEmpty {
            let queue = flushQueue
            flushQueue.removeAll(keepingCapacity: true)
            for connection in queue {
                connection.flushScheduled = false
                connection.flush()
            }
            runJobs()
        }
    }

    private func onTick(now: UInt64) {
        for case let connection? in connections { connection.checkTimeout(now: now) }
        resumeAccepting()
        if draining {
            if connectionCount == 0 || now >= drainDeadline {
                stopped = true
            }
        }
    }

    // MARK: Accepting

    func setAccepting(_ on: Bool) {
        guard listenerFD >= 0, on != accepting else { return }
        accepting = on
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue | (server.sharedListener ? EPOLLEXCLUSIVE.rawValue : 0)
        ev.data.fd = listenerFD
        if on {
            _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, listenerFD, &ev)
        } else {
            _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, listenerFD, &ev)
        }
    }

    /// Listens again after the server was full (no-op while draining or still full).
    func resumeAccepting() {
        if listenerFD >= 0 && !accepting && !draining && server.hasConnectionRoom { setAccepting(true) }
    }

    private func acceptConnections() {
        for _ in 0..<server.acceptBatch {
            // Excess connections wait in the listen backlog until a slot frees.
            guard server.reserveConnection() else { setAccepting(false); return }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(listenerFD, $0, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 {
                let e = errno
                server.releaseConnection(from: self)
                if e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM { setAccepting(false) }
                return
            }
            let remote = SocketAddress.describe(storage)
            if storage.ss_family == sa_family_t(AF_INET) || storage.ss_family == sa_family_t(AF_INET6) {
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            register(Connection(fd: fd, loop: self, remoteAddress: remote))
        }
    }

    private func register(_ connection: Connection) {
        let fd = Int(connection.fd)
        if fd >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: max(fd + 1 - connections.count, 64)))
        }
        connections[fd] = connection
        connectionCount += 1
        server.acceptedConnections.add(1, ordering: .relaxed)
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.fd = connection.fd
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, connection.fd, &ev)
        connection.start()
    }

    /// Changes the epoll interest of a connection.
    func updateInterest(fd: Int32, read: Bool, write: Bool) {
        var ev = epoll_event()
        ev.events = (read ? EPOLLIN.rawValue : 0) | (write ? EPOLLOUT.rawValue : 0)
        ev.data.fd = fd
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &ev)
    }

    /// Forgets a closed connection.
    func unregister(_ connection: Connection) {
        let fd = Int(connection.fd)
        if fd < connections.count, connections[fd] === connection {
            connections[fd] = nil
            connectionCount -= 1
            server.releaseConnection(from: self)
        }
        if draining && connectionCount == 0 { stopped = true }
        resumeAccepting()
    }

    // MARK: Shutdown

    /// Stops accepting, closes idle connections, lets the others finish until `deadline`.
    func beginShutdown(deadline: UInt64) {
        precondition(inLoop)
        guard !draining else { return }
        draining = true
        drainDeadline = deadline
        setAccepting(false)
        if !server.sharedListener, listenerFD >= 0 { close(listenerFD) }
        listenerFD = -1
        for case let connection? in connections { connection.beginShutdown() }
        if connectionCount == 0 { stopped = true }
    }

    /// Writes the access lines collected during the batch in one go.
    private func flushAccessLog() {
        server.batchedAccessLogger?.write(accessLog)
        accessLog.removeAll(keepingCapacity: true)
    }

    /// Logs one request on the access log: collected for the batch when the logger is a
    /// ``LineLogger`` on a descriptor, handed to the logger otherwise.
    func logAccess(_ entry: AccessLogEntry) {
        guard let logger = server.accessLogger else { return }
        _ = dateCache.current()
        let seconds = dateCache.epochSeconds
        let record = LogRecord(level: .info, label: LogRecord.accessLabel,
                               message: entry.commonLogLine(epochSeconds: seconds), epochSeconds: seconds, access: entry)
        if let lines = server.batchedAccessLogger {
            lines.append(record, to: &accessLog)
            if accessLog.count >= 1 << 16 { flushAccessLog() }
        } else {
            logger.log(record)
        }
    }
}

/// A monotonic clock in nanoseconds.
enum Clock {
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// Entry point of a loop thread (a global function, so it carries no actor isolation).
func eventLoopThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let loop = Unmanaged<EventLoop>.fromOpaque(context!).takeRetainedValue()
    loop.run()
    return nil
}
