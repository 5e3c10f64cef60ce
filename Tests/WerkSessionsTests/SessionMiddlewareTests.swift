import Synchronization
import Testing
import WerkTestSupport
import WerkCore
import WerkSessions
import WerkSigning
import WerkTesting

@Suite struct SessionMiddlewareTests {
    let clock = TestClock()
    var sessions: Sessions { Sessions(secretKeys: ["test-key"], clock: clock.function) }

    @Test("a value set in one request is read in the next")
    func aValueSetInOneRequestIsReadInTheNext() async throws {
        let client = TestClient(echoApp(sessions))
        let first = try await client.get("/?set=user&value=%22alice%22")
        #expect(try first.json() == ["user": "alice"])
        #expect(first.setCookies.count == 1)
        let second = try await client.get("/?set=n&value=%5B1,2.5,true,null%5D")
        #expect(try second.json() == ["user": "alice", "n": [1, 2.5, true, nil]])
        #expect(try await client.get("/").json() == ["user": "alice", "n": [1, 2.5, true, nil]])
    }

    @Test("an untouched session costs no crypto and adds no headers")
    func anUntouchedSessionCostsNoCryptoAndAddsNoHeaders() async throws {
        let calls = Atomic<Int>(0)
        let counting = Sessions(secretKeys: ["test-key"], clock: { calls.add(1, ordering: .relaxed); return vectorTime })
        let cookie = try SessionSerializer(secretKeys: ["test-key"], clock: { vectorTime }).encode(json: ["a": 1])
        let app = sessionApp(counting) { _ in .text("hi") }
        let response = try await app(requestWithCookie(cookie))
        #expect(calls.load(ordering: .relaxed) == 0)
        #expect(response.headers["Set-Cookie"] == nil)
        #expect(response.headers["Vary"] == nil)
    }

    @Test("reading adds Vary: Cookie but no Set-Cookie")
    func readingAddsVaryCookieButNoSetCookie() async throws {
        let cookie = try sessions.serializer.encode(json: ["a": 1])
        let app = sessionApp(sessions) { request in .text(String(request.session.int("a") ?? 0)) }
        let response = try await app(requestWithCookie(cookie))
        #expect(try await response.collectBody() == Array("1".utf8))
        #expect(response.headers["Vary"] == "Cookie")
        #expect(response.headers["Set-Cookie"] == nil)
    }

    @Test("Vary is merged with an existing vary header")
    func varyIsMergedWithAnExistingVaryHeader() async throws {
        let app = sessionApp(sessions) { request in
            _ = request.session["x"]
            var response = Response.text("ok")
            response.headers.set("Vary", "Accept-Encoding")
            return response
        }
        let response = try await app(Request(target: "/"))
        #expect(response.headers.values(for: "Vary") == ["Accept-Encoding, Cookie"])
    }

    @Test("a modified session is written with default attributes")
    func aModifiedSessionIsWrittenWithDefaultAttributes() async throws {
        let response = try await TestClient(echoApp(sessions)).get("/?set=a&value=1")
        let header = try #require(response.headers["Set-Cookie"])
        #expect(header.hasSuffix("; HttpOnly; Path=/; SameSite=Lax"))
        #expect(!header.contains("Expires") && !header.contains("Max-Age") && !header.contains("Secure"))
        #expect(response.headers["Vary"] == "Cookie")
        let value = try #require(cookieValue(response.headers))
        #expect(sessions.serializer.decodeJSON(value) == ["a": 1])
    }

    @Test("an empty session is never written")
    func anEmptySessionIsNeverWritten() async throws {
        let response = try await TestClient(echoApp(sessions)).get("/?set=a&value=1&remove=a")
        #expect(response.headers["Set-Cookie"] == nil)
        let cleared = try await TestClient(echoApp(sessions)).get("/?clear=1")
        #expect(cleared.headers["Set-Cookie"] == nil)
    }

    @Test("emptying a session deletes the cookie")
    func emptyingASessionDeletesTheCookie() async throws {
        let client = TestClient(echoApp(sessions))
        _ = try await client.get("/?set=a&value=1")
        #expect(client.cookieJar?.cookie(named: "session") != nil)
        let response = try await client.get("/?clear=1")
        #expect(response.headers.values(for: "Set-Cookie")
                == ["session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax"])
        #expect(response.headers["Vary"] == "Cookie")
        #expect(client.cookieJar?.cookie(named: "session") == nil)
        // Removing the last key does the same.
        _ = try await client.get("/?set=a&value=1")
        let removed = try await client.get("/?remove=a")
        #expect(removed.setCookies.first?.maxAge == 0)
    }

    @Test("permanent sessions carry Expires and Max-Age in the Werk format")
    func permanentSessionsCarryExpiresAndMaxAgeInTheWerkFormat() async throws {
        let response = try await TestClient(echoApp(sessions)).get("/?set=a&value=1&permanent=1")
        let cookie = try #require(response.setCookies.first)
        #expect(cookie.maxAge == 2_678_400)
        #expect(cookie.expires == vectorTime + 2_678_400)
        let header = try #require(response.headers["Set-Cookie"])
        #expect(header.contains("; Expires=Fri, 15 Dec 2023 22:13:20 GMT; Max-Age=2678400;"))
    }

    @Test("permanent sessions carry only Expires in the Flask format")
    func permanentSessionsCarryOnlyExpiresInTheFlaskFormat() async throws {
        let flask = Sessions(secretKeys: ["k"], format: .flask, sameSite: nil, lifetime: .seconds(3600),
                             clock: clock.function)
        let response = try await TestClient(echoApp(flask)).get("/?set=a&value=1&permanent=1")
        let value = try #require(cookieValue(response.headers))
        #expect(response.headers["Set-Cookie"]
                == "session=\(value); Expires=Tue, 14 Nov 2023 23:13:20 GMT; HttpOnly; Path=/")
        #expect(flask.serializer.decodeJSON(value) == ["a": 1, "_permanent": true])
    }

    @Test("every cookie attribute is configurable")
    func everyCookieAttributeIsConfigurable() async throws {
        let custom = Sessions(secretKeys: ["k"], cookieName: "sid", domain: ".example.com", path: "/app",
                              secure: true, httpOnly: false, sameSite: .strict, partitioned: true, clock: clock.function)
        let response = try await echoApp(custom)(Request(target: "/?set=a&value=1"))
        let header = try #require(response.headers["Set-Cookie"])
        #expect(header.hasPrefix("sid="))
        #expect(header.hasSuffix("; Domain=example.com; Secure; Path=/app; SameSite=Strict; Partitioned"))
        let none = Sessions(secretKeys: ["k"], sameSite: SetCookie.SameSite.none, clock: clock.function)
        let second = try await echoApp(none)(Request(target: "/?set=a&value=1"))
        #expect(second.headers["Set-Cookie"]?.hasSuffix("; HttpOnly; Path=/; SameSite=None") == true)
        // The custom name is the one read back.
        let value = try #require(cookieValue(response.headers))
        let read = try await echoApp(custom)(requestWithCookie(value, name: "sid"))
        #expect(try JSON.parse(await read.collectBody()) == ["a": 1])
        let wrongName = try await echoApp(custom)(requestWithCookie(value, name: "session"))
        #expect(try JSON.parse(await wrongName.collectBody()) == [:])
    }

    @Test("refresh policies decide whether an unmodified permanent session is resent")
    func refreshPoliciesDecideWhetherAnUnmodifiedPermanentSessionIsResent() async throws {
        let permanent = try sessions.serializer.encode(json: ["a": 1, "_permanent": true])
        let browser = try sessions.serializer.encode(json: ["a": 1])
        func setCookie(_ refresh: Sessions.Refresh, _ cookie: String, touch: Bool) async throws -> Bool {
            let app = echoApp(Sessions(secretKeys: ["test-key"], refresh: refresh, clock: clock.function))
            let response = try await app(requestWithCookie(cookie, target: touch ? "/" : "/?touch=0"))
            return response.headers["Set-Cookie"] != nil
        }
        #expect(try await setCookie(.whenAccessed, permanent, touch: true))
        #expect(try await !setCookie(.whenAccessed, permanent, touch: false))
        #expect(try await !setCookie(.never, permanent, touch: true))
        #expect(try await setCookie(.always, permanent, touch: false))
        for refresh in [Sessions.Refresh.never, .whenAccessed, .always] {
            #expect(try await !setCookie(refresh, browser, touch: true))
        }
        // A refresh carries a new timestamp and expiry.
        clock.advance(100)
        let app = echoApp(Sessions(secretKeys: ["test-key"], refresh: .always, clock: clock.function))
        let response = try await app(requestWithCookie(permanent, target: "/?touch=0"))
        #expect(response.setCookies.first?.expires == vectorTime + 100 + 2_678_400)
        #expect(response.headers["Vary"] == nil)
    }

    @Test("the session is saved when the handler throws an HTTPError")
    func theSessionIsSavedWhenTheHandlerThrowsAnHTTPError() async throws {
        let app = sessionApp(sessions) { request in
            request.session["user"] = "alice"
            throw HTTPError.redirect(to: "/home", status: .seeOther)
        }
        let response = try await app(Request(target: "/login"))
        #expect(response.status == .seeOther)
        #expect(response.headers["Location"] == "/home")
        let value = try #require(cookieValue(response.headers))
        #expect(sessions.serializer.decodeJSON(value) == ["user": "alice"])
    }

    @Test("other errors propagate and nothing is saved")
    func otherErrorsPropagateAndNothingIsSaved() async throws {
        struct Boom: Error {}
        let app = sessionApp(sessions) { request in
            request.session["user"] = "alice"
            throw Boom()
        }
        await #expect(throws: Boom.self) { try await app(Request(target: "/")) }
    }

    @Test("typed accessors and tagged values")
    func typedAccessorsAndTaggedValues() async throws {
        let app = sessionApp(sessions) { request in
            let s = request.session
            s["i"] = 3; s["d"] = 2.5; s["s"] = "x"; s["b"] = true; s["a"] = [1, 2]; s["o"] = ["k": "v"]
            s[tagged: "t"] = .tuple([.string("msg"), .int(1)])
            #expect(s.int("i") == 3 && s.double("d") == 2.5 && s.string("s") == "x" && s.bool("b") == true)
            #expect(s.array("a") == [1, 2] && s.object("o") == ["k": "v"] && s.int("s") == nil)
            #expect(s["t"] == ["msg", 1] && s[tagged: "t"] == .tuple([.string("msg"), .int(1)]))
            #expect(s.keys == ["a", "b", "d", "i", "o", "s", "t"] && s.count == 7 && s.contains("i"))
            #expect(s.removeValue(forKey: "i") == 3 && s.removeValue(forKey: "i") == nil)
            #expect(!s.permanent)
            return .text("ok")
        }
        let response = try await app(Request(target: "/"))
        let value = try #require(cookieValue(response.headers))
        let decoded = try #require(sessions.serializer.decode(value))
        #expect(decoded["t"] == .tuple([.string("msg"), .int(1)]))
        #expect(decoded["i"] == nil && decoded.count == 6)
    }

    @Test("flags track access and modification")
    func flagsTrackAccessAndModification() {
        let session = Session(["a": 1])
        #expect(!session.isAccessed && !session.isModified)
        _ = session["a"]
        #expect(session.isAccessed && !session.isModified)
        session.markModified()
        #expect(session.isModified)
        var request = Request(target: "/")
        #expect(request.sessionIfPresent == nil)
        request.session = session
        #expect(request.session === session)
    }

    @Test("child tasks can share the session")
    func childTasksCanShareTheSession() async throws {
        let app = sessionApp(sessions) { request in
            let session = request.session
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        session.update { values in
                            let n = if case .int(let n)? = values["n"] { n } else { 0 }
                            values["n"] = .int(n + 1)
                        }
                    }
                }
            }
            return .json(.object(session.dictionary))
        }
        let response = try await TestClient(app).get("/")
        #expect(try response.json() == ["n": 100])
    }

    @Test("concurrent requests carrying one session all read the same data")
    func concurrentRequestsCarryingOneSessionAllReadTheSameData() async throws {
        let client = TestClient(echoApp(sessions))
        _ = try await client.get("/?set=cart&value=%5B%22apple%22,%22pear%22%5D")
        let bodies = try await withThrowingTaskGroup(of: JSON.self) { group in
            for _ in 0..<100 { group.addTask { try await client.get("/").json() } }
            var all: [JSON] = []
            for try await body in group { all.append(body) }
            return all
        }
        #expect(bodies.count == 100)
        #expect(bodies.allSatisfy { $0 == ["cart": ["apple", "pear"]] })
    }

    @Test("the documentation example works")
    func theDocumentationExampleWorks() async throws {
        let app = Stack {
            Sessions(secretKeys: ["2024-key", "2025-key"])
            Handler { request in
                let session = request.session
                let visits = (session.int("visits") ?? 0) + 1
                session["visits"] = .int(visits)
                session["cart"] = ["apple", "pear"]
                session.permanent = true
                return "Visit number \(visits)"
            }
        }
        let client = TestClient(app)
        _ = try await client.get("/")
        let second = try await client.get("/")
        #expect(second.text == "Visit number 2")
        #expect(second.setCookies.first?.maxAge == 2_678_400)
    }

    @Test("the Werk format tries compression from 128 bytes of JSON")
    func theWerkFormatTriesCompressionFrom128BytesOfJSON() throws {
        let serializer = sessions.serializer
        let small: [String: JSON] = ["a": .string(String(repeating: "x", count: 100))]      // 110 bytes of JSON
        let large: [String: JSON] = ["a": .string(String(repeating: "x", count: 130))]      // 140 bytes
        #expect(try !serializer.encode(json: small).hasPrefix("."))
        #expect(try serializer.encode(json: large).hasPrefix("."))
        #expect(try serializer.decodeJSON(serializer.encode(json: small)) == small)
        #expect(try serializer.decodeJSON(serializer.encode(json: large)) == large)
        // The Flask format compresses whenever zlib saves more than a byte, as Flask does.
        let flask = try SessionSerializer(format: .flask, secretKeys: ["k"], clock: { vectorTime })
        #expect(try flask.encode(json: small).hasPrefix("."))
    }

    @Test("the session cookie is found among others by its exact name")
    func theSessionCookieIsFoundAmongOthersByItsExactName() async throws {
        let cookie = try sessions.serializer.encode(json: ["a": 1])
        for (header, expected) in [("mysession=junk; session=\(cookie); other=1", ["a": 1] as JSON),
                                   ("theme=session; session_x=\(cookie)", [:]), ("session=\(cookie); session=junk", ["a": 1])] {
            let response = try await echoApp(sessions)(Request(target: "/", headers: ["Cookie": header]))
            #expect(try JSON.parse(await response.collectBody()) == expected, "\(header)")
        }
        // Several Cookie headers are searched in order.
        let split = Request(target: "/", headers: Headers([("Cookie", "a=1"), ("Cookie", "session=\(cookie)")]))
        #expect(try JSON.parse(await echoApp(sessions)(split).collectBody()) == ["a": 1])
    }
}

@Suite("Sessions: the synchronous form")
struct SessionSynchronousTests {
    let clock = TestClock()
    var sessions: Sessions { Sessions(secretKeys: ["test-key"], clock: clock.function) }

    @Test("over a synchronous handler the middleware is synchronous and writes the same cookies as its async form",
          arguments: ["/?set=user&value=%22alice%22", "/?set=n&value=1&permanent=1", "/?touch=0", "/?clear=1", "/?remove=a"])
    func sameCookies(_ target: String) async throws {
        let app = echoAppSynchronous(sessions)
        #expect(app.synchronous != nil)
        let cookie = try sessions.serializer.encode(json: ["a": 1])
        #expect(try await BothForms.difference(app, requestWithCookie(cookie, target: target)) == nil)
        #expect(try await BothForms.difference(app, Request(target: target)) == nil)
    }

    @Test("an HTTPError from a synchronous handler still saves the session, as in the async form")
    func errorStillSaves() async throws {
        let app = Stack {
            sessions
            Handler { request -> Response in
                request.session["seen"] = true
                throw HTTPError(.forbidden)
            }
        }
        let inline = try #require(app.respondSynchronouslyCatchingErrors(Request()) as Response?)
        #expect(inline.status == .forbidden)
        #expect(inline.headers["Set-Cookie"]?.hasPrefix("session=") == true)
        #expect(try await BothForms.difference(app, Request()) == nil)
    }

    @Test("an asynchronous handler makes the sessions layer asynchronous")
    func asyncHandler() {
        #expect(echoApp(sessions).synchronous == nil)
    }
}
