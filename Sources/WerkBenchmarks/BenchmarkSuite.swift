// A user's benchmarks: named stacks (one of them the baseline) and the requests to send them,
// measured in process and, on request, over loopback; results go to a BenchmarkSession.

#if canImport(Glibc)
import Glibc
#endif

/// One stack to measure.
public struct BenchmarkCase: Sendable {
    /// The name in tables, JSON and comparisons.
    public var name: String
    /// The stack.
    public var handler: Handler
    /// Requests for this case (nil: the suite's).
    public var requests: [BenchmarkRequest]?
    /// Whether tables show the other cases' ratios to this one.
    public var isBaseline: Bool
    /// The layers and terminal handler the stack was built from, when given: per-layer costs.
    public var layers: (middleware: [any Middleware], terminal: Handler)?
}

/// Named stacks and the requests to send them: `swift run -c release Benchmarks` for your own app.
///
/// ```swift
/// // toplevel
/// import WerkBenchmarks
///
/// func benchmarks() -> BenchmarkSuite {
///     let hello = Handler { _ in "Hello" }
///     var suite = BenchmarkSuite("app", requests: [.get("/"), .get("/?page=2")])
///     suite.add("bare handler", baseline: true, hello)
///     suite.add("with a layer", layers: [MiddlewareFunction { request, next in try await next(request) }], terminal: hello)
///     return suite
/// }
/// ```
public struct BenchmarkSuite: Sendable {
    /// The suite's name: the group of its records.
    public var name: String
    /// The requests every case answers in turn, unless the case has its own.
    public var requests: [BenchmarkRequest]
    /// The cases in the order they run.
    public private(set) var cases: [BenchmarkCase] = []
    /// How per-layer costs are measured for cases added with layers (nil: not measured).
    public var layerCosts: (any LayerCostSource)? = StackDifferencing()

    /// An empty suite sending `requests`.
    public init(_ name: String, requests: [BenchmarkRequest] = [.get("/")]) {
        self.name = name
        self.requests = requests
    }

    /// Adds a stack (a `Handler`, a `Stack { ... }`, a `Router`, any middleware).
    public mutating func add(_ name: String, baseline: Bool = false, requests: [BenchmarkRequest]? = nil,
                             _ app: some HandlerConvertible) {
        cases.append(BenchmarkCase(name: name, handler: app.makeHandler(), requests: requests, isBaseline: baseline))
    }

    /// Adds the stack of `layers` (outermost first) around `terminal`; its per-layer costs are
    /// reported too.
    public mutating func add(_ name: String, baseline: Bool = false, requests: [BenchmarkRequest]? = nil,
                             layers: [any Middleware], terminal: some HandlerConvertible) {
        let terminal = terminal.makeHandler()
        let stack = Handler.compose(layers.map { StackElement.middleware($0) } + [.handler(terminal)])
        cases.append(BenchmarkCase(name: name, handler: stack, requests: requests, isBaseline: baseline,
                                   layers: (layers, terminal)))
    }

    /// The cases the session's names select: all when no name is given or one names the suite,
    /// else the cases whose names contain one of the names.
    public func selectedCases(_ names: [String]) -> [BenchmarkCase] {
        guard !names.isEmpty, !names.contains(name) else { return cases }
        return cases.filter { benchmark in names.contains { benchmark.name.contains($0) } }
    }

    /// Measures the cases `names` selects (by default the session's names; see ``selectedCases(_:)``)
    /// as the session's arguments say, and records the results.
    public func run(in session: BenchmarkSession, selecting names: [String]? = nil) async {
        let arguments = session.arguments
        let selected = selectedCases(names ?? arguments.names)
        var options = InProcessOptions()
        if let rounds = arguments.rounds { options.rounds = rounds }
        let runner = InProcessRunner(options: options)
        let wire = WireRunner(options: arguments.load, driver: arguments.driver ?? .builtin)
        let steps = selected.count * (arguments.mode == .both ? 2 : 1)
        var step = 0
        if arguments.mode != .inProcess {
            let load = arguments.load
            print("\(name) over the wire: \(wire.driver.rawValue), \(load.connections) connections, \(load.threads) threads, "
                  + "\(formatNumber(load.durationSeconds)) s, pipeline \(load.pipeline)"
                  + (load.rate.map { ", constant rate \(Int($0)) req/s" } ?? ", closed loop"))
        }
        for benchmark in selected {
            let requests = benchmark.requests ?? self.requests
            if arguments.mode != .wire {
                step += 1
                session.progress.update(step: step, of: steps, "\(name): \(benchmark.name) (in process)")
                let result = await runner.measure(benchmark.handler, requests: requests)
                var record = BenchmarkRecord(group: name, name: benchmark.name, isBaseline: benchmark.isBaseline,
                                             note: result.synchronous ? "" : "async")
                record[.nanoseconds] = result.roundNanoseconds.median
                record[.nanosecondsP99] = result.roundNanoseconds.p99
                record[.allocations] = result.allocationsPerRequest
                record[.allocatedBytes] = result.allocatedBytesPerRequest
                session.record(record)
                if let layers = benchmark.layers, let source = layerCosts {
                    let costs = await source.costs(layers: layers.middleware, terminal: layers.terminal,
                                                   requests: requests, runner: runner)
                    for cost in costs {
                        var record = BenchmarkRecord(group: "\(name): per layer", name: "\(benchmark.name) › \(cost.layer)",
                                                     note: source.label)
                        record[.layerNanoseconds] = cost.nanoseconds
                        record[.allocations] = cost.allocations
                        session.record(record)
                    }
                }
            }
            if arguments.mode != .inProcess {
                step += 1
                session.progress.update(step: step, of: steps, "\(name): \(benchmark.name) (over the wire)")
                var record = BenchmarkRecord(group: "\(name) (wire)", name: benchmark.name, isBaseline: benchmark.isBaseline)
                if let result = await wire.measure(benchmark.handler, requests: requests) {
                    record[.requestsPerSecond] = result.load.requestsPerSecond
                    record[.latencyP50] = result.load.latency.p50.map { $0 / 1_000 }
                    record[.latencyP90] = result.load.latency.p90.map { $0 / 1_000 }
                    record[.latencyP99] = result.load.latency.p99.map { $0 / 1_000 }
                    record[.latencyP999] = result.load.latency.p999.map { $0 / 1_000 }
                    record[.cpuPerRequest] = result.cpuMicrosecondsPerRequest
                    record[.residentMemory] = Double(result.residentKilobytes) / 1024
                    let failures = result.load.errorResponses + result.load.socketErrors
                    if failures > 0 { record.note = "\(result.load.errorResponses) error responses, \(result.load.socketErrors) socket errors" }
                } else {
                    record.note = "no result (the server did not start or did not answer)"
                }
                session.record(record)
            }
        }
    }

    /// The names `--list` prints: the suite and its cases.
    public var listing: String { ([name] + cases.map { "  \($0.name)\($0.isBaseline ? " (baseline)" : "")" }).joined(separator: "\n") }
}

extension BenchmarkSuite {
    /// The entry point of a Benchmarks executable made of suites: parses the command line, runs `suites` (or lists them with `--list`), prints and writes the
    /// reports, and exits: 0, 1 on a regression against `--compare`, 2 on bad arguments.
    public static func main(_ suites: [BenchmarkSuite],
                            arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        let session = BenchmarkSession.fromCommandLine(arguments)
        if session.arguments.list {
            print(suites.map(\.listing).joined(separator: "\n"))
            exit(0)
        }
        let unknown = session.arguments.names.filter { name in
            !suites.contains { $0.name == name || $0.cases.contains { $0.name.contains(name) } }
        }
        if !unknown.isEmpty { BenchmarkSession.usageFailure("no suite or case matches \(unknown.joined(separator: ", "))") }
        #if DEBUG
        print("warning: a debug build; run with -c release for meaningful numbers")
        #endif
        for suite in suites { await suite.run(in: session) }
        exit(session.finish())
    }

    /// Runs this suite alone as the executable's entry point: see ``main(_:arguments:)``.
    public func main() async -> Never { await Self.main([self]) }
}
