import Testing
import WerkCore
@testable import WerkServer

/// Every configuration value is checked before the server binds: a bad value is a thrown,
/// descriptive error, never a trap (issue 9, item 4: `PORT=65536` trapped in the listener).
@Suite("Configuration validation")
struct ConfigurationValidationTests {
    typealias Change = @Sendable (inout Server.Configuration) -> Void

    static let validCases: [(String, Change)] = [
        ("defaults", { _ in }),
        ("port 0", { $0.port = 0 }),
        ("port 65535", { $0.port = 65535 }),
        ("IPv6 host", { $0.host = "::1" }),
        ("bracketed IPv6 host", { $0.host = "[::1]" }),
        ("host name", { $0.host = "localhost" }),
        ("host name with a trailing dot", { $0.host = "www.example.com." }),
        ("one loop", { $0.eventLoops = 1 }),
        ("no body allowed", { $0.maxBodySize = 0 }),
        ("a Unix socket makes the port irrelevant", { $0.unixSocketPath = "/tmp/x.sock"; $0.port = -1 }),
        ("a tiny timeout", { $0.headerReadTimeout = .milliseconds(1) }),
    ]

    @Test("valid values pass", arguments: validCases)
    func valid(name: String, change: Change) throws {
        var configuration = Server.Configuration()
        change(&configuration)
        try configuration.validate()
    }

    static let invalidCases: [(String, Change)] = [
        ("port", { $0.port = 65536 }),
        ("port", { $0.port = -1 }),
        ("port", { $0.port = Int.max }),
        ("host", { $0.host = "" }),
        ("host", { $0.host = "bad host" }),
        ("host", { $0.host = "a..b" }),
        ("host", { $0.host = "[localhost]" }),
        ("host", { $0.host = "under_score.example" }),
        ("host", { $0.host = String(repeating: "a", count: 64) }),
        ("host", { $0.host = "1.2.3.4\u{0}" }),
        ("unixSocketPath", { $0.unixSocketPath = "" }),
        ("unixSocketPath", { $0.unixSocketPath = "/tmp/\u{0}x" }),
        ("eventLoops", { $0.eventLoops = 0 }),
        ("eventLoops", { $0.eventLoops = -3 }),
        ("eventLoops", { $0.eventLoops = 100_000 }),
        ("backlog", { $0.backlog = 0 }),
        ("backlog", { $0.backlog = Int.max }),
        ("maxRequestLineLength", { $0.maxRequestLineLength = 0 }),
        ("maxHeaderBytes", { $0.maxHeaderBytes = -1 }),
        ("maxHeaderCount", { $0.maxHeaderCount = 0 }),
        ("maxBodySize", { $0.maxBodySize = -1 }),
        ("maxDrainBytes", { $0.maxDrainBytes = -1 }),
        ("maxPendingOutputBytes", { $0.maxPendingOutputBytes = 0 }),
        ("maxConnections", { $0.maxConnections = 0 }),
        ("headerReadTimeout", { $0.headerReadTimeout = .zero }),
        ("bodyReadTimeout", { $0.bodyReadTimeout = .seconds(-1) }),
        ("keepAliveTimeout", { $0.keepAliveTimeout = .seconds(Int64.max) }),
        ("writeTimeout", { $0.writeTimeout = .zero }),
        ("shutdownTimeout", { $0.shutdownTimeout = .zero }),
    ]

    @Test("invalid values throw a ConfigurationError naming the setting", arguments: invalidCases)
    func invalid(setting: String, change: Change) {
        var configuration = Server.Configuration()
        change(&configuration)
        #expect { try configuration.validate() } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.setting == setting && error.description.hasPrefix("Invalid \(setting) ")
        }
    }

    @Test("start() throws the validation error instead of trapping (PORT=65536 trapped before)")
    func startValidates() {
        var configuration = testConfiguration()
        configuration.port = 65536
        let server = Server(testApp, configuration: configuration)
        #expect { try server.start() } throws: { error in
            guard case .invalidConfiguration(let reason) = error as? ServerError else { return false }
            return reason.setting == "port" && "\(error)".contains("65536")
        }
        #expect(server.address == nil)
    }

    @Test("a host that passes the syntax check but does not resolve is a thrown ServerError at start")
    func unresolvableHost() {
        var configuration = testConfiguration()
        configuration.host = "no-such-host.invalid"
        #expect { try Server(testApp, configuration: configuration).start() } throws: { error in
            guard case .invalidAddress(let address, _) = error as? ServerError else { return false }
            return address.hasPrefix("no-such-host.invalid")
        }
    }
}
