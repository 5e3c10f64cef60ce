import Testing
import WerkTestSupport
import WerkCore
import WerkSessions
import WerkSigning
import WerkTesting

@Suite struct SessionSecurityTests {
    let clock = TestClock()
    var sessions: Sessions { Sessions(secretKeys: ["test-key"], clock: clock.function) }

    /// The session a request carrying `cookie` sees, and its status.
    func read(_ cookie: String, with sessions: Sessions? = nil) async throws -> (Status, JSON) {
        let response = try await echoApp(sessions ?? self.sessions)(requestWithCookie(cookie))
        return (response.status, try JSON.parse(await response.collectBody()))
    }

    @Test("every tampered byte gives an empty session", arguments: SessionFormat.allCases)
    func everyTamperedByteGivesAnEmptySession(format: SessionFormat) async throws {
        let sessions = Sessions(secretKeys: ["test-key"], format: format, clock: clock.function)
        for values: [String: JSON] in [["user_id": 42, "name": "alice"], ["cart": .array(Array(repeating: "apple", count: 20))]] {
            let cookie = Array(try sessions.serializer.encode(json: values).utf8)
            #expect(try await read(String(decoding: cookie, as: UTF8.self), with: sessions).1 == .object(values))
            for index in cookie.indices {
                for replacement in [UInt8(ascii: "A"), UInt8(ascii: "_"), UInt8(ascii: ".")] where cookie[index] != replacement {
                    var tampered = cookie
                    tampered[index] = replacement
                    let (status, body) = try await read(String(decoding: tampered, as: UTF8.self), with: sessions)
                    #expect(status == .ok)
                    #expect(body == [:], "byte \(index) -> \(replacement)")
                }
            }
            // Truncations and extensions too.
            for cut in 1..<cookie.count {
                #expect(try await read(String(decoding: cookie.prefix(cut), as: UTF8.self), with: sessions).1 == [:])
            }
            #expect(try await read(String(decoding: cookie + Array("A".utf8), as: UTF8.self), with: sessions).1 == [:])
        }
    }

    @Test("the formats do not accept each other's cookies")
    func theFormatsDoNotAcceptEachOthersCookies() throws {
        let werk = try SessionSerializer(format: .werk, secretKeys: ["k"], clock: { vectorTime })
        let flask = try SessionSerializer(format: .flask, secretKeys: ["k"], clock: { vectorTime })
        #expect(flask.decode(try werk.encode(json: ["a": 1])) == nil)
        #expect(werk.decode(try flask.encode(json: ["a": 1])) == nil)
    }

    @Test("expiry is at the lifetime boundary")
    func expiryIsAtTheLifetimeBoundary() async throws {
        let short = Sessions(secretKeys: ["test-key"], lifetime: .seconds(60), clock: clock.function)
        let cookie = try short.serializer.encode(json: ["a": 1])
        clock.set(vectorTime + 60)
        #expect(try await read(cookie, with: short).1 == ["a": 1])
        clock.set(vectorTime + 61)
        #expect(try await read(cookie, with: short).1 == [:])
        clock.set(vectorTime - 1)  // signed in the future
        #expect(try await read(cookie, with: short).1 == [:])
    }

    @Test("rotation reads old cookies and rewrites them with the new key")
    func rotationReadsOldCookiesAndRewritesThemWithTheNewKey() async throws {
        let old = Sessions(secretKeys: ["old-key"], clock: clock.function)
        let rotated = Sessions(secretKeys: ["old-key", "new-key"], clock: clock.function)
        let oldCookie = try old.serializer.encode(json: ["n": 1])
        #expect(try await read(oldCookie, with: rotated).1 == ["n": 1])

        let response = try await echoApp(rotated)(requestWithCookie(oldCookie, target: "/?set=n&value=2"))
        let newCookie = try #require(cookieValue(response.headers))
        let newOnly = try SessionSerializer(secretKeys: ["new-key"], clock: clock.function)
        let oldOnly = try SessionSerializer(secretKeys: ["old-key"], clock: clock.function)
        #expect(newOnly.decodeJSON(newCookie) == ["n": 2])
        #expect(oldOnly.decodeJSON(newCookie) == nil)
        // Once the old key is dropped, its cookies are no longer valid.
        #expect(try await read(oldCookie, with: Sessions(secretKeys: ["new-key"], clock: clock.function)).1 == [:])
    }

    @Test("an oversized incoming cookie is ignored unverified")
    func anOversizedIncomingCookieIsIgnoredUnverified() async throws {
        let generous = try SessionSerializer(secretKeys: ["test-key"], maxCookieSize: 100_000, clock: clock.function)
        let big = try generous.encode(json: ["blob": .string(pseudoRandomText(5000))])
        #expect(big.utf8.count > 4093)
        #expect(generous.decode(big) != nil)
        #expect(try await read(big).1 == [:])
    }

    @Test("a cookie over the limit is a clear error when written")
    func aCookieOverTheLimitIsAClearErrorWhenWritten() async throws {
        let app = sessionApp(sessions) { request in
            request.session["blob"] = .string(pseudoRandomText(4000))
            return .text("ok")
        }
        do {
            _ = try await app(Request(target: "/"))
            Issue.record("expected SessionError.cookieTooLarge")
        } catch let error as SessionError {
            guard case .cookieTooLarge(let name, let size, let limit) = error else { throw error }
            #expect(name == "session" && size > 4093 && limit == 4093)
            #expect(error.description.contains("\(size) bytes") && error.description.contains("4093-byte limit"))
        }
        // Through a client it is an opaque 500.
        #expect(try await TestClient(app).get("/").status == .internalServerError)
    }

    @Test("the limit is inclusive and counts the whole Set-Cookie value")
    func theLimitIsInclusiveAndCountsTheWholeSetCookieValue() async throws {
        let handler: @Sendable (Request) async throws -> Response = { request in
            request.session["blob"] = .string(pseudoRandomText(300))
            return .text("ok")
        }
        let measured = try await sessionApp(sessions, handler)(Request(target: "/"))
        let size = try #require(measured.headers["Set-Cookie"]).utf8.count
        let exact = Sessions(secretKeys: ["test-key"], maxCookieSize: size, clock: clock.function)
        #expect(try await sessionApp(exact, handler)(Request(target: "/")).headers["Set-Cookie"] != nil)
        let oneLess = Sessions(secretKeys: ["test-key"], maxCookieSize: size - 1, clock: clock.function)
        await #expect(throws: SessionError.cookieTooLarge(cookieName: "session", size: size, limit: size - 1)) {
            try await sessionApp(oneLess, handler)(Request(target: "/"))
        }
    }

    @Test("garbage cookies never crash and give an empty session")
    func garbageCookiesNeverCrashAndGiveAnEmptySession() async throws {
        var rng = SplitMix(seed: 42)
        var garbage = ["", ".", "..", "...", "a.b.c", ".a.b", "a..b", "....", "eyJhIjoxfQ", "eyJhIjoxfQ.ZVPxAA",
                       "eyJhIjoxfQ.ZVPxAA.", ".eJwrSS0u0c1MTwUAFSID5g.ZVPxAA.x", "\u{0}\u{1}\u{7f}", "é.ü.✓",
                       String(repeating: "A", count: 100_000), String(repeating: ".", count: 5000),
                       "eyJhIjoxfQ.AAAAAAAAAAAAAAAA.x", "eyJhIjoxfQ.________.x", "%00.%FF.%2e"]
        for length in [1, 10, 100, 1000, 4000] {
            for _ in 0..<20 {
                garbage.append(String(decoding: (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, as: UTF8.self))
            }
        }
        for cookie in garbage {
            let (status, body) = try await read(cookie)
            #expect(status == .ok && body == [:])
        }
    }

    @Test("validly signed but undecodable payloads give an empty session")
    func validlySignedButUndecodablePayloadsGiveAnEmptySession() async throws {
        let signer = sessions.serializer.serializer.signer
        let payloads = ["notbase64!", "W10", /* [] */ "MQ", /* 1 */ "eyJhIjo", /* {"a": */
                        "eyIgYiI6IiUlJSJ9", /* {" b":"%%%"} */ "eyJ4Ijp7IiBkIjoibm9wZSJ9fQ", /* {"x":{" d":"nope"}} */
                        ".eJwrSS0u0c1M", /* truncated zlib */ ".bm90emxpYg", /* not zlib */ "eyIgdCI6WzFdfQ" /* {" t":[1]} */]
        for payload in payloads {
            let cookie = try signer.sign(payload)
            let (status, body) = try await read(cookie)
            #expect(status == .ok && body == [:], "\(payload)")
        }
    }
}

/// Incompressible text, the same on every run.
func pseudoRandomText(_ count: Int) -> String {
    var rng = SplitMix(seed: UInt64(count))
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    return String(decoding: (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self)
}
