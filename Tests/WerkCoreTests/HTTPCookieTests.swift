import Testing
import WerkCore

@Suite("Cookie and Set-Cookie headers")
struct HTTPCookieTests {
    @Test("parses Cookie headers exactly like parse_cookie", arguments: [
        (#"a=1; b="x y"; a=2; =bad; c"#, [["a", "1"], ["b", "x y"], ["a", "2"], ["c", ""]]),
        (#"a="x;y"; b=1"#, [["a", "x;y"], ["b", "1"]]),
        (#"a="x"y; b=1"#, [["a", #""x"y"#], ["b", "1"]]),
        ("  a = 1 ;b=2  ", [["a", "1"], ["b", "2"]]),
        (#"a="\073\"\\""#, [["a", #";"\"#]]),
        (#"a="\303\251""#, [["a", "é"]]),
        ("a=1=2", [["a", "1=2"]]),
        (#"a="unterminated; b=2"#, [["a", #""unterminated"#], ["b", "2"]]),
        ("x=%41", [["x", "%41"]]),
        (";;a=1;;", [["a", "1"]]),
        (#""a"=1"#, [[#""a""#, "1"]]),
        (#"a="\q""#, [["a", "q"]]),
        (#"a="""#, [["a", ""]]),
        (#"a=""#, [["a", #"""#]]),
        (#"a="\377""#, [["a", "\u{FFFD}"]]),
        ("=__Host-x=bad; ok=1", [["ok", "1"]]),
        ("", []),
    ])
    func parse(header: String, pairs: [[String]]) {
        #expect(Cookies.parse(header).pairs.map { [$0.key, $0.value] } == pairs)
    }

    @Test("keeps repeated cookie names in order in the multi-dict")
    func repeatedNames() {
        let c = Cookies.parse("a=1; b=2; a=3")
        #expect(c["a"] == "1")
        #expect(c.values(for: "a") == ["1", "3"])
    }

    @Test("never unquotes a cookie name, so __Secure- prefixes cannot be spoofed")
    func namesNotUnquoted() {
        let c = Cookies.parse(#""__Secure-id"=evil"#)
        #expect(c["__Secure-id"] == nil)
        #expect(c[#""__Secure-id""#] == "evil")
    }

    @Test("serializes Set-Cookie byte-identically to dump_cookie", arguments: [
        (SetCookie(name: "k", value: "v w;x", maxAge: 60, secure: true, httpOnly: true, sameSite: .lax, partitioned: true),
         #"k="v w\073x"; Expires=Thu, 01 Jan 1970 00:01:00 GMT; Max-Age=60; Secure; HttpOnly; Path=/; SameSite=Lax; Partitioned"#),
        (SetCookie(name: "a", value: "é"), #"a="\303\251"; Path=/"#),
        (SetCookie(name: "a", value: #""q"\"#), #"a="\"q\"\\"; Path=/"#),
        (SetCookie(name: "a", value: "x,y"), #"a="x\054y"; Path=/"#),
        (SetCookie(name: "a", value: "\r\n"), #"a="\015\012"; Path=/"#),
        (SetCookie(name: "a", value: "ok", path: nil), "a=ok"),
        (SetCookie(name: "a", value: "b", domain: ".example.com:8080"), "a=b; Domain=example.com; Path=/"),
        (SetCookie(name: "a", value: "b", expires: 0), "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"),
        (SetCookie(name: "a", value: "b", path: "/a b;c"), "a=b; Path=/a%20b%3Bc"),
        (SetCookie(name: "a", value: ""), "a=; Path=/"),
        (SetCookie(name: "a", value: "[x]{y}"), "a=[x]{y}; Path=/"),
        (SetCookie(name: "a", value: "b", sameSite: SameSite.none), "a=b; Path=/; SameSite=None"),
        (SetCookie(name: "a", value: "b", maxAge: 10, expires: 100), "a=b; Expires=Thu, 01 Jan 1970 00:01:40 GMT; Max-Age=10; Path=/"),
    ] as [(SetCookie, String)])
    func dump(cookie: SetCookie, header: String) {
        #expect(cookie.headerValue(now: 0) == header)
    }

    typealias SameSite = SetCookie.SameSite

    @Test("derives Expires from Max-Age and the given clock")
    func maxAgeSetsExpires() {
        let c = SetCookie(name: "s", value: "1", maxAge: 3600)
        #expect(c.headerValue(now: 1_700_000_000)
            == "s=1; Expires=Tue, 14 Nov 2023 23:13:20 GMT; Max-Age=3600; Path=/")
    }

    @Test("uses the wall clock when no time is given")
    func headerValueUsesClock() throws {
        let header = SetCookie(name: "s", value: "1", maxAge: 60).headerValue
        let parsed = try #require(SetCookie.parse(header))
        let expires = try #require(parsed.expires)
        #expect(expires > 1_700_000_000)
    }

    @Test("a name with separators or CR LF is percent-encoded so it cannot inject attributes")
    func nameInjection() {
        let c = SetCookie(name: "a=b; Domain=evil\r\nX-Evil: 1", value: "v")
        let header = c.headerValue(now: 0)
        #expect(!header.contains("\r") && !header.contains("\n"))
        #expect(header.hasPrefix("a%3Db%3B%20Domain%3Devil%0D%0AX-Evil%3A%201=v;"))
        #expect(!SetCookie.isValidName("a b"))
        #expect(SetCookie.isValidName("__Host-id"))
    }

    @Test("an unsafe domain is left out, making a host-only cookie")
    func domainInjection() {
        let c = SetCookie(name: "a", value: "b", domain: "evil.com; Secure\r\n")
        #expect(c.headerValue(now: 0) == "a=b; Path=/")
    }

    @Test("partitioned implies Secure")
    func partitionedImpliesSecure() {
        #expect(SetCookie(name: "p", value: "1", partitioned: true).headerValue(now: 0) == "p=1; Secure; Path=/; Partitioned")
    }

    @Test("a deletion header expires the cookie at the epoch with Max-Age=0")
    func deletion() {
        let c = SetCookie(name: "sid", value: "xyz", path: "/app", httpOnly: true)
        #expect(c.deletionHeaderValue == "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/app")
    }

    @Test("parses a Set-Cookie header for a client jar, attributes ignoring case")
    func parseSetCookie() throws {
        let c = try #require(SetCookie.parse(
            #"sid="a\073b"; expires=Sun, 06 Nov 1994 08:49:37 GMT; MAX-AGE=60; domain=.Example.com; path=/x; secure; HTTPONLY; SameSite=strict; Partitioned; Foo=bar"#))
        #expect(c.name == "sid")
        #expect(c.value == "a;b")
        #expect(c.expires == 784_111_777)
        #expect(c.maxAge == 60)
        #expect(c.domain == "example.com")
        #expect(c.path == "/x")
        #expect(c.secure && c.httpOnly && c.partitioned)
        #expect(c.sameSite == .strict)
    }

    @Test("parsing leaves missing attributes unset and ignores invalid ones")
    func parseSetCookieDefaults() throws {
        let c = try #require(SetCookie.parse("a=1; Expires=never; Max-Age=ten; SameSite=sometimes; Path=relative"))
        #expect(c.path == nil && c.domain == nil && c.expires == nil && c.maxAge == nil && c.sameSite == nil)
        #expect(!c.secure && !c.httpOnly)
    }

    @Test("a Set-Cookie without a name or without = is rejected", arguments: ["=value", "novalue", "", " ; Path=/"])
    func parseSetCookieInvalid(header: String) {
        #expect(SetCookie.parse(header) == nil)
    }

    @Test("serializing then parsing gives the same cookie back")
    func roundTrip() throws {
        let c = SetCookie(name: "n", value: "v \"q\" ;é", maxAge: 5, expires: 1000, path: "/p", domain: "example.com",
                          secure: true, httpOnly: true, sameSite: .strict)
        #expect(try #require(SetCookie.parse(c.headerValue(now: 0))) == c)
    }
}
