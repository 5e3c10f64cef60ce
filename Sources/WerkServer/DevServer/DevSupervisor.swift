import CWerkSystem
import Glibc
import Synchronization
import WerkCore

/// The dev server (`--reload`): this process binds the listening socket, builds the product with
/// `swift build`, runs the built executable as its one worker on that socket, and rebuilds when the
/// package's sources change (``FileWatcher``).
///
/// - A successful build replaces the worker (the old one stops gracefully first). Connections that
///   arrive meanwhile wait in the socket's backlog, which this process holds for its whole life.
///   The worker answers with live reload (``LiveReload``) for the build's generation.
/// - A failed build stops the worker; this process then answers every request itself with the
///   compiler's diagnostics (``CompileErrorPage``), and prints them.
/// - A worker that crashes is not restarted at once: the next request gets the crash page (the
///   fault, the frames and their source from the runtime's JSON crash report), and the worker is
///   started again right after it, on the same build.
package final class DevSupervisor: @unchecked Sendable {   // used by one thread only
    let configuration: Server.Configuration
    let runner: BuildRunner
    let arguments: [String]
    let logger: any Logger
    var listenerFD: Int32 = -1
    var crashFolder = ""
    var signalRead: Int32 = -1
    var worker: WorkerProcess?
    var workerBinary: timespec?
    /// This process's own server while no worker runs (a compile-error or crash page).
    var fallback: (server: Server, stop: LiveReload.StopFlag, afterCrash: Bool)?
    var retired: [Server] = []
    var builds = 0
    var failures = 0
    var generation = "b0"
    var stopping = false
    /// Set from another thread to stop (tests); SIGINT and SIGTERM stop it too.
    private let stopRequest = LiveReload.StopFlag()
    private let bound = Mutex<Server.Address?>(nil)

    /// Where it listens, once bound.
    package var address: Server.Address? { bound.withLock { $0 } }

    /// Asks ``run()`` to stop (within about 200 ms, or after the build in progress).
    package func requestStop() { stopRequest.set() }

    /// Whether SIGINT and SIGTERM stop it (the process's handlers are replaced while it runs); tests
    /// that share their process with other supervisors stop it with ``requestStop()`` instead.
    let handlesSignals: Bool

    /// A dev server for `runner`'s product, whose workers get `arguments` (without `--reload`).
    package init(configuration: Server.Configuration, runner: BuildRunner, arguments: [String], handlesSignals: Bool = true) {
        self.configuration = configuration
        self.runner = runner
        self.arguments = arguments
        self.logger = configuration.errorLogger
        self.handlesSignals = handlesSignals
    }

    /// Runs until SIGINT or SIGTERM; returns the exit status (0, or 1 when it cannot start).
    package func run() -> Int32 {
        do {
            try bind()
            try makeCrashFolder()
        } catch {
            writeAll(2, "\(Server.programName): \(error)\n")
            return 1
        }
        werk_ignore_sigpipe()
        var fds: [Int32] = [-1, -1]
        guard werk_pipe_cloexec(&fds) == 0 else { return 1 }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        signalRead = fds[0]
        if handlesSignals { _ = werk_install_supervisor_signals(fds[1]) }
        // The main thread of an async `main` runs with these blocked, and this process may have no
        // other thread: unblocked here, or SIGINT and SIGTERM would stay pending for ever.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        let folders = PackageLocator.watchedFolders(root: runner.packageRoot)
        let watcher: FileWatcher
        do {
            watcher = try FileWatcher(roots: folders, files: [runner.packageRoot + "/Package.swift"], skipping: ["Tests"])
        } catch {
            writeAll(2, "\(Server.programName): cannot watch the sources: \(error)\n")
            return 1
        }
        let address = Listener.address(of: listenerFD)
        bound.withLock { $0 = address }
        writeAll(1, "Running on \(address) (dev server: rebuilds \(runner.product) when \(folders.count) folder\(folders.count == 1 ? "" : "s") of "
                    + "\(runner.packageRoot) change; press CTRL+C to quit)\n")
        rebuild()
        while !stopping {
            let changes = watcher.nextChanges(quiet: .milliseconds(100), limit: .seconds(2), timeout: .milliseconds(200))
            handleSignals()
            if stopping || stopRequest.isSet { break }
            checkWorker()
            checkCrashPage()
            if let first = changes.first {
                let more = changes.count > 1 ? " and \(changes.count - 1) more" : ""
                writeAll(2, "\(relative(first))\(more) changed: rebuilding\n")
                rebuild()
            }
        }
        stopWorker()
        stopFallback()
        close(listenerFD)
        if let path = configuration.unixSocketPath { unlink(path) }
        removeCrashFolder()
        if handlesSignals { werk_restore_signals() }
        close(fds[0])
        close(fds[1])
        return 0
    }

    // MARK: Building

    func rebuild() {
        let result = runner.build()
        let seconds = Double(result.duration.components.seconds) + Double(result.duration.components.attoseconds) / 1e18
        let tenths = Int((seconds * 10).rounded())
        let took = "\(tenths / 10).\(tenths % 10) s"
        if result.succeeded {
            builds += 1
            generation = "b\(builds)"
            if worker != nil, fallback == nil, let before = workerBinary, let now = modificationTime(runner.executablePath),
               before.tv_sec == now.tv_sec && before.tv_nsec == now.tv_nsec {
                builds -= 1
                generation = "b\(builds)"
                writeAll(2, "Build succeeded in \(took): \(runner.product) unchanged, the worker keeps running\n")
                return
            }
            writeAll(2, "Build succeeded in \(took): starting \(runner.product)\n")
            stopWorker()
            stopFallback()
            startWorker()
        } else {
            failures += 1
            generation = "f\(failures)"
            let diagnostics = result.diagnostics
            writeAll(2, CompileErrorPage.terminalReport(diagnostics: diagnostics, output: result.output,
                                                        packageRoot: runner.packageRoot)
                        + "(\(took); the browser shows these until the code builds again)\n")
            stopWorker()
            stopFallback()
            let stop = LiveReload.StopFlag()
            startFallback(CompileErrorPage.handler(diagnostics: diagnostics, output: result.output,
                                                   packageRoot: runner.packageRoot, generation: generation, stop: stop),
                          stop: stop, afterCrash: false)
        }
    }

    // MARK: The worker

    func startWorker() {
        let backtrace = "format=json,output-to=\(crashFolder),interactive=no,color=no"
        do {
            worker = try WorkerProcess.spawn(executable: runner.executablePath, arguments: arguments, listenerFD: listenerFD,
                                             launch: WorkerLaunch(index: 0),
                                             environment: ["SWIFT_BACKTRACE": backtrace, LiveReload.environmentVariable: generation])
            workerBinary = modificationTime(runner.executablePath)
        } catch {
            writeAll(2, "cannot start \(runner.executablePath): \(error)\n")
        }
    }

    /// Stops the worker: SIGTERM, then SIGKILL after 3 s; waits for it.
    func stopWorker() {
        guard let process = worker else { return }
        worker = nil
        process.send(SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(3)
        var status: Int32 = 0
        while waitpid(process.pid, &status, WNOHANG) == 0 {
            if clock.now >= deadline {
                process.send(SIGKILL)
                while waitpid(process.pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            var ignored = timespec(tv_sec: 0, tv_nsec: 5_000_000)
            nanosleep(&ignored, nil)
        }
        process.closeChannel()
    }

    /// Notices a worker that exited on its own (a crash): logs it and puts up the crash page.
    func checkWorker() {
        guard let process = worker else { return }
        _ = process.readMessages()   // ready and heartbeats: drained, not needed here
        var status: Int32 = 0
        guard waitpid(process.pid, &status, WNOHANG) == process.pid else { return }
        worker = nil
        process.closeChannel()
        let signal = status & 0x7f
        var report: CrashReport? = nil
        if signal != 0, let path = CrashReport.path(forProcess: process.pid, in: crashFolder) {
            report = CrashReport(contentsOf: path)
            unlink(path)
        }
        let why = report?.summary ?? (signal != 0 ? "killed by signal \(signal)" : "exited with status \((status >> 8) & 0xff)")
        writeAll(2, "\(runner.product) (pid \(process.pid)) \(why)\n"
                    + "The next request gets the crash page; the worker starts again after it.\n")
        let stop = LiveReload.StopFlag()
        startFallback(DevCrashPage.handler(report: report, exit: why, pid: process.pid, packageRoot: runner.packageRoot,
                                           generation: generation, stop: stop, shown: stop),
                      stop: stop, afterCrash: true)
    }

    /// After the crash page was shown once, starts the worker again.
    func checkCrashPage() {
        guard let fallback, fallback.afterCrash, fallback.stop.isSet else { return }
        stopFallback()
        startWorker()
    }

    // MARK: This process's own server

    func startFallback(_ handler: Handler, stop: LiveReload.StopFlag, afterCrash: Bool) {
        var own = configuration
        own.eventLoops = 1
        own.printStartupLine = false
        own.shutdownTimeout = .milliseconds(500)
        own.workers = 0
        let server = Server(handler, configuration: own)
        do {
            _ = try server.start(listenerFD: listenerFD)
            fallback = (server, stop, afterCrash)
        } catch {
            writeAll(2, "cannot serve the error page: \(error)\n")
        }
    }

    func stopFallback() {
        guard let fallback else { return }
        self.fallback = nil
        fallback.stop.set()
        fallback.server.beginShutdown()
        retired.append(fallback.server)
        if retired.count > 8 { retired.removeFirst() }
    }

    // MARK: Setup and signals

    private func bind() throws(ServerError) {
        do { try configuration.validate() } catch { throw ServerError.invalidConfiguration(error) }
        if let path = configuration.unixSocketPath {
            listenerFD = try Listener.unix(path: path, backlog: configuration.backlog)
        } else {
            listenerFD = try Listener.tcp(host: configuration.host, port: configuration.port, count: 1,
                                          backlog: configuration.backlog, reusePort: false).fds[0]
        }
    }

    private func makeCrashFolder() throws(ServerError) {
        crashFolder = try CrashReport.makeTemporaryFolder(prefix: "werk-dev-crashes")
    }

    private func removeCrashFolder() {
        guard let directory = opendir(crashFolder) else { return }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".json") { unlink(crashFolder + "/" + name) }
        }
        closedir(directory)
        rmdir(crashFolder)
    }

    private func handleSignals() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(signalRead, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            if buffer[0..<n].contains(where: { Int32($0) == SIGINT || Int32($0) == SIGTERM }) { stopping = true }
        }
    }

    private func modificationTime(_ path: String) -> timespec? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim
    }

    private func relative(_ path: String) -> String {
        path.hasPrefix(runner.packageRoot + "/") ? String(path.dropFirst(runner.packageRoot.utf8.count + 1)) : path
    }
}
