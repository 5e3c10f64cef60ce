// Helpers for the server benchmark: spawning processes, an nginx instance in a temp dir, RSS from
// procfs, and a bounded built-in load generator for machines without wrk.

import Glibc
import WerkBenchmarks

/// Spawns `path` with `arguments`, waits for it, and returns its stdout (nil on failure).
func runProcess(_ path: String, _ arguments: [String]) -> String? { Subprocess.output(path, arguments) }

/// posix_spawn with argv built from `arguments` and a minimal environment.
func spawn(_ path: String, _ arguments: [String], actions: inout posix_spawn_file_actions_t) -> pid_t? {
    Subprocess.spawn(path, arguments, actions: &actions)
}

/// VmRSS of a process in KiB (0 when unknown).
func processResidentKilobytes(pid: pid_t) -> Int {
    let fd = open("/proc/\(pid)/status", O_RDONLY)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 8192)
    let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    guard n > 0 else { return 0 }
    for line in String(decoding: bytes[0..<n], as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}

/// utime + stime of a process, in clock ticks (0 when unknown).
func cpuTicks(_ pid: pid_t) -> (user: Int, system: Int) {
    guard let text = readText("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return (0, 0) }
    // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13 else { return (0, 0) }
    return (Int(fields[11]) ?? 0, Int(fields[12]) ?? 0)
}

/// A free loopback TCP port (bound to port 0 and released).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
            _ = bind(fd, p, length)
            return getsockname(fd, p, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts connections on 127.0.0.1:`port`.
func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

/// nginx on a free loopback port, its config and temp paths in a fresh temp directory: by default
/// `return 200 "Hello, World!"`; `http` adds directives to the http block and `location` replaces
/// the server's locations (the static suite serves files with sendfile and open_file_cache).
final class NginxInstance {
    let pid: pid_t
    let port: Int
    let url: String
    let directory: String

    init?(binary: String, workers: Int, http: String = "",
          location: String = #"location / { default_type text/plain; return 200 "Hello, World!"; }"#) {
        var template = Array("/tmp/werk-nginx-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return nil }
        directory = String(cString: dir)
        port = freePort()
        url = "http://127.0.0.1:\(port)/"
        let config = """
            worker_processes \(workers);
            daemon off;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path \(directory)/body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                \(http)
                server {
                    listen 127.0.0.1:\(port) reuseport;
                    \(location)
                }
            }

            """
        let path = "\(directory)/nginx.conf"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return nil }
        _ = config.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress!, $0.count - 1) }
        close(fd)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        guard let pid = spawn(binary, ["-p", directory, "-c", path], actions: &actions) else { return nil }
        self.pid = pid
        let deadline = time(nil) + 10
        while !canConnect(port: port) {
            if time(nil) > deadline { kill(pid, SIGTERM); return nil }
            usleep(20_000)
        }
    }

    /// The master and its workers.
    func processes() -> [pid_t] {
        [pid] + (readText("/proc/\(pid)/task/\(pid)/children") ?? "").split(separator: " ").compactMap { pid_t($0) }
    }

    /// RSS of the master and its workers, in KiB.
    func residentKilobytes() -> Int {
        processes().map { processResidentKilobytes(pid: $0) }.reduce(0, +)
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        _ = runProcess("/bin/rm", ["-rf", directory])
    }
}

func readText(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 4096)
    let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    return n > 0 ? String(decoding: bytes[0..<n], as: UTF8.self) : nil
}
