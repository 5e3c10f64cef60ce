#if canImport(Glibc)
import Glibc
#endif
import Testing
import WerkTestSupport
@testable import WerkBenchmarks

/// Werk's own `Benchmarks` executable (built next to the test bundle) on its command line: the usage
/// and exit statuses, and a tiny real run written to JSON and compared. Nothing is timed.
@Suite("The Benchmarks executable")
struct ExecutableTests {
    struct Finished {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs the executable to its end with `arguments`.
    func run(_ arguments: [String]) throws -> Finished {
        let process = try Spawned(Spawned.productDirectory + "/Benchmarks", arguments, environment: [:])
        let output = process.readAll(process.stdout)
        let errors = process.readAll(process.stderr)
        return Finished(status: process.wait(), output: output, errors: errors)
    }

    @Test("bad arguments print what is wrong and the usage on stderr and exit with 2", arguments: [
        (["--bogus"], "unknown option --bogus"),
        (["nosuch"], "unknown suite(s): nosuch"),
        (["core", "--rounds", "zero"], "--rounds must be a whole number"),
        (["--compare", "base.json", "--threshold", "lots"], "--threshold must be a percentage"),
    ])
    func badArguments(arguments: [String], message: String) throws {
        let finished = try run(arguments)
        #expect(finished.status == 2)
        #expect(finished.errors.contains(message), "\(finished.errors)")
        #expect(finished.errors.contains("usage: Benchmarks [options] [name ...]"))
        #expect(!finished.errors.contains("Fatal error"))
    }

    @Test("--help prints the usage on stdout and exits with 0; --list names the suites")
    func help() throws {
        let help = try run(["--help"])
        #expect(help.status == 0)
        #expect(help.output.hasPrefix("usage: Benchmarks"))
        let list = try run(["--list"])
        #expect(list.status == 0)
        #expect(list.output.split(separator: "\n").contains("example"))
    }

    @Test("a run writes its JSON; comparing with a baseline it is worse than exits with 1")
    func runAndCompare() throws {
        var template = Array("/tmp/werk-bench-exe-XXXXXX".utf8CString)
        let made = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) })
        let directory = String(cString: made)
        defer { for name in ["run.json", "base.json"] { unlink(directory + "/" + name) }; rmdir(directory) }
        let first = try run(["example", "--rounds", "2", "--json", directory + "/run.json", "--no-progress"])
        #expect(first.status == 0, "\(first.errors)")
        let results = try BenchmarkResults(contentsOf: directory + "/run.json")
        let router = try #require(results.records.first { $0.identifier == "app/router" })
        #expect(router[.nanoseconds] != nil)
        // A baseline in which the router allocated nothing: any allocation now is a regression.
        var baseline = results
        for index in baseline.records.indices { baseline.records[index][.allocations] = 0 }
        try baseline.write(to: directory + "/base.json")
        let second = try run(["example", "--rounds", "2", "--compare", directory + "/base.json", "--no-progress"])
        #expect(second.status == 1, "\(second.output)")
        #expect(second.output.contains("REGRESSION"))
    }
}
