import Glibc
import WerkCore

extension Server {
    /// Everything a ``Server`` can be told: where to listen, how many loops, limits and timeouts.
    ///
    /// Every limit has a default suited to production; tests lower the timeouts. ``Server/start()``
    /// checks every value first (``validate()``) and throws rather than crash on a bad one;
    /// ``fromCommandLine(defaults:arguments:)`` reads `--host`, `--port`, ... and `HOST`/`PORT`.
    ///
    /// ```swift
    /// var configuration = Server.Configuration(host: "0.0.0.0", port: 8080)
    /// configuration.maxBodySize = 50 * 1024 * 1024
    /// configuration.accessLog = false
    /// try await Server(app, configuration: configuration).run()
    /// ```
    public struct Configuration: Sendable {
        /// The host to bind: an IPv4 or IPv6 address (`127.0.0.1`, `::1`, `0.0.0.0`, `::`) or a name
        /// (`localhost`). Default `127.0.0.1`.
        public var host: String = "127.0.0.1"
        /// The TCP port, 0...65535; 0 lets the system choose one (see ``Server/Address/port``). A port
        /// that anything already listens on, another Werk server included, makes ``Server/start()``
        /// throw ``ServerError/bind(_:_:)`` with `EADDRINUSE`. Default 8080.
        public var port: Int = 8080
        /// A Unix domain socket path to listen on instead of host and port (behind nginx). An old
        /// socket file at that path is replaced. Default nil.
        public var unixSocketPath: String? = nil
        /// The number of event loops (threads), 1...``maxEventLoops``, each with its own
        /// `SO_REUSEPORT` listener (measured faster than one listener shared with `EPOLLEXCLUSIVE`).
        /// Default: the number of CPU cores.
        public var eventLoops: Int = Configuration.processorCount
        /// The listen(2) backlog: connections beyond the cap wait there. Default 1024.
        public var backlog: Int = 1024

        /// The longest request line; longer is 414. Default 8 KiB.
        public var maxRequestLineLength: Int = 8 * 1024
        /// The largest header section (request line included); larger is 431. Default 64 KiB.
        public var maxHeaderBytes: Int = 64 * 1024
        /// The most header fields; more is 431. Default 100.
        public var maxHeaderCount: Int = 100
        /// The largest request body, set as each request's ``Request/maxContentLength`` (middleware
        /// may raise or lower it per request); reading more through `data()`, `form()` and friends
        /// is 413. Default 10 MiB.
        public var maxBodySize: Int = 10 * 1024 * 1024
        /// How much of a body the handler left unread the server reads and discards to keep the
        /// connection; a larger rest closes the connection after the response. Default 256 KiB.
        public var maxDrainBytes: Int = 256 * 1024
        /// How many response bytes may wait for the client before the server stops reading
        /// pipelined requests and pausing response streams (backpressure). Default 256 KiB.
        public var maxPendingOutputBytes: Int = 256 * 1024

        /// How long a client may take to send a whole request head, from its first byte (or from
        /// the connection's start); then 408 and close. Default 10 s.
        public var headerReadTimeout: Duration = .seconds(10)
        /// How long a body read may wait for the next bytes while the handler waits for them;
        /// then 408 (when no response started) and close. Default 30 s.
        public var bodyReadTimeout: Duration = .seconds(30)
        /// How long an idle keep-alive connection stays open. Default 60 s.
        public var keepAliveTimeout: Duration = .seconds(60)
        /// How long a pending write may make no progress before the connection is closed.
        /// Default 30 s.
        public var writeTimeout: Duration = .seconds(30)
        /// How long ``Server/shutdown()`` waits for in-flight requests before closing their
        /// connections. Default 10 s.
        public var shutdownTimeout: Duration = .seconds(10)
        /// The most open connections, across all event loops; more wait in the listen backlog until a
        /// connection closes. Default 10 000.
        public var maxConnections: Int = 10_000

        /// Whether to write each request to ``accessLogger``. Default true.
        public var accessLog: Bool = true
        /// Where the access log goes: one record per request, labelled `access` (a ``LineLogger``
        /// writes it as a Common Log Format line, or as JSON). Default: text lines on standard error.
        public var accessLogger: any Logger = LineLogger.standardError
        /// Where errors go: every error that becomes a 5xx (its type, its description and the request
        /// line), response streams that fail, and what handlers and middleware write to
        /// ``Log/current`` (the server binds this logger there). Default: text lines on standard
        /// error, `info` and above.
        public var errorLogger: any Logger = LineLogger.standardError
        /// Whether ``Server/run()`` prints the `Running on http://…` line. Default true.
        public var printStartupLine: Bool = true

        /// The number of worker processes, 0...``maxWorkers``. 0 (the default) serves in this
        /// process. With N ≥ 1, ``Server/run()`` becomes a supervisor: it binds the socket and runs
        /// N copies of this executable that share it, restarts a worker that dies, replaces one
        /// that stops answering, reloads on SIGHUP (see the Workers article). Set by `--workers N`.
        public var workers: Int = 0
        /// After how many requests a worker is replaced (gracefully, a new one first), to bound
        /// slow leaks; 0 (the default) never. Set by `--max-requests N`.
        public var maxRequests: Int = 0
        /// A random 0...jitter added to ``maxRequests`` per worker, so that workers do not all
        /// restart at once. Default 0. Set by `--max-requests-jitter N`.
        public var maxRequestsJitter: Int = 0
        /// How long a worker may go without a heartbeat (each of its event loops reports on every
        /// tick) before it is killed with SIGKILL and replaced: a handler stuck in a loop. Default
        /// 30 s (gunicorn's `timeout`). Set by `--worker-timeout SECONDS`.
        public var workerTimeout: Duration = .seconds(30)
        /// The restart intensity: more than `maxRestarts` restarts within ``restartWindow`` stop the
        /// supervisor, which exits non-zero and says why (a crash loop), as an Erlang supervisor
        /// does. Default 10.
        public var maxRestarts: Int = 10
        /// The window of ``maxRestarts``. Default 60 s.
        public var restartWindow: Duration = .seconds(60)
        /// Where workers write their crash reports (`SWIFT_BACKTRACE=format=json,output-to=…`);
        /// nil (the default): a folder the supervisor makes in `/tmp` and removes at exit.
        public var crashReportDirectory: String? = nil
        /// Whether ``fromCommandLine(defaults:arguments:)`` runs the dev server instead of returning:
        /// this process then builds the program's package with `swift build`, runs the built
        /// executable as its worker, rebuilds and restarts it when the sources change, and shows
        /// compile errors and crashes in the browser (see the Dev server article). Set by `--reload`.
        public var reload: Bool = false

        /// How long a graceful shutdown waits for the first request of a connection accepted just
        /// before it that has sent nothing yet (a browser's preconnect sends nothing). Default 1 s.
        package var silentConnectionShutdownGrace: Duration = .seconds(1)

        /// How the loops listen (for measuring the designs against each other).
        package var listenerDesign: ListenerDesign = .perLoop

        /// The default configuration (127.0.0.1:8080).
        public init() {}

        /// A configuration for `host` and `port`.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// A configuration listening on a Unix domain socket.
        public init(unixSocketPath: String) {
            self.unixSocketPath = unixSocketPath
        }

        /// The number of online CPU cores.
        public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

        /// How often loops check timeouts: a quarter of the shortest timeout, between 5 ms and 1 s.
        var tickNanoseconds: UInt64 {
            let shortest = [headerReadTimeout, bodyReadTimeout, keepAliveTimeout, writeTimeout]
                .map(\.nanoseconds).min() ?? 1_000_000_000
            return min(max(shortest / 4, 5_000_000), 1_000_000_000)
        }
    }
}

/// How a server's event loops get their connections.
package enum ListenerDesign: Sendable {
    /// One `SO_REUSEPORT` listener per loop: the kernel spreads connections across them.
    case perLoop
    /// One listener shared by all loops, each watching it with `EPOLLEXCLUSIVE` (as nginx does by
    /// default), accepting at most `acceptBatch` connections per wake-up.
    case shared(acceptBatch: Int)
}

extension Duration {
    /// The duration in whole nanoseconds (negative durations count as 0).
    package var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(max(attoseconds, 0) / 1_000_000_000)
    }
}
