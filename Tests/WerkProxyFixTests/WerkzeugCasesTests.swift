import Testing
import WerkCore
import WerkRouting
@testable import WerkProxyFix

/// One row of Werkzeug's `test_proxy_fix` table (tests/middleware/test_proxy_fix.py): the ProxyFix
/// counts, the request as the server saw it, and the root URL the application must see. In every row
/// the client's address is 192.168.0.1.
struct WerkzeugCase: CustomTestStringConvertible, Sendable {
    let id: String
    let fix: ProxyFix
    var remote = "192.168.0.1"
    var host: String? = nil
    var serverAddress: String? = nil
    var headers: [(String, String)] = []
    let root: String
    var testDescription: String { id }
}

let werkzeugCases: [WerkzeugCase] = [
    WerkzeugCase(id: "for", fix: ProxyFix(), remote: "192.168.0.2", host: "spam",
                 headers: [("X-Forwarded-For", "192.168.0.1"), ("X-Forwarded-Proto", "https")], root: "https://spam/"),
    WerkzeugCase(id: "proto", fix: ProxyFix(proto: 1), host: "spam", headers: [("X-Forwarded-Proto", "https")],
                 root: "https://spam/"),
    WerkzeugCase(id: "host", fix: ProxyFix(host: 1), host: "spam", headers: [("X-Forwarded-Host", "eggs")],
                 root: "http://eggs/"),
    WerkzeugCase(id: "port, host without port", fix: ProxyFix(port: 1), host: "spam",
                 headers: [("X-Forwarded-Port", "8080")], root: "http://spam:8080/"),
    WerkzeugCase(id: "port, host with port", fix: ProxyFix(port: 1), host: "spam:9000",
                 headers: [("X-Forwarded-Port", "8080")], root: "http://spam:8080/"),
    WerkzeugCase(id: "port, name", fix: ProxyFix(port: 1), serverAddress: "spam:9000",
                 headers: [("X-Forwarded-Port", "8080")], root: "http://spam:8080/"),
    WerkzeugCase(id: "prefix", fix: ProxyFix(prefix: 1), host: "spam", headers: [("X-Forwarded-Prefix", "/eggs")],
                 root: "http://spam/eggs/"),
    WerkzeugCase(id: "all", fix: ProxyFix(forwardedFor: 1, proto: 1, host: 1, port: 1, prefix: 1), remote: "192.168.0.2",
                 host: "spam:9000",
                 headers: [("X-Forwarded-For", "192.168.0.1"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "eggs"),
                           ("X-Forwarded-Port", "443"), ("X-Forwarded-Prefix", "/ham")],
                 root: "https://eggs/ham/"),
    WerkzeugCase(id: "multiple for", fix: ProxyFix(forwardedFor: 2), remote: "192.168.0.3", host: "spam",
                 headers: [("X-Forwarded-For", "192.168.0.1, 192.168.0.2")], root: "http://spam/"),
    WerkzeugCase(id: "ignore 0", fix: ProxyFix(forwardedFor: 0), host: "spam",
                 headers: [("X-Forwarded-For", "192.168.0.2")], root: "http://spam/"),
    WerkzeugCase(id: "ignore len < trusted", fix: ProxyFix(forwardedFor: 3), host: "spam",
                 headers: [("X-Forwarded-For", "192.168.0.3, 192.168.0.2")], root: "http://spam/"),
    WerkzeugCase(id: "ignore untrusted", fix: ProxyFix(), remote: "192.168.0.2", host: "spam",
                 headers: [("X-Forwarded-For", "192.168.0.3, 192.168.0.1")], root: "http://spam/"),
    WerkzeugCase(id: "ignore empty", fix: ProxyFix(forwardedFor: 2), host: "spam",
                 headers: [("X-Forwarded-For", ", 192.168.0.3")], root: "http://spam/"),
    WerkzeugCase(id: "prefix < for", fix: ProxyFix(forwardedFor: 2, prefix: 1), remote: "192.168.0.2", host: "spam",
                 headers: [("X-Forwarded-For", "192.168.0.1, 192.168.0.3"), ("X-Forwarded-Prefix", "/ham, /eggs")],
                 root: "http://spam/eggs/"),
    WerkzeugCase(id: "ipv6 host", fix: ProxyFix(host: 1), host: "spam", headers: [("X-Forwarded-Host", "[2001:db8::a]")],
                 root: "http://[2001:db8::a]/"),
    WerkzeugCase(id: "ipv6 port, host without port", fix: ProxyFix(port: 1), host: "[2001:db8::a]",
                 headers: [("X-Forwarded-Port", "8080")], root: "http://[2001:db8::a]:8080/"),
    WerkzeugCase(id: "ipv6 - port, host with port", fix: ProxyFix(port: 1), host: "[2001:db8::a]:9000",
                 headers: [("X-Forwarded-Port", "8080")], root: "http://[2001:db8::a]:8080/"),
]

/// The request a WSGI server would have built for `environ`: the remote address, Host header, server
/// address and headers of the case.
func request(_ target: String, _ c: WerkzeugCase) -> Request {
    var headers = Headers(c.headers)
    if let host = c.host { headers.add("Host", host) }
    var request = Request(method: .get, target: target, version: c.host == nil ? .http1_0 : .http1_1, headers: headers,
                          remoteAddress: c.remote)
    request.serverAddress = c.serverAddress
    return request
}

@Suite("ProxyFix: Werkzeug's test_proxy_fix table")
struct WerkzeugCasesTests {
    /// Werkzeug's application: checks the address and root URL, builds the `parrot` URL under the
    /// prefix and redirects to it absolutely.
    static func app(_ fix: ProxyFix) -> Handler {
        Stack {
            fix
            Router {
                Route("/parrot", name: "parrot") { _ in "parrot" }
                Route("/check") { request -> Response in
                    var response = Response.redirect(to: try request.url(for: "parrot", external: true))
                    response.headers.set("X-Remote", request.remoteAddress ?? "-")
                    response.headers.set("X-Root", request.rootURL)
                    response.headers.set("X-Relative", try request.url(for: "parrot"))
                    return response
                }
                Route("/dir/") { _ in "dir" }
            }
        }
    }

    @Test("remote address, root URL, built URL and absolute redirect follow the forwarded values",
          arguments: werkzeugCases)
    func table(_ c: WerkzeugCase) async throws {
        let app = Self.app(c.fix)
        let response = try await app(request("/check", c))
        #expect(response.headers["X-Remote"] == "192.168.0.1")
        #expect(response.headers["X-Root"] == c.root)
        let script = String(c.root.drop(while: { $0 != "/" }).dropFirst(2).drop(while: { $0 != "/" }).dropLast())
        #expect(response.headers["X-Relative"] == script + "/parrot")
        #expect(response.headers["Location"] == c.root + "parrot")
    }

    @Test("the router's own slash redirect is absolute with the forwarded scheme, host and prefix",
          arguments: werkzeugCases)
    func slashRedirect(_ c: WerkzeugCase) async throws {
        let response = try await Self.app(c.fix)(request("/dir", c))
        #expect(response.status.code == 308)
        #expect(response.headers["Location"] == c.root + "dir/")
    }

    @Test("the synchronous form gives the same answer as the task form", arguments: werkzeugCases)
    func bothForms(_ c: WerkzeugCase) async throws {
        let app = Stack {
            c.fix
            Handler { request in "\(request.remoteAddress ?? "-") \(request.rootURL)" }
        }
        let inline = try #require(app.respondSynchronouslyCatchingErrors(request("/", c)))
        #expect(try await inline.collectBody() == Array("192.168.0.1 \(c.root)".utf8))
    }

    @Test("the originals are kept in storage")
    func originals() async throws {
        let all = try #require(werkzeugCases.first { $0.id == "all" })
        let fixed = all.fix.apply(to: request("/", all))
        let original = try #require(fixed.storage[ProxyFix.Original.self])
        #expect(original == ProxyFix.Original(remoteAddress: "192.168.0.2", scheme: "http", host: "spam:9000", scriptName: ""))
        #expect(fixed.remoteAddress == "192.168.0.1" && fixed.scheme == "https" && fixed.headers["Host"] == "eggs:443")
        #expect(fixed.scriptName == "/ham" && fixed.isSecure)
    }
}
