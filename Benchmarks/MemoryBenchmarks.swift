// Memory of idle connections: `swift run -c release Benchmarks memory`.
//
// Starts a WerkServer in process on loopback (port 0, access log off, hello world, then the same
// handler without its synchronous form, with a task per request and with a serving task per
// connection: WERK_TASK_PER_CONNECTION=1), measures the
// process's RSS at rest, opens N keep-alive connections (default 3000, WERK_MEMORY_CONNECTIONS),
// sends one request on each and reads its response, so every connection has served a request and
// is now idle, and measures RSS again: (full - baseline) / N is the RSS per idle connection. Then it
// closes them all, waits until the server has seen every close and two of its timer ticks have
// passed, and measures RSS once more (the target: within 10 % of the baseline). The client sockets
// live in the same process but hold no user-space memory beyond their descriptors (kernel socket
// buffers are not RSS). When nginx is installed, the same flood runs against nginx (`return 200`,
// master + workers measured). WERK_MEMORY_ROUNDS repeats the flood (default 2). Every wait is
// bounded; loopback only.

import Glibc
import Werk

func runMemoryBenchmarks(_ report: BenchmarkReport) async throws {
    let count = Int(memoryEnvironment("WERK_MEMORY_CONNECTIONS") ?? "") ?? 3000
    let rounds = max(1, Int(memoryEnvironment("WERK_MEMORY_ROUNDS") ?? "") ?? 2)
    raiseFileLimit(to: count * 2 + 256)
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.eventLoops = Server.Configuration.processorCount
    configuration.keepAliveTimeout = .seconds(120)
    let helloAsync = Handler { (_: Request) async throws -> Response in Response.text("Hello, World!") }   // an async closure: no synchronous form
    let variants: [(name: String, handler: Handler, taskPerConnection: Bool)] = [
        ("hello (inline)", Handler { _ in Response.text("Hello, World!") }, false),
        ("hello, async only (req task)", helloAsync, false),
        ("hello, async only (conn task)", helloAsync, true),
    ]
    print("\nMemory: \(count) idle keep-alive connections (one request each), \(configuration.eventLoops) event loops, \(rounds) round(s)")
    print("  \("server".padding(38)) \("baseline".leftPadding(10)) \("flooded".leftPadding(10)) \("per conn".leftPadding(10)) \("closed".leftPadding(10)) \("closed/base".leftPadding(12))")
    for variant in variants {
        let server = Server(variant.handler, configuration: configuration)
        if variant.taskPerConnection { setenv("WERK_TASK_PER_CONNECTION", "1", 1) }
        let port = try server.start().port ?? 0
        unsetenv("WERK_TASK_PER_CONNECTION")
        // Warm up: the loops, the date cache and the allocator's first arenas.
        _ = IdleFlood.open(port: port, count: 64).map { close($0) }
        await waitUntil { server.openConnections == 0 }
        for round in 1...rounds {
            await settle()
            let baseline = processResidentKilobytes(pid: getpid())
            let fds = IdleFlood.open(port: port, count: count)
            await waitUntil { server.openConnections >= fds.count }
            await settle()
            let flooded = processResidentKilobytes(pid: getpid())
            for fd in fds { close(fd) }
            await waitUntil { server.openConnections == 0 }
            await settle(ticks: 2)
            let closed = processResidentKilobytes(pid: getpid())
            printMemoryRow("\(variant.name), round \(round)", baseline, flooded, closed, fds.count)
        }
        await server.shutdown()
    }

    if let nginx = findExecutable("nginx"), let instance = NginxInstance(binary: nginx, workers: configuration.eventLoops) {
        defer { instance.stop() }
        let nginxPort = Int(instance.url.split(separator: ":").last?.split(separator: "/").first ?? "") ?? 0
        _ = IdleFlood.open(port: nginxPort, count: 64).map { close($0) }
        await settle()
        let baseline = instance.residentKilobytes()
        let fds = IdleFlood.open(port: nginxPort, count: count)
        await settle()
        let flooded = instance.residentKilobytes()
        for fd in fds { close(fd) }
        await settle(ticks: 2)
        printMemoryRow("nginx-light", baseline, flooded, instance.residentKilobytes(), fds.count)
    }
    fflush(nil)
}

private func printMemoryRow(_ name: String, _ baseline: Int, _ flooded: Int, _ closed: Int, _ count: Int) {
    func mib(_ kib: Int) -> String { "\(Double(kib * 10 / 1024) / 10) MiB" }
    let perConnection = count > 0 ? (flooded - baseline) * 1024 / count : 0
    let ratio = baseline > 0 ? Double(closed) / Double(baseline) * 100 : 0
    print("  \(name.padding(38)) \(mib(baseline).leftPadding(10)) \(mib(flooded).leftPadding(10)) "
          + "\("\(perConnection) B".leftPadding(10)) \(mib(closed).leftPadding(10)) \("\(Int(ratio.rounded())) %".leftPadding(12))")
    if count == 0 { print("    (no connection could be opened)") }
}

/// Opening many idle keep-alive connections, each after one complete request.
enum IdleFlood {
    static let request = Array("GET / HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)

    /// Connects `count` times to 127.0.0.1:`port`, sends one GET on each and reads its response.
    /// Returns the open descriptors (fewer when the system refuses more).
    static func open(port: Int, count: Int) -> [Int32] {
        var fds: [Int32] = []
        fds.reserveCapacity(count)
        for _ in 0..<count {
            guard let fd = connectLoopback(port: port) else { break }
            guard exchange(fd) else { close(fd); break }
            fds.append(fd)
        }
        return fds
    }

    private static func connectLoopback(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { close(fd); return nil }
        return fd
    }

    /// Sends the request and reads until the response head and its Content-Length body arrived.
    private static func exchange(_ fd: Int32) -> Bool {
        let sent = request.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard sent == request.count else { return false }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        for _ in 0..<64 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { return false }
            received += chunk[0..<n]
            if complete(received) { return true }
        }
        return false
    }

    private static func complete(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4, let end = (3..<bytes.count).first(where: {
            bytes[$0 - 3] == 13 && bytes[$0 - 2] == 10 && bytes[$0 - 1] == 13 && bytes[$0] == 10
        }) else { return false }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        guard let field = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(field.dropFirst("content-length:".count).trimmingPrefix(" ")) else { return true }
        return bytes.count - (end + 1) >= length
    }
}

/// Raises the soft RLIMIT_NOFILE (up to the hard limit) so that both ends of the flood fit.
private func raiseFileLimit(to wanted: Int) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(wanted) else { return }
    limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

/// Polls `condition` every 10 ms for at most 15 s.
private func waitUntil(_ condition: () -> Bool) async {
    for _ in 0..<1500 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
}

/// Lets the server's loops run their timer ticks (at most a second apart) before measuring.
private func settle(ticks: Int = 1) async {
    try? await Task.sleep(for: .milliseconds(300 + 1100 * (ticks - 1)))
}

private func memoryEnvironment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
