import CWerkSystem
import Glibc
import Testing

/// A child process with its stdout and stderr on pipes, killed if it outlives the test.
public final class Spawned {
    /// The child's process id.
    public let pid: pid_t
    /// The read end of its standard output.
    public let stdout: Int32
    /// The read end of its standard error.
    public let stderr: Int32
    private var reaped: Int32?

    /// The directory holding the built products: the test executable's own
    /// (`.build/<triple>/debug/WerkPackageTests.xctest` next to `Hello`, `Demo`, `DeploymentApp`).
    public static let productDirectory: String = {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { readlink("/proc/self/exe", $0.baseAddress!, $0.count - 1) }
        }
        guard n > 0, let slash = buffer[0..<n].lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return String(decoding: buffer[0..<slash], as: UTF8.self)
    }()

    /// Starts the executable at `path` with `arguments` and only `environment` set.
    public init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        try #require(access(path, X_OK) == 0, "\(path) is not built")
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        try #require(werk_pipe_cloexec(&out) == 0 && werk_pipe_cloexec(&err) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        for fd in out + err { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in posix_spawn(&pid, path, &actions, nil, a.baseAddress!, e.baseAddress!) }
        }
        close(out[1])
        close(err[1])
        self.pid = pid
        self.stdout = out[0]
        self.stderr = err[0]
        try #require(rc == 0)
    }

    deinit {
        stop()
        _ = wait()
        close(stdout)
        close(stderr)
    }

    /// Reads `fd` until end of file, for at most 60 s.
    public func readAll(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        while let chunk = readChunk(fd) { bytes += chunk }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads `fd` up to the first newline, for at most 60 s.
    public func readLine(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        while !bytes.contains(10), bytes.count < 65536 {
            var byte: UInt8 = 0
            guard waitReadable(fd), read(fd, &byte, 1) == 1 else { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func readChunk(_ fd: Int32) -> [UInt8]? {
        guard waitReadable(fd) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &buffer, buffer.count)
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    private func waitReadable(_ fd: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 60_000) > 0
    }

    /// Asks the process to stop (SIGTERM), once it still runs.
    public func stop() {
        if reaped == nil { kill(pid, SIGTERM) }
    }

    /// Waits for the exit (at most 60 s, then SIGKILL) and returns the exit status (128 + signal
    /// when killed).
    public func wait() -> Int32 {
        if let reaped { return reaped }
        var status: Int32 = 0
        for _ in 0..<600 {
            if waitpid(pid, &status, WNOHANG) == pid { return record(status) }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return record(status)
    }

    /// ``wait()`` for async tests: polls without blocking a thread of the cooperative pool (on a
    /// 2-core machine a blocked one stalls every other test).
    public func exitStatus() async -> Int32 {
        if let reaped { return reaped }
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return record(status) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return record(status)
    }

    private func record(_ status: Int32) -> Int32 {
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        reaped = code
        return code
    }
}
