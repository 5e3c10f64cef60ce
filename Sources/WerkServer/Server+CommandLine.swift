import Glibc
import WerkCore

/// Why a command line could not become a ``Server/Configuration``: an unknown option, a missing or
/// bad value (from an option or from `HOST`/`PORT`). A program prints it with the usage and exits
/// with ``exitCode`` (2, the convention for usage errors).
public struct CommandLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in a sentence (`unknown option '--prot'`).
    public var message: String
    /// The usage text of the program.
    public var usage: String
    /// The exit status for this error: 2.
    public var exitCode: Int32 { 2 }

    /// An error with its usage text.
    public init(message: String, usage: String) {
        self.message = message
        self.usage = usage
    }

    /// The message.
    public var description: String { message }
}

extension Server.Configuration {
    /// What a command line asks for: a configuration to run with, or the usage text (`--help`).
    public enum CommandLineRequest: Sendable {
        /// Run with this (validated) configuration.
        case run(Server.Configuration)
        /// Print this usage text on standard output and exit with status 0.
        case help(String)
    }

    /// Reads `--host`, `--port`, `--unix-socket`, `--event-loops`, `--reload`, `--workers`, `--max-requests`,
    /// `--max-requests-jitter`, `--worker-timeout`, `--access-log`/`--no-access-log`,
    /// `--log-format`, `--log-level` and `--help` (`-h`) from `arguments` (without the program name),
    /// and `HOST` and `PORT` from `environment`, over `defaults`. Options win over the environment.
    /// Values may follow as the next argument or after `=` (`--port=9000`). The result is validated
    /// (``validate()``). Throws ``CommandLineError`` for an unknown option, a missing or bad value.
    ///
    /// ```swift
    /// let request = try Server.Configuration.parse(arguments: ["--port", "9000"], environment: ["HOST": "0.0.0.0"])
    /// if case .run(let configuration) = request { print(configuration.host, configuration.port) }   // 0.0.0.0 9000
    /// ```
    public static func parse(arguments: [String], environment: [String: String] = [:],
                             defaults: Server.Configuration = Server.Configuration(),
                             program: String = "server") throws(CommandLineError) -> CommandLineRequest {
        let usage = usage(program: program, defaults: defaults)
        func fail(_ message: String) -> CommandLineError { CommandLineError(message: message, usage: usage) }
        var configuration = defaults
        if let host = environment["HOST"] {
            do { try checkHost(host) } catch { throw fail("HOST=\(host) is not a host: \(error.reason)") }
            configuration.host = host
        }
        if let text = environment["PORT"] {
            guard let port = parsePort(text) else { throw fail("PORT=\(text) is not a port: use a whole number from 0 to 65535.") }
            configuration.port = port
        }
        var format: LineLogger.Format? = nil
        var level: LogLevel? = nil
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            var name = argument
            var inlineValue: String? = nil
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() throws(CommandLineError) -> String {
                if let inlineValue { return inlineValue }
                guard index < arguments.count else { throw fail("\(name) needs a value.") }
                index += 1
                return arguments[index - 1]
            }
            func noValue() throws(CommandLineError) {
                if inlineValue != nil { throw fail("\(name) takes no value.") }
            }
            switch name {
            case "-h", "--help":
                try noValue()
                return .help(usage)
            case "--host":
                let host = try value()
                do { try checkHost(host) } catch { throw fail("--host \(host) is not a host: \(error.reason)") }
                configuration.host = host
                configuration.unixSocketPath = nil
            case "--port":
                let text = try value()
                guard let port = parsePort(text) else { throw fail("--port \(text) is not a port: use a whole number from 0 to 65535.") }
                configuration.port = port
                configuration.unixSocketPath = nil
            case "--unix-socket":
                configuration.unixSocketPath = try value()
            case "--event-loops":
                let text = try value()
                guard let count = Int(text), (1...maxEventLoops).contains(count) else {
                    throw fail("--event-loops \(text) is not a number of event loops: use a whole number from 1 to \(maxEventLoops).")
                }
                configuration.eventLoops = count
            case "--workers":
                let text = try value()
                guard let count = Int(text), (0...maxWorkers).contains(count) else {
                    throw fail("--workers \(text) is not a number of worker processes: use a whole number from 0 (none) to \(maxWorkers).")
                }
                configuration.workers = count
            case "--max-requests", "--max-requests-jitter":
                let text = try value()
                guard let count = Int(text), count >= 0, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                    throw fail("\(name) \(text) is not a request count: use a whole number, 0 or more.")
                }
                if name == "--max-requests" { configuration.maxRequests = count } else { configuration.maxRequestsJitter = count }
            case "--worker-timeout":
                let text = try value()
                guard let seconds = Double(text), seconds > 0, seconds <= 365 * 24 * 3600, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) else {
                    throw fail("--worker-timeout \(text) is not a timeout: use seconds, more than 0 (30, 2.5).")
                }
                configuration.workerTimeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
            case "--reload":
                try noValue()
                configuration.reload = true
            case "--access-log":
                try noValue()
                configuration.accessLog = true
            case "--no-access-log":
                try noValue()
                configuration.accessLog = false
            case "--log-format":
                let text = try value()
                guard let chosen = LineLogger.Format(rawValue: text) else { throw fail("--log-format \(text) is not a format: use text or json.") }
                format = chosen
            case "--log-level":
                let text = try value()
                guard let chosen = LogLevel(name: text) else {
                    throw fail("--log-level \(text) is not a level: use debug, info, warning, error or critical.")
                }
                level = chosen
            default:
                if argument.hasPrefix("-") { throw fail("unknown option '\(name)'.") }
                throw fail("unexpected argument '\(argument)'.")
            }
        }
        if format != nil || level != nil {
            configuration.errorLogger = LineLogger(.standardError, format: format ?? .text, level: level ?? .info)
            configuration.accessLogger = LineLogger(.standardError, format: format ?? .text)
        }
        if configuration.reload && configuration.workers > 0 {
            throw fail("--reload and --workers cannot be combined: the dev server runs one worker, rebuilt on change.")
        }
        do { try configuration.validate() } catch {
            throw fail(error.setting == "unixSocketPath"
                ? "--unix-socket \(error.value) cannot be used: \(error.reason)" : "invalid configuration: \(error)")
        }
        return .run(configuration)
    }

    /// The configuration from this process's command line and environment, for a program's `main`:
    /// on `--help` prints the usage on standard output and exits with 0; on a ``CommandLineError``
    /// prints it and the usage on standard error and exits with 2.
    ///
    /// ```swift
    /// let configuration = Server.Configuration.fromCommandLine()
    /// ```
    public static func fromCommandLine(defaults: Server.Configuration = Server.Configuration(),
                                       arguments: [String] = CommandLine.arguments) -> Server.Configuration {
        let program = arguments.first.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "server"
        var environment: [String: String] = [:]
        for name in ["HOST", "PORT"] { if let value = getenv(name) { environment[name] = String(cString: value) } }
        do {
            switch try parse(arguments: Array(arguments.dropFirst()), environment: environment, defaults: defaults,
                             program: program) {
            case .run(let configuration):
                if configuration.reload { exit(runDevServer(configuration, arguments: arguments, program: program)) }
                return configuration
            case .help(let usage):
                writeAll(1, usage)
                exit(0)
            }
        } catch {
            writeAll(2, "\(program): \(error.message)\n\n\(error.usage)")
            exit(error.exitCode)
        }
    }

    /// Runs the dev server for this program (`--reload`): finds the package (the nearest folder at
    /// or above the current one holding `Package.swift`) and runs ``DevSupervisor`` with the
    /// program's name as the product and the same arguments without `--reload`. Returns the exit
    /// status.
    static func runDevServer(_ configuration: Server.Configuration, arguments: [String], program: String) -> Int32 {
        guard let root = PackageLocator.root(from: PackageLocator.currentDirectory) else {
            writeAll(2, "\(program): --reload runs inside the program's package: no Package.swift in \(PackageLocator.currentDirectory) or above.\n")
            return 2
        }
        let executable = PackageLocator.executablePath ?? ""
        let buildConfiguration = executable.contains("/release/") ? "release" : "debug"
        let workerArguments = arguments.dropFirst().filter { $0 != "--reload" }
        let runner = BuildRunner(packageRoot: root, product: program, configuration: buildConfiguration)
        return DevSupervisor(configuration: configuration, runner: runner, arguments: Array(workerArguments)).run()
    }

    /// The usage text: every option, its default (from `defaults`) and the environment variables.
    public static func usage(program: String, defaults: Server.Configuration = Server.Configuration()) -> String {
        """
        Usage: \(program) [options]

        Options:
          --host HOST           the address to listen on (default \(defaults.host); env HOST)
          --port PORT           the TCP port, 0 picks a free one (default \(defaults.port); env PORT)
          --unix-socket PATH    listen on a Unix domain socket instead of host and port
          --event-loops N       the number of event loops (default \(defaults.eventLoops))
          --workers N           run N worker processes under a supervisor (default \(defaults.workers): none)
          --max-requests N      replace a worker after N requests (default \(defaults.maxRequests): never)
          --max-requests-jitter N  add 0...N to --max-requests per worker (default \(defaults.maxRequestsJitter))
          --worker-timeout S    kill a worker stuck this many seconds (default \(defaults.workerTimeout.components.seconds))
          --reload              dev server: rebuild and restart when the package's sources change
          --access-log          log every request (the default)
          --no-access-log       do not log requests
          --log-format FORMAT   text or json (default text)
          --log-level LEVEL     debug, info, warning, error or critical (default info)
          -h, --help            print this help and exit

        Options win over the environment. Errors exit with status 2.

        """
    }

    /// A port from text: digits only (no sign, no spaces), 0...65535.
    static func parsePort(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let port = Int(text), port <= 65535 else { return nil }
        return port
    }
}

extension Server {
    /// Runs the server until it stops, for a program's `main`: when it cannot start (the port is in
    /// use, the host does not resolve) prints `program: error` on standard error and exits with
    /// status 1.
    ///
    /// ```swift
    /// let app = Handler { _ in "Hello" }
    /// await Server(app, configuration: .fromCommandLine()).runOrExit()
    /// ```
    public func runOrExit(program: String = Server.programName) async {
        do {
            try await run()
        } catch {
            writeAll(2, "\(program): \(error)\n")
            exit(1)
        }
    }

    /// The last path component of the program's name (`Hello` for `.build/debug/Hello`).
    public static var programName: String {
        guard let first = CommandLine.arguments.first, let last = first.split(separator: "/").last else { return "server" }
        return String(last)
    }
}

/// Writes all of `text` to a file descriptor.
func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        offset += n
    }
}
