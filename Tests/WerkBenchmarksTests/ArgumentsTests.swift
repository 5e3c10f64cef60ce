import Testing
@testable import WerkBenchmarks

@Suite("Benchmark command line")
struct ArgumentsTests {
    /// The defaults with `change` applied.
    private static func with(_ change: (inout BenchmarkArguments) -> Void) -> BenchmarkArguments {
        var arguments = BenchmarkArguments()
        change(&arguments)
        return arguments
    }

    @Test("accepted command lines set the fields they name", arguments: [
        ([], with { _ in }),
        (["core", "routing"], with { $0.names = ["core", "routing"] }),
        (["--json", "out.json"], with { $0.jsonPath = "out.json" }),
        (["--json=out.json"], with { $0.jsonPath = "out.json" }),
        (["--compare", "base.json", "--threshold", "5%"], with { $0.comparePath = "base.json"; $0.threshold = 0.05 }),
        (["--compare", "b.json", "--threshold", "2.5"], with { $0.comparePath = "b.json"; $0.threshold = 0.025 }),
        (["--compare", "b.json", "--threshold=0%"], with { $0.comparePath = "b.json"; $0.threshold = 0 }),
        (["--svg", "c.svg", "--html", "r.html", "--markdown"], with { $0.svgPath = "c.svg"; $0.htmlPath = "r.html"; $0.markdown = true }),
        (["--progress"], with { $0.progress = true }),
        (["--no-progress"], with { $0.progress = false }),
        (["--mode", "both", "--rounds", "7"], with { $0.mode = .both; $0.rounds = 7 }),
        (["--mode", "wire", "--connections", "8", "--threads", "3", "--pipeline", "4"],
         with { $0.mode = .wire; $0.load.connections = 8; $0.load.threads = 3; $0.load.pipeline = 4 }),
        (["--duration", "500ms"], with { $0.load.durationSeconds = 0.5 }),
        (["--duration", "2m"], with { $0.load.durationSeconds = 120 }),
        (["--duration", "3"], with { $0.load.durationSeconds = 3 }),
        (["--rate", "2000"], with { $0.load.rate = 2000 }),
        (["--load", "wrk"], with { $0.driver = .wrk }),
        (["--list"], with { $0.list = true }),
        (["-h"], with { $0.help = true }),
    ] as [([String], BenchmarkArguments)])
    func accepted(arguments: [String], expected: BenchmarkArguments) throws {
        #expect(try BenchmarkArguments.parse(arguments) == expected)
    }

    @Test("bad command lines are a usage error that says what is wrong", arguments: [
        (["--bogus"], "unknown option --bogus"),
        (["--json"], "--json needs a value"),
        (["--json", "--svg", "x.svg"], "--json needs a value"),
        (["--compare", "b.json", "--threshold", "five"], "--threshold must be a percentage"),
        (["--compare", "b.json", "--threshold", "-5%"], "--threshold must be a percentage"),
        (["--threshold", "5%"], "--threshold only applies with --compare"),
        (["--rounds", "0"], "--rounds must be a whole number from 1"),
        (["--connections", "many"], "--connections must be a whole number"),
        (["--pipeline", "100000"], "--pipeline must be a whole number from 1 to 1024"),
        (["--duration", "0s"], "--duration must be from 0.1 s"),
        (["--duration", "forever"], "--duration must be from 0.1 s"),
        (["--rate", "0"], "--rate must be a number"),
        (["--mode", "fast"], "--mode must be in-process, wire or both"),
        (["--load", "ab"], "--load must be builtin or wrk"),
    ])
    func rejected(arguments: [String], message: String) {
        #expect {
            _ = try BenchmarkArguments.parse(arguments)
        } throws: { error in
            (error as? UsageError)?.message.contains(message) == true
        }
    }

    @Test("the usage message names every option and the exit statuses")
    func usage() {
        for option in ["--json", "--compare", "--threshold", "--svg", "--html", "--mode", "--rate", "--pipeline",
                       "--connections", "--duration", "--load", "--progress", "--list", "exit status"] {
            #expect(BenchmarkArguments.usage.contains(option), "usage lacks \(option)")
        }
    }
}
