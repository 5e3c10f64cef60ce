import Glibc
import Synchronization
import Testing
import WerkCore
import WerkServer
import WerkTestSupport
import WerkTesting

/// Tests/WorkerApp under a supervisor (`--workers N`), with its standard error collected so that
/// tests can wait for log lines.
final class SupervisedApp {
    let process: Spawned
    let address: Server.Address
    /// Where the workers' crash reports go (removed with the app).
    let crashFolder: TemporaryFolder
    private var log: [UInt8] = []

    static let executable = Spawned.productDirectory + "/WorkerApp"

    /// Starts the app with `arguments` (after `--port 0 --event-loops 1 --no-access-log`) and waits
    /// for its `Running on` line (all workers ready).
    init(_ arguments: [String], environment: [String: String] = [:], unixSocket: String? = nil) throws {
        let listen = unixSocket.map { ["--unix-socket", $0] } ?? ["--host", "127.0.0.1", "--port", "0"]
        crashFolder = try TemporaryFolder()
        process = try Spawned(Self.executable, listen + ["--event-loops", "1", "--no-access-log"] + arguments,
                              environment: environment.merging(["WERK_TEST_CRASH_DIR": crashFolder.path]) { $1 })
        _ = fcntl(process.stderr, F_SETFL, fcntl(process.stderr, F_GETFL) | O_NONBLOCK)
        let line = process.readLine(process.stdout)
        if let unixSocket, line.hasPrefix("Running on unix:\(unixSocket) with") {
            address = Server.Address(unixSocketPath: unixSocket)
            return
        }
        let prefix = "Running on http://127.0.0.1:"
        guard line.hasPrefix(prefix), let port = Int(line.dropFirst(prefix.count).prefix { $0 != "/" }) else {
            let log = Self.drain(process.stderr)
            throw SupervisorTestError("the supervisor said \(line.debugDescription); its log: \(log)")
        }
        address = Server.Address(host: "127.0.0.1", port: port)
    }

    /// Everything the supervisor and its workers wrote on standard error so far.
    var text: String {
        log += Array(Self.drain(process.stderr).utf8)
        return String(decoding: log, as: UTF8.self)
    }

    /// Waits (at most `seconds`) until `condition` holds for the log; the log then. The waiting is
    /// done on a thread of its own, never on the cooperative pool.
    @discardableResult
    func waitForLog(_ what: String, seconds: Int = 30, _ condition: (String) -> Bool) async throws -> String {
        let deadline = time(nil) + seconds
        let fd = process.stderr
        while true {
            let current = text
            if condition(current) { return current }
            guard time(nil) < deadline else { throw SupervisorTestError("timed out waiting for \(what); the log:\n\(current)") }
            _ = try await ThreadRunner.run { () -> Int32 in
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                return poll(&pfd, 1, 200)
            }
        }
    }

    /// Sends SIGTERM, reads the log to its end (the supervisor and all workers have exited) and
    /// returns the supervisor's exit status.
    func stop() async throws -> Int32 {
        process.stop()
        let fd = process.stderr
        log += try await ThreadRunner.run { readToEnd(fd) }
        return process.wait()
    }

    /// One request on a new connection (`Connection: close`); nil when the connection failed or
    /// closed without an answer.
    func get(_ path: String) -> TestTransportResponse? {
        Self.get(address, path)
    }

    static func get(_ address: Server.Address, _ path: String) -> TestTransportResponse? {
        do {
            let socket = try BlockingSocket(address, timeout: .seconds(30))
            try socket.send("GET \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            return try socket.readResponse()
        } catch {
            return nil
        }
    }

    static func drain(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { bytes += buffer[0..<n] } else { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

struct SupervisorTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The pids in the log's `worker K (pid P) ready` lines, in order.
func readyPids(_ log: String) -> [String] {
    log.split(separator: "\n").compactMap { line -> String? in
        guard line.hasSuffix(") ready"), let open = line.firstRange(of: "(pid ") else { return nil }
        return String(line[open.upperBound...].prefix { $0.isNumber })
    }
}

/// Reads a nonblocking or blocking fd until end of file (at most 60 s).
func readToEnd(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    let deadline = time(nil) + 60
    while time(nil) < deadline {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 1000) >= 0 else { break }
        let n = read(fd, &buffer, buffer.count)
        if n > 0 { bytes += buffer[0..<n] } else if n == 0 || (errno != EAGAIN && errno != EINTR) { break }
    }
    return bytes
}

/// A folder in /tmp, removed with the files in it when the value goes away.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/werk-workers-test-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw SupervisorTestError("mkdtemp failed")
        }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        if let directory = opendir(path) {
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names { unlink(path + "/" + name) }
        }
        rmdir(path)
    }
}
