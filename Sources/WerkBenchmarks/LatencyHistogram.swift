// A high-dynamic-range latency histogram in the manner of HdrHistogram: log-linear buckets (64
// linear sub-buckets per power of two, exact below 128 ns), so any value from 1 ns to hours is kept
// within 1.6 % in a fixed 30 KiB, recording is an index computation and an increment, and
// histograms from several threads merge by adding counts.

/// Latencies in nanoseconds, recorded in log-linear buckets; percentiles within 1.6 %.
public struct LatencyHistogram: Sendable, Equatable {
    private static let subBuckets = 64
    private static let bucketCount = 128 + 57 * subBuckets

    private var counts: [UInt64]
    /// How many values were recorded.
    public private(set) var count: UInt64 = 0
    /// The smallest value recorded (exact; 0 when empty).
    public private(set) var minimum: UInt64 = 0
    /// The largest value recorded (exact; 0 when empty).
    public private(set) var maximum: UInt64 = 0
    private var sum: Double = 0

    /// An empty histogram.
    public init() { counts = Array(repeating: 0, count: Self.bucketCount) }

    /// Records one value (nanoseconds).
    public mutating func record(_ nanoseconds: UInt64) {
        counts[Self.index(of: nanoseconds)] &+= 1
        minimum = count == 0 ? nanoseconds : min(minimum, nanoseconds)
        maximum = max(maximum, nanoseconds)
        count += 1
        sum += Double(nanoseconds)
    }

    /// Adds another histogram's values to this one.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in counts.indices { counts[index] &+= other.counts[index] }
        minimum = count == 0 ? other.minimum : min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
        count += other.count
        sum += other.sum
    }

    /// The mean of the recorded values (0 when empty).
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// The value at `percentile` (0...100): the highest value equivalent to the recorded value at
    /// that rank (clamped to the exact maximum). 0 when empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = max(1, UInt64((min(100, max(0, percentile)) / 100 * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank { return min(maximum, max(minimum, Self.highestEquivalentValue(index))) }
        }
        return maximum
    }

    /// The bucket a value falls in.
    static func index(of value: UInt64) -> Int {
        if value < 128 { return Int(value) }
        let magnitude = 63 - value.leadingZeroBitCount          // 7...63
        let shift = magnitude - 6                               // 1...57
        let sub = Int(value >> UInt64(shift)) - subBuckets      // 0...63
        return 128 + (shift - 1) * subBuckets + sub
    }

    /// The largest value that falls in bucket `index`.
    static func highestEquivalentValue(_ index: Int) -> UInt64 {
        if index < 128 { return UInt64(index) }
        let shift = (index - 128) / subBuckets + 1
        let sub = UInt64((index - 128) % subBuckets + subBuckets)
        let next = (sub + 1) << UInt64(shift)
        return next &- 1
    }
}
