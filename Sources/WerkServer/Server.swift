import CWerkSystem
import Glibc
import Synchronization
import WerkCore

/// The HTTP/1.1 server: runs a ``Handler`` on epoll event loops (one per core), with keep-alive,
/// pipelining, streaming bodies, limits, timeouts and graceful shutdown.
///
/// ```swift
/// let app = Handler { request in "Hello, \(request.pathInfo)" }
/// try await Server(app, configuration: .init(host: "127.0.0.1", port: 8080)).run()
/// ```
///
/// In tests, bind port 0 and use the address `start()` returns:
///
/// ```swift
/// let server = Server(app, configuration: .init(host: "127.0.0.1", port: 0))
/// let address = try server.start()
/// let client = TestClient(transport: LiveTransport(address))
/// defer { Task { await server.shutdown() } }
/// ```
public final class Server: Sendable {
    /// Where a started server listens.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        /// The bound IP (`127.0.0.1`, `::1`), or nil for a Unix socket.
        public var host: String?
        /// The bound port (the chosen one when 0 was asked for), or nil for a Unix socket.
        public var port: Int?
        /// The Unix domain socket path, or nil for TCP.
        public var unixSocketPath: String?

        /// A TCP address.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
            self.unixSocketPath = nil
        }

        /// A Unix domain socket address.
        public init(unixSocketPath: String) {
            self.host = nil
            self.port = nil
            self.unixSocketPath = unixSocketPath
        }

        /// `http://127.0.0.1:8080/`, `http://[::1]:8080/` or `unix:/path/to.sock`.
        public var description: String {
            if let unixSocketPath { return "unix:\(unixSocketPath)" }
            let h = host ?? "localhost"
            return "http://\(h.contains(":") ? "[\(h)]" : h):\(port ?? 80)/"
        }
    }

    /// The handler every request goes to.
    public let handler: Handler
    /// The configuration the server was created with.
    public let configuration: Configuration

    private struct State {
        var core: ServerCore?
        var address: Address?
        var worker = false
    }

    /// Whether this server runs as a supervisor's worker (on an inherited socket).
    package var isWorker: Bool { state.withLock { $0.worker } }

    private let state = Mutex(State())

    /// A server for `app` (a ``Handler``, a stack, a router, any ``HandlerConvertible``); nothing is
    /// bound until ``start()`` or ``run()``.
    public init(_ app: some HandlerConvertible, configuration: Configuration = Configuration()) {
        self.handler = app.makeHandler()
        self.configuration = configuration
    }

    /// The address once started.
    public var address: Address? { state.withLock { $0.address } }

    /// The number of open client connections right now (0 before start and after shutdown).
    public var openConnections: Int { state.withLock { $0.core }?.openConnections.load(ordering: .relaxed) ?? 0 }

    /// The number of client connections accepted since start (like nginx's "accepts").
    public var acceptedConnections: Int { state.withLock { $0.core }?.acceptedConnections.load(ordering: .relaxed) ?? 0 }

    /// Binds, starts the event loops and returns at once with the bound address (port 0 becomes the
    /// chosen port). Throws ``ServerError``: ``ServerError/invalidConfiguration(_:)`` for a bad
    /// configuration value, ``ServerError/bind(_:_:)`` with `EADDRINUSE` when anything, another Werk
    /// server included, already listens on the port (``ServerError/isAddressInUse``).
    @discardableResult
    public func start() throws(ServerError) -> Address {
        if state.withLock({ $0.core != nil }) { throw ServerError.alreadyStarted }
        do { try configuration.validate() } catch { throw ServerError.invalidConfiguration(error) }
        werk_ignore_sigpipe()
        if let launch = WorkerLaunch.claim() { return try startWorker(launch) }
        let loops = configuration.eventLoops
        let core: ServerCore
        let address: Address
        if let path = configuration.unixSocketPath {
            let fd = try Listener.unix(path: path, backlog: configuration.backlog)
            address = Address(unixSocketPath: path)
            core = ServerCore(handler: handler, configuration: configuration, loops: loops, serverAddress: "localhost")
            do { try core.startLoops(listenerFDs: [], sharedFD: fd, count: loops) } catch { close(fd); throw error }
        } else {
            let shared: Bool
            if case .shared = configuration.listenerDesign { shared = true } else { shared = false }
            let bound = try Listener.tcp(host: configuration.host, port: configuration.port, count: shared ? 1 : loops,
                                         backlog: configuration.backlog, reusePort: !shared)
            address = Address(host: bound.host, port: bound.port)
            let hostPart = bound.host.contains(":") ? "[\(bound.host)]" : bound.host
            core = ServerCore(handler: handler, configuration: configuration, loops: loops,
                              serverAddress: "\(hostPart):\(bound.port)")
            do {
                try core.startLoops(listenerFDs: shared ? [] : bound.fds, sharedFD: shared ? bound.fds[0] : -1, count: loops)
            } catch {
                for fd in bound.fds { close(fd) }
                throw error
            }
        }
        state.withLock {
            $0.core = core
            $0.address = address
        }
        return address
    }

    /// Starts the server, prints `Running on http://HOST:PORT/ (Press CTRL+C to quit)`, and returns
    /// after a graceful shutdown: on SIGINT or SIGTERM, or when ``shutdown()`` is called.
    ///
    /// With ``Configuration/workers`` at 1 or more, this process becomes the supervisor of that many
    /// worker processes (copies of this executable with the same arguments) and returns when they
    /// have all stopped; it throws ``ServerError/workersFailing(_:)`` when they crash faster than
    /// the restart limit allows. In a worker, it serves on the socket the supervisor passed down.
    public func run() async throws {
        if configuration.workers > 0 && WorkerLaunch.current == nil {
            return try await Supervisor(configuration: configuration).run()
        }
        let address = try start()
        if configuration.printStartupLine && !isWorker {
            let line = "Running on \(address) (Press CTRL+C to quit)\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(1, $0.baseAddress!, $0.count - 1) }
        }
        let watcher = SignalWatcher { [self] in self.beginShutdown() }
        await waitUntilStopped()
        watcher.remove()
    }

    /// Stops gracefully: stops accepting, closes idle connections, lets in-flight requests finish
    /// (up to ``Configuration/shutdownTimeout``), then returns. Safe to call more than once, and
    /// before ``start()`` (then it does nothing).
    public func shutdown() async {
        beginShutdown()
        await waitUntilStopped()
    }

    /// Starts a graceful shutdown without waiting for it.
    public func beginShutdown() {
        if state.withLock({ $0.worker }) && LiveReload.devGeneration != nil {
            LiveReload.stopping.set()   // end the live-reload streams
        }
        state.withLock { $0.core }?.beginShutdown()
    }

    /// Serves as a supervisor's worker: on the inherited listening socket, shared by all loops (the
    /// supervisor and the other workers hold it too), reporting on the control channel.
    private func startWorker(_ launch: WorkerLaunch) throws(ServerError) -> Address {
        werk_ignore_sighup()
        // A dev worker (`--reload`) answers the live-reload stream and injects its script.
        let devHandler = LiveReload.devGeneration.map { LiveReload(generation: $0).wrap(handler) }
        let (address, core) = try startServing(on: launch.listenerFD, handler: devHandler ?? handler)
        state.withLock { $0.worker = true }
        WorkerChannel.start(launch: launch, core: core)
        return address
    }

    /// Serves on a listening socket someone else opened and keeps (a worker's inherited socket, the
    /// dev supervisor's own while no worker runs): all loops share it, and stopping leaves it open.
    package func start(listenerFD fd: Int32) throws(ServerError) -> Address {
        if state.withLock({ $0.core != nil }) { throw ServerError.alreadyStarted }
        do { try configuration.validate() } catch { throw ServerError.invalidConfiguration(error) }
        werk_ignore_sigpipe()
        return try startServing(on: fd, handler: handler).address
    }

    private func startServing(on fd: Int32, handler: Handler) throws(ServerError) -> (address: Address, core: ServerCore) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var shared = configuration
        // One accept per wake-up: the rest of a burst reaches the other workers (with 64, one
        // worker took 62 of wrk's 64 connections; see the Workers article).
        if case .perLoop = shared.listenerDesign { shared.listenerDesign = .shared(acceptBatch: 1) }
        let address = Listener.address(of: fd)
        let core = ServerCore(handler: handler, configuration: shared, loops: configuration.eventLoops,
                              serverAddress: address.serverAddress, ownsListener: false)
        try core.startLoops(listenerFDs: [], sharedFD: fd, count: configuration.eventLoops)
        state.withLock {
            $0.core = core
            $0.address = address
        }
        return (address, core)
    }

    private func waitUntilStopped() async {
        guard let core = state.withLock({ $0.core }) else { return }
        await core.waitUntilStopped()
    }
}

extension Server.Address {
    /// `host:port` (brackets around an IPv6 host), or `localhost` for a Unix socket: the request's
    /// server address.
    var serverAddress: String {
        guard let host, let port else { return "localhost" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Forwards SIGINT/SIGTERM to a callback through a pipe read by a small thread.
final class SignalWatcher: Sendable {
    private let writeFD: Int32
    private let context: SignalContext

    init(_ onSignal: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [-1, -1]
        _ = werk_pipe_cloexec(&fds)
        writeFD = fds[1]
        context = SignalContext(readFD: fds[0], onSignal: onSignal)
        _ = werk_install_signal_forwarding(fds[1])
        var thread = pthread_t()
        if pthread_create(&thread, nil, signalThreadMain, Unmanaged.passRetained(context).toOpaque()) == 0 {
            pthread_detach(thread)
        }
    }

    /// Restores the previous signal handlers and stops the thread.
    func remove() {
        werk_restore_signals()
        var zero: UInt8 = 0
        _ = write(writeFD, &zero, 1)
        close(writeFD)
    }
}

final class SignalContext: Sendable {
    let readFD: Int32
    let onSignal: @Sendable () -> Void
    init(readFD: Int32, onSignal: @escaping @Sendable () -> Void) {
        self.readFD = readFD
        self.onSignal = onSignal
    }
}

func signalThreadMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let context = Unmanaged<SignalContext>.fromOpaque(raw!).takeRetainedValue()
    var byte: UInt8 = 0
    while true {
        let n = read(context.readFD, &byte, 1)
        if n < 0 && errno == EINTR { continue }
        if n == 1 && byte != 0 {
            context.onSignal()
            continue
        }
        break
    }
    close(context.readFD)
    return nil
}
