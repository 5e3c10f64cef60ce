import Testing
@testable import WerkCore
import WerkTesting

@Suite("Request")
struct RequestTests {
    @Test("the method is kept as given, standard or extension token",
          arguments: ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PURGE", "PROPFIND", "M-SEARCH"])
    func methods(token: String) async throws {
        let app = Handler { request in request.method.rawValue }
        let response = try await TestClient(app).request(Method(token), "/")
        #expect(response.request.method.rawValue == token)
        if token != "HEAD" { #expect(response.text == token) }
    }

    @Test("an origin-form target splits into path and raw query, and drops the fragment")
    func originForm() {
        let r = Request(target: "/a%20b/c?x=1&y=%41#frag")
        #expect(r.target == "/a%20b/c?x=1&y=%41#frag")
        #expect(r.pathInfo == "/a b/c")
        #expect(r.queryString == "x=1&y=%41")
        #expect(r.scriptName == "")
        #expect(r.scheme == "http")
        #expect(r.version == .http1_1)
    }

    @Test("a fragment is removed before the query is split off")
    func fragmentBeforeQuery() {
        let r = Request(target: "/p#frag?notquery")
        #expect(r.pathInfo == "/p")
        #expect(r.queryString == "")
        let s = Request(target: "/p?q=1#frag")
        #expect(s.queryString == "q=1")
    }

    @Test("an absolute-form target sets the scheme and replaces the Host header")
    func absoluteForm() {
        let r = Request(target: "https://example.com:8443/a/b?x=1", headers: ["Host": "other.org"])
        #expect(r.scheme == "https")
        #expect(r.headers.values(for: "Host") == ["example.com:8443"])
        #expect(r.host == "example.com:8443")
        #expect(r.pathInfo == "/a/b")
        #expect(r.queryString == "x=1")
        #expect(r.url == "https://example.com:8443/a/b?x=1")
    }

    @Test("an absolute-form target without a path means /")
    func absoluteNoPath() {
        let r = Request(target: "http://example.com")
        #expect(r.pathInfo == "/")
        #expect(r.host == "example.com")
        let q = Request(target: "HTTP://Example.com?x=1")
        #expect(q.scheme == "http")
        #expect(q.pathInfo == "/")
        #expect(q.queryString == "x=1")
    }

    @Test("an absolute-form target with a fragment does not put the fragment into Host")
    func absoluteWithFragment() {
        let r = Request(target: "http://example.com#frag")
        #expect(r.headers["Host"] == "example.com")
        #expect(r.host == "example.com")
        #expect(r.pathInfo == "/")
    }

    @Test("the asterisk form is kept as the path")
    func asterisk() {
        let r = Request(method: .options, target: "*")
        #expect(r.pathInfo == "*")
        #expect(r.queryString == "")
    }

    @Test("an empty target means /")
    func emptyTarget() {
        #expect(Request(target: "").pathInfo == "/")
        #expect(Request(target: "?a=1").pathInfo == "/")
    }

    @Test("a malformed escape in the path is kept literally instead of crashing")
    func malformedPath() {
        #expect(Request(target: "/a%zz%").pathInfo == "/a%zz%")
        #expect(Request(target: "/%C3").pathInfo == "/\u{FFFD}")
    }

    @Test("the query is an ordered multi-dict with decoding, + as space, repeats and empty values")
    func query() throws {
        let q = try Request(target: "/?a=1&b=x+y%20z&a=2&empty=&flag&&k%20ey=v%2Bal").query
        #expect(q.pairs.map { "\($0.key)=\($0.value)" } == ["a=1", "b=x y z", "a=2", "empty=", "flag=", "k ey=v+al"])
        #expect(q["a"] == "1")
        #expect(q.values(for: "a") == ["1", "2"])
    }

    @Test("a malformed escape in the query is a 400, never a crash", arguments: ["x=%zz", "%=1", "x=%4", "x=%", "a=1&b=%G0"])
    func malformedQuery(query: String) {
        let r = Request(target: "/p?" + query)
        do {
            _ = try r.query
            Issue.record("expected a 400 for \(query)")
        } catch let error as HTTPError {
            #expect(error.status == .badRequest)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a malformed query answers 400 through the stack")
    func malformedQueryThroughStack() async throws {
        let app = Handler { request in try request.query["x"] ?? "none" }
        let response = try await TestClient(app).get("/p?x=%zz")
        #expect(response.status == .badRequest)
    }

    @Test("headers keep order, duplicates and ignore case")
    func headers() {
        let r = Request(target: "/", headers: Headers([("X-A", "1"), ("x-a", "2"), ("Accept", "*/*")]))
        #expect(r.headers["X-A"] == "1")
        #expect(r.headers.values(for: "X-a") == ["1", "2"])
        #expect(r.headers.fields.map(\.name) == ["X-A", "x-a", "Accept"])
    }

    @Test("cookies from every Cookie header are collected in order")
    func cookies() {
        let r = Request(target: "/", headers: Headers([("Cookie", "a=1; b=\"x y\""), ("Cookie", "a=3")]))
        #expect(r.cookies["a"] == "1")
        #expect(r.cookies.values(for: "a") == ["1", "3"])
        #expect(r.cookies["b"] == "x y")
        #expect(Request(target: "/").cookies.isEmpty)
    }

    @Test("remote address and scheme are carried; https and wss are secure")
    func remoteAndScheme() {
        let r = Request(target: "/", scheme: "https", remoteAddress: "192.0.2.1")
        #expect(r.remoteAddress == "192.0.2.1")
        #expect(r.isSecure)
        #expect(Request(target: "/", scheme: "wss").isSecure)
        #expect(!Request(target: "/").isSecure)
    }

    @Test("contentLength reads only a valid non-negative number",
          arguments: [("12", 12 as Int?), ("0", 0), ("-1", nil), ("1a", nil), ("", nil), (" 5", nil), ("+5", nil)])
    func contentLength(value: String, expected: Int?) {
        #expect(Request(target: "/", headers: ["Content-Length": value]).contentLength == expected)
    }

    @Test("mimeType is lower-cased without parameters, and isJSON accepts +json types",
          arguments: [("application/json", "application/json", true),
                      ("Application/JSON; charset=utf-8", "application/json", true),
                      ("application/vnd.api+json", "application/vnd.api+json", true),
                      ("text/json", "text/json", false),
                      ("application/jsonx", "application/jsonx", false),
                      (" text/plain ;q=1", "text/plain", false)])
    func mimeType(header: String, mime: String, json: Bool) {
        let r = Request(target: "/", headers: ["Content-Type": header])
        #expect(r.mimeType == mime)
        #expect(r.isJSON == json)
    }

    @Test("copies are independent values but share the body")
    func copies() async throws {
        let original = Request(target: "/x", body: Array("hello".utf8))
        var copy = original
        copy.pathInfo = "/y"
        copy.headers.add("X", "1")
        #expect(original.pathInfo == "/x")
        #expect(original.headers.isEmpty)
        #expect(try await copy.text() == "hello")
        #expect(try await original.text() == "hello")
    }
}

@Suite("Storage")
struct StorageTests {
    enum Name: StorageKey { typealias Value = String }
    enum OtherName: StorageKey { typealias Value = String }
    enum Number: StorageKey { typealias Value = Int }

    @Test("values are stored per key type and read back typed")
    func roundTrip() {
        var storage = Storage()
        #expect(storage.count == 0)
        #expect(storage[Name.self] == nil)
        storage[Name.self] = "alice"
        storage[Number.self] = 42
        #expect(storage[Name.self] == "alice")
        #expect(storage[Number.self] == 42)
        #expect(storage.count == 2)
    }

    @Test("two keys with the same value type do not collide")
    func noCollision() {
        var storage = Storage()
        storage[Name.self] = "a"
        storage[OtherName.self] = "b"
        #expect(storage[Name.self] == "a")
        #expect(storage[OtherName.self] == "b")
    }

    @Test("setting nil removes a value and contains follows")
    func removal() {
        var storage = Storage()
        storage[Name.self] = "a"
        #expect(storage.contains(Name.self))
        storage[Name.self] = nil
        #expect(!storage.contains(Name.self))
        #expect(storage.count == 0)
    }

    @Test("storage is a value: a copy's changes do not leak back")
    func valueSemantics() {
        var a = Storage()
        a[Name.self] = "one"
        var b = a
        b[Name.self] = "two"
        #expect(a[Name.self] == "one")
        #expect(b[Name.self] == "two")
    }
}

@Suite("Request.mounted(at:)")
struct RequestMountTests {
    @Test("the prefix moves from pathInfo to scriptName at a segment boundary",
          arguments: [("/api/users", "/api", "/api", "/users"), ("/api", "/api", "/api", ""), ("/api/", "/api", "/api", "/"),
                      ("/api/users", "/api/", "/api", "/users"), ("/api/users", "api", "/api", "/users"),
                      ("/a/b/c", "/a/b", "/a/b", "/c")])
    func mounts(path: String, prefix: String, script: String, rest: String) throws {
        let mounted = try #require(Request(target: path).mounted(at: prefix))
        #expect(mounted.scriptName == script)
        #expect(mounted.pathInfo == rest)
    }

    @Test("a path that only starts with the same letters does not match", arguments: ["/apiary", "/ap", "/other/api", "/API/x"])
    func noMatch(path: String) {
        #expect(Request(target: path).mounted(at: "/api") == nil)
    }

    @Test("an empty prefix or / leaves the request unchanged", arguments: ["", "/", "//"])
    func emptyPrefix(prefix: String) throws {
        let mounted = try #require(Request(target: "/x").mounted(at: prefix))
        #expect(mounted.scriptName == "")
        #expect(mounted.pathInfo == "/x")
    }

    @Test("mounting twice accumulates scriptName, and the URL properties follow")
    func nested() throws {
        let r = Request(target: "/a/b/c?x=1", headers: ["Host": "h"])
        let inner = try #require(r.mounted(at: "/a")?.mounted(at: "/b"))
        #expect(inner.scriptName == "/a/b")
        #expect(inner.pathInfo == "/c")
        #expect(inner.rootURL == "http://h/a/b/")
        #expect(inner.url == "http://h/a/b/c?x=1")
        #expect(inner.fullPath == "/c?x=1")
    }

    @Test("the prefix is compared byte for byte: a differently normalized é is not the same path")
    func unicodeNormalization() {
        let precomposed = Request(target: "/caf%C3%A9/x")          // é as U+00E9
        #expect(precomposed.pathInfo == "/caf\u{E9}/x")
        #expect(precomposed.mounted(at: "/caf\u{E9}")?.pathInfo == "/x")
        let decomposedPrefix = precomposed.mounted(at: "/cafe\u{301}")  // e + U+0301
        #expect(decomposedPrefix == nil)
        let decomposed = Request(target: "/cafe%CC%81/x")
        #expect(decomposed.mounted(at: "/caf\u{E9}") == nil)
        #expect(decomposed.mounted(at: "/cafe\u{301}")?.pathInfo == "/x")
    }
}

@Suite("Request notes")
struct RequestNotesTests {
    @Test("notes installed by an outer layer are written by an inner one on its own copy of the request")
    func innerWritesReachOuter() throws {
        var request = Request(target: "/a")
        #expect(request.notes == nil)
        let notes = request.installNotes()
        var inner = request
        inner.scriptName = "/mounted"
        inner.notes?.route = "/mounted/<x>"
        #expect(notes.route == "/mounted/<x>")
        #expect(request.notes?.route == "/mounted/<x>")
    }

    @Test("a second layer installing notes shares the ones already there")
    func installingTwiceShares() {
        var request = Request(target: "/")
        let outer = request.installNotes()
        let inner = request.installNotes()
        #expect(outer === inner)
        #expect(request.storage.count == 1)
    }
}
