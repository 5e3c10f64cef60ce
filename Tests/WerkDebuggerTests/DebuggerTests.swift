import Testing
import WerkCore
import WerkTesting
@testable import WerkDebugger

struct CartError: Error, CustomStringConvertible {
    var code: Int
    var underlying: (any Error)?
    var description: String { "the cart <b>is</b> empty (\(code))" }
}

struct StorageNote: StorageKey { typealias Value = [String] }

/// The line of the `throw` the pages must point at.
let cartThrowLine = #line + 2
func loadCart() throws -> String {
    throw CartError(code: 42, underlying: nil)
}

let testPIN = DebuggerPIN(publicBits: ["test"], privateBits: ["machine"], override: "123-456-789")

func debuggedApp(_ debugger: Debugger = Debugger(pin: testPIN, pinFailureDelay: .zero), remote: String? = nil) -> Handler {
    Stack {
        if let remote { MiddlewareFunction("Remote") { request, next in
            var request = request
            request.remoteAddress = remote
            return try await next(request)
        } }
        debugger
        MiddlewareFunction("Notes") { request, next in
            var request = request
            request.storage[StorageNote.self] = ["apple", "pear"]
            return try await next(request)
        }
        Handler { request -> String in
            if request.pathInfo == "/missing" { throw HTTPError(.notFound) }
            return try loadCart()
        }
    }
}

let html: Headers = ["Accept": "text/html,application/xhtml+xml,*/*;q=0.8"]

/// The page's id and secret, from its `<body data-...>` attributes.
func pageCredentials(_ page: String) throws -> (id: String, secret: String) {
    func attribute(_ name: String) throws -> String {
        let parts = page.split(separator: "\(name)=\"", maxSplits: 1)
        let value = try #require(parts.count == 2 ? parts[1].prefix { $0 != "\"" } : nil)
        return String(value)
    }
    return (try attribute("data-page"), try attribute("data-secret"))
}

func call(_ client: TestClient, _ action: String, _ body: JSON, headers: Headers = ["X-Werk-Debugger": "1"]) async throws -> TestResponse {
    try await client.post("/__debugger__/\(action)", headers: headers, body: .json(body))
}

@Suite("Debugger")
struct DebuggerTests {
    @Test("a browser gets the page, which points at the line that threw, with its source and the request")
    func pageShowsTheThrowSite() async throws {
        let client = TestClient(debuggedApp())
        let response = try await client.get("/cart?item=7", headers: html)
        #expect(response.status == .internalServerError)
        #expect(response.contentType?.hasPrefix("text/html") == true)
        let page = response.text
        #expect(page.contains("<title>WerkDebuggerTests.CartError: the cart &lt;b&gt;is&lt;/b&gt; empty (42) // Werk Debugger</title>"))
        #expect(page.contains("DebuggerTests.swift:\(cartThrowLine)"))
        #expect(page.contains("throw CartError(code: 42, underlying: nil)</span>"))
        #expect(page.contains("innermost first, thrown at"))
        #expect(page.contains("loadCart()"))
        #expect(page.contains("<th>item</th><td><pre>7</pre>"))
        #expect(page.contains("<li>Notes [async]</li>"))             // the stack's layers, the terminal marked
        #expect(page.contains("<li class=\"marked\">Handler <span class=\"badge\">the error left here</span></li>"))
        #expect(page.contains("[&#34;apple&#34;, &#34;pear&#34;]"))  // storage an inner layer added
        #expect(page.contains("curl"))
        #expect(!page.contains("<b>is</b>"))
        #expect(response.headers["Cache-Control"] == "no-store")
    }

    @Test("API clients get JSON or a text traceback by Accept, and the traceback goes to the error log")
    func jsonTextAndLog() async throws {
        let recorder = LogRecorder()
        let client = TestClient(transport: InProcessTransport(debuggedApp(), logger: recorder))
        let json = try await client.get("/cart", headers: ["Accept": "application/json"])
        #expect(json.status == .internalServerError)
        let body = try json.json()
        #expect(body["errors"]?[0]?["type"]?.stringValue == "WerkDebuggerTests.CartError")
        let frames = try #require(body["frames"]?.arrayValue)
        #expect(frames.contains { $0["line"]?.intValue == cartThrowLine && $0["file"]?.stringValue?.hasSuffix("DebuggerTests.swift") == true })
        let text = try await client.get("/cart", headers: ["Accept": "text/plain"])
        #expect(text.contentType?.hasPrefix("text/plain") == true)
        #expect(text.text.contains("DebuggerTests.swift:\(cartThrowLine)"))
        #expect(text.text.contains("WerkDebuggerTests.CartError: the cart <b>is</b> empty (42)"))
        let logged = recorder.records.filter { $0.label == "debugger" && $0.level == .error }
        #expect(logged.count == 2)
        #expect(logged.first?.message.contains("DebuggerTests.swift:\(cartThrowLine)") == true)
    }

    @Test("HTTPErrors pass through as their own responses")
    func httpErrorsPassThrough() async throws {
        let response = try await TestClient(debuggedApp()).get("/missing", headers: html)
        #expect(response.status == .notFound)
        #expect(!response.text.contains("Werk Debugger"))
    }

    @Test("a non-loopback client gets the plain 500 and the endpoints refuse it; allowRemote changes that and logs a warning")
    func remoteClients() async throws {
        let client = TestClient(debuggedApp(remote: "203.0.113.9:5555"))
        let page = try await client.get("/cart", headers: html)
        #expect(page.status == .internalServerError)
        #expect(!page.text.contains("Werk Debugger"))
        #expect(!page.text.contains("CartError"))
        let refused = try await call(client, "pin", ["pin": "123-456-789", "page": "x", "secret": "y"])
        #expect(refused.status == .forbidden)
        #expect(try refused.json()["error"]?.stringValue?.contains("loopback") == true)

        let recorder = LogRecorder()
        let app = Log.$current.withValue(recorder) {
            debuggedApp(Debugger(allowRemote: true, pin: testPIN), remote: "203.0.113.9:5555")
        }
        #expect(recorder.records.contains { $0.level == .warning && $0.message.contains("allowRemote") })
        let allowed = try await TestClient(app).get("/cart", headers: html)
        #expect(allowed.text.contains("Werk Debugger"))
    }

    @Test("loopback addresses are recognised", arguments: [
        ("127.0.0.1", true), ("127.0.0.1:8080", true), ("127.9.8.7", true), ("::1", true), ("[::1]:80", true),
        ("::ffff:127.0.0.1", true), ("10.0.0.1", false), ("128.0.0.1", false), ("127.0.0", false), ("", false),
        ("127.0.0.1.evil", false), ("localhost", false),
    ])
    func loopback(address: String, expected: Bool) {
        #expect(DebuggerContext.isLoopback(address) == expected)
    }

    @Test("an untrusted Host gets no page, and the endpoints answer 400")
    func untrustedHost() async throws {
        let client = TestClient(debuggedApp(), baseURL: "http://evil.example")
        let page = try await client.get("/cart", headers: ["Accept": "text/html"])
        #expect(page.status == .internalServerError)
        #expect(!page.text.contains("Werk Debugger"))
        let refused = try await call(client, "inspect", ["page": "x", "secret": "y", "expression": "error"])
        #expect(refused.status == .badRequest)
    }
}
