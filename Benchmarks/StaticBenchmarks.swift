// Static files against nginx: `swift run -c release Benchmarks static`.
//
// The same temp folder (a 1 KiB and a 1 MiB file) served by WerkServer + SharedData (twice: bodies
// with sendfile, and small files from the stat-revalidated memory cache) and by nginx-light
// (`sendfile on`, `open_file_cache`, the same worker count), each driven in the same run by
// `wrk -t1 -c64 -d<s>s` for: the 1 KiB file, the 1 MiB file, a single 1 KiB range of the 1 MiB file,
// and a 304 revalidation (If-None-Match with that server's own ETag). Req/s is the median of
// WERK_BENCH_ROUNDS rounds (default 3) of WERK_BENCH_SECONDS (default 5); RSS is measured after
// each case (it must stay flat). Loopback only, ports picked by binding port 0, bounded in time.

import Glibc
import Werk
import WerkBenchmarks

func runStaticBenchmarks(_ report: BenchmarkReport) async throws {
    let seconds = Int(staticEnvironment("WERK_BENCH_SECONDS") ?? "") ?? 5
    let rounds = max(1, Int(staticEnvironment("WERK_BENCH_ROUNDS") ?? "") ?? 3)
    guard let wrk = findExecutable("wrk") else {
        print("\nStatic: wrk is not installed (apt-get install wrk); the static suite needs its -H option")
        return
    }
    var template = Array("/tmp/werk-static-bench-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return }
    let directory = String(cString: made)
    _ = chmod(directory, 0o755)
    defer { _ = runProcess("/bin/rm", ["-rf", directory]) }
    writeBenchFile(directory + "/1k.txt", count: 1024)
    writeBenchFile(directory + "/1m.bin", count: 1 << 20)

    // The handler alone, in process (what SharedData adds per request before the server writes).
    report.header("Static: SharedData handler in process (ns/op, best of 5 rounds)")
    for (name, cacheSize) in [("1 KiB file, memory cache", 32 * 1024), ("1 KiB file, sendfile region", 0)] {
        var options = SharedData.Options()
        options.memoryCacheMaxFileSize = cacheSize
        let handler = Stack {
            SharedData(["/static": directory], options: options)
            Handler { _ in Response(status: .notFound) }
        }
        let request = Request(target: "/static/1k.txt", headers: ["Host": "127.0.0.1"])
        if let synchronous = handler.synchronous {
            let ns = measure(iterations: 100_000) { blackHole(try? synchronous(request)) }
            report.add(BenchmarkResult(group: "static", name: name, nanosecondsPerOp: ns))
        }
    }

    let loops = Server.Configuration.processorCount
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.eventLoops = loops
    var sendfileOnly = SharedData.Options()
    sendfileOnly.memoryCacheMaxFileSize = 0
    let variants: [(String, SharedData.Options)] = [("Werk (sendfile)", sendfileOnly), ("Werk (memory cache)", SharedData.Options())]
    var servers: [(name: String, server: Server, port: Int)] = []
    for (name, options) in variants {
        let app = Stack {
            SharedData(["/static": directory], options: options)
            Handler { _ in Response(status: .notFound) }
        }
        let server = Server(app, configuration: configuration)
        servers.append((name, server, try server.start().port ?? 0))
    }
    var nginx: NginxInstance? = nil
    if let binary = findExecutable("nginx") { nginx = staticNginx(binary: binary, root: directory, workers: loops) }
    defer { nginx?.stop() }
    var targets: [(name: String, port: Int, rss: () -> Int)] = servers.map { s in (s.name, s.port, { processResidentKilobytes(pid: getpid()) }) }
    if let nginx { targets.append(("nginx-light", nginx.port, { nginx.residentKilobytes() })) }

    let cases: [(name: String, path: String, header: (Int) -> String?)] = [
        ("1 KiB file", "/static/1k.txt", { _ in nil }),
        ("1 MiB file", "/static/1m.bin", { _ in nil }),
        ("single range (1 KiB of 1 MiB)", "/static/1m.bin", { _ in "Range: bytes=4096-5119" }),
        ("304 revalidation (1 KiB)", "/static/1k.txt", { port in fetchETag(port: port, path: "/static/1k.txt").map { "If-None-Match: \($0)" } }),
    ]
    print("\nStatic: \(loops) event loops / nginx workers, wrk -t1 -c64 -d\(seconds)s, \(rounds) round(s), median req/s; RSS after the case")
    print("  \("case".padding(32)) \(targets.map { $0.name.leftPadding(22) }.joined()) \(nginx == nil ? "" : "   Werk/nginx")")
    for benchCase in cases {
        var rates: [[Double]] = Array(repeating: [], count: targets.count)
        for (index, target) in targets.enumerated() {   // warm-up (fills caches)
            _ = wrkRate(wrk, port: target.port, path: benchCase.path, header: benchCase.header(target.port), seconds: 1)
            _ = index
        }
        for _ in 0..<rounds {
            for (index, target) in targets.enumerated() {
                if let rate = wrkRate(wrk, port: target.port, path: benchCase.path, header: benchCase.header(target.port), seconds: seconds) {
                    rates[index].append(rate)
                }
            }
        }
        let medians = rates.map { $0.isEmpty ? 0 : $0.sorted()[$0.count / 2] }
        var line = "  \(benchCase.name.padding(32))"
        for (index, target) in targets.enumerated() {
            line += "\(String(Int(medians[index]))) (\(target.rss() / 1024) MiB)".leftPadding(22)
        }
        if nginx != nil, let nginxRate = medians.last, nginxRate > 0 {
            line += "   " + medians.dropLast().map { "\(Int(($0 / nginxRate * 100).rounded())) %" }.joined(separator: " / ")
        }
        print(line)
        fflush(nil)
        for (index, target) in targets.enumerated() where medians[index] > 0 {
            report.record(BenchmarkRecord(group: "static", name: "\(benchCase.name), \(target.name)",
                                          values: ["rps": medians[index]]))
        }
    }
    if nginx == nil { print("  (nginx not installed: apt-get install -y nginx-light to compare)") }
    print("  Werk's RSS is the benchmark process's (both Werk servers + harness); nginx's is master + workers.")
    for server in servers { await server.server.shutdown() }
}

/// `count` bytes of a pattern at `path`.
private func writeBenchFile(_ path: String, count: Int) {
    let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

/// wrk's Requests/sec for one URL and an optional extra header.
private func wrkRate(_ wrk: String, port: Int, path: String, header: String?, seconds: Int) -> Double? {
    var arguments = ["-t1", "-c64", "-d\(seconds)s"]
    if let header { arguments += ["-H", header] }
    arguments.append("http://127.0.0.1:\(port)\(path)")
    guard let output = runProcess(wrk, arguments) else { return nil }
    for line in output.split(separator: "\n") where line.hasPrefix("Requests/sec:") {
        return Double(line.split(separator: " ", omittingEmptySubsequences: true).last ?? "")
    }
    return nil
}

/// The ETag a server sends for `path` (one GET on a fresh connection).
private func fetchETag(port: Int, path: String) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var tv = timeval(tv_sec: 5, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
    guard connected else { return nil }
    let request = Array("HEAD \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
    guard n > 0 else { return nil }
    for line in String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\r\n") where line.lowercased().hasPrefix("etag:") {
        return String(line.dropFirst(5).drop { $0 == " " })
    }
    return nil
}

private func staticEnvironment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

/// nginx serving `root` at /static/ with sendfile and open_file_cache.
private func staticNginx(binary: String, root: String, workers: Int) -> NginxInstance? {
    NginxInstance(binary: binary, workers: workers, http: """
        types { text/plain txt; application/octet-stream bin; }
        sendfile on;
        tcp_nopush on;
        open_file_cache max=1000 inactive=20s;
        open_file_cache_valid 30s;
        """, location: "location /static/ { alias \(root)/; }")
}
