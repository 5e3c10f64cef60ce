import CWerkSystem
import Glibc

/// A worker process, as its supervisor sees it: the pid, the supervisor's end of the control
/// channel, and the slot it fills.
///
/// ``spawn(executable:arguments:listenerFD:launch:environment:)`` starts one with `posix_spawn` (a
/// supervisor is multi-threaded, where `fork()` without `exec` is unsafe): the child gets the
/// listening socket at fd 3 and its end of the control channel at fd 4 (their close-on-exec flag
/// cleared in the child only), every other descriptor above 2 closed, and `WERK_WORKER` describing
/// the launch (``WorkerLaunch``). A ``Server`` started in such a child serves on the inherited socket
/// and reports on the channel (``WorkerMessage``).
package final class WorkerProcess: Sendable {
    /// The child's process id.
    package let pid: pid_t
    /// The supervisor's end of the control channel (nonblocking, close-on-exec): read
    /// ``WorkerMessage`` bytes from it; end of file when the worker has exited.
    package let controlFD: Int32
    /// The slot the worker fills.
    package let index: Int

    private init(pid: pid_t, controlFD: Int32, index: Int) {
        self.pid = pid
        self.controlFD = controlFD
        self.index = index
    }

    /// Starts `executable` with `arguments` (argv[1...]; argv[0] is `executable`) as worker
    /// `launch.index`, inheriting `listenerFD` and a new control channel. The child's environment is
    /// this process's, plus `WERK_WORKER` and `environment` (which wins). Throws
    /// ``ServerError/system(_:_:)`` when the channel cannot be made or the spawn fails.
    package static func spawn(executable: String, arguments: [String], listenerFD: Int32, launch: WorkerLaunch,
                              environment: [String: String] = [:]) throws(ServerError) -> WorkerProcess {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw ServerError.system("socketpair", errno)
        }
        let (ours, theirs) = (pair[0], pair[1])
        var launch = launch
        launch.listenerFD = WorkerLaunch.listenerTarget
        launch.controlFD = WorkerLaunch.controlTarget

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Two steps, so that no source is overwritten before it is moved: first above every fd in
        // play, then down to 3 and 4. dup2 clears close-on-exec on the copy, in the child only.
        let parking = max(listenerFD, theirs, WorkerLaunch.controlTarget) + 1
        posix_spawn_file_actions_adddup2(&actions, listenerFD, parking)
        posix_spawn_file_actions_adddup2(&actions, theirs, parking + 1)
        posix_spawn_file_actions_adddup2(&actions, parking, WorkerLaunch.listenerTarget)
        posix_spawn_file_actions_adddup2(&actions, parking + 1, WorkerLaunch.controlTarget)
        posix_spawn_file_actions_addclosefrom_np(&actions, WorkerLaunch.controlTarget + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var variables = currentEnvironment()
        variables[WorkerLaunch.environmentName] = launch.environmentValue
        for (key, value) in environment { variables[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in posix_spawn(&pid, executable, &actions, &attributes, a.baseAddress!, e.baseAddress!) }
        }
        close(theirs)
        guard rc == 0 else {
            close(ours)
            throw ServerError.system("posix_spawn \(executable)", rc)
        }
        _ = fcntl(ours, F_SETFL, fcntl(ours, F_GETFL) | O_NONBLOCK)
        return WorkerProcess(pid: pid, controlFD: ours, index: launch.index)
    }

    /// Sends `signal` to the worker.
    package func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Reads the messages waiting on the control channel; `ended` when the worker closed it (it
    /// exited, or is exiting).
    package func readMessages() -> (messages: [WorkerMessage], ended: Bool) {
        var messages: [WorkerMessage] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(controlFD, $0.baseAddress!, $0.count) }
            if n > 0 {
                for byte in buffer[0..<n] { if let message = WorkerMessage(rawValue: byte) { messages.append(message) } }
                continue
            }
            if n < 0 && errno == EINTR { continue }
            return (messages, n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
        }
    }

    /// Closes the supervisor's end of the control channel (the worker then sees end of file and
    /// stops: a worker never outlives its supervisor's interest).
    package func closeChannel() {
        close(controlFD)
    }

    /// This process's environment as a dictionary.
    package static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        guard var pointer = werk_environ() else { return result }
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// The path of this process's executable (`/proc/self/exe` resolved), or nil.
    package static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &buffer, 4096)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? "/proc/self/exe" : path
    }
}
