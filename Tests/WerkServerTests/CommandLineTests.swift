import Testing
import WerkCore
@testable import WerkServer

/// The configuration from the command line and the environment (issue 9, item 4).
@Suite("Command line and environment")
struct CommandLineTests {
    private func configuration(_ arguments: [String], _ environment: [String: String] = [:]) throws -> Server.Configuration {
        guard case .run(let configuration) = try Server.Configuration.parse(arguments: arguments, environment: environment) else {
            Issue.record("expected a configuration for \(arguments)")
            return Server.Configuration()
        }
        return configuration
    }

    @Test("good command lines and environments give the expected host, port, socket, loops and access log",
          arguments: [
              ([], [:], "127.0.0.1", 8080, nil, true),
              (["--port", "9000"], [:], "127.0.0.1", 9000, nil, true),
              (["--port=0"], [:], "127.0.0.1", 0, nil, true),
              (["--port", "65535"], [:], "127.0.0.1", 65535, nil, true),
              (["--host", "0.0.0.0", "--port", "80"], [:], "0.0.0.0", 80, nil, true),
              (["--host=::1"], [:], "::1", 8080, nil, true),
              (["--host", "[::]"], [:], "[::]", 8080, nil, true),
              (["--host", "localhost"], [:], "localhost", 8080, nil, true),
              ([], ["PORT": "9001", "HOST": "::"], "::", 9001, nil, true),
              (["--port", "9002"], ["PORT": "9001"], "127.0.0.1", 9002, nil, true),   // options win
              (["--host", "127.0.0.2"], ["HOST": "0.0.0.0"], "127.0.0.2", 8080, nil, true),
              (["--no-access-log"], [:], "127.0.0.1", 8080, nil, false),
              (["--no-access-log", "--access-log"], [:], "127.0.0.1", 8080, nil, true),
              (["--unix-socket", "/tmp/werk.sock"], [:], "127.0.0.1", 8080, "/tmp/werk.sock", true),
              (["--unix-socket=/tmp/a.sock", "--no-access-log"], ["PORT": "1"], "127.0.0.1", 1, "/tmp/a.sock", false),
          ] as [([String], [String: String], String, Int, String?, Bool)])
    func goodCommandLines(arguments: [String], environment: [String: String], host: String, port: Int,
                          socket: String?, accessLog: Bool) throws {
        let parsed = try configuration(arguments, environment)
        #expect(parsed.host == host)
        #expect(parsed.port == port)
        #expect(parsed.unixSocketPath == socket)
        #expect(parsed.accessLog == accessLog)
    }

    @Test("--event-loops, --log-format and --log-level set the loops and the loggers")
    func loopsAndLogging() throws {
        let parsed = try configuration(["--event-loops", "3", "--log-format", "json", "--log-level=warning"])
        #expect(parsed.eventLoops == 3)
        let errors = try #require(parsed.errorLogger as? LineLogger)
        #expect(errors.format == .json && errors.level == .warning)
        let access = try #require(parsed.accessLogger as? LineLogger)
        #expect(access.format == .json && access.level == .info)
    }

    @Test("bad options and values are a CommandLineError with exit status 2 and a message naming them",
          arguments: [
              (["--bogus"], [:], "unknown option '--bogus'"),
              (["-x"], [:], "unknown option '-x'"),
              (["--prot=80"], [:], "unknown option '--prot'"),
              (["extra"], [:], "unexpected argument 'extra'"),
              (["--port"], [:], "--port needs a value"),
              (["--port", "abc"], [:], "--port abc is not a port"),
              (["--port", "65536"], [:], "--port 65536 is not a port"),
              (["--port", "-1"], [:], "--port -1 is not a port"),
              (["--port", "+80"], [:], "--port +80 is not a port"),
              (["--port", " 80"], [:], "--port  80 is not a port"),
              (["--port", "99999999999999999999999"], [:], "is not a port"),
              ([], ["PORT": "abc"], "PORT=abc is not a port"),
              ([], ["PORT": "65536"], "PORT=65536 is not a port"),
              ([], ["PORT": "-1"], "PORT=-1 is not a port"),
              ([], ["PORT": ""], "PORT= is not a port"),
              ([], ["HOST": "not a host"], "HOST=not a host is not a host"),
              ([], ["HOST": ""], "HOST= is not a host"),
              (["--host", "exa mple"], [:], "--host exa mple is not a host"),
              (["--host", "-bad.example"], [:], "is not a host"),
              (["--host", "[127.0.0.1"], [:], "is not a host"),
              (["--event-loops", "0"], [:], "--event-loops 0 is not a number of event loops"),
              (["--event-loops", "-2"], [:], "is not a number of event loops"),
              (["--event-loops", "many"], [:], "is not a number of event loops"),
              (["--log-format", "xml"], [:], "--log-format xml is not a format"),
              (["--log-level", "loud"], [:], "--log-level loud is not a level"),
              (["--no-access-log=yes"], [:], "--no-access-log takes no value"),
              (["--unix-socket", ""], [:], "--unix-socket  cannot be used"),
              (["--unix-socket", String(repeating: "a", count: 200)], [:], "shorter than 108 bytes"),
          ] as [([String], [String: String], String)])
    func badCommandLines(arguments: [String], environment: [String: String], message: String) {
        do {
            let result = try Server.Configuration.parse(arguments: arguments, environment: environment, program: "Demo")
            Issue.record("expected an error, got \(result)")
        } catch {
            #expect(error.exitCode == 2)
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.usage.hasPrefix("Usage: Demo [options]"))
        }
    }

    @Test("--help and -h return the usage (exit 0), which lists every option with its default")
    func help() throws {
        var defaults = Server.Configuration()
        defaults.port = 5000
        for flag in ["--help", "-h"] {
            let result = try Server.Configuration.parse(arguments: ["--port", "1", flag, "--bogus"], defaults: defaults,
                                                        program: "Hello")
            guard case .help(let usage) = result else { Issue.record("expected help for \(flag)"); continue }
            #expect(usage.hasPrefix("Usage: Hello [options]"))
            for option in ["--host", "--port", "--unix-socket", "--event-loops", "--access-log", "--no-access-log",
                           "--log-format", "--log-level", "--help", "HOST", "PORT", "default 5000"] {
                #expect(usage.contains(option), "usage lacks \(option)")
            }
        }
    }

    @Test("the defaults passed in are kept where the command line says nothing")
    func defaultsKept() throws {
        var defaults = Server.Configuration(host: "0.0.0.0", port: 3000)
        defaults.maxBodySize = 1234
        defaults.accessLog = false
        guard case .run(let parsed) = try Server.Configuration.parse(arguments: ["--port", "3001"], defaults: defaults) else {
            Issue.record("expected a configuration")
            return
        }
        #expect(parsed.host == "0.0.0.0" && parsed.port == 3001 && parsed.maxBodySize == 1234 && !parsed.accessLog)
    }
}
