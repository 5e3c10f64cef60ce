#if canImport(Glibc)
import Glibc
#endif
import WerkBenchmarks

// `swift run -c release Benchmarks [suite ...] [options]`: runs the named suites (all when none is
// named) and prints their tables; `--help` lists the options (--json, --compare, --svg, ...). Each
// area of Werk registers its suite here and keeps its cases in its own file.

let suites: [(name: String, run: (BenchmarkReport) async throws -> Void)] = [
    ("core", runCoreBenchmarks),
    ("routing", runRoutingBenchmarks),
    ("sessions", runSessionBenchmarks),
    ("server", runServerBenchmarks),
    ("offload", runOffloadBenchmarks),
    ("memory", runMemoryBenchmarks),
    ("static", runStaticBenchmarks),
    ("proxies", runProxyBenchmarks),
    ("multipart", runMultipartBenchmarks),
    ("debugger", runDebuggerBenchmarks),
    ("workers", runWorkerBenchmarks),
    ("example", runExampleBenchmarks),
    ("profiler", runProfilerBenchmarks),
    ("devloop", runDevLoopBenchmarks),
]

// The workers suite runs this executable again as its server (a supervisor re-executes its binary).
if getenv("WERK_BENCH_SERVE") != nil {
    await serveForWorkerBenchmark()
    exit(0)
}

let session = BenchmarkSession.fromCommandLine()
let requested = session.arguments.names
let unknown = requested.filter { name in !suites.contains { $0.name == name } }
if !unknown.isEmpty {
    BenchmarkSession.usageFailure("unknown suite(s): \(unknown.joined(separator: ", ")). Available: \(suites.map(\.name).joined(separator: ", "))")
}
if session.arguments.list {
    print(suites.map(\.name).joined(separator: "\n"))
    exit(0)
}
#if DEBUG
print("warning: a debug build; run `swift run -c release Benchmarks` for meaningful numbers")
#endif
let report = BenchmarkReport(session: session)
for suite in suites where requested.isEmpty || requested.contains(suite.name) {
    try await suite.run(report)
}
exit(session.finish(printTables: false))
