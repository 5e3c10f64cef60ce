import CWerkSystem
import Glibc
import Synchronization
import WerkCore

/// The supervisor of ``Server/Configuration/workers`` worker processes (what ``Server/run()``
/// becomes with `--workers N`).
///
/// It binds the listening socket once, and starts N copies of this executable with the same
/// arguments (``WorkerProcess``); they all accept on that one socket (each loop with
/// `EPOLLEXCLUSIVE`). The socket stays open in the supervisor for its whole life, so connections
/// that arrive while workers are replaced wait in its backlog instead of being refused or reset.
///
/// One thread runs everything: it waits in `poll(2)` on a pipe fed by the signal handlers (SIGINT,
/// SIGTERM, SIGHUP, SIGCHLD) and on each worker's control channel, with a timeout set to the next
/// deadline (a restart, a missing heartbeat, a stop taking too long).
///
/// Package API for the dev server: ``init(configuration:executable:arguments:)`` with another
/// executable (a freshly built product), and ``reload(executable:)`` to replace every worker with
/// one running a new executable, as SIGHUP does; ``stop()``; ``listeningAddress``.
package final class Supervisor: @unchecked Sendable {   // all mutable state but `requested` is touched only on the supervising thread
    struct Child {
        let process: WorkerProcess
        let slot: Int
        let spawnedAt: UInt64
        var readyAt: UInt64?
        var lastHeartbeat: UInt64
        /// Set when the supervisor asked it to stop (SIGTERM); then its exit is expected.
        var stopping = false
        var killAt: UInt64 = .max
        /// Set when it was killed for a missing heartbeat.
        var hung = false
        var channelOpen = true
    }

    let configuration: Server.Configuration
    let logger: any Logger
    var executable: String
    let arguments: [String]
    /// An executable asked for by ``reload(executable:)`` from another thread, taken on the next SIGHUP.
    private let requested = Mutex<(executable: String?, signalWrite: Int32, address: Server.Address?)>((nil, -1, nil))

    /// Where the supervisor listens, once ``run()`` has bound (nil before and after).
    package var listeningAddress: Server.Address? { requested.withLock { $0.address } }
    var listenerFD: Int32 = -1
    var address = Server.Address(host: "127.0.0.1", port: 0)
    var crashFolder = ""
    var ownsCrashFolder = false
    var signalRead: Int32 = -1
    var children: [pid_t: Child] = [:]
    var pendingSpawns: [(slot: Int, at: UInt64)] = []
    var policy: RestartPolicy
    var stopping = false
    var failure: String?
    var announced = false
    let timeout: UInt64
    let grace: UInt64

    /// A supervisor of `configuration.workers` workers running `executable` (default: this
    /// process's) with `arguments` (default: this process's).
    package init(configuration: Server.Configuration, executable: String? = nil, arguments: [String]? = nil) {
        self.configuration = configuration
        self.logger = configuration.errorLogger
        self.executable = executable ?? WorkerProcess.currentExecutable() ?? "/proc/self/exe"
        self.arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        self.policy = RestartPolicy(maxRestarts: configuration.maxRestarts, window: configuration.restartWindow.nanoseconds)
        self.timeout = configuration.workerTimeout.nanoseconds
        self.grace = configuration.shutdownTimeout.nanoseconds + 5_000_000_000
    }

    /// Binds, starts the workers, supervises them until SIGINT/SIGTERM (or a crash loop), and
    /// returns once every worker has exited. Throws ``ServerError`` when it cannot bind or start,
    /// ``ServerError/workersFailing(_:)`` after a crash loop.
    package func run() async throws {
        do { try configuration.validate() } catch { throw ServerError.invalidConfiguration(error) }
        try bind()
        try prepareCrashFolder()
        werk_ignore_sigpipe()
        var fds: [Int32] = [-1, -1]
        guard werk_pipe_cloexec(&fds) == 0 else { throw ServerError.system("pipe", errno) }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        signalRead = fds[0]
        requested.withLock { state in
            state.signalWrite = fds[1]
            state.address = address
        }
        _ = werk_install_supervisor_signals(fds[1])
        let result: String? = await withCheckedContinuation { continuation in
            let context = Unmanaged.passRetained(SupervisorThread(supervisor: self, continuation: continuation)).toOpaque()
            var thread = pthread_t()
            if pthread_create(&thread, nil, supervisorThreadMain, context) == 0 {
                pthread_detach(thread)
            } else {
                Unmanaged<SupervisorThread>.fromOpaque(context).release()
                continuation.resume(returning: "pthread_create failed")
            }
        }
        if let result { throw ServerError.workersFailing(result) }
    }

    private func bind() throws(ServerError) {
        if let path = configuration.unixSocketPath {
            listenerFD = try Listener.unix(path: path, backlog: configuration.backlog)
            address = Server.Address(unixSocketPath: path)
        } else {
            let bound = try Listener.tcp(host: configuration.host, port: configuration.port, count: 1,
                                         backlog: configuration.backlog, reusePort: false)
            listenerFD = bound.fds[0]
            address = Server.Address(host: bound.host, port: bound.port)
        }
    }

    private func prepareCrashFolder() throws(ServerError) {
        if let folder = configuration.crashReportDirectory {
            crashFolder = folder
            if mkdir(folder, 0o700) != 0 && errno != EEXIST { throw ServerError.system("mkdir \(folder)", errno) }
            return
        }
        crashFolder = try CrashReport.makeTemporaryFolder(prefix: "werk-crashes")
        ownsCrashFolder = true
    }

    /// Replaces every worker, new ones first, as SIGHUP does; with `executable`, the new workers run
    /// that executable (the same arguments). Callable from any thread once ``run()`` has started;
    /// does nothing before.
    package func reload(executable: String? = nil) {
        requested.withLock { state in
            guard state.signalWrite >= 0 else { return }
            if let executable { state.executable = executable }
            var byte = UInt8(SIGHUP)
            _ = write(state.signalWrite, &byte, 1)
        }
    }

    /// Stops every worker gracefully, as SIGTERM does; ``run()`` then returns. Callable from any
    /// thread once ``run()`` has started; does nothing before.
    package func stop() {
        requested.withLock { state in
            guard state.signalWrite >= 0 else { return }
            var byte = UInt8(SIGTERM)
            _ = write(state.signalWrite, &byte, 1)
        }
    }

    /// The supervising loop; returns the failure message, or nil after a requested stop.
    func supervise() -> String? {
        logger.info("supervisor \(getpid()) on \(address) starting \(configuration.workers) workers of \(executable)",
                    label: "supervisor")
        for slot in 0..<configuration.workers { spawn(slot: slot) }
        while !(stopping && children.isEmpty) {
            var pollFDs = [pollfd(fd: signalRead, events: Int16(POLLIN), revents: 0)]
            let watched = children.values.filter(\.channelOpen).map(\.process)
            for process in watched { pollFDs.append(pollfd(fd: process.controlFD, events: Int16(POLLIN), revents: 0)) }
            let n = poll(&pollFDs, nfds_t(pollFDs.count), waitMilliseconds())
            if n < 0 && errno != EINTR { failure = "poll failed: \(String(cString: strerror(errno)))"; break }
            if pollFDs[0].revents != 0 { handleSignals() }
            for (i, process) in watched.enumerated() where pollFDs[i + 1].revents != 0 { handleMessages(process) }
            reap()
            checkDeadlines()
        }
        close(listenerFD)
        if let path = configuration.unixSocketPath { unlink(path) }
        if ownsCrashFolder { rmdir(crashFolder) }   // only when empty: reports that were logged stay
        werk_restore_supervisor_signals()
        requested.withLock { state in
            close(state.signalWrite)
            state.signalWrite = -1
            state.address = nil
        }
        close(signalRead)
        if let failure { logger.log(.critical, failure, label: "supervisor") }
        else { logger.info("supervisor \(getpid()) stopped", label: "supervisor") }
        return failure
    }

    private func waitMilliseconds() -> Int32 {
        let now = Clock.now()
        var next = now + 1_000_000_000
        for spawn in pendingSpawns { next = min(next, spawn.at) }
        for child in children.values {
            next = min(next, child.stopping ? child.killAt : child.lastHeartbeat &+ timeout &+ 1_000_000)
        }
        return next <= now ? 0 : Int32(min((next - now) / 1_000_000 + 1, 1000))
    }

    // MARK: Events

    private func handleSignals() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(signalRead, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            for signal in buffer[0..<n].map(Int32.init) {
                switch signal {
                case SIGINT, SIGTERM:
                    if !stopping { logger.info("stopping \(children.count) workers gracefully", label: "supervisor") }
                    stopAll()
                case SIGHUP:
                    if let next = requested.withLock({ state -> String? in defer { state.executable = nil }; return state.executable }) {
                        executable = next
                    }
                    replaceAll()
                default:
                    break   // SIGCHLD: reaped after every wake-up
                }
            }
        }
    }

    private func handleMessages(_ process: WorkerProcess) {
        let (messages, ended) = process.readMessages()
        let now = Clock.now()
        guard var child = children[process.pid] else { return }
        for message in messages {
            switch message {
            case .heartbeat:
                child.lastHeartbeat = now
            case .ready:
                child.readyAt = now
                child.lastHeartbeat = now
                children[process.pid] = child
                logger.info("worker \(child.slot) (pid \(process.pid)) ready", label: "supervisor")
                retireOlder(than: child)
                announceIfReady()
            case .retire:
                if !child.stopping && !stopping && !children.values.contains(where: { $0.slot == child.slot && $0.spawnedAt > child.spawnedAt }) {
                    logger.info("worker \(child.slot) (pid \(process.pid)) served its max requests: replacing it", label: "supervisor")
                    spawn(slot: child.slot)
                }
            }
            if let updated = children[process.pid], message == .ready { child = updated }
        }
        if ended {
            child.channelOpen = false
            process.closeChannel()
        }
        children[process.pid] = child
    }

    /// Once a worker is ready, the older workers of its slot (a reload's, a retiring one's) stop.
    private func retireOlder(than child: Child) {
        for (pid, other) in children where other.slot == child.slot && other.spawnedAt < child.spawnedAt && !other.stopping {
            logger.info("worker \(other.slot) (pid \(pid)) replaced by pid \(child.process.pid): stopping it gracefully",
                        label: "supervisor")
            stop(pid)
        }
    }

    private func announceIfReady() {
        guard !announced, Set(children.values.filter { $0.readyAt != nil }.map(\.slot)).count == configuration.workers else { return }
        announced = true
        if configuration.printStartupLine {
            writeAll(1, "Running on \(address) with \(configuration.workers) worker\(configuration.workers == 1 ? "" : "s") (Press CTRL+C to quit)\n")
        }
    }

    private func replaceAll() {
        guard !stopping else { return }
        logger.info("SIGHUP: starting \(configuration.workers) new workers; the old ones stop once they are ready",
                    label: "supervisor")
        pendingSpawns.removeAll()
        for slot in 0..<configuration.workers { spawn(slot: slot) }
    }

    // MARK: Processes

    private func spawn(slot: Int) {
        var launch = WorkerLaunch(index: slot)
        launch.heartbeatMilliseconds = Int(max(10, min(1000, timeout / 4_000_000)))
        if configuration.maxRequests > 0 {
            launch.maxRequests = configuration.maxRequests + Int.random(in: 0...configuration.maxRequestsJitter)
        }
        let backtrace = "format=json,output-to=\(crashFolder),interactive=no,color=no"
        do {
            let process = try WorkerProcess.spawn(executable: executable, arguments: arguments, listenerFD: listenerFD,
                                                  launch: launch, environment: ["SWIFT_BACKTRACE": backtrace])
            let now = Clock.now()
            children[process.pid] = Child(process: process, slot: slot, spawnedAt: now, lastHeartbeat: now)
            logger.info("worker \(slot) (pid \(process.pid)) started", label: "supervisor")
        } catch {
            logger.error("worker \(slot) could not start: \(error)", label: "supervisor")
            scheduleRestart(slot: slot, uptime: 0, why: "\(error)")
        }
    }

    private func stop(_ pid: pid_t) {
        guard var child = children[pid], !child.stopping else { return }
        child.stopping = true
        child.killAt = Clock.now() &+ grace
        children[pid] = child
        child.process.send(SIGTERM)
    }

    private func stopAll() {
        stopping = true
        pendingSpawns.removeAll()
        for pid in Array(children.keys) { stop(pid) }
    }

    /// Reaps the workers that exited (only them: other children of the process, a dev server's
    /// `swift build` for one, are left to their owners).
    private func reap() {
        for pid in Array(children.keys) {
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid, let child = children.removeValue(forKey: pid) else { continue }
            if child.channelOpen { child.process.closeChannel() }
            exited(child, status: status)
        }
    }

    private func exited(_ child: Child, status: Int32) {
        let pid = child.process.pid
        let signal = status & 0x7f
        let code = (status >> 8) & 0xff
        if child.stopping && !child.hung {
            logger.info("worker \(child.slot) (pid \(pid)) stopped" + (signal != 0 ? " (signal \(signal))" : code != 0 ? " (exit \(code))" : ""),
                        label: "supervisor")
            return
        }
        var why: String
        if child.hung {
            why = "killed (SIGKILL): no heartbeat for \(configuration.workerTimeout) (a handler stuck on an event loop)"
        } else if signal != 0 {
            why = "crashed: \(describe(signal: signal))"
            if let path = CrashReport.path(forProcess: pid, in: crashFolder), let report = CrashReport(contentsOf: path) {
                why = "crashed: \(report.summary) (report \(path))"
            }
        } else {
            why = "exited with status \(code)"
        }
        logger.error("worker \(child.slot) (pid \(pid)) \(why)", label: "supervisor")
        let covered = children.values.contains { $0.slot == child.slot && !$0.stopping }
        guard !stopping, !covered else { return }
        let now = Clock.now()
        scheduleRestart(slot: child.slot, uptime: now &- child.spawnedAt, why: "worker \(child.slot) (pid \(pid)) \(why)")
    }

    private func scheduleRestart(slot: Int, uptime: UInt64, why: String) {
        let now = Clock.now()
        guard let delay = policy.crashed(slot: slot, now: now, uptime: uptime) else {
            failure = "stopping: more than \(configuration.maxRestarts) worker restarts within \(configuration.restartWindow) (a crash loop); the last: \(why)"
            stopAll()
            return
        }
        if delay > 0 { logger.info("restarting worker \(slot) in \(delay / 1_000_000) ms", label: "supervisor") }
        pendingSpawns.append((slot, now &+ delay))
    }

    private func checkDeadlines() {
        let now = Clock.now()
        let due = pendingSpawns.filter { $0.at <= now }
        pendingSpawns.removeAll { $0.at <= now }
        if !stopping { for spawn in due { self.spawn(slot: spawn.slot) } }
        for (pid, child) in children {
            if child.stopping {
                if now >= child.killAt {
                    logger.warning("worker \(child.slot) (pid \(pid)) did not stop in time: SIGKILL", label: "supervisor")
                    child.process.send(SIGKILL)
                    children[pid]?.killAt = .max
                }
            } else if child.lastHeartbeat < now && now - child.lastHeartbeat > timeout {
                logger.error("worker \(child.slot) (pid \(pid)) sent no heartbeat for \(configuration.workerTimeout): SIGKILL",
                             label: "supervisor")
                children[pid]?.hung = true
                children[pid]?.stopping = true
                children[pid]?.killAt = .max
                child.process.send(SIGKILL)
            }
        }
    }

    private func describe(signal: Int32) -> String {
        guard let name = strsignal(signal) else { return "signal \(signal)" }
        return "\(String(cString: name)) (signal \(signal))"
    }
}

/// What the supervising thread needs: the supervisor and where to deliver its result.
final class SupervisorThread: @unchecked Sendable {   // handed from the starting task to the thread, then used there only
    let supervisor: Supervisor
    let continuation: CheckedContinuation<String?, Never>
    init(supervisor: Supervisor, continuation: CheckedContinuation<String?, Never>) {
        self.supervisor = supervisor
        self.continuation = continuation
    }
}

func supervisorThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let thread = Unmanaged<SupervisorThread>.fromOpaque(context!).takeRetainedValue()
    werk_set_thread_name("werk-supervisor")
    thread.continuation.resume(returning: thread.supervisor.supervise())
    return nil
}
