// A small benchmark harness: warm up, run a closure many times, report the best of several rounds in
// ns/op. Nothing here is timed in tests; numbers come from `swift run -c release Benchmarks`.

#if canImport(Glibc)
import Glibc
#endif

/// One measured case.
struct BenchmarkResult {
    var group: String
    var name: String
    var nanosecondsPerOp: Double
    var note: String = ""
}

/// Collects results and prints them as a table.
final class BenchmarkReport {
    private(set) var results: [BenchmarkResult] = []

    func add(_ result: BenchmarkResult) {
        results.append(result)
        let ns = result.nanosecondsPerOp
        let value = ns >= 100 ? String(Int(ns.rounded())) : String(Double(Int(ns * 10)) / 10)
        print("  \(result.group.padding(14)) \(result.name.padding(52)) \(value.leftPadding(10)) ns/op  \(result.note)")
        fflush(nil)
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
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

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

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
