import CWerkSystem
import Glibc
import Synchronization
import WerkCore

/// The state shared by a server's loops: the handler, configuration and lifecycle bookkeeping.
final class ServerCore: Sendable {
    let handler: Handler
    let configuration: Server.Configuration
    let limits: ParserLimits
    /// The most open connections across all loops.
    let connectionCap: Int
    /// Whether all loops share one listening socket (watched with `EPOLLEXCLUSIVE`) instead of one each.
    let sharedListener: Bool
    /// The most connections a loop accepts per readiness event of its listener.
    let acceptBatch: Int
    /// Where access records go (nil when the access log is off), and the same logger when it is a
    /// ``LineLogger`` writing to a descriptor: the loops then collect its lines and write them once
    /// per batch of events.
    let accessLogger: (any Logger)?
    let batchedAccessLogger: LineLogger?
    /// `host:port` for ``Request/serverAddress``.
    let serverAddress: String
    /// The configured timeouts in nanoseconds, converted once.
    let timeouts: TimeoutNanoseconds
    /// Open connections across all loops (for tests and monitoring).
    let openConnections = Atomic<Int>(0)
    /// Connections accepted since start.
    let acceptedConnections = Atomic<Int>(0)
    /// Whether a handler without a synchronous form runs in one serving task per connection
    /// (awaiting each request in turn, as Hummingbird does) instead of a task per request (the
    /// default). Selected with the environment variable `WERK_TASK_PER_CONNECTION=1`, read when the
    /// server starts, so that `Benchmarks server` can compare the two in one run; measured, the
    /// serving task was no faster (see ARCHITECTURE.md).
    let taskPerConnection = getenv("WERK_TASK_PER_CONNECTION") != nil

    /// Whether the listening socket is this process's own: false in a worker, where the supervisor
    /// owns it (and its Unix socket path, which the worker must not unlink).
    let ownsListener: Bool

    private struct State {
        var loops: [EventLoop] = []
        var running = 0
        var stopping = false
        var sharedFD: Int32 = -1
        var waiters: [CheckedContinuation<Void, Never>] = []
        var stopped = false
    }

    private let state = Mutex(State())

    init(handler: Handler, configuration: Server.Configuration, loops: Int, serverAddress: String, ownsListener: Bool = true) {
        self.handler = handler
        self.ownsListener = ownsListener
        self.configuration = configuration
        self.limits = ParserLimits(maxRequestLine: configuration.maxRequestLineLength,
                                   maxHeaderBytes: configuration.maxHeaderBytes,
                                   maxHeaderCount: configuration.maxHeaderCount)
        self.timeouts = TimeoutNanoseconds(configuration)
        self.connectionCap = max(1, configuration.maxConnections)
        switch configuration.listenerDesign {
        case .shared(let batch):
            self.sharedListener = true
            self.acceptBatch = max(1, batch)
        case .perLoop:
            self.sharedListener = configuration.unixSocketPath != nil
            self.acceptBatch = 64
        }
        self.serverAddress = serverAddress
        let accessLogger = configuration.accessLog && configuration.accessLogger.isEnabled(.info) ? configuration.accessLogger : nil
        self.accessLogger = accessLogger
        if let lines = accessLogger as? LineLogger, lines.writesToDescriptor {
            self.batchedAccessLogger = lines
        } else {
            self.batchedAccessLogger = nil
        }
    }

    /// Creates one loop per listener fd (or `count` loops sharing `sharedFD`) and starts their threads.
    func startLoops(listenerFDs: [Int32], sharedFD: Int32, count: Int) throws(ServerError) {
        var loops: [EventLoop] = []
        for i in 0..<count {
            loops.append(try EventLoop(index: i, server: self, listenerFD: sharedFD >= 0 ? sharedFD : listenerFDs[i]))
        }
        state.withLock {
            $0.loops = loops
            $0.running = loops.count
            $0.sharedFD = sharedFD
        }
        for loop in loops {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(loop).toOpaque()
            guard pthread_create(&thread, nil, eventLoopThreadMain, context) == 0 else {
                Unmanaged<EventLoop>.fromOpaque(context).release()
                throw ServerError.system("pthread_create", errno)
            }
            pthread_detach(thread)
        }
    }

    /// Takes one of the `connectionCap` slots before accepting; false when all are taken.
    func reserveConnection() -> Bool {
        if openConnections.wrappingAdd(1, ordering: .relaxed).newValue <= connectionCap { return true }
        openConnections.subtract(1, ordering: .relaxed)
        return false
    }

    /// Gives a slot back. When the server was full, loops that stopped accepting resume now rather
    /// than at their next tick.
    func releaseConnection(from loop: EventLoop) {
        let before = openConnections.wrappingSubtract(1, ordering: .relaxed).oldValue
        guard before >= connectionCap else { return }
        let others = state.withLock { $0.loops }.filter { $0 !== loop }
        for other in others { other.execute { other.resumeAccepting() } }
    }

    /// Whether a connection can be accepted now.
    var hasConnectionRoom: Bool { openConnections.load(ordering: .relaxed) < connectionCap }

    /// Starts a graceful shutdown (idempotent).
    func beginShutdown() {
        let loops = state.withLock { s -> [EventLoop] in
            if s.stopping { return [] }
            s.stopping = true
            return s.loops
        }
        let deadline = Clock.now() &+ configuration.shutdownTimeout.nanoseconds
        for loop in loops { loop.execute { loop.beginShutdown(deadline: deadline) } }
    }

    func loopStopped(_ loop: EventLoop) {
        let sharedFD: Int32? = state.withLock { s in
            s.running -= 1
            guard s.running == 0 else { return nil }
            defer { s.sharedFD = -1 }
            return s.sharedFD
        }
        guard let sharedFD else { return }
        // Release the socket (and its path) before anyone waiting hears that the server stopped; a
        // socket someone else opened and keeps (the dev supervisor's) stays open for its owner.
        if ownsListener, sharedFD >= 0 { close(sharedFD) }
        if ownsListener, let path = configuration.unixSocketPath { unlink(path) }
        let waiters = state.withLock { s in
            s.stopped = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// For a worker's heartbeat: the oldest of the loops' last ticks (the clock of the loop that has
    /// gone longest without one) and the requests the loops have started, as of their last ticks.
    func loopProgress() -> (oldestTick: UInt64, requests: Int) {
        let loops = state.withLock { $0.loops }
        var oldest = UInt64.max
        var requests = 0
        for loop in loops {
            oldest = min(oldest, loop.lastTick.load(ordering: .relaxed))
            requests += loop.publishedRequests.load(ordering: .relaxed)
        }
        return (loops.isEmpty ? 0 : oldest, requests)
    }

    /// Whether a graceful shutdown has begun.
    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Waits until every loop has stopped.
    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.stopped { return true }
                s.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// A connection's timeouts in nanoseconds (``Server/Configuration`` holds them as `Duration`s).
struct TimeoutNanoseconds: Sendable {
    let header, body, idle, write: UInt64
    /// How long a closing connection keeps reading (and discarding) so that its last response is
    /// not destroyed by a TCP reset.
    let linger: UInt64 = 2_000_000_000
    /// How long a graceful shutdown waits for the first bytes of a connection accepted just before.
    let silentShutdownGrace: UInt64

    init(_ configuration: Server.Configuration) {
        silentShutdownGrace = configuration.silentConnectionShutdownGrace.nanoseconds
        header = configuration.headerReadTimeout.nanoseconds
        body = configuration.bodyReadTimeout.nanoseconds
        idle = configuration.keepAliveTimeout.nanoseconds
        write = configuration.writeTimeout.nanoseconds
    }

    func nanoseconds(for kind: Connection.Deadline) -> UInt64 {
        switch kind {
        case .header: header
        case .body: body
        case .idle: idle
        case .write: write
        case .linger: linger
        case .none: 0
        }
    }
}
