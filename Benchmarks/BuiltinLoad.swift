// The built-in load generator for machines without wrk, now WerkBenchmarks' `LoadGenerator`: 64
// keep-alive connections on 4 threads, closed loop, bounded by `seconds`.

import WerkBenchmarks

enum BuiltinLoad {
    /// Loads `url` (http://127.0.0.1:PORT/...) for `seconds`: req/s, p50, p99 (as "1.23ms") and the
    /// number of responses; nil when nothing answered.
    static func run(url: String, seconds: Int) -> (requestsPerSecond: Double, p50: String, p99: String, requests: Int)? {
        guard let result = runDetailed(url: url, seconds: Double(seconds)) else { return nil }
        func ms(_ ns: Double?) -> String { ns.map { "\(Double(Int($0 / 10_000)) / 100)ms" } ?? "?" }
        return (result.requestsPerSecond, ms(result.latency.p50), ms(result.latency.p99), result.requests)
    }

    /// The same run with everything the generator measured.
    static func runDetailed(url: String, seconds: Double, connections: Int = 64, threads: Int = 4) -> WerkBenchmarks.LoadResult? {
        let afterScheme = url.split(separator: "//").last ?? ""
        let hostPort = afterScheme.split(separator: "/", maxSplits: 1).first ?? ""
        guard let port = Int(hostPort.split(separator: ":").last ?? "") else { return nil }
        let path = afterScheme.drop { $0 != "/" }
        var options = LoadOptions()
        options.connections = connections
        options.threads = threads
        options.durationSeconds = seconds
        return LoadGenerator.runBlocking(port: port, requests: [.get(path.isEmpty ? "/" : String(path))], options: options)
    }
}
