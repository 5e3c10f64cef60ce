// The suites' harness, on WerkBenchmarks: `measure` warms up, runs a closure many times and returns
// the best of several rounds in ns/op; `BenchmarkReport` prints the tables as before and hands every
// result to the run's `BenchmarkSession`, so `--json`, `--compare`, `--svg` and `--html` cover every
// suite. Nothing here is timed in tests; numbers come from `swift run -c release Benchmarks`.

#if canImport(Glibc)
import Glibc
#endif
import WerkBenchmarks

/// One measured case.
struct BenchmarkResult {
    var group: String
    var name: String
    var nanosecondsPerOp: Double
    var note: String = ""
}

/// Prints results as tables and records them in the session.
final class BenchmarkReport {
    private(set) var results: [BenchmarkResult] = []
    /// The run's command line and collected records.
    let session: BenchmarkSession

    init(session: BenchmarkSession = BenchmarkSession(arguments: BenchmarkArguments())) {
        self.session = session
    }

    func add(_ result: BenchmarkResult) {
        results.append(result)
        let ns = result.nanosecondsPerOp
        let value = ns >= 100 ? String(Int(ns.rounded())) : String(Double(Int(ns * 10)) / 10)
        print("  \(result.group.padding(14)) \(result.name.padding(52)) \(value.leftPadding(10)) ns/op  \(result.note)")
        fflush(nil)
        session.record(BenchmarkRecord(group: result.group, name: result.name, values: [Metric.nanoseconds.key: ns],
                                       note: result.note))
    }

    /// Records a result with other metrics (req/s, latency, CPU, RSS) without printing it.
    func record(_ record: BenchmarkRecord) {
        session.record(record)
    }

    func header(_ title: String) {
        print("\n\(title)")
        print("  \("group".padding(14)) \("case".padding(52)) \("time".leftPadding(10))")
    }
}

/// Blocks an optimizer from removing work whose result is otherwise unused.
@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

/// Nanoseconds of a monotonic clock.
func monotonicNanoseconds() -> UInt64 { WerkBenchmarks.monotonicNanoseconds() }

/// Runs `body` `iterations` times per round, `rounds` times, and returns the best round's ns/op.
func measure(iterations: Int, rounds: Int = 5, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<min(iterations, 1000) { try body() }  // warm up
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = monotonicNanoseconds()
        for _ in 0..<iterations { try body() }
        let elapsed = Double(monotonicNanoseconds() - start)
        best = min(best, elapsed / Double(iterations))
    }
    return best
}

/// The async version of ``measure(iterations:rounds:_:)``.
func measureAsync(iterations: Int, rounds: Int = 5, _ body: () async throws -> Void) async rethrows -> Double {
    for _ in 0..<min(iterations, 1000) { try await body() }
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = monotonicNanoseconds()
        for _ in 0..<iterations { try await body() }
        let elapsed = Double(monotonicNanoseconds() - start)
        best = min(best, elapsed / Double(iterations))
    }
    return best
}

/// Runs a WerkBenchmarks suite (every case, whatever suite names the command line gave), prints its
/// table and keeps its records in the session.
func runLibrarySuite(_ suite: BenchmarkSuite, _ report: BenchmarkReport) async {
    let before = report.session.records.count
    await suite.run(in: report.session, selecting: [])
    report.session.progress.finish()
    print("\n" + ResultsTable.render(Array(report.session.records.dropFirst(before))))
    fflush(nil)
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
