// End-to-end server benchmark: `swift run -c release Benchmarks server`.
//
// Starts a WerkServer in process on loopback (port 0, access log off) with a hello-world handler,
// drives it with wrk (`wrk -t1 -c64 -d5s --latency`) when wrk is installed, or with a small built-in
// bounded load generator otherwise, and reports req/s, p50, p99 and RSS. When nginx is installed it
// runs nginx (`return 200`, same worker count, config in a temp dir, a free port) under the same
// load in the same run and prints the ratio. Every load run is bounded in time; loopback only.
// WERK_BENCH_SECONDS overrides the duration of each run (default 5), WERK_BENCH_ROUNDS the number
// of alternating rounds (default 3; the median is reported).

import Glibc
import Werk

private struct LoadResult {
    var requestsPerSecond: Double
    var p50: String
    var p99: String
    var requests: Int = 0
    /// Server CPU time (user + system) per request in microseconds, when measured.
    var cpuMicrosPerRequest: Double? = nil
}

func runServerBenchmarks(_ report: BenchmarkReport) async throws {
    let seconds = Int(environment("WERK_BENCH_SECONDS") ?? "") ?? 5
    let rounds = max(1, Int(environment("WERK_BENCH_ROUNDS") ?? "") ?? 3)
    let loops = Server.Configuration.processorCount
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.eventLoops = loops
    let hello = Handler { _ in Response.text("Hello, World!") }
    let server = Server(hello, configuration: configuration)
    let address = try server.start()
    let werkURL = "http://127.0.0.1:\(address.port ?? 0)/"

    let wrk = findExecutable("wrk")
    let nginx = findExecutable("nginx")
    print("\nServer: hello world over loopback, \(loops) event loops, \(seconds) s per run, \(rounds) round(s), median shown")
    print("  load generator: \(wrk.map { "\($0) -t1 -c64 -d\(seconds)s --latency" } ?? "built-in (64 connections, 4 threads)")")

    var nginxInstance: NginxInstance? = nil
    if let nginx { nginxInstance = NginxInstance(binary: nginx, workers: loops) }
    defer { nginxInstance?.stop() }

    var werkRuns: [LoadResult] = []
    var nginxRuns: [LoadResult] = []
    _ = runLoad(url: werkURL, seconds: 1, wrk: wrk)   // warm-up
    for _ in 0..<rounds {
        if let r = measured([getpid()], { runLoad(url: werkURL, seconds: seconds, wrk: wrk) }) { werkRuns.append(r) }
        if let instance = nginxInstance,
           let r = measured(instance.processes(), { runLoad(url: instance.url, seconds: seconds, wrk: wrk) }) {
            nginxRuns.append(r)
        }
    }
    let werkRSS = processResidentKilobytes(pid: getpid())
    let nginxRSS = nginxInstance.map { $0.residentKilobytes() }
    await server.shutdown()

    print("  \("server".padding(28)) \("req/s".leftPadding(10)) \("p50".leftPadding(10)) \("p99".leftPadding(10)) \("RSS".leftPadding(10)) \("CPU/req".leftPadding(10))")
    func row(_ name: String, _ runs: [LoadResult], _ rss: Int?) -> Double? {
        guard let median = median(runs) else { print("  \(name.padding(28)) (no result)"); return nil }
        print("  \(name.padding(28)) \(String(Int(median.requestsPerSecond)).leftPadding(10)) \(median.p50.leftPadding(10)) "
              + "\(median.p99.leftPadding(10)) \((rss.map { "\($0 / 1024) MiB" } ?? "?").leftPadding(10)) "
              + "\((median.cpuMicrosPerRequest.map { "\(Double(Int($0 * 10)) / 10) us" } ?? "?").leftPadding(10))")
        return median.requestsPerSecond
    }
    let werkRate = row("WerkServer (in process)", werkRuns, werkRSS)
    if nginxInstance != nil {
        let nginxRate = row("nginx-light return 200", nginxRuns, nginxRSS)
        if let werkRate, let nginxRate, nginxRate > 0 {
            print("  WerkServer / nginx: \(Int((werkRate / nginxRate * 100).rounded())) %")
        }
    } else {
        print("  (nginx not installed: apt-get install -y nginx-light to compare)")
    }
    print("  runs (req/s): werk \(werkRuns.map { Int($0.requestsPerSecond) })"
          + (nginxRuns.isEmpty ? "" : ", nginx \(nginxRuns.map { Int($0.requestsPerSecond) })"))
    print("  RSS and CPU of WerkServer are the benchmark process's (server + harness); nginx's are master + workers.")
    fflush(nil)
}

/// Runs `load` and adds the CPU time the `pids` used during it, per request.
private func measured(_ pids: [pid_t], _ load: () -> LoadResult?) -> LoadResult? {
    let before = pids.map(cpuTicks).reduce(0, +)
    guard var result = load() else { return nil }
    let ticks = pids.map(cpuTicks).reduce(0, +) - before
    let perSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    if result.requests > 0 { result.cpuMicrosPerRequest = Double(ticks) / perSecond * 1e6 / Double(result.requests) }
    return result
}

private func median(_ runs: [LoadResult]) -> LoadResult? {
    guard !runs.isEmpty else { return nil }
    return runs.sorted { $0.requestsPerSecond < $1.requestsPerSecond }[runs.count / 2]
}

private func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

/// The path of an executable found in PATH (or /usr/sbin), or nil.
func findExecutable(_ name: String) -> String? {
    let path = (environment("PATH") ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

private func runLoad(url: String, seconds: Int, wrk: String?) -> LoadResult? {
    guard let wrk else {
        return BuiltinLoad.run(url: url, seconds: seconds).map {
            LoadResult(requestsPerSecond: $0.requestsPerSecond, p50: $0.p50, p99: $0.p99, requests: $0.requests)
        }
    }
    guard let output = runProcess(wrk, ["-t1", "-c64", "-d\(seconds)s", "--latency", url]) else { return nil }
    var result = LoadResult(requestsPerSecond: 0, p50: "?", p99: "?")
    for line in output.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if line.hasPrefix("Requests/sec:"), fields.count >= 2 { result.requestsPerSecond = Double(fields[1]) ?? 0 }
        if fields.count >= 3 && fields[1] == "requests" && fields[2] == "in" { result.requests = Int(fields[0]) ?? 0 }
        if fields.count == 2 && fields[0] == "50%" { result.p50 = String(fields[1]) }
        if fields.count == 2 && fields[0] == "99%" { result.p99 = String(fields[1]) }
    }
    return result.requestsPerSecond > 0 ? result : nil
}
