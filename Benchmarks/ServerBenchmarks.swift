// End-to-end server benchmark: `swift run -c release Benchmarks server`.
//
// Starts WerkServers in process on loopback (port 0, access log off): a hello-world handler, the
// same behind an async layer, and behind a Router (see werkVariants),
// drives it with wrk (`wrk -t1 -c64 -d5s --latency`) when wrk is installed, or with a small built-in
// bounded load generator otherwise, and reports req/s, p50, p99 and RSS. When nginx is installed it
// runs nginx (`return 200`, same worker count, config in a temp dir, a free port) under the same
// load in the same run and prints the ratio. Every load run is bounded in time; loopback only.
// WERK_BENCH_SECONDS overrides the duration of each run (default 5), WERK_BENCH_ROUNDS the number
// of alternating rounds (default 3; the median is reported), WERK_BENCH_SERVERS picks Werk servers
// (comma-separated: hello, hello-async, hello-async-conn, async, async-conn, router, the listener
// designs shared and shared1, and logged, hello with its access log written to /dev/null; default
// hello, async and router). The -conn variants start their server with WERK_TASK_PER_CONNECTION=1:
// one serving task per connection instead of a task per request. Below the table, each server's
// CPU per request in every round, and their median, compare the paths more steadily than req/s.

import Glibc
import Werk
import WerkServer

struct LoadResult {
    var requestsPerSecond: Double
    var p50: String
    var p99: String
    var requests: Int = 0
    /// Server CPU time (user + system) per request in microseconds, when measured.
    var cpuMicrosPerRequest: Double? = nil
    /// The user-space part of it: the server's own code, without the kernel's socket work.
    var userMicrosPerRequest: Double? = nil
}

/// The Werk servers measured: the issue's hello world (a handler that never awaits, answered inline
/// on the loop), the same handler without its synchronous form (the async path), behind a layer
/// written with the async API, and a Router among 20 rules in front of it (inline too: every route
/// and the router are synchronous); opt-in: the listener designs and the access log's cost.
private func werkVariants() -> [(name: String, handler: Handler, listeners: ListenerDesign, logged: Bool,
                                 taskPerConnection: Bool)] {
    let hello = Handler { _ in Response.text("Hello, World!") }
    let asyncLayer = MiddlewareFunction("PassThrough") { request, next in try await next(request) }
    let router = Router {
        for i in 0..<19 { Route("/section\(i)/<int:id>", handler: Handler { _ in "section" }) }
        Route("/", handler: hello)
    }
    let helloAsync = Handler(layers: ["Handler"]) { _ in Response.text("Hello, World!") }
    let all: [(key: String, name: String, handler: Handler, listeners: ListenerDesign, logged: Bool, perConnection: Bool)] = [
        ("hello", "WerkServer hello (inline)", hello, .perLoop, false, false),
        ("hello-async", "  hello, async only (req task)", helloAsync, .perLoop, false, false),
        ("hello-async-conn", "  hello, async only (conn task)", helloAsync, .perLoop, false, true),
        ("async", "  async layer (req task)", Stack { asyncLayer; hello }, .perLoop, false, false),
        ("async-conn", "  async layer (conn task)", Stack { asyncLayer; hello }, .perLoop, false, true),
        ("router", "  Router, 20 rules (inline)", Stack { router }, .perLoop, false, false),
        // The listener designs compared (item 2 of issue 9) and the access log's cost: opt-in.
        ("shared", "  hello, shared+EXCLUSIVE, 64", hello, .shared(acceptBatch: 64), false, false),
        ("shared1", "  hello, shared+EXCLUSIVE, 1", hello, .shared(acceptBatch: 1), false, false),
        ("logged", "  hello, access log on", hello, .perLoop, true, false),
    ]
    let defaults: Set = ["hello", "async", "router"]
    let chosen = environment("WERK_BENCH_SERVERS").map { $0.split(separator: ",").map(String.init) }
    return all.filter { chosen?.contains($0.key) ?? defaults.contains($0.key) }
        .map { ($0.name, $0.handler, $0.listeners, $0.logged, $0.perConnection) }
}

func runServerBenchmarks(_ report: BenchmarkReport) async throws {
    let seconds = Int(environment("WERK_BENCH_SECONDS") ?? "") ?? 5
    let rounds = max(1, Int(environment("WERK_BENCH_ROUNDS") ?? "") ?? 3)
    let loops = Server.Configuration.processorCount
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.eventLoops = loops
    let variants = werkVariants()
    guard !variants.isEmpty else {
        print("\nServer: WERK_BENCH_SERVERS names no server (use hello, hello-async, hello-async-conn, async, async-conn, router, shared, shared1, logged)")
        return
    }
    var servers: [(name: String, server: Server, url: String)] = []
    for variant in variants {
        var configuration = configuration
        configuration.listenerDesign = variant.listeners
        if variant.logged {
            configuration.accessLog = true
            configuration.accessLogger = try LineLogger(file: "/dev/null")
        }
        let server = Server(variant.handler, configuration: configuration)
        if variant.taskPerConnection { setenv("WERK_TASK_PER_CONNECTION", "1", 1) }
        defer { unsetenv("WERK_TASK_PER_CONNECTION") }
        let address = try server.start()
        servers.append((variant.name, server, "http://127.0.0.1:\(address.port ?? 0)/"))
    }

    let wrk = findExecutable("wrk")
    let nginx = findExecutable("nginx")
    print("\nServer: hello world over loopback, \(loops) event loops, \(seconds) s per run, \(rounds) round(s), median shown")
    print("  load generator: \(wrk.map { "\($0) -t1 -c64 -d\(seconds)s --latency" } ?? "built-in (64 connections, 4 threads)")")

    var nginxInstance: NginxInstance? = nil
    if let nginx { nginxInstance = NginxInstance(binary: nginx, workers: loops) }
    defer { nginxInstance?.stop() }

    var werkRuns: [[LoadResult]] = Array(repeating: [], count: servers.count)
    var nginxRuns: [LoadResult] = []
    for server in servers { _ = runLoad(url: server.url, seconds: 1, wrk: wrk) }   // warm-up
    for _ in 0..<rounds {
        for (index, server) in servers.enumerated() {
            if let r = measured([getpid()], { runLoad(url: server.url, seconds: seconds, wrk: wrk) }) { werkRuns[index].append(r) }
        }
        if let instance = nginxInstance,
           let r = measured(instance.processes(), { runLoad(url: instance.url, seconds: seconds, wrk: wrk) }) {
            nginxRuns.append(r)
        }
    }
    let werkRSS = processResidentKilobytes(pid: getpid())
    let nginxRSS = nginxInstance.map { $0.residentKilobytes() }
    for server in servers { await server.server.shutdown() }

    print("  \("server".padding(30)) \("req/s".leftPadding(10)) \("p50".leftPadding(10)) \("p99".leftPadding(10)) \("RSS".leftPadding(10)) \("CPU/req".leftPadding(10)) \("user/req".leftPadding(10))")
    func row(_ name: String, _ runs: [LoadResult], _ rss: Int?) -> Double? {
        guard let median = median(runs) else { print("  \(name.padding(30)) (no result)"); return nil }
        print("  \(name.padding(30)) \(String(Int(median.requestsPerSecond)).leftPadding(10)) \(median.p50.leftPadding(10)) "
              + "\(median.p99.leftPadding(10)) \((rss.map { "\($0 / 1024) MiB" } ?? "?").leftPadding(10)) "
              + "\(microseconds(median.cpuMicrosPerRequest).leftPadding(10)) \(microseconds(median.userMicrosPerRequest).leftPadding(10))")
        return median.requestsPerSecond
    }
    let werkRates = servers.indices.map { row(servers[$0].name, werkRuns[$0], $0 == 0 ? werkRSS : nil) }
    if nginxInstance != nil {
        let nginxRate = row("nginx-light return 200", nginxRuns, nginxRSS)
        if let nginxRate, nginxRate > 0 {
            for (index, rate) in werkRates.enumerated() {
                guard let rate else { continue }
                print("  \(servers[index].name.trimmingPrefix("  ")) / nginx: \(Int((rate / nginxRate * 100).rounded())) %")
            }
        }
    } else {
        print("  (nginx not installed: apt-get install -y nginx-light to compare)")
    }
    for (index, runs) in werkRuns.enumerated() {
        print("  runs (req/s): \(servers[index].name.trimmingPrefix("  ")) \(runs.map { Int($0.requestsPerSecond) })")
    }
    if !nginxRuns.isEmpty { print("  runs (req/s): nginx \(nginxRuns.map { Int($0.requestsPerSecond) })") }
    for (index, server) in servers.enumerated() {
        let cpu = werkRuns[index].compactMap(\.cpuMicrosPerRequest)
        let user = werkRuns[index].compactMap(\.userMicrosPerRequest)
        print("  CPU/req by round \(server.name.trimmingPrefix("  ")): \(cpu.map { microseconds($0) }.joined(separator: ", "))"
              + "; median \(microseconds(middle(cpu))), user median \(microseconds(middle(user)))")
    }
    let nginxCPU = nginxRuns.compactMap(\.cpuMicrosPerRequest)
    if !nginxCPU.isEmpty { print("  CPU/req by round nginx: \(nginxCPU.map { microseconds($0) }.joined(separator: ", ")); median \(microseconds(middle(nginxCPU)))") }
    print("  RSS and CPU of WerkServer are the benchmark process's (all Werk servers + harness); nginx's are master + workers.")
    fflush(nil)
}

/// Runs `load` and adds the CPU time the `pids` used during it, per request.
func measured(_ pids: [pid_t], _ load: () -> LoadResult?) -> LoadResult? {
    func total() -> (user: Int, system: Int) {
        pids.map(cpuTicks).reduce((0, 0)) { ($0.user + $1.user, $0.system + $1.system) }
    }
    let before = total()
    guard var result = load() else { return nil }
    let after = total()
    let user = after.user - before.user, ticks = user + after.system - before.system
    let perSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    if result.requests > 0 { result.userMicrosPerRequest = Double(user) / perSecond * 1e6 / Double(result.requests) }
    if result.requests > 0 { result.cpuMicrosPerRequest = Double(ticks) / perSecond * 1e6 / Double(result.requests) }
    return result
}

private func microseconds(_ value: Double?) -> String {
    value.map { "\(Double(Int($0 * 100)) / 100) us" } ?? "?"
}

private func middle(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.sorted()[values.count / 2]
}

func median(_ runs: [LoadResult]) -> LoadResult? {
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

func runLoad(url: String, seconds: Int, wrk: String?) -> LoadResult? {
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
