import Testing
import WerkCore
import WerkTesting
@testable import WerkDebugger
import WerkSessions

@Suite("Debugger security")
struct DebuggerSecurityTests {
    @Test("calls without the secret, the header, POST or a JSON body are refused with the status that says why")
    func malformedCalls() async throws {
        let client = TestClient(debuggedApp())
        let page = try await client.get("/cart", headers: html).text
        let (id, secret) = try pageCredentials(page)
        #expect(try await call(client, "pin", ["page": .string(id), "pin": "1"]).status == .badRequest)
        #expect(try await call(client, "pin", ["page": .string(id), "secret": "wrong", "pin": "1"]).status == .forbidden)
        #expect(try await call(client, "pin", ["page": "nope", "secret": .string(secret), "pin": "1"]).status == .forbidden)
        #expect(try await call(client, "pin", ["page": .string(id), "secret": .string(secret), "pin": "1"], headers: [:]).status == .forbidden)
        let form = try await client.post("/__debugger__/pin", headers: ["X-Werk-Debugger": "1"],
                                         body: .text("pin=1", contentType: "application/x-www-form-urlencoded"))
        #expect(form.status == .unsupportedMediaType)
        let get = try await client.get("/__debugger__/inspect", headers: ["X-Werk-Debugger": "1"])
        #expect(get.status == .methodNotAllowed)
        let big = try await client.post("/__debugger__/pin", headers: ["X-Werk-Debugger": "1"],
                                        body: .bytes(Array(repeating: 0x20, count: 20_000), contentType: "application/json"))
        #expect(big.status == .contentTooLarge)
        let broken = try await client.post("/__debugger__/pin", headers: ["X-Werk-Debugger": "1"],
                                           body: .bytes(Array("{\"page\":".utf8), contentType: "application/json"))
        #expect(broken.status == .badRequest)
        #expect(try await call(client, "execute", ["page": .string(id), "secret": .string(secret)]).status == .notFound)
    }

    @Test("the inspector needs the PIN; a wrong PIN is refused; ten failures lock it out even for the right PIN")
    func pinAndLockOut() async throws {
        let client = TestClient(debuggedApp(), useCookies: true)
        let (id, secret) = try pageCredentials(try await client.get("/cart", headers: html).text)
        let credentials: [String: JSON] = ["page": .string(id), "secret": .string(secret)]
        let locked = try await call(client, "inspect", .object(credentials.merging(["expression": "error"]) { $1 }))
        #expect(locked.status == .unauthorized)
        #expect(try locked.json()["pinRequired"]?.boolValue == true)
        for attempt in 1...10 {
            let wrong = try await call(client, "pin", .object(credentials.merging(["pin": "000-000-000"]) { $1 }))
            #expect(wrong.status == .forbidden)
            #expect(try wrong.json()["exhausted"]?.boolValue == (attempt == 10))
        }
        let right = try await call(client, "pin", .object(credentials.merging(["pin": "123-456-789"]) { $1 }))
        #expect(try right.json()["auth"]?.boolValue == false)
        #expect(try right.json()["exhausted"]?.boolValue == true)
        #expect(right.setCookies.isEmpty)
    }

    @Test("one Debugger value wrapped twice (a sampling Profiler builds its inner layers twice) shares its pages and its count of wrong PINs")
    func wrappedTwiceSharesState() async throws {
        let debugger = Debugger(pin: testPIN, pinFailureDelay: .zero)
        let builds = [TestClient(debuggedApp(debugger), useCookies: true), TestClient(debuggedApp(debugger), useCookies: true)]
        let (id, secret) = try pageCredentials(try await builds[0].get("/cart", headers: html).text)
        let credentials: [String: JSON] = ["page": .string(id), "secret": .string(secret), "pin": "000-000-000"]
        for attempt in 1...10 {
            // The page made through the first build is known to the second; failures add up across both.
            let wrong = try await call(builds[attempt % 2], "pin", .object(credentials))
            #expect(wrong.status == .forbidden)
            #expect(try wrong.json()["exhausted"]?.boolValue == (attempt == 10))
        }
        var changed = debugger
        changed.pagesKept = 4   // a changed setting is a new debugger: its own pages, its own count
        let fresh = TestClient(debuggedApp(changed), useCookies: true)
        let unknown = try await call(fresh, "pin", .object(credentials))
        #expect(unknown.status == .forbidden)
        #expect(try unknown.json()["exhausted"] == nil)   // "unknown page", not the PIN check
    }

    @Test("the right PIN sets an HttpOnly, SameSite=Strict cookie for 7 days, and the inspector answers")
    func pinUnlocksTheInspector() async throws {
        let client = TestClient(debuggedApp(), useCookies: true)
        let (id, secret) = try pageCredentials(try await client.get("/cart", headers: html).text)
        let credentials: [String: JSON] = ["page": .string(id), "secret": .string(secret)]
        let right = try await call(client, "pin", .object(credentials.merging(["pin": "123456789"]) { $1 }))
        #expect(try right.json()["auth"]?.boolValue == true)
        let cookie = try #require(right.setCookies.first)
        #expect(cookie.name == testPIN.cookieName)
        #expect(cookie.httpOnly && cookie.sameSite == .strict && cookie.maxAge == 604_800 && cookie.path == "/")

        func inspect(_ expression: String) async throws -> TestResponse {
            try await call(client, "inspect", .object(credentials.merging(["expression": .string(expression)]) { $1 }))
        }
        let code = try await inspect("error.code")
        #expect(code.status == .ok)
        #expect(try code.json()["value"]?["summary"]?.stringValue == "42")
        let accept = try await inspect("request.headers[\"accept\"]")
        #expect(try accept.json()["value"]?["summary"]?.stringValue?.contains("text/html") == true)
        let storage = try await inspect("storage")
        let note = try await inspect("storage[0][\"Swift.Array<Swift.String>\"][1]")
        #expect(note.status == .ok, "\(storage.text) \(note.text)")
        #expect(try note.json()["value"]?["summary"]?.stringValue == "\"pear\"")
        let missing = try await inspect("error.nothing")
        #expect(missing.status == .badRequest)
        #expect(try missing.json()["error"]?.stringValue == "error has no member 'nothing'.")
        let syntax = try await inspect("error.code()")
        #expect(syntax.status == .badRequest)
        // The page rendered with the cookie starts unlocked.
        let again = try await client.get("/cart", headers: html).text
        #expect(again.contains("data-pin-required=\"false\""))
    }

    @Test("with WERK_DEBUG_PIN=off the inspector answers without a PIN")
    func pinOff() async throws {
        let off = DebuggerPIN(publicBits: ["test"], privateBits: [], override: "off")
        let client = TestClient(debuggedApp(Debugger(pin: off)))
        let page = try await client.get("/cart", headers: html).text
        #expect(page.contains("data-pin-required=\"false\""))
        let (id, secret) = try pageCredentials(page)
        let answer = try await call(client, "inspect", ["page": .string(id), "secret": .string(secret), "expression": "error"])
        #expect(answer.status == .ok)
    }
}

@Suite("Debugger and sessions")
struct DebuggerSessionTests {
    @Test("the page lists the session an inner Sessions layer loaded, and session[\"cart\"][0] answers")
    func sessionInspection() async throws {
        let app = Stack {
            Debugger(pin: DebuggerPIN(publicBits: ["test"], privateBits: [], override: "off"), pinFailureDelay: .zero)
            Sessions(secretKeys: ["debugger test key"])
            Handler { request -> String in
                request.session["cart"] = .array(["apple", "pear"])
                return try loadCart()
            }
        }
        let client = TestClient(app)
        let page = try await client.get("/", headers: html).text
        #expect(page.contains("<h2>Session</h2><table><tr><th>cart</th><td><pre>[&#34;apple&#34;, &#34;pear&#34;]</pre>"))
        let (id, secret) = try pageCredentials(page)
        let answer = try await call(client, "inspect", ["page": .string(id), "secret": .string(secret), "expression": "session[\"cart\"][0]"])
        #expect(answer.status == .ok, "\(answer.text)")
        #expect(try answer.json()["value"]?["summary"]?.stringValue == "\"apple\"")
    }
}
