#if canImport(Glibc)
import Glibc
#endif
import Testing
import WerkCore
import WerkServer
import WerkTestSupport

/// A real nginx serving `root` at `/static/` on a free loopback port, configured in a temp folder
/// (`-p` prefix, `daemon off`, pid and error log inside it). Stopped with `stop()`.
final class NginxProcess: @unchecked Sendable {
    let port: Int
    let pid: pid_t
    let prefix: String

    /// The modules compiled in, from `nginx -V`.
    static func hasGzipStatic(_ executable: String) -> Bool {
        ExternalTool.run(["/bin/sh", "-c", "'\(executable)' -V 2>&1 | grep -q -- --with-http_gzip_static_module"]) == 0
    }

    /// A port nobody listens on right now: bind port 0, read it, close.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw NginxError.setup("bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    enum NginxError: Error, CustomStringConvertible {
        case setup(String)
        var description: String { if case .setup(let s) = self { return s }; return "" }
    }

    /// Starts nginx serving `root` with `types` (extension → type, the charset added for text).
    init(executable: String, root: String, prefix: String, types: [(String, String)], textTypes: [String], gzipStatic: Bool) throws {
        self.prefix = prefix
        port = try Self.freePort()
        let typeLines = types.map { "    \($0.1) \($0.0);" }.joined(separator: "\n")
        let config = """
        daemon off;
        worker_processes 1;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/error.log;
        events { worker_connections 128; }
        http {
          access_log off;
          client_body_temp_path \(prefix)/tmp; proxy_temp_path \(prefix)/tmp; fastcgi_temp_path \(prefix)/tmp;
          uwsgi_temp_path \(prefix)/tmp; scgi_temp_path \(prefix)/tmp;
          types {
        \(typeLines)
          }
          default_type application/octet-stream;
          charset utf-8;
          charset_types \(textTypes.joined(separator: " "));
          sendfile on;
          server_tokens off;
          server {
            listen 127.0.0.1:\(port);
            location /static/ { alias \(root)/; \(gzipStatic ? "gzip_static on;" : "") }
          }
        }
        """
        let configPath = prefix + "/nginx.conf"
        let fd = open(configPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = Array(config.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        _ = mkdir(prefix + "/tmp", 0o755)
        let arguments: [String] = [executable, "-p", prefix, "-c", configPath]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        guard posix_spawn(&child, executable, nil, nil, &argv, environ) == 0 else { throw NginxError.setup("cannot start nginx") }
        pid = child
        // Ready when it accepts connections: poll, bounded (10 s), never a fixed sleep.
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if Self.canConnect(port) { return }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child { throw NginxError.setup("nginx exited; see \(prefix)/error.log") }
            usleep(20_000)
        }
        stop()
        throw NginxError.setup("nginx did not start listening within 10 s")
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Stops nginx (SIGQUIT: a graceful stop) and reaps it.
    func stop() {
        kill(pid, SIGQUIT)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    var address: Server.Address { Server.Address(host: "127.0.0.1", port: port) }
}
