import Testing
@testable import WerkCore

/// Expected values come from `werkzeug.http.dump_cookie(...)` and `Response.delete_cookie(...)`
/// (Werkzeug 3.1.8). Expires is pinned by passing it explicitly.
@Suite("Response cookies")
struct ResponseCookieTests {
    private func header(_ build: (inout Response) -> Void) -> String? {
        var response = Response()
        build(&response)
        return response.headers["Set-Cookie"]
    }

    @Test("a plain cookie gets Path=/ and nothing else")
    func plain() {
        #expect(header { $0.setCookie("a", "b") } == "a=b; Path=/")
    }

    @Test("Max-Age with an explicit Expires writes both, Expires first")
    func maxAgeAndExpires() {
        #expect(header { $0.setCookie("theme", "dark", maxAge: 3600, expires: 1_700_000_000) }
                == "theme=dark; Expires=Tue, 14 Nov 2023 22:13:20 GMT; Max-Age=3600; Path=/")
    }

    @Test("Expires alone is an IMF-fixdate")
    func expiresOnly() {
        #expect(header { $0.setCookie("s", "x", expires: 1_700_000_000) }
                == "s=x; Expires=Tue, 14 Nov 2023 22:13:20 GMT; Path=/")
    }

    @Test("Max-Age alone derives an Expires from the clock (compare the parts that do not depend on it)")
    func maxAgeDerivesExpires() throws {
        let value = try #require(header { $0.setCookie("s", "x", maxAge: 60) })
        #expect(value.hasPrefix("s=x; Expires="))
        #expect(value.hasSuffix(" GMT; Max-Age=60; Path=/"))
        let parsed = try #require(SetCookie.parse(value))
        let expires = try #require(parsed.expires)
        let now = Cookies.now()
        #expect(expires >= now + 59 && expires <= now + 61)
    }

    @Test("Domain drops a leading dot and a port",
          arguments: ["example.com", ".example.com", "example.com:8080"])
    func domain(domain: String) {
        #expect(header { $0.setCookie("s", "x", domain: domain) } == "s=x; Domain=example.com; Path=/")
    }

    @Test("Secure, HttpOnly and SameSite come in Werkzeug's order")
    func flags() {
        #expect(header { $0.setCookie("s", "x", secure: true, httpOnly: true, sameSite: .strict) }
                == "s=x; Secure; HttpOnly; Path=/; SameSite=Strict")
        #expect(header { $0.setCookie("s", "x", sameSite: .lax) } == "s=x; Path=/; SameSite=Lax")
        #expect(header { $0.setCookie("s", "x", secure: true, sameSite: SetCookie.SameSite.none) }
                == "s=x; Secure; Path=/; SameSite=None")
    }

    @Test("Partitioned implies Secure")
    func partitioned() {
        #expect(header { $0.setCookie("s", "x", partitioned: true) } == "s=x; Secure; Path=/; Partitioned")
    }

    @Test("Path is written percent-encoded, and nil leaves it out")
    func path() {
        #expect(header { $0.setCookie("s", "x", path: "/app") } == "s=x; Path=/app")
        #expect(header { $0.setCookie("s", "x", path: nil) } == "s=x")
        #expect(header { $0.setCookie("s", "x", path: "/a b/ü") } == "s=x; Path=/a%20b/%C3%BC")
    }

    @Test("values outside cookie-octets are quoted exactly as dump_cookie quotes them",
          arguments: [
            ("hello world", #"s="hello world"; Path=/"#),
            (#"quo"te\back"#, #"s="quo\"te\\back"; Path=/"#),
            ("semi;colon,comma", #"s="semi\073colon\054comma"; Path=/"#),
            ("ünï", #"s="\303\274n\303\257"; Path=/"#),
            ("", "s=; Path=/"),
            ("a=b/c:d", "s=a=b/c:d; Path=/"),
          ])
    func quoting(value: String, expected: String) {
        #expect(header { $0.setCookie("s", value) } == expected)
    }

    @Test("every attribute at once")
    func everything() {
        #expect(header {
            $0.setCookie("all", "v", maxAge: 60, expires: 1_700_000_000, path: "/p", domain: "example.org",
                         secure: true, httpOnly: true, sameSite: .lax, partitioned: true)
        } == "all=v; Domain=example.org; Expires=Tue, 14 Nov 2023 22:13:20 GMT; Max-Age=60; Secure; HttpOnly; Path=/p; SameSite=Lax; Partitioned")
    }

    @Test("deleteCookie writes an empty value, the epoch and Max-Age=0")
    func delete() {
        #expect(header { $0.deleteCookie("s") } == "s=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/")
        #expect(header {
            $0.deleteCookie("s", path: "/app", domain: "example.com", secure: true, httpOnly: true,
                            sameSite: .strict, partitioned: true)
        } == "s=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; Path=/app; SameSite=Strict; Partitioned")
    }

    @Test("several cookies make several Set-Cookie headers, in order, readable back")
    func several() {
        var response = Response()
        response.setCookie("a", "1")
        response.setCookie("b", "2", httpOnly: true)
        #expect(response.headers.values(for: "Set-Cookie") == ["a=1; Path=/", "b=2; HttpOnly; Path=/"])
        #expect(response.setCookies.map(\.name) == ["a", "b"])
        #expect(response.setCookies[1].httpOnly)
    }

    @Test("a cookie name with a separator cannot inject an attribute")
    func nameInjection() {
        let value = header { $0.setCookie("a; Domain=evil.com", "x") }
        #expect(value?.contains("; Domain=") == false)
    }
}
