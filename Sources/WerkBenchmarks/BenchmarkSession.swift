// One run of a Benchmarks executable: the parsed command line, the records every suite adds, and at
// the end the tables, the files (--json, --svg, --html) and the comparison with a baseline.

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The state of one benchmark run: arguments, progress, collected records, and the final reports.
public final class BenchmarkSession: Sendable {
    /// The parsed command line.
    public let arguments: BenchmarkArguments
    /// The progress line on stderr.
    public let progress: ProgressLine
    private let collected = Mutex<[BenchmarkRecord]>([])

    /// A session for already parsed arguments.
    public init(arguments: BenchmarkArguments) {
        self.arguments = arguments
        progress = ProgressLine(enabled: arguments.progress)
    }

    /// Parses the process's arguments. On `--help` prints the usage and exits 0; on bad arguments
    /// prints what is wrong and the usage to stderr and exits with status 2.
    public static func fromCommandLine(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> BenchmarkSession {
        do {
            let parsed = try BenchmarkArguments.parse(arguments)
            if parsed.help {
                print(BenchmarkArguments.usage)
                exit(0)
            }
            return BenchmarkSession(arguments: parsed)
        } catch {
            usageFailure(error.message)
        }
    }

    /// Prints `message` and the usage to stderr and exits with status 2.
    public static func usageFailure(_ message: String) -> Never {
        writeStandardError("error: \(message)\n\(BenchmarkArguments.usage)\n")
        exit(2)
    }

    /// Adds a record (non-finite values are dropped).
    public func record(_ record: BenchmarkRecord) {
        var record = record
        record.values = record.values.filter { $0.value.isFinite }
        collected.withLock { $0.append(record) }
    }

    /// Every record so far, in order.
    public var records: [BenchmarkRecord] { collected.withLock { $0 } }

    /// Ends the run: clears the progress line, prints the tables if `printTables` (and Markdown with
    /// `--markdown` in any case),
    /// writes the requested files, compares with `--compare`'s baseline. Returns the exit status: 0,
    /// 1 on a regression, 2 when the baseline or an output file cannot be used.
    public func finish(printTables: Bool = true) -> Int32 {
        progress.finish()
        let results = BenchmarkResults(records: records)
        if printTables && !results.records.isEmpty { print("\n" + ResultsTable.render(results.records)) }
        if arguments.markdown && !results.records.isEmpty { print("\n" + ResultsTable.render(results.records, markdown: true)) }
        do {
            if let path = arguments.jsonPath { try results.write(to: path) }
            if let path = arguments.svgPath { try FileIO.write(path, Array(ResultsChart.svg(results).utf8)) }
            if let path = arguments.htmlPath { try FileIO.write(path, Array(ResultsChart.html(results).utf8)) }
        } catch {
            Self.writeStandardError("error: \(error.message)\n")
            return 2
        }
        guard let path = arguments.comparePath else { return 0 }
        let baseline: BenchmarkResults
        do {
            baseline = try BenchmarkResults(contentsOf: path)
        } catch {
            Self.writeStandardError("error: --compare: \(error.message)\n")
            return 2
        }
        let comparison = BaselineComparison(current: results, baseline: baseline, threshold: arguments.threshold)
        print("\n" + comparison.render())
        return comparison.regressions.isEmpty ? 0 : 1
    }

    static func writeStandardError(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress!, $0.count - 1) }
    }
}
