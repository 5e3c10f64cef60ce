// The comparison table: one row per case, one column per metric any case in the group measured, and
// a ratio to the group's baseline stack on the group's primary metric.

/// Renders records as text tables, one per group, with ratios to each group's baseline.
public enum ResultsTable {
    /// The metric ratios are computed on: ns/request in process, else req/s over the wire.
    static func primaryMetric(of records: [BenchmarkRecord]) -> Metric? {
        if records.contains(where: { $0[.nanoseconds] != nil }) { return .nanoseconds }
        if records.contains(where: { $0[.requestsPerSecond] != nil }) { return .requestsPerSecond }
        return nil
    }

    /// The records of each group as a table. `markdown` gives a Markdown table (for READMEs and
    /// articles) instead of aligned text.
    public static func render(_ records: [BenchmarkRecord], markdown: Bool = false) -> String {
        var groups: [String] = []
        for record in records where !groups.contains(record.group) { groups.append(record.group) }
        return groups.map { group in
            renderGroup(group, records.filter { $0.group == group }, markdown: markdown)
        }.joined(separator: "\n\n")
    }

    /// The ratio of `record` to `baseline` on `metric`, as "1.00x" ("x slower" for lower-is-better
    /// metrics reads as time relative to the baseline).
    static func ratio(_ record: BenchmarkRecord, to baseline: BenchmarkRecord?, on metric: Metric?) -> String {
        guard let metric, let baseline, let value = record[metric], let base = baseline[metric], base > 0 else { return "" }
        return String(format2(value / base)) + "x"
    }

    private static func format2(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    private static func renderGroup(_ group: String, _ records: [BenchmarkRecord], markdown: Bool) -> String {
        let metrics = Metric.all.filter { metric in records.contains { $0[metric] != nil } }
            + Set(records.flatMap { $0.values.keys }).subtracting(Metric.all.map(\.key)).sorted().map(Metric.named)
        let primary = primaryMetric(of: records)
        let baseline = records.first(where: \.isBaseline)
        let ratioTitle = baseline.map { "vs \($0.name)" }
        var header = ["case"] + metrics.map(\.title)
        if let ratioTitle { header.append(ratioTitle) }
        let hasNotes = records.contains { !$0.note.isEmpty }
        if hasNotes { header.append("note") }
        var rows: [[String]] = []
        for record in records {
            var row = [record.name] + metrics.map { record[$0].map(formatNumber) ?? "" }
            if ratioTitle != nil { row.append(ratio(record, to: baseline, on: primary)) }
            if hasNotes { row.append(record.note) }
            rows.append(row)
        }
        if markdown {
            let align = header.indices.map { $0 == 0 || (hasNotes && $0 == header.count - 1) ? "---" : "---:" }
            return ([header, align] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "  " + cells.enumerated().map { column, cell in
                column == 0 || (hasNotes && column == cells.count - 1) ? cell.padded(to: widths[column]) : cell.leftPadded(to: widths[column])
            }.joined(separator: "  ")
        }
        return ([group] + [line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
