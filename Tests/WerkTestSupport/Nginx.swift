#if canImport(Glibc)
import Glibc
#endif

/// nginx started for one test, from a configuration in a fresh folder; stopped by its pid. The
/// deployment test and the static-files interop test both run it.
public final class Nginx: Sendable {
    /// The master process.
    public let pid: pid_t
    /// The folder holding the configuration, logs and temp files.
    public let folder: String
    /// The loopback port filled in for `@PORT@`.
    public let port: Int

    /// Writes `configuration` (with `@PORT@` and `@FOLDER@` filled in) and starts nginx in the foreground.
    public init(_ configuration: String) throws {
        let folder = "/tmp/werk-nginx-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(folder, 0o755)
        let port = unusedPort()
        let text = configuration.replacingOccurrences("@PORT@", with: String(port)).replacingOccurrences("@FOLDER@", with: folder)
        let file = fopen(folder + "/nginx.conf", "w")
        fputs(text, file)
        fclose(file)
        let arguments = [ExternalTool.nginx.path ?? "nginx", "-p", folder, "-c", folder + "/nginx.conf", "-e", folder + "/error.log"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // nginx's own output goes to a file: if the test process dies without stopping it, an nginx
        // holding the test runner's output pipe would keep `swift test` waiting for ever.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, folder + "/output.log", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else { throw NginxError(message: "nginx did not start") }
        self.pid = pid
        self.folder = folder
        self.port = port
    }

    /// Waits (bounded) until nginx accepts connections.
    public func waitUntilListening() async throws {
        for _ in 0..<400 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if rc == 0 { return }
            try await Task.sleep(for: .milliseconds(25))   // polling for readiness, bounded to 10 s
        }
        throw NginxError(message: "nginx did not listen on port \(port) within 10 s: \(log)")
    }

    /// The error log so far (at most 64 KiB).
    public var log: String {
        guard let file = fopen(folder + "/error.log", "r") else { return "" }
        defer { fclose(file) }
        var out: [UInt8] = [], byte = fgetc(file)
        while byte != EOF && out.count < 64 * 1024 {
            out.append(UInt8(truncatingIfNeeded: byte))
            byte = fgetc(file)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Stops nginx (fast shutdown), waits for it and removes its folder.
    public func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        _ = ExternalTool.run(["rm", "-rf", folder])   // our own folder, named with our pid and a random number
    }
}

/// nginx could not be started or did not listen.
public struct NginxError: Error, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// The message.
    public var description: String { message }
}

extension String {
    /// Every `target` replaced by `replacement`.
    public func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
