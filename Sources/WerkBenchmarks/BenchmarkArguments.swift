// The command line every Benchmarks executable built on WerkBenchmarks understands. Bad arguments
// are a `UsageError`; `BenchmarkSession` prints it with the usage and exits with status 2.

/// What to measure, where to write reports, and what to compare with.
public struct BenchmarkArguments: Sendable, Equatable {
    /// Which measurements run.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// The stack called in process only (the default).
        case inProcess = "in-process"
        /// Over loopback only.
        case wire
        /// Both.
        case both
    }

    /// Positional arguments: the suites (or case name fragments) to run; empty runs everything.
    public var names: [String] = []
    /// `--json PATH`: write the results there.
    public var jsonPath: String?
    /// `--compare PATH`: a baseline (an earlier `--json`) to compare with.
    public var comparePath: String?
    /// `--threshold N%`: how much worse than the baseline is a regression (a fraction; default 0.05).
    public var threshold: Double = 0.05
    /// `--svg PATH`: an SVG bar chart of the results.
    public var svgPath: String?
    /// `--html PATH`: a self-contained HTML report (tables and charts).
    public var htmlPath: String?
    /// `--markdown`: print the tables as Markdown too.
    public var markdown = false
    /// `--progress` / `--no-progress`; nil: a progress line only when stderr is a terminal.
    public var progress: Bool?
    /// `--mode in-process|wire|both`.
    public var mode: Mode = .inProcess
    /// `--rounds N`: in-process rounds.
    public var rounds: Int?
    /// `--duration SECONDS`, `--connections N`, `--threads N`, `--pipeline N`, `--rate N`: the load.
    public var load = LoadOptions()
    /// `--load builtin|wrk` (nil: not given; suites use the built-in generator).
    public var driver: LoadDriver?
    /// `--list`: print the suites and cases instead of running them.
    public var list = false
    /// `--help`: print the usage.
    public var help = false

    /// Defaults: everything, in process, no files.
    public init() {}

    /// The usage message.
    public static let usage = """
        usage: Benchmarks [options] [name ...]
          name ...                 run only these suites, or the cases whose names contain them
          --mode in-process|wire|both
                                   call the stacks in process (default), over loopback, or both
          --rounds N               in-process rounds (default 100; median and p99 are over rounds)
          --duration SECONDS       each over-the-wire run (default 5)
          --connections N          keep-alive connections (default 64)
          --threads N              load generator threads (default 2)
          --pipeline N             requests in flight per connection (default 1)
          --rate N                 constant rate in requests/s (latency corrected for coordinated omission)
          --load builtin|wrk       the load generator (default builtin; wrk must be installed)
          --json PATH              write the results as JSON (a baseline for --compare)
          --compare PATH           compare with a baseline; exit 1 on a regression
          --threshold N%           regression threshold for --compare (default 5%)
          --svg PATH               write an SVG chart of the results
          --html PATH              write a self-contained HTML report
          --markdown               also print the tables as Markdown
          --progress, --no-progress
                                   a progress line on stderr (default: when stderr is a terminal)
          --list                   list the suites and cases
          --help                   this message
        exit status: 0 done, 1 regression against --compare, 2 bad arguments
        """

    /// Parses `arguments` (without the program name). Throws ``UsageError`` for an unknown option, a
    /// missing or malformed value, or a value out of range.
    public static func parse(_ arguments: [String]) throws(UsageError) -> BenchmarkArguments {
        var parsed = BenchmarkArguments()
        var index = 0
        func value(_ option: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count, !arguments[index].hasPrefix("--") else { throw UsageError("\(option) needs a value") }
            return arguments[index]
        }
        func count(_ option: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
            let text = try value(option)
            guard let number = Int(text), range.contains(number) else {
                throw UsageError("\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
            }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                // --option=value: split into the two forms the loop handles.
                var rest = arguments
                rest.replaceSubrange(index...index, with: [String(argument[..<equals]), String(argument[argument.index(after: equals)...])])
                return try parse(rest)
            }
            switch argument {
            case "--json": parsed.jsonPath = try value(argument)
            case "--compare": parsed.comparePath = try value(argument)
            case "--threshold": parsed.threshold = try threshold(try value(argument))
            case "--svg": parsed.svgPath = try value(argument)
            case "--html": parsed.htmlPath = try value(argument)
            case "--markdown": parsed.markdown = true
            case "--progress": parsed.progress = true
            case "--no-progress": parsed.progress = false
            case "--rounds": parsed.rounds = try count(argument, 1...1_000_000)
            case "--connections": parsed.load.connections = try count(argument, 1...10_000)
            case "--threads": parsed.load.threads = try count(argument, 1...256)
            case "--pipeline": parsed.load.pipeline = try count(argument, 1...1_024)
            case "--duration": parsed.load.durationSeconds = try seconds(try value(argument))
            case "--rate":
                let text = try value(argument)
                guard let rate = Double(text), rate > 0, rate <= 10_000_000 else {
                    throw UsageError("--rate must be a number of requests per second from 1 to 10000000, not \"\(text)\"")
                }
                parsed.load.rate = rate
            case "--mode":
                let text = try value(argument)
                guard let mode = Mode(rawValue: text) else { throw UsageError("--mode must be in-process, wire or both, not \"\(text)\"") }
                parsed.mode = mode
            case "--load":
                let text = try value(argument)
                guard let driver = LoadDriver(rawValue: text) else { throw UsageError("--load must be builtin or wrk, not \"\(text)\"") }
                parsed.driver = driver
            case "--list": parsed.list = true
            case "--help", "-h": parsed.help = true
            default:
                if argument.hasPrefix("-") { throw UsageError("unknown option \(argument)") }
                parsed.names.append(argument)
            }
            index += 1
        }
        if parsed.comparePath == nil && arguments.contains("--threshold") {
            throw UsageError("--threshold only applies with --compare")
        }
        return parsed
    }

    /// `5%`, `5` or `0.5%` → 0.05, 0.05, 0.005.
    static func threshold(_ text: String) throws(UsageError) -> Double {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let percent = Double(number), percent >= 0, percent <= 1_000 else {
            throw UsageError("--threshold must be a percentage such as 5% (0 to 1000), not \"\(text)\"")
        }
        return percent / 100
    }

    /// `5`, `5s`, `500ms`, `2m` → seconds (0.1 to 3600).
    static func seconds(_ text: String) throws(UsageError) -> Double {
        let scales: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var value: Double? = Double(text)
        for (suffix, scale) in scales where value == nil && text.hasSuffix(suffix) {
            value = Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        guard let value, value >= 0.1, value <= 3_600 else {
            throw UsageError("--duration must be from 0.1 s to 1 hour (5, 5s, 500ms, 2m), not \"\(text)\"")
        }
        return value
    }
}

/// A command line that cannot be run, with what is wrong.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the arguments.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
