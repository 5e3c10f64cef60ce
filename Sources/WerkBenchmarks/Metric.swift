// What a benchmark reports: named metrics with a direction (lower or higher is better), so tables,
// charts and the regression check treat every column the same way.

/// One kind of number a benchmark reports, e.g. ns per request or requests per second.
public struct Metric: Sendable, Hashable, CustomStringConvertible {
    /// The key in `--json` output and baselines (`ns`, `allocs`, `rps`, ...).
    public let key: String
    /// The column title in tables.
    public let title: String
    /// Whether a smaller value is better (false for requests per second).
    public let lowerIsBetter: Bool

    /// A metric.
    public init(key: String, title: String, lowerIsBetter: Bool = true) {
        self.key = key
        self.title = title
        self.lowerIsBetter = lowerIsBetter
    }

    /// The key.
    public var description: String { key }

    /// Median ns/request over the in-process rounds.
    public static let nanoseconds = Metric(key: "ns", title: "ns/req")
    /// p99 of the rounds' ns/request.
    public static let nanosecondsP99 = Metric(key: "ns_p99", title: "p99 ns/req")
    /// Heap allocations per request.
    public static let allocations = Metric(key: "allocs", title: "allocs/req")
    /// Bytes requested from the allocator per request.
    public static let allocatedBytes = Metric(key: "bytes", title: "bytes/req")
    /// Responses per second over the wire.
    public static let requestsPerSecond = Metric(key: "rps", title: "req/s", lowerIsBetter: false)
    /// Latency percentiles over the wire, in microseconds.
    public static let latencyP50 = Metric(key: "p50_us", title: "p50 µs")
    /// The 90th latency percentile, in microseconds.
    public static let latencyP90 = Metric(key: "p90_us", title: "p90 µs")
    /// The 99th latency percentile, in microseconds.
    public static let latencyP99 = Metric(key: "p99_us", title: "p99 µs")
    /// The 99.9th latency percentile, in microseconds.
    public static let latencyP999 = Metric(key: "p999_us", title: "p99.9 µs")
    /// The server's CPU time per request, in microseconds.
    public static let cpuPerRequest = Metric(key: "cpu_us", title: "CPU µs/req")
    /// The process's resident memory after the run, in MiB.
    public static let residentMemory = Metric(key: "rss_mib", title: "RSS MiB")

    /// What one layer adds per request, in ns (the record's note says how it was obtained).
    public static let layerNanoseconds = Metric(key: "layer_ns", title: "Δ ns/req")

    /// Every metric the runners produce, in table order.
    public static let all: [Metric] = [
        .nanoseconds, .nanosecondsP99, .layerNanoseconds, .allocations, .allocatedBytes, .requestsPerSecond,
        .latencyP50, .latencyP90, .latencyP99, .latencyP999, .cpuPerRequest, .residentMemory,
    ]

    /// The metrics `--compare` checks by default: the steady ones (time, allocations, throughput).
    public static let gated: [Metric] = [.nanoseconds, .allocations, .requestsPerSecond]

    /// The known metric with `key`, or a lower-is-better metric titled by its key.
    public static func named(_ key: String) -> Metric {
        all.first { $0.key == key } ?? Metric(key: key, title: key)
    }
}

/// One measured case: its group (suite), name, and the metrics measured for it.
public struct BenchmarkRecord: Sendable, Equatable {
    /// The suite or group the case belongs to.
    public var group: String
    /// The case's name, unique within its group.
    public var name: String
    /// Values by metric key.
    public var values: [String: Double]
    /// Whether this case is its group's baseline (ratios in tables are to it).
    public var isBaseline: Bool
    /// Free text shown after the row (the path taken, per-layer costs, a target).
    public var note: String

    /// A record.
    public init(group: String, name: String, values: [String: Double] = [:], isBaseline: Bool = false, note: String = "") {
        self.group = group
        self.name = name
        self.values = values
        self.isBaseline = isBaseline
        self.note = note
    }

    /// The value of `metric`, if measured.
    public subscript(metric: Metric) -> Double? {
        get { values[metric.key] }
        set { values[metric.key] = newValue }
    }

    /// `group/name`: how comparisons match records.
    public var identifier: String { "\(group)/\(name)" }
}
