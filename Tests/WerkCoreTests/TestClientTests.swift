import Testing
@testable import WerkCore
import WerkTesting

/// Echoes what the handler saw as JSON.
private let echo = Handler { request -> Response in
    let body = try await request.text()
    var headers: [String: JSON] = [:]
    for field in request.headers { headers[field.name] = .string(field.value) }
    return .json([
        "method": .string(request.method.rawValue),
        "path": .string(request.pathInfo),
        "script": .string(request.scriptName),
        "query": .string(request.queryString),
        "body": .string(body),
        "headers": .object(headers),
        "scheme": .string(request.scheme),
        "host": .string(request.host),
        "remote": .string(request.remoteAddress ?? ""),
    ])
}

private struct Item: Codable, Sendable, Equatable { var name: String; var count: Int }

@Suite("TestClient")
struct TestClientTests {
    let client = TestClient(echo)

    @Test("each verb helper sends its method", arguments: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    func verbs(method: String) async throws {
        let response: TestResponse
        switch method {
        case "GET": response = try await client.get("/v")
        case "POST": response = try await client.post("/v")
        case "PUT": response = try await client.put("/v")
        case "PATCH": response = try await client.patch("/v")
        case "DELETE": response = try await client.delete("/v")
        default: response = try await client.options("/v")
        }
        #expect(try response.json()["method"]?.stringValue == method)
        #expect(response.request.method.rawValue == method)
    }

    @Test("request sends any method, extension tokens included")
    func anyMethod() async throws {
        #expect(try await client.request("PURGE", "/").json()["method"]?.stringValue == "PURGE")
    }

    @Test("HEAD gets the headers of GET but no body")
    func head() async throws {
        let get = try await client.get("/x")
        let head = try await client.head("/x")
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        #expect(head.headers["Content-Type"] == "application/json")
        #expect(head.headers["Content-Length"] != nil)
        #expect(!get.body.isEmpty)
    }

    @Test("query pairs are encoded and appended to a path's own query")
    func query() async throws {
        let json = try await client.get("/s?x=1", query: [("q", "a b"), ("ü", "&")]).json()
        #expect(json["query"]?.stringValue == "x=1&q=a+b&%C3%BC=%26")
        let plain = try await client.get("/s", query: [("a", "1")]).json()
        #expect(plain["query"]?.stringValue == "a=1")
    }

    @Test("query pairs go before a fragment in the path")
    func queryBeforeFragment() async throws {
        #expect(try await client.get("/p#top", query: [("a", "1")]).json()["query"]?.stringValue == "a=1")
        #expect(try await client.get("/p?x=2#top", query: [("a", "1")]).json()["query"]?.stringValue == "x=2&a=1")
    }

    @Test("the request is built like Werkzeug's EnvironBuilder: Host, scheme, remote address")
    func defaults() async throws {
        let json = try await client.get("/").json()
        #expect(json["headers"]?["Host"]?.stringValue == "localhost")
        #expect(json["scheme"]?.stringValue == "http")
        #expect(json["host"]?.stringValue == "localhost")
        #expect(json["remote"]?.stringValue == "127.0.0.1")
        #expect(json["headers"]?["Content-Length"] == nil)
    }

    @Test("headers are sent, call headers win over default headers")
    func headers() async throws {
        var c = TestClient(echo)
        c.defaultHeaders = ["X-Default": "d", "X-Both": "default"]
        let json = try await c.get("/", headers: ["X-Both": "call", "X-Call": "c"]).json()
        #expect(json["headers"]?["X-Default"]?.stringValue == "d")
        #expect(json["headers"]?["X-Both"]?.stringValue == "call")
        #expect(json["headers"]?["X-Call"]?.stringValue == "c")
    }

    @Test("a JSON body is sent as application/json with its length")
    func jsonBody() async throws {
        let json = try await client.post("/", body: .json(["a": [1, 2]])).json()
        #expect(json["body"]?.stringValue == #"{"a":[1,2]}"#)
        #expect(json["headers"]?["Content-Type"]?.stringValue == "application/json")
        #expect(json["headers"]?["Content-Length"]?.stringValue == "11")
    }

    @Test("an Encodable body is sent as JSON and decodes on the other side")
    func encodableBody() async throws {
        let app = Handler { request in try await request.decode(Item.self) }
        let response = try await TestClient(app).post("/", body: try .json(encoding: Item(name: "x", count: 2)))
        #expect(try response.decode(Item.self) == Item(name: "x", count: 2))
    }

    @Test("a form body is urlencoded in order")
    func formBody() async throws {
        let app = Handler { request in
            try await request.form().pairs.map { "\($0.key)=\($0.value)" }.joined(separator: "|")
        }
        let response = try await TestClient(app).post("/", body: .form([("a", "1 2"), ("b", "ü&"), ("a", "3")]))
        #expect(response.text == "a=1 2|b=ü&|a=3")
        let viaDict = try await TestClient(app).post("/", body: .form(MultiDict([("k", "v")])))
        #expect(viaDict.text == "k=v")
    }

    @Test("raw bytes and text bodies are sent as given; an explicit Content-Type header wins")
    func rawBody() async throws {
        let raw = try await client.put("/", body: .bytes(Array("xyz".utf8), contentType: "application/x-thing")).json()
        #expect(raw["body"]?.stringValue == "xyz")
        #expect(raw["headers"]?["Content-Type"]?.stringValue == "application/x-thing")
        let text = try await client.post("/", headers: ["Content-Type": "text/csv"], body: .text("a,b")).json()
        #expect(text["headers"]?["Content-Type"]?.stringValue == "text/csv")
        #expect(text["body"]?.stringValue == "a,b")
    }

    @Test("POST without a body still sends Content-Length: 0")
    func emptyPost() async throws {
        let json = try await client.post("/").json()
        #expect(json["headers"]?["Content-Length"]?.stringValue == "0")
    }

    @Test("the response can be read as text, JSON, headers and cookies")
    func responseAccessors() async throws {
        let app = Handler { _ in
            var r = Response.text("héllo", status: .created)
            r.setCookie("a", "1", httpOnly: true)
            r.headers.set("Location", "/x")
            return r
        }
        let response = try await TestClient(app).get("/")
        #expect(response.status == .created)
        #expect(response.text == "héllo")
        #expect(response.contentType == "text/plain; charset=utf-8")
        #expect(response.location == "/x")
        #expect(response.headers["Content-Length"] == "6")
        #expect(response.setCookies.first?.name == "a")
        #expect(response.setCookies.first?.httpOnly == true)
        #expect(throws: (any Error).self) { try response.json() }
    }

    @Test("a streamed response body is collected and gets a Content-Length")
    func streamedResponse() async throws {
        let app = Handler { _ in
            Response(body: .stream(ByteStream { writer in
                try await writer.write("a")
                try await writer.write("bc")
            }, length: nil))
        }
        let response = try await TestClient(app).get("/")
        #expect(response.text == "abc")
        #expect(response.headers["Content-Length"] == "3")
    }

    @Test("204 and 304 responses have no body and no Content-Length", arguments: [204, 304])
    func noBody(code: Int) async throws {
        let app = Handler { _ in Response(status: Status(code), headers: ["Content-Length": "3"], body: .bytes([1, 2, 3])) }
        let response = try await TestClient(app).get("/")
        #expect(response.body.isEmpty)
        #expect(response.headers["Content-Length"] == nil)
    }

    /// What Werkzeug's `EnvironBuilder(path=..., base_url=...)` gives (SCRIPT_NAME, PATH_INFO): a
    /// path is relative to the application's root, the base URL's path.
    @Test("a baseURL with a path mounts the app there, paths are relative to it (as in Werkzeug)", arguments: [
        ("https://example.com/app", "/me", "/app", "/me"),
        ("http://example.com/app/", "/app/users?x=1", "/app", "/app/users"),
        ("http://example.com/app", "/application", "/app", "/application"),
        ("http://example.com/app", "/", "/app", "/"),
        ("http://example.com/app/", "users", "/app", "/users"),   // Werkzeug: PATH_INFO "users"; Werk resolves it
        ("http://example.com", "/x", "", "/x"),
    ])
    func baseURLPath(base: String, path: String, script: String, pathInfo: String) async throws {
        let response = try await TestClient(echo, baseURL: base).get(path)
        let json = try response.json()
        #expect(json["script"]?.stringValue == script)
        #expect(json["path"]?.stringValue == pathInfo)
        #expect(json["host"]?.stringValue == "example.com")
    }

    @Test("the request's URL under a base path is the base URL plus the path")
    func urlUnderBase() async throws {
        let app = Handler { request in request.url }
        let response = try await TestClient(app, baseURL: "https://example.com/app").get("/me")
        #expect(response.text == "https://example.com/app/me")
    }

    @Test("a redirect to an absolute path is followed from the host's root, inside the mount")
    func redirectUnderBase() async throws {
        let app = Handler { request -> Response in
            request.pathInfo == "/old" ? .redirect(to: request.scriptName + "/new") : .text(request.scriptName + "|" + request.pathInfo)
        }
        let response = try await TestClient(app, baseURL: "http://example.com/app", followRedirects: true).get("/old")
        #expect(response.text == "/app|/new")
    }

    @Test("an https baseURL with a port sets scheme and Host")
    func httpsBase() async throws {
        let c = TestClient(echo, baseURL: "https://example.com:8443")
        let json = try await c.get("/").json()
        #expect(json["scheme"]?.stringValue == "https")
        #expect(json["headers"]?["Host"]?.stringValue == "example.com:8443")
        #expect(json["host"]?.stringValue == "example.com:8443")
    }

    @Test("an absolute URL in a call goes to that URL")
    func absoluteURL() async throws {
        let json = try await client.get("https://other.test/p?q=1").json()
        #expect(json["scheme"]?.stringValue == "https")
        #expect(json["host"]?.stringValue == "other.test")
        #expect(json["path"]?.stringValue == "/p")
    }

    @Test("a baseURL that is not http(s) is an error")
    func badBaseURL() async {
        let c = TestClient(echo, baseURL: "ftp://example.com")
        await #expect(throws: TestClientError.self) { try await c.get("/") }
    }

    @Test("a thrown error becomes its response; the client does not throw")
    func errorsBecomeResponses() async throws {
        let app = Handler { _ -> Response in throw HTTPError(.teapot) }
        #expect(try await TestClient(app).get("/").status.code == 418)
    }
}

extension Status {
    fileprivate static let teapot = Status(418)
}
