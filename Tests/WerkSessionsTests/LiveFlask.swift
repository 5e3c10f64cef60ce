#if canImport(Glibc)
import CWerkSystem
import Glibc
#endif
import WerkCore
import WerkSigning
import WerkTestSupport
import WerkTesting

/// Why the live Flask app could not be used.
struct LiveFlaskError: Error, CustomStringConvertible {
    let description: String
}

/// `Fixtures/flask_app.py` running as a child process (posix_spawn, no Foundation), on a free port it
/// prints on stdout. Stop it with ``stop()``.
final class LiveFlask: Sendable {
    let pid: pid_t
    let port: Int

    private static let missingHint = "The live Flask interop tests need python3 with Flask 3.1 "
        + "(pip install flask==3.1.3 werkzeug==3.1.8 itsdangerous==2.2.0); .ci/run installs them."

    private init(pid: pid_t, port: Int) {
        self.pid = pid
        self.port = port
    }

    /// Starts the app with `keys` (SECRET_KEY first, then fallbacks) and waits, at most `timeout`
    /// seconds, for its port line. `pinnedTimestamp` pins itsdangerous' clock.
    static func start(keys: [String], pinnedTimestamp: Int? = nil, timeout: Int = 20) async throws -> LiveFlask {
        let script = TestPaths.testsDirectory + "/Fixtures/flask_app.py"
        let stderrPath = "/tmp/werk-sessions-flask-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        var fds: [Int32] = [-1, -1]
        guard werk_pipe_cloexec(&fds) == 0 else { throw LiveFlaskError(description: "pipe failed: errno \(errno)") }
        // Other tests spawn apps concurrently: keep these ends out of their children.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let arguments = ["python3", "-u", script] + keys
        var environment: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            environment.append(String(cString: pointer))
            entry += 1
        }
        if let pinnedTimestamp { environment.append("WERK_PIN_TIMESTAMP=\(pinnedTimestamp)") }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "python3", &actions, nil, argv, envp)
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else {
            throw LiveFlaskError(description: "could not start python3 (errno \(spawned)). " + missingHint)
        }
        let process = LiveFlask(pid: pid, port: 0)

        // Read stdout until the "PORT <n>" line, with a deadline; EOF means the app died.
        var output: [UInt8] = []
        let deadline = monotonicSeconds() + Double(timeout)
        while !output.contains(UInt8(ascii: "\n")) {
            // Poll without blocking and yield between polls: a blocked thread would starve the
            // other tests on a 2-core machine's cooperative pool.
            var pollFD = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollFD, 1, 0)
            if ready == 0 {
                if monotonicSeconds() < deadline {
                    try await Task.sleep(for: .milliseconds(5))
                    continue
                }
                process.stop()
                throw LiveFlaskError(description: "the Flask app printed no port within \(timeout) s. "
                                     + "stderr: \(readFile(stderrPath))")
            }
            if ready < 0 { if errno == EINTR { continue }; break }
            var chunk = [UInt8](repeating: 0, count: 256)
            let n = read(fds[0], &chunk, chunk.count)
            if n <= 0 {
                process.stop()
                throw LiveFlaskError(description: "the Flask app exited before printing its port. " + missingHint
                                     + " stderr: \(readFile(stderrPath))")
            }
            output += chunk[0..<n]
        }
        unlink(stderrPath)
        let line = String(decoding: output.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.stop()
            throw LiveFlaskError(description: "unexpected first line from the Flask app: \(line)")
        }
        return LiveFlask(pid: pid, port: port)
    }

    /// Terminates the app (SIGTERM, then SIGKILL after 5 s) and reaps it.
    func stop() {
        kill(pid, SIGTERM)
        let deadline = monotonicSeconds() + 5
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if monotonicSeconds() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                return
            }
            usleep(10_000)
        }
    }

    /// One HTTP/1.0 request to the app over a plain socket; the server closes the connection after
    /// the response. Send and receive time out after 10 s. The blocking socket work runs on a thread
    /// of its own: on a 2-core machine a blocked cooperative thread stalls every other test.
    func request(_ method: String, _ path: String, cookie: String? = nil, body: [UInt8] = []) async throws -> LiveResponse {
        try await ThreadRunner.run { try self.requestBlocking(method, path, cookie: cookie, body: body) }
    }

    private func requestBlocking(_ method: String, _ path: String, cookie: String?, body: [UInt8]) throws -> LiveResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LiveFlaskError(description: "socket failed: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw LiveFlaskError(description: "connect to port \(port) failed: errno \(errno)") }

        var head = "\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.count)\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\n" }
        if let cookie { head += "Cookie: session=\(cookie)\r\n" }
        let message = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < message.count {
            let n = message[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw LiveFlaskError(description: "send failed: errno \(errno)") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { break }
            guard n > 0 else { throw LiveFlaskError(description: "recv failed: errno \(errno)") }
            received += chunk[0..<n]
        }
        return try LiveResponse(parsing: received)
    }
}

/// A response from the live app.
struct LiveResponse {
    var status: Int
    var headers: Headers
    var body: [UInt8]

    init(parsing bytes: [UInt8]) throws {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw LiveFlaskError(description: "no header end in: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw LiveFlaskError(description: "bad status line: \(lines.first ?? "")")
        }
        self.status = status
        self.headers = Headers(lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        })
        self.body = Array(bytes[(end + 4)...])
    }

    /// The body as tagged JSON, untagged.
    func tagged() throws -> FlaskTaggedJSON.Value { try FlaskTaggedJSON.untag(try JSON.parse(body)) }
}

private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

private func readFile(_ path: String) -> String {
    (try? readFile(path)).map { String(decoding: $0.suffix(2000), as: UTF8.self) } ?? "(none)"
}
