import CWerkSystem
import Glibc
import Synchronization

/// One event loop: one thread, one ``Poller`` (epoll on Linux), one listener, and the connections
/// accepted on it. It is also a `TaskExecutor`, so handler tasks started with
/// `Task.immediate(executorPreference:)` run on the loop thread (inline until their first real
/// suspension).
///
/// Invariant that makes `@unchecked Sendable` safe: every stored `var` is read and written only on
/// the loop thread (asserted with `inLoop` in debug builds at every entry point: here, and in
/// `Connection`'s event, request, response, stream-write and timer entry points). Other threads
/// reach the loop only through `remote` (a `Mutex`) followed by a write to `wakeFD`. The same
/// confinement is why the stored `var`s are `@exclusivity(unchecked)`.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    /// Work queued from other threads.
    private enum Work {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    let index: Int
    let server: ServerCore
    /// Readiness of the wake descriptor, the listener and the connections.
    let poller: PlatformPoller
    let wakeFD: Int32
    /// Read buffers and output staging lent to this loop's connections.
    let buffers = BufferPool()
    /// Set once by the loop thread before anything else runs on it.
    private let threadID = Atomic<UInt>(0)
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    private let remote = Mutex<[Work]>([])

    /// Connections by file descriptor.
    @exclusivity(unchecked) var connections: [Connection?] = []
    @exclusivity(unchecked) var connectionCount = 0
    /// The most connections open since memory was last returned to the system.
    @exclusivity(unchecked) private var connectionPeak = 0
    /// The listening socket of this loop (-1 once closed).
    @exclusivity(unchecked) var listenerFD: Int32 = -1
    /// Whether the listener is watched by the poller (it leaves it at the connection cap).
    @exclusivity(unchecked) var accepting = false
    /// Connections that produced output to flush after the current batch.
    @exclusivity(unchecked) private var flushQueue: [Connection] = []
    /// Whether the loop is draining for shutdown, and the time to give up waiting.
    @exclusivity(unchecked) var draining = false
    @exclusivity(unchecked) var drainDeadline: UInt64 = 0
    @exclusivity(unchecked) private var stopped = false
    @exclusivity(unchecked) var nextTick: UInt64 = 0
    /// The monotonic clock, read once after each poller wait and after each batch: deadlines are
    /// armed from it instead of a clock call per request.
    @exclusivity(unchecked) private(set) var now: UInt64 = 0
    let dateCache = DateCache()
    @exclusivity(unchecked) var accessLog: [UInt8] = []
    /// The Common Log Format time of the access lines, formatted once per second.
    @exclusivity(unchecked) private var accessTimeSecond = -1
    @exclusivity(unchecked) private var accessTime = ""
    /// Requests started on this loop (counted on the loop thread, published on each tick).
    @exclusivity(unchecked) var requestCount = 0
    /// For a worker's heartbeat, read from its control thread: the clock at the loop's last tick (a
    /// loop stuck in a handler stops ticking) and the requests started up to then.
    let lastTick = Atomic<UInt64>(0)
    let publishedRequests = Atomic<Int>(0)

    init(index: Int, server: ServerCore, listenerFD: Int32) throws(ServerError) {
        self.index = index
        self.server = server
        poller = try PlatformPoller()
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wake >= 0 else { throw ServerError.system("eventfd", errno) }
        wakeFD = wake
        self.listenerFD = listenerFD
        poller.add(wake, interest: .read)
    }

    deinit {
        close(wakeFD)
    }

    /// Debug builds check that the caller runs on this loop's thread.
    @inline(__always)
    func assertInLoop(_ function: StaticString = #function) {
        assert(inLoop, "EventLoop.\(function) called off its thread")
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
        let tick = server.configuration.tickNanoseconds
        now = Clock.now()
        nextTick = now + tick
        lastTick.store(now, ordering: .relaxed)
        while !stopped {
            var timeout: Int32 = 0
            if localJobs.isEmpty {
                timeout = now >= nextTick ? 0 : Int32(min((nextTick - now) / 1_000_000 + 1, 1000))
            }
            let n = poller.wait(timeoutMilliseconds: timeout)
            now = Clock.now()
            for i in 0..<n {
                let event = poller.event(i)
                let fd = event.fd
                if fd == wakeFD {
                    drainRemote()
                } else if fd == listenerFD {
                    acceptConnections()
                } else if Int(fd) < connections.count, let connection = connections[Int(fd)] {
                    connection.handle(event)
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
        assertInLoop()
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
        assertInLoop()
        lastTick.store(now, ordering: .relaxed)
        publishedRequests.store(requestCount, ordering: .relaxed)
        for case let connection? in connections { connection.checkTimeout(now: now) }
        returnMemory()
        resumeAccepting()
        if draining {
            if connectionCount == 0 || now >= drainDeadline {
                stopped = true
            }
        }
    }

    // MARK: Memory

    /// On each tick: frees the pooled buffers beyond a small reserve, and when the number of open
    /// connections has fallen well below its peak (a flood closed), asks the allocator to give its
    /// free pages back to the system (glibc keeps them otherwise: `malloc_trim`).
    private func returnMemory() {
        buffers.trim()
        if connectionPeak - connectionCount >= Self.trimThreshold && connectionCount <= connectionPeak / 2 {
            connectionPeak = connectionCount
            _ = malloc_trim(0)
        }
    }

    /// How many connections must have closed since the peak before memory is trimmed.
    static let trimThreshold = 256

    // MARK: Accepting

    func setAccepting(_ on: Bool) {
        guard listenerFD >= 0, on != accepting else { return }
        accepting = on
        if on {
            poller.add(listenerFD, interest: server.sharedListener ? [.read, .exclusive] : .read)
        } else {
            poller.remove(listenerFD)
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
        assertInLoop()
        let fd = Int(connection.fd)
        if fd >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: max(fd + 1 - connections.count, 64)))
        }
        connections[fd] = connection
        connectionCount += 1
        connectionPeak = max(connectionPeak, connectionCount)
        server.acceptedConnections.add(1, ordering: .relaxed)
        poller.add(connection.fd, interest: .read)
        connection.start()
    }

    /// Forgets a closed connection.
    func unregister(_ connection: Connection) {
        assertInLoop()
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
        precondition(inLoop, "EventLoop.beginShutdown called off its thread")
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
        if seconds != accessTimeSecond {
            accessTimeSecond = seconds
            accessTime = LineFormat.commonLogTime(seconds)
        }
        let record = LogRecord(level: .info, label: LogRecord.accessLabel,
                               message: entry.commonLogLine(formattedTime: accessTime), epochSeconds: seconds, access: entry)
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
