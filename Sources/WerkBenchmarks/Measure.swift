// The clock, the optimizer barrier and order statistics every measurement uses.

#if canImport(Glibc)
import Glibc
#endif

/// Keeps a value alive so that the optimizer cannot remove the work that produced it.
@inline(never)
public func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

/// Nanoseconds of the monotonic clock (`CLOCK_MONOTONIC`, through the vDSO: about 20 ns a read).
@inline(__always)
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Order statistics of a sample: what the reports show for per-round times.
public struct SampleSummary: Sendable, Equatable {
    /// The smallest value.
    public var minimum: Double
    /// The middle value (the mean of the two middle values for an even count).
    public var median: Double
    /// The value below which 99 % of the sample lies (nearest rank).
    public var p99: Double
    /// The largest value.
    public var maximum: Double
    /// How many values were summarised.
    public var count: Int

    /// Summarises `values`; nil when there are none.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        p99 = Self.percentile(0.99, ofSorted: sorted)
    }

    /// The nearest-rank percentile `fraction` (0...1) of already sorted values.
    public static func percentile(_ fraction: Double, ofSorted sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
