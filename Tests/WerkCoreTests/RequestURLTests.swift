import Testing
@testable import WerkCore

/// Expected strings computed by Werkzeug 3.1.8 (`Request(environ).url` etc.) for the same inputs.
@Suite("Request URL properties")
struct RequestURLTests {
    private func request(_ target: String, host: String? = "localhost", scheme: String = "http",
                         scriptName: String = "") -> Request {
        var headers = Headers()
        if let host { headers.add("Host", host) }
        var r = Request(target: target, headers: headers, scheme: scheme)
        r.scriptName = scriptName
        return r
    }

    struct URLCase: Sendable, CustomTestStringConvertible {
        var target: String
        var host: String
        var scheme: String = "http"
        var scriptName: String = ""
        var url: String
        var baseURL: String
        var hostURL: String
        var rootURL: String
        var fullPath: String
        var testDescription: String { "\(scheme) \(host) \(scriptName) \(target)" }
    }

    static let urlCases: [URLCase] = [
        URLCase(target: "/", host: "localhost", url: "http://localhost/", baseURL: "http://localhost/",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/?"),
        URLCase(target: "/a%20b/c", host: "localhost", url: "http://localhost/a%20b/c", baseURL: "http://localhost/a%20b/c",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/a b/c?"),
        URLCase(target: "/users/42?tab=posts", host: "localhost", url: "http://localhost/users/42?tab=posts",
                baseURL: "http://localhost/users/42", hostURL: "http://localhost/", rootURL: "http://localhost/",
                fullPath: "/users/42?tab=posts"),
        URLCase(target: "/x", host: "example.com:80", url: "http://example.com/x", baseURL: "http://example.com/x",
                hostURL: "http://example.com/", rootURL: "http://example.com/", fullPath: "/x?"),
        URLCase(target: "/x", host: "example.com:443", scheme: "https", url: "https://example.com/x",
                baseURL: "https://example.com/x", hostURL: "https://example.com/", rootURL: "https://example.com/",
                fullPath: "/x?"),
        URLCase(target: "/x", host: "example.com:8443", scheme: "https", url: "https://example.com:8443/x",
                baseURL: "https://example.com:8443/x", hostURL: "https://example.com:8443/",
                rootURL: "https://example.com:8443/", fullPath: "/x?"),
        URLCase(target: "/x", host: "example.com:443", url: "http://example.com:443/x",
                baseURL: "http://example.com:443/x", hostURL: "http://example.com:443/",
                rootURL: "http://example.com:443/", fullPath: "/x?"),
        URLCase(target: "/x?a=1", host: "localhost", scriptName: "/app", url: "http://localhost/app/x?a=1",
                baseURL: "http://localhost/app/x", hostURL: "http://localhost/", rootURL: "http://localhost/app/",
                fullPath: "/x?a=1"),
        URLCase(target: "/x", host: "localhost", scriptName: "/mount point", url: "http://localhost/mount%20point/x",
                baseURL: "http://localhost/mount%20point/x", hostURL: "http://localhost/",
                rootURL: "http://localhost/mount%20point/", fullPath: "/x?"),
        URLCase(target: "/x", host: "localhost", scriptName: "/a?b#c", url: "http://localhost/a%3Fb%23c/x",
                baseURL: "http://localhost/a%3Fb%23c/x", hostURL: "http://localhost/",
                rootURL: "http://localhost/a%3Fb%23c/", fullPath: "/x?"),
        URLCase(target: "/%C3%BC/%C3%B1?q=%C3%A4%20b", host: "localhost", url: "http://localhost/ü/ñ?q=ä%20b",
                baseURL: "http://localhost/ü/ñ", hostURL: "http://localhost/", rootURL: "http://localhost/",
                fullPath: "/ü/ñ?q=%C3%A4%20b"),
        URLCase(target: "/p?a=1&b=x%20y", host: "localhost", url: "http://localhost/p?a=1&b=x%20y",
                baseURL: "http://localhost/p", hostURL: "http://localhost/", rootURL: "http://localhost/",
                fullPath: "/p?a=1&b=x%20y"),
        URLCase(target: "/p", host: "[::1]:8080", url: "http://[::1]:8080/p", baseURL: "http://[::1]:8080/p",
                hostURL: "http://[::1]:8080/", rootURL: "http://[::1]:8080/", fullPath: "/p?"),
        URLCase(target: "/p", host: "exa mple.com", url: "http:///p", baseURL: "http:///p", hostURL: "http:///",
                rootURL: "http:///", fullPath: "/p?"),
        URLCase(target: "/a%2Fb", host: "localhost", url: "http://localhost/a/b", baseURL: "http://localhost/a/b",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/a/b?"),
        URLCase(target: "/;x=1", host: "localhost", url: "http://localhost/;x=1", baseURL: "http://localhost/;x=1",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/;x=1?"),
        URLCase(target: "/?a?b", host: "localhost", url: "http://localhost/?a?b", baseURL: "http://localhost/",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/?a?b"),
        // Characters Werkzeug's uri_to_iri leaves readable, and those it keeps escaped.
        URLCase(target: "/a%3Cb%3E", host: "localhost", url: "http://localhost/a<b>", baseURL: "http://localhost/a<b>",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/a<b>?"),
        URLCase(target: "/a%22b", host: "localhost", url: "http://localhost/a\"b", baseURL: "http://localhost/a\"b",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/a\"b?"),
        URLCase(target: "/a%7Cb%7Bc%7D%5E%60%5C", host: "localhost", url: "http://localhost/a|b{c}^`\\",
                baseURL: "http://localhost/a|b{c}^`\\", hostURL: "http://localhost/", rootURL: "http://localhost/",
                fullPath: "/a|b{c}^`\\?"),
        URLCase(target: "/a%3Fb", host: "localhost", url: "http://localhost/a%3Fb", baseURL: "http://localhost/a%3Fb",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/a?b?"),
        URLCase(target: "/a%23b", host: "localhost", url: "http://localhost/a%23b", baseURL: "http://localhost/a%23b",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/a#b?"),
        URLCase(target: "/a%25b", host: "localhost", url: "http://localhost/a%b", baseURL: "http://localhost/a%b",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/a%b?"),
        URLCase(target: "/a%2541b", host: "localhost", url: "http://localhost/aAb", baseURL: "http://localhost/aAb",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/a%41b?"),
        URLCase(target: "/p?x=%41", host: "localhost", url: "http://localhost/p?x=A", baseURL: "http://localhost/p",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/p?x=%41"),
        URLCase(target: "/p?x=%26y", host: "localhost", url: "http://localhost/p?x=%26y", baseURL: "http://localhost/p",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/p?x=%26y"),
        URLCase(target: "/p?x=<y>|z", host: "localhost", url: "http://localhost/p?x=<y>|z", baseURL: "http://localhost/p",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/p?x=<y>|z"),
        URLCase(target: "/p?x=%zz", host: "localhost", url: "http://localhost/p?x=%zz", baseURL: "http://localhost/p",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/p?x=%zz"),
        URLCase(target: "/p?q=%E4", host: "localhost", url: "http://localhost/p?q=%E4", baseURL: "http://localhost/p",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/p?q=%E4"),
        URLCase(target: "/p?a=%C3%A4", host: "localhost", url: "http://localhost/p?a=ä", baseURL: "http://localhost/p",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/p?a=%C3%A4"),
        URLCase(target: "/p?x=a%2Bb+c", host: "localhost", url: "http://localhost/p?x=a%2Bb+c",
                baseURL: "http://localhost/p", hostURL: "http://localhost/", rootURL: "http://localhost/",
                fullPath: "/p?x=a%2Bb+c"),
        URLCase(target: "/p?x=\"'", host: "localhost", url: "http://localhost/p?x=\"'", baseURL: "http://localhost/p",
                hostURL: "http://localhost/", rootURL: "http://localhost/", fullPath: "/p?x=\"'"),
    ]

    @Test("url, baseURL, hostURL, rootURL and fullPath match Werkzeug", arguments: urlCases)
    func urls(c: URLCase) {
        let r = request(c.target, host: c.host, scheme: c.scheme, scriptName: c.scriptName)
        #expect(r.url == c.url)
        #expect(r.baseURL == c.baseURL)
        #expect(r.hostURL == c.hostURL)
        #expect(r.rootURL == c.rootURL)
        #expect(r.fullPath == c.fullPath)
    }

    @Test("repeated slashes are stripped where Werkzeug strips them")
    func repeatedSlashes() {
        var r = request("/")
        r.pathInfo = "//x//"
        r.scriptName = "/app//"
        #expect(r.url == "http://localhost/app/x//")
        #expect(r.rootURL == "http://localhost/app/")
        #expect(r.fullPath == "/x//?")
    }

    @Test("a raw query with spaces and fragments is escaped in url as Werkzeug does")
    func rawQuery() {
        var r = request("/p")
        r.queryString = "a=1&b=x y"
        #expect(r.url == "http://localhost/p?a=1&b=x%20y")
        r.queryString = "x=a#b"
        #expect(r.url == "http://localhost/p?x=a%23b")
        r.queryString = "q=ä b"
        #expect(r.url == "http://localhost/p?q=ä%20b")
    }

    @Test("path is the path below the mount, as Werkzeug's; fullRequestPath joins scriptName and pathInfo")
    func path() {
        #expect(request("/x").path == "/x")
        #expect(request("/x", scriptName: "/app").path == "/x")          // Werkzeug: path '/x', script_root '/app'
        #expect(request("/x", scriptName: "/app").fullRequestPath == "/app/x")
        var r = request("/")
        r.pathInfo = ""
        #expect(r.path == "/")
        #expect(r.fullRequestPath == "/")
        r.pathInfo = "x"
        #expect(r.path == "/x")
        r.pathInfo = "//x"
        #expect(r.path == "/x")
    }

    // (Host header, scheme, Werkzeug's request.host)
    static let hostCases: [(String, String, String)] = [
        ("localhost", "http", "localhost"),
        ("example.com:80", "http", "example.com"),
        ("example.com:443", "https", "example.com"),
        ("example.com:443", "http", "example.com:443"),
        ("example.com:80", "https", "example.com:80"),
        ("example.com:80", "ws", "example.com"),
        ("example.com:443", "wss", "example.com"),
        ("EXAMPLE.com:80", "http", "EXAMPLE.com"),
        ("[::1]:8080", "http", "[::1]:8080"),
        ("[::1]", "http", "[::1]"),
        ("[::1]:80", "http", "[::1]"),
        ("[fe80::1:2]", "http", "[fe80::1:2]"),
        ("[::ffff:1.2.3.4]:9", "http", "[::ffff:1.2.3.4]:9"),
        ("127.0.0.1:8000", "http", "127.0.0.1:8000"),
        ("exa mple.com", "http", ""),
        ("a_b.com", "http", ""),
        ("example.com:", "http", ""),
        ("example.com:abc", "http", ""),
        ("example.com/evil", "http", ""),
        ("example.com@evil.com", "http", ""),
        ("bücher.de", "http", ""),
        ("[::1", "http", ""),
        ("[g::1]", "http", ""),
        ("[:]", "http", ""),
        ("[1]", "http", ""),
        ("", "http", ""),
        ("a:1:2", "http", ""),
        ("[1.2:3]", "http", ""),
        ("[::]", "http", "[::]"),
        ("[::1]:", "http", ""),
        ("[a:b]x", "http", ""),
    ]

    @Test("host drops default ports and empties invalid values as Werkzeug 3.1.8 does", arguments: hostCases)
    func host(header: String, scheme: String, expected: String) {
        #expect(request("/", host: header, scheme: scheme).host == expected)
    }

    @Test("without a Host header the server address is used, and without either the host is empty")
    func hostFallback() {
        var r = request("/", host: nil)
        #expect(r.host == "")
        r.serverAddress = "10.0.0.1:80"
        #expect(r.host == "10.0.0.1")
        r.serverAddress = "10.0.0.1:8080"
        #expect(r.host == "10.0.0.1:8080")
        r.headers.set("Host", "h.example")
        #expect(r.host == "h.example")
    }

    @Test("hostName is the host without the port")
    func hostName() {
        #expect(request("/", host: "example.com:8080").hostName == "example.com")
        #expect(request("/", host: "[::1]:8080").hostName == "[::1]")
        #expect(request("/", host: "bad host").hostName == "")
    }

    @Test("trusted hosts accept exact names, subdomains of dotted names, and ignore ports")
    func trustedHosts() throws {
        var r = request("/", host: "api.example.com:8080")
        r.trustedHosts = ["example.com"]
        #expect(throws: HTTPError.self) { try r.validatedHost() }
        r.trustedHosts = [".example.com"]
        #expect(try r.validatedHost() == "api.example.com:8080")
        r.trustedHosts = ["api.example.com:9999"]
        #expect(try r.validatedHost() == "api.example.com:8080")
        r.trustedHosts = nil
        #expect(try r.validatedHost() == "api.example.com:8080")
        r.trustedHosts = []
        #expect(try r.validatedHost() == "api.example.com:8080")
        r.trustedHosts = [".example.com"]
        r.headers.set("Host", "example.com")
        #expect(try r.validatedHost() == "example.com")
        r.headers.set("Host", "evilexample.com")
        #expect(throws: HTTPError.self) { try r.validatedHost() }
    }

    @Test("an untrusted or invalid host is a 400 naming the host")
    func untrustedIs400() {
        var r = request("/", host: "evil.com")
        r.trustedHosts = ["example.com"]
        do {
            _ = try r.validatedHost()
            Issue.record("expected an error")
        } catch {
            #expect(error.status == .badRequest)
            #expect(error.detail.contains("evil.com"))
        }
        var invalid = request("/", host: "bad host")
        invalid.trustedHosts = ["example.com"]
        #expect(throws: HTTPError.self) { try invalid.validatedHost() }
    }
}
