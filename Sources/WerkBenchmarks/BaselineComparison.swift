// `--compare base.json --threshold 5%`: every record matched by group and name with the baseline
// file's, every gated metric measured in both checked against the threshold in its own direction.

/// The current run against a saved baseline.
public struct BaselineComparison: Sendable, Equatable {
    /// One metric of one case, now and in the baseline.
    public struct Change: Sendable, Equatable {
        /// `group/name` of the case.
        public var identifier: String
        /// The metric compared.
        public var metric: Metric
        /// The baseline's value.
        public var baseline: Double
        /// This run's value.
        public var current: Double
        /// Whether it is worse than the baseline by more than the threshold.
        public var isRegression: Bool
        /// Whether it is better than the baseline by more than the threshold.
        public var isImprovement: Bool

        /// The relative change, signed so that positive is worse (+0.07: 7 % worse); 0 for 0 → 0.
        public var relativeWorsening: Double {
            guard baseline != 0 else { return current == 0 ? 0 : (metric.lowerIsBetter ? .infinity : -.infinity) }
            let change = (current - baseline) / abs(baseline)
            return metric.lowerIsBetter ? change : -change
        }
    }

    /// Every compared metric, in the current run's record order.
    public var changes: [Change]
    /// Cases in the baseline that this run did not measure.
    public var missing: [String]
    /// Cases this run measured that the baseline does not have.
    public var added: [String]
    /// The threshold used (0.05 for 5 %).
    public var threshold: Double

    /// The changes beyond the threshold in the wrong direction.
    public var regressions: [Change] { changes.filter(\.isRegression) }

    /// Compares `current` with `baseline`: a metric regresses when it is worse by more than
    /// `threshold` (a fraction: 0.05 is 5 %). A metric that was 0 regresses on any increase (an
    /// allocation-free path that starts allocating).
    public init(current: BenchmarkResults, baseline: BenchmarkResults, threshold: Double,
                metrics: [Metric] = Metric.gated) {
        self.threshold = threshold
        var base: [String: BenchmarkRecord] = [:]
        for record in baseline.records { base[record.identifier] = record }
        let currentIdentifiers = Set(current.records.map(\.identifier))
        var seen = Set<String>()
        missing = baseline.records.map(\.identifier).filter { !currentIdentifiers.contains($0) && seen.insert($0).inserted }
        added = []
        changes = []
        for record in current.records {
            guard let old = base[record.identifier] else { added.append(record.identifier); continue }
            for metric in metrics {
                guard let now = record[metric], let then = old[metric], now.isFinite, then.isFinite else { continue }
                var change = Change(identifier: record.identifier, metric: metric, baseline: then, current: now,
                                    isRegression: false, isImprovement: false)
                let worse = change.relativeWorsening
                change.isRegression = worse > threshold
                change.isImprovement = worse < -threshold
                changes.append(change)
            }
        }
    }

    /// A table of the changes (regressions marked), then the missing and added cases and a verdict.
    public func render() -> String {
        var lines = ["Compared with the baseline (threshold \(formatPercent(threshold))):"]
        let width = max(20, changes.map { $0.identifier.count + $0.metric.key.count + 3 }.max() ?? 0)
        for change in changes {
            let label = "\(change.identifier) [\(change.metric.key)]"
            let verdict = change.isRegression ? "REGRESSION" : change.isImprovement ? "improved" : "ok"
            let worse = change.relativeWorsening
            let delta = worse.isFinite ? (worse > 0 ? "+" : "") + formatPercent(worse) + " worse" : "was 0"
            lines.append("  " + label.padded(to: width) + "  " + formatNumber(change.baseline).leftPadded(to: 10)
                         + " -> " + formatNumber(change.current).leftPadded(to: 10) + "  " + delta.padded(to: 16) + " " + verdict)
        }
        if !missing.isEmpty { lines.append("  not measured in this run: " + missing.joined(separator: ", ")) }
        if !added.isEmpty { lines.append("  not in the baseline: " + added.joined(separator: ", ")) }
        let count = regressions.count
        lines.append(count == 0 ? "No regression beyond \(formatPercent(threshold))."
                     : "\(count) regression\(count == 1 ? "" : "s") beyond \(formatPercent(threshold)).")
        return lines.joined(separator: "\n")
    }
}

/// `0.05` → `5%`, `0.125` → `12.5%`.
func formatPercent(_ fraction: Double) -> String {
    let percent = (fraction * 1000).rounded() / 10
    return percent == percent.rounded() ? "\(Int(percent))%" : "\(percent)%"
}

/// A number for tables: integers above 100 with thin grouping, one decimal below, two below 10.
func formatNumber(_ value: Double) -> String {
    guard value.isFinite else { return "-" }
    if abs(value) >= 100 { return String(Int(value.rounded())) }
    if abs(value) >= 10 { return String((value * 10).rounded() / 10) }
    return String((value * 100).rounded() / 100)
}

extension String {
    /// The string padded with spaces on the right to `width` characters.
    func padded(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    /// The string padded with spaces on the left to `width` characters.
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
