import Testing
@testable import WerkBenchmarks

@Suite("Comparison with a baseline")
struct ComparisonTests {
    private func results(_ rows: [(String, [String: Double])]) -> BenchmarkResults {
        BenchmarkResults(records: rows.map { BenchmarkRecord(group: "g", name: $0.0, values: $0.1) }, environment: [:])
    }

    @Test("a metric regresses only when worse than the threshold, in its own direction", arguments: [
        // metric, baseline, current, threshold, regression, improvement
        ("ns", 100.0, 105.0, 0.05, false, false),
        ("ns", 100.0, 105.1, 0.05, true, false),
        ("ns", 100.0, 94.0, 0.05, false, true),
        ("rps", 1000.0, 951.0, 0.05, false, false),
        ("rps", 1000.0, 940.0, 0.05, true, false),
        ("rps", 1000.0, 1100.0, 0.05, false, true),
        ("allocs", 0.0, 0.0, 0.05, false, false),
        ("allocs", 0.0, 1.0, 0.05, true, false),
        ("allocs", 3.0, 3.0, 0.0, false, false),
        ("allocs", 3.0, 4.0, 0.0, true, false),
    ])
    func threshold(metric: String, baseline: Double, current: Double, threshold: Double,
                   regression: Bool, improvement: Bool) throws {
        let comparison = BaselineComparison(current: results([("a", [metric: current])]),
                                            baseline: results([("a", [metric: baseline])]), threshold: threshold)
        let change = try #require(comparison.changes.first)
        #expect(change.isRegression == regression)
        #expect(change.isImprovement == improvement)
        #expect(comparison.regressions.count == (regression ? 1 : 0))
    }

    @Test("ungated metrics are reported in tables but not compared; missing and added cases are listed")
    func gatedAndMatching() {
        let comparison = BaselineComparison(
            current: results([("a", ["ns": 100, "p99_us": 900]), ("new", ["ns": 1])]),
            baseline: results([("a", ["ns": 100, "p99_us": 100]), ("gone", ["ns": 1])]), threshold: 0.05)
        #expect(comparison.changes.map(\.metric.key) == ["ns"])
        #expect(comparison.regressions.isEmpty)
        #expect(comparison.missing == ["g/gone"])
        #expect(comparison.added == ["g/new"])
        let text = comparison.render()
        #expect(text.contains("not measured in this run: g/gone"))
        #expect(text.contains("not in the baseline: g/new"))
        #expect(text.contains("No regression beyond 5%."))
    }

    @Test("the rendered comparison marks regressions and counts them")
    func renderRegression() {
        let comparison = BaselineComparison(current: results([("a", ["ns": 150]), ("b", ["rps": 50])]),
                                            baseline: results([("a", ["ns": 100]), ("b", ["rps": 100])]), threshold: 0.05)
        let text = comparison.render()
        #expect(text.contains("g/a [ns]"))
        #expect(text.contains("+50% worse"))
        #expect(text.contains("REGRESSION"))
        #expect(text.contains("2 regressions beyond 5%."))
    }

    @Test("results survive a JSON round trip; malformed documents are rejected with a reason")
    func jsonRoundTrip() throws {
        let original = BenchmarkResults(records: [
            BenchmarkRecord(group: "app", name: "bare", values: ["ns": 56.5, "allocs": 2], isBaseline: true),
            BenchmarkRecord(group: "app", name: "with \"quotes\"", values: ["rps": 1e5], note: "async"),
        ], environment: ["date": "2026-11-30T08:00Z"])
        let text = original.json().serialized()
        let decoded = try BenchmarkResults(json: try JSON.parse(text))
        #expect(decoded == original)
        #expect(throws: BenchmarkFileError.self) { try BenchmarkResults(json: ["results": []]) }
        #expect(throws: BenchmarkFileError.self) {
            try BenchmarkResults(json: ["format": "werk-benchmarks/1", "results": [["group": "g", "name": "n", "metrics": ["ns": "fast"]]]])
        }
    }

    @Test("tables show every measured metric and the ratio to the group's baseline")
    func table() {
        let records = [
            BenchmarkRecord(group: "app", name: "bare", values: ["ns": 50, "allocs": 1], isBaseline: true),
            BenchmarkRecord(group: "app", name: "stack", values: ["ns": 125, "allocs": 3]),
        ]
        let text = ResultsTable.render(records)
        #expect(text.contains("vs bare"))
        #expect(text.contains("2.50x"))
        #expect(text.contains("1.00x"))
        #expect(text.contains("allocs/req"))
        let markdown = ResultsTable.render(records, markdown: true)
        #expect(markdown.contains("| case | ns/req | allocs/req | vs bare |"))
        #expect(markdown.contains("| stack | 125 | 3.0 | 2.50x |"))
    }

    @Test("the SVG and HTML reports hold every case, escaped, and nothing external")
    func charts() {
        let results = BenchmarkResults(records: [
            BenchmarkRecord(group: "app", name: "a <b> & c", values: ["ns": 50, "ns_p99": 70], isBaseline: true),
            BenchmarkRecord(group: "wire", name: "server", values: ["rps": 1000]),
        ], environment: ["date": "today"])
        let svg = ResultsChart.svg(results)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("a &lt;b&gt; &amp; c"))
        #expect(svg.contains("req/s (longer is better)"))
        let html = ResultsChart.html(results)
        #expect(html.contains("<svg"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
    }
}
