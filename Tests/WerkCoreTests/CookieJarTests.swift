import Testing
import Synchronization
@testable import WerkCore
@testable import WerkTesting

/// A clock the test moves by hand.
private final class FakeClock: Sendable {
    private let time = Mutex(1_700_000_000)
    var now: Int { time.withLock { $0 } }
    func advance(_ seconds: Int) { time.withLock { $0 += seconds } }
}

/// Sets the cookies named in the query (`?set=<Set-Cookie header>` repeated) and echoes the Cookie header.
private let cookieApp = Handler { request -> Response in
    var response = Response.text(request.headers["Cookie"] ?? "")
    for header in try request.query.values(for: "set") { response.headers.add("Set-Cookie", header) }
    return response
}

@Suite("Cookie jar")
struct CookieJarTests {
    private func client(_ base: String = "http://localhost") -> TestClient {
        TestClient(cookieApp, baseURL: base)
    }

    /// A jar on a fake clock, fed and read directly (the TestClient makes its own jar).
    private func jar(_ clock: FakeClock) -> CookieJar { CookieJar(now: { clock.now }) }

    private func receive(_ jar: CookieJar, _ setCookie: String, host: String = "localhost", path: String = "/") {
        jar.receive(Headers([("Set-Cookie", setCookie)]), host: host, path: path)
    }

    private func sent(_ jar: CookieJar, host: String = "localhost", path: String = "/") -> String {
        jar.header(host: host, path: path, secure: false) ?? ""
    }

    private func set(_ c: TestClient, _ headers: String..., at path: String = "/") async throws {
        _ = try await c.get(path, query: headers.map { ("set", $0) })
    }

    private func sent(_ c: TestClient, _ path: String = "/") async throws -> String {
        try await c.get(path).text
    }

    @Test("a cookie set by a response is sent back")
    func roundTrip() async throws {
        let c = client()
        try await set(c, "a=1; Path=/")
        #expect(try await sent(c) == "a=1")
        #expect(c.cookieJar?.cookie(named: "a")?.value == "1")
    }

    @Test("a cookie is replaced by a later one with the same name, domain and path")
    func replace() async throws {
        let c = client()
        try await set(c, "a=1; Path=/")
        try await set(c, "a=2; Path=/")
        #expect(try await sent(c) == "a=2")
    }

    @Test("Path limits where a cookie is sent, at segment boundaries")
    func path() async throws {
        let c = client()
        try await set(c, "p=1; Path=/app")
        #expect(try await sent(c, "/app") == "p=1")
        #expect(try await sent(c, "/app/x") == "p=1")
        #expect(try await sent(c, "/application") == "")
        #expect(try await sent(c, "/") == "")
    }

    @Test("without Path the default path is the request path's directory")
    func defaultPath() async throws {
        let c = client()
        try await set(c, "d=1", at: "/docs/page")
        #expect(try await sent(c, "/docs/other") == "d=1")
        #expect(try await sent(c, "/") == "")
        #expect(c.cookieJar?.cookie(named: "d", path: "/docs") != nil)
    }

    @Test("longer paths are sent first")
    func order() async throws {
        let c = client()
        try await set(c, "a=root; Path=/", "b=deep; Path=/x/y", "c=mid; Path=/x")
        #expect(try await sent(c, "/x/y/z") == "b=deep; c=mid; a=root")
    }

    @Test("a host-only cookie goes back only to the exact host")
    func hostOnly() async throws {
        let c = client("http://example.com")
        try await set(c, "h=1; Path=/")
        #expect(try await sent(c, "http://example.com/") == "h=1")
        #expect(try await sent(c, "http://sub.example.com/") == "")
        #expect(c.cookieJar?.all.first?.hostOnly == true)
    }

    @Test("a Domain cookie goes to the domain and its subdomains, not to look-alikes")
    func domainCookie() async throws {
        let c = client("http://example.com")
        try await set(c, "d=1; Domain=.Example.com; Path=/")
        #expect(try await sent(c, "http://example.com/") == "d=1")
        #expect(try await sent(c, "http://a.b.example.com/") == "d=1")
        #expect(try await sent(c, "http://badexample.com/") == "")
        #expect(c.cookieJar?.all.first?.domain == "example.com")
        #expect(c.cookieJar?.all.first?.hostOnly == false)
    }

    @Test("a cookie for a foreign Domain is ignored")
    func foreignDomain() async throws {
        let c = client("http://example.com")
        try await set(c, "evil=1; Domain=evil.com; Path=/", "sub=1; Domain=sub.example.com; Path=/")
        #expect(c.cookieJar?.all.isEmpty == true)
    }

    @Test("a subdomain may set a cookie for its parent domain")
    func parentDomain() async throws {
        let c = client("http://api.example.com")
        try await set(c, "p=1; Domain=example.com; Path=/")
        #expect(try await sent(c, "http://www.example.com/") == "p=1")
    }

    @Test("a Secure cookie is sent only over https")
    func secure() async throws {
        let plain = client("http://localhost")
        try await set(plain, "s=1; Secure; Path=/")
        #expect(try await sent(plain) == "")
        let tls = client("https://localhost")
        try await set(tls, "s=1; Secure; Path=/")
        #expect(try await sent(tls) == "s=1")
        #expect(try await sent(tls, "http://localhost/") == "")
    }

    @Test("Max-Age counts from when the cookie was received")
    func maxAge() {
        let clock = FakeClock()
        let j = jar(clock)
        receive(j, "m=1; Max-Age=60; Path=/")
        clock.advance(59)
        #expect(sent(j) == "m=1")
        clock.advance(1)
        #expect(sent(j) == "")
        #expect(j.all.isEmpty)
    }

    @Test("Max-Age=0 or negative deletes the cookie", arguments: ["0", "-1"])
    func maxAgeDeletes(value: String) async throws {
        let c = client()
        try await set(c, "m=1; Path=/")
        try await set(c, "m=; Max-Age=\(value); Path=/")
        #expect(try await sent(c) == "")
        #expect(c.cookieJar?.all.isEmpty == true)
    }

    @Test("Expires in the future keeps the cookie until then")
    func expires() {
        let clock = FakeClock()
        let j = jar(clock)
        receive(j, "e=1; Expires=\(HTTPDate.format(clock.now + 100)); Path=/")
        #expect(sent(j) == "e=1")
        #expect(j.cookie(named: "e")?.expires == clock.now + 100)
        clock.advance(99)
        #expect(sent(j) == "e=1")
        clock.advance(1)
        #expect(sent(j) == "")
    }

    @Test("Expires in the past deletes a stored cookie")
    func expiresPast() {
        let clock = FakeClock()
        let j = jar(clock)
        receive(j, "f=1; Path=/")
        receive(j, "f=; Expires=\(HTTPDate.format(clock.now - 1)); Path=/")
        #expect(sent(j) == "")
        receive(j, "g=1; Path=/")
        receive(j, "g=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/")
        #expect(j.all.isEmpty)
    }

    @Test("Max-Age wins over Expires")
    func maxAgeWins() {
        let clock = FakeClock()
        let j = jar(clock)
        receive(j, "w=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=10; Path=/")
        #expect(sent(j) == "w=1")
        clock.advance(10)
        #expect(sent(j) == "")
    }

    @Test("a session cookie never expires on its own")
    func sessionCookie() {
        let clock = FakeClock()
        let j = jar(clock)
        receive(j, "s=1")
        clock.advance(10_000_000)
        #expect(sent(j) == "s=1")
        #expect(j.cookie(named: "s")?.expires == nil)
    }

    @Test("a Set-Cookie without a name or without = is ignored")
    func nameless() {
        let j = CookieJar()
        receive(j, "=bad; Path=/")
        receive(j, "novalue; Path=/")
        #expect(j.all.isEmpty)
    }

    @Test("a response's deleteCookie removes the cookie from the jar")
    func deleteCookieRoundTrip() async throws {
        let app = Handler { request -> Response in
            var r = Response.text(request.headers["Cookie"] ?? "")
            if request.pathInfo == "/login" { r.setCookie("session", "abc", httpOnly: true) }
            if request.pathInfo == "/logout" { r.deleteCookie("session") }
            return r
        }
        let c = TestClient(app)
        _ = try await c.get("/login")
        #expect(try await c.get("/").text == "session=abc")
        _ = try await c.get("/logout")
        #expect(try await c.get("/").text == "")
    }

    @Test("quoted values are kept as sent and reach the app decoded")
    func quotedValue() async throws {
        let app = Handler { request -> Response in
            var r = Response.text(request.cookies["q"] ?? "none")
            if request.pathInfo == "/set" { r.setCookie("q", "a b;c") }
            return r
        }
        let c = TestClient(app)
        _ = try await c.get("/set")
        #expect(try await c.get("/").text == "a b;c")
        #expect(c.cookieJar?.cookie(named: "q")?.value == #""a b\073c""#)
    }

    @Test("cookies can be set, read and deleted directly on the jar")
    func direct() async throws {
        let c = client()
        c.cookieJar?.set("x", "1")
        #expect(try await sent(c) == "x=1")
        c.cookieJar?.delete("x")
        #expect(try await sent(c) == "")
        c.cookieJar?.set("y", "2")
        c.cookieJar?.removeAll()
        #expect(c.cookieJar?.all.isEmpty == true)
    }

    @Test("a client without cookies neither stores nor sends them")
    func disabled() async throws {
        let c = TestClient(cookieApp, useCookies: false)
        _ = try await c.get("/", query: [("set", "a=1; Path=/")])
        #expect(c.cookieJar == nil)
        #expect(try await c.get("/").text == "")
    }

    @Test("an explicit Cookie header is sent instead of the jar's")
    func explicitHeader() async throws {
        let c = client()
        try await set(c, "a=1; Path=/")
        #expect(try await c.get("/", headers: ["Cookie": "mine=2"]).text == "mine=2")
    }

    @Test("header(host:path:secure:) and the matching helpers follow RFC 6265")
    func helpers() {
        #expect(CookieJar.pathMatches(requestPath: "/a/b", cookiePath: "/a/"))
        #expect(CookieJar.pathMatches(requestPath: "/a/b", cookiePath: "/a"))
        #expect(!CookieJar.pathMatches(requestPath: "/ab", cookiePath: "/a"))
        #expect(CookieJar.defaultPath(for: "/a/b/c") == "/a/b")
        #expect(CookieJar.defaultPath(for: "/a") == "/")
        #expect(CookieJar.defaultPath(for: "a") == "/")
        #expect(CookieJar.domainMatches(host: "x.example.com", domain: "example.com"))
        #expect(!CookieJar.domainMatches(host: "xexample.com", domain: "example.com"))
    }
}
