#if canImport(Glibc)
import Glibc
#endif

// `swift run -c release Benchmarks [suite ...]`: runs the named suites (all when none is named) and
// prints ns/op tables. Each area of Werk registers its suite here and keeps its cases in its own file.

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
    ("workers", runWorkerBenchmarks),
    ("devloop", runDevLoopBenchmarks),
    ("debugger", runDebuggerBenchmarks),
]

// The workers suite runs this executable again as its server (a supervisor re-executes its binary).
if getenv("WERK_BENCH_SERVE") != nil {
    await serveForWorkerBenchmark()
    exit(0)
}

let requested = Array(CommandLine.arguments.dropFirst())
let unknown = requested.filter { name in !suites.contains { $0.name == name } }
if !unknown.isEmpty {
    print("Unknown suite(s): \(unknown.joined(separator: ", ")). Available: \(suites.map(\.name).joined(separator: ", "))")
    exit(2)
}
#if DEBUG
print("warning: a debug build; run `swift run -c release Benchmarks` for meaningful numbers")
#endif
let report = BenchmarkReport()
for suite in suites where requested.isEmpty || requested.contains(suite.name) {
    try await suite.run(report)
}
