import Testing
import WerkCore
import WerkSessions
import WerkSigning
import WerkTestSupport

/// Werk and a real Flask 3.1 app (Fixtures/flask_app.py) with the same SECRET_KEY read and write
/// each other's `session` cookie. Flask's clock is pinned to the vectors' time, like Werk's here, so
/// the cookie values can also be compared byte for byte.
@Suite("Sessions against a live Flask app", .requires(.flask))
struct FlaskLiveTests {
    static let key = "live-interop-secret"

    /// Sessions that must cross in both directions: non-ASCII, nesting, a compressed payload, a
    /// tuple (Flask's flashes) and bytes.
    static let cases: [(name: String, values: [String: FlaskTaggedJSON.Value], permanent: Bool)] = [
        ("non-ASCII and nested", ["greeting": .string("grüße ✓ 日本"), "nested": .object(["a": .array([.int(1), .double(2.5), .bool(true), .null]), "b": .object(["c": .string("d")])])], false),
        ("compressed", ["cart": .array(Array(repeating: .string("apple"), count: 50)), "user_id": .int(42)], false),
        ("tuple and bytes", ["_flashes": .array([.tuple([.string("message"), .string("Saved ✓")])]), "raw": .bytes([0, 1, 2, 254, 255]), "n": .int(-7)], true),
        ("escaped tag key", ["x": .object([" t": .int(1)]), "m": .markup("<b>hi</b>")], false),
    ]

    let flaskSessions = Sessions(secretKeys: [FlaskLiveTests.key], format: .flask, sameSite: nil, clock: { vectorTime })

    /// A Werk app that sets `values` (and `permanent`) and returns the cookie value it wrote.
    func werkCookie(_ values: [String: FlaskTaggedJSON.Value], permanent: Bool, sessions: Sessions? = nil) async throws -> String {
        let app = sessionApp(sessions ?? flaskSessions) { request in
            for (key, value) in values { request.session[tagged: key] = value }
            if permanent { request.session.permanent = true }
            return .text("ok")
        }
        let response = try await app(Request(target: "/"))
        return try #require(cookieValue(response.headers))
    }

    /// What a Werk app reading `cookie` sees, with Flask's types.
    func werkRead(_ cookie: String, sessions: Sessions? = nil) async throws -> [String: FlaskTaggedJSON.Value] {
        let app = sessionApp(sessions ?? flaskSessions) { request in
            .json(FlaskTaggedJSON.tag(.object(request.session.taggedDictionary)))
        }
        let response = try await app(requestWithCookie(cookie))
        guard case .object(let values) = try FlaskTaggedJSON.untag(JSON.parse(await response.collectBody())) else {
            throw LiveFlaskError(description: "not an object")
        }
        return values
    }

    @Test("Werk writes and Flask reads")
    func werkWritesAndFlaskReads() async throws {
        let flask = try await LiveFlask.start(keys: [Self.key], pinnedTimestamp: vectorTime)
        defer { flask.stop() }
        for (name, values, permanent) in Self.cases {
            let cookie = try await werkCookie(values, permanent: permanent)
            let response = try await flask.request("GET", "/read", cookie: cookie)
            #expect(response.status == 200, "\(name)")
            var expected = values
            if permanent { expected["_permanent"] = .bool(true) }
            #expect(try response.tagged() == .object(["session": .object(expected), "permanent": .bool(permanent)]), "\(name)")
            if name == "compressed" { #expect(cookie.hasPrefix(".")) }
        }
    }

    @Test("Flask writes and Werk reads the same bytes")
    func flaskWritesAndWerkReadsTheSameBytes() async throws {
        let flask = try await LiveFlask.start(keys: [Self.key], pinnedTimestamp: vectorTime)
        defer { flask.stop() }
        for (name, values, permanent) in Self.cases {
            let body = FlaskTaggedJSON.tag(.object(values)).serializedBytes()
            let response = try await flask.request("POST", permanent ? "/write?permanent=1" : "/write", body: body)
            #expect(response.status == 200, "\(name)")
            let cookie = try #require(cookieValue(response.headers), "\(name)")
            var expected = values
            expected["_permanent"] = .bool(permanent)
            #expect(try await werkRead(cookie) == expected, "\(name)")
            // Werk writes the very same cookie for the same session at the same time.
            #expect(try await werkCookie(expected, permanent: false) == cookie, "\(name)")
            // Attribute for attribute, Flask's Set-Cookie is Werk's (Expires aside: Flask takes it
            // from the real clock, not the pinned one).
            let header = try #require(response.headers["Set-Cookie"])
            #expect(header.hasSuffix("; HttpOnly; Path=/") && header.contains("Expires=") == permanent, "\(name)")
        }
    }

    @Test("a session goes back and forth")
    func aSessionGoesBackAndForth() async throws {
        let flask = try await LiveFlask.start(keys: [Self.key], pinnedTimestamp: vectorTime)
        defer { flask.stop() }
        let started = try await flask.request("GET", "/increment")
        var cookie = try #require(cookieValue(started.headers))
        for round in 0..<3 {
            // Werk increments, then Flask increments.
            let app = sessionApp(flaskSessions) { request in
                request.session["n"] = .int((request.session.int("n") ?? 0) + 1)
                return .text("ok")
            }
            cookie = try #require(cookieValue(try await app(requestWithCookie(cookie)).headers))
            let response = try await flask.request("GET", "/increment", cookie: cookie)
            #expect(try response.tagged() == .object(["n": .int(2 * round + 3)]))
            cookie = try #require(cookieValue(response.headers))
        }
        #expect(try await werkRead(cookie) == ["n": .int(7)])
    }

    @Test("rotated keys work across both sides")
    func rotatedKeysWorkAcrossBothSides() async throws {
        // Flask: SECRET_KEY "new-key", SECRET_KEY_FALLBACKS ["old-key"].
        let flask = try await LiveFlask.start(keys: ["new-key", "old-key"], pinnedTimestamp: vectorTime)
        defer { flask.stop() }
        let oldWerk = Sessions(secretKeys: ["old-key"], format: .flask, clock: { vectorTime })
        let cookie = try await werkCookie(["n": .int(1)], permanent: false, sessions: oldWerk)
        #expect(try await flask.request("GET", "/read", cookie: cookie).tagged()
                == .object(["session": .object(["n": .int(1)]), "permanent": .bool(false)]))
        // Flask signs with its newest key; Werk with both keys reads it, Werk with only the old one cannot.
        let flaskCookie = try #require(cookieValue(try await flask.request("GET", "/increment", cookie: cookie).headers))
        let rotatedWerk = Sessions(secretKeys: ["old-key", "new-key"], format: .flask, clock: { vectorTime })
        #expect(try await werkRead(flaskCookie, sessions: rotatedWerk) == ["n": .int(2)])
        #expect(try await werkRead(flaskCookie, sessions: oldWerk) == [:])
    }

    @Test("Python reads Werk's own format as documented")
    func pythonReadsWerksOwnFormatAsDocumented() async throws {
        let flask = try await LiveFlask.start(keys: [Self.key], pinnedTimestamp: vectorTime)
        defer { flask.stop() }
        let werk = Sessions(secretKeys: [Self.key], clock: { vectorTime })
        for (name, values, _) in Self.cases {
            let cookie = try await werkCookie(values, permanent: false, sessions: werk)
            let response = try await flask.request("GET", "/werk-read", cookie: cookie)
            #expect(response.status == 200, "\(name)")
            #expect(try response.tagged() == .object(values), "\(name)")
        }
    }
}
