// Charts of a run: one horizontal bar chart per group on its primary metric (ns/request with a p99
// whisker in process, req/s over the wire), as standalone SVG or inside a self-contained HTML page
// with the tables. No scripts, no external resources.

/// SVG and HTML renderings of results.
public enum ResultsChart {
    /// An SVG document with one bar chart per group.
    public static func svg(_ results: BenchmarkResults) -> String {
        var groups: [String] = []
        for record in results.records where !groups.contains(record.group) { groups.append(record.group) }
        let charts = groups.compactMap { group in chart(group, results.records.filter { $0.group == group }) }
        let width = 760
        var y = 0
        var body = ""
        for chart in charts {
            body += "<g transform=\"translate(0,\(y))\">\n\(chart.svg)</g>\n"
            y += chart.height + 16
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(max(y, 40))" viewBox="0 0 \(width) \(max(y, 40))" \
            font-family="system-ui, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            \(body)</svg>

            """
    }

    /// A self-contained HTML page: the environment, the tables and the SVG charts.
    public static func html(_ results: BenchmarkResults, title: String = "Benchmarks") -> String {
        let environment = results.environment.sorted { $0.key < $1.key }.map { "\(escape($0.key)): \(escape($0.value))" }
            .joined(separator: " · ")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
            </head><body>
            <h1>\(escape(title))</h1>
            <p>\(environment)</p>
            <pre>\(escape(ResultsTable.render(results.records)))</pre>
            \(svg(results))
            </body></html>

            """
    }

    private static func chart(_ group: String, _ records: [BenchmarkRecord]) -> (svg: String, height: Int)? {
        guard let metric = ResultsTable.primaryMetric(of: records) else { return nil }
        let rows = records.compactMap { record in record[metric].map { (record, $0) } }
        guard let largest = rows.map({ max($0.1, $0.0[.nanosecondsP99] ?? 0) }).max(), largest > 0 else { return nil }
        let labelWidth = 250, barWidth = 420, rowHeight = 22, top = 24
        var svg = "<text x=\"0\" y=\"16\" font-weight=\"bold\">\(escape(group)): \(escape(metric.title))"
            + (metric == .nanoseconds ? ", median; whisker to p99" : "")
            + (metric.lowerIsBetter ? " (shorter is better)" : " (longer is better)") + "</text>\n"
        for (index, (record, value)) in rows.enumerated() {
            let y = top + index * rowHeight
            let length = Int(Double(barWidth) * value / largest)
            let color = record.isBaseline ? "#888" : "#3b6fb6"
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(record.name))</text>\n"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(max(1, length))\" height=\"\(rowHeight - 8)\" fill=\"\(color)\"/>\n"
            if metric == .nanoseconds, let p99 = record[.nanosecondsP99], p99 > value {
                let end = labelWidth + Int(Double(barWidth) * p99 / largest)
                svg += "<line x1=\"\(labelWidth + length)\" y1=\"\(y + 11)\" x2=\"\(end)\" y2=\"\(y + 11)\" stroke=\"#222\"/>"
                svg += "<line x1=\"\(end)\" y1=\"\(y + 7)\" x2=\"\(end)\" y2=\"\(y + 15)\" stroke=\"#222\"/>\n"
            }
            svg += "<text x=\"\(labelWidth + barWidth + 8)\" y=\"\(y + 15)\">\(formatNumber(value))</text>\n"
        }
        return (svg, top + rows.count * rowHeight)
    }

    /// Escapes text for XML and HTML.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
