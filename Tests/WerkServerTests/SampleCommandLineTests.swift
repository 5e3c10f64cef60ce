import Glibc
import Testing
import WerkCore
import WerkTestSupport

/// The built samples (`Hello`, `Demo`, next to the test bundle) on their command line: `--help`,
/// bad options and values, a port already in use (issue 9, items 2 and 4).
@Suite("Samples on the command line")
struct SampleCommandLineTests {
    /// The directory holding the built products (`Hello`, `Demo`).
    static let productDirectory = Spawned.productDirectory

    struct Finished {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs a sample to its end (at most 60 s) with `arguments` and only `environment` set.
    func run(_ sample: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Finished {
        let process = try Spawned(Self.productDirectory + "/" + sample, arguments, environment: environment)
        let output = process.readAll(process.stdout)
        let errors = process.readAll(process.stderr)
        return Finished(status: process.wait(), output: output, errors: errors)
    }

    @Test("--help prints the usage on stdout and exits with 0", arguments: ["Hello", "Demo"])
    func help(sample: String) throws {
        let finished = try run(sample, ["--help"])
        #expect(finished.status == 0)
        #expect(finished.output.hasPrefix("Usage: \(sample) [options]"))
        #expect(finished.output.contains("--port PORT"))
    }

    @Test("bad options and values exit with 2 and say what is wrong, never a trap", arguments: [
        ("Hello", ["--bogus"], [:], "unknown option '--bogus'"),
        ("Demo", ["--port", "9000", "extra"], [:], "unexpected argument 'extra'"),
        ("Demo", ["--port", "abc"], [:], "--port abc is not a port"),
        ("Hello", [], ["PORT": "65536"], "PORT=65536 is not a port"),
        ("Demo", [], ["PORT": "-1"], "PORT=-1 is not a port"),
        ("Demo", [], ["PORT": "abc"], "PORT=abc is not a port"),
        ("Demo", [], ["HOST": "bad host"], "HOST=bad host is not a host"),
        ("Hello", ["--event-loops", "0"], [:], "--event-loops 0"),
    ] as [(String, [String], [String: String], String)])
    func badInput(sample: String, arguments: [String], environment: [String: String], message: String) throws {
        let finished = try run(sample, arguments, environment: environment)
        #expect(finished.status == 2)
        #expect(finished.errors.hasPrefix("\(sample): "))
        #expect(finished.errors.contains(message), "\(finished.errors)")
        #expect(finished.errors.contains("Usage: \(sample) [options]"))
        #expect(!finished.errors.contains("Fatal error"))
    }

    @Test("a second sample on the port of a running one exits with 1 and 'Address already in use'")
    func portInUse() async throws {
        let first = try Spawned(Self.productDirectory + "/Hello", ["--port", "0", "--no-access-log", "--event-loops", "2"],
                                environment: [:])
        defer { first.stop() }
        let line = first.readLine(first.stdout)
        let prefix = "Running on http://127.0.0.1:"
        try #require(line.hasPrefix(prefix), "\(line)")
        let port = String(line.dropFirst(prefix.count).prefix { $0 != "/" })
        let second = try run("Demo", ["--port", port])
        #expect(second.status == 1)
        #expect(second.errors.contains("Cannot bind 127.0.0.1:\(port): Address already in use."), "\(second.errors)")
        first.stop()
        #expect(await first.exitStatus() == 0)   // SIGTERM: a graceful shutdown
    }
}
