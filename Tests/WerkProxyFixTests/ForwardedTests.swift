import Testing
import WerkCore
@testable import WerkProxyFix

private func node(_ text: String) -> String? { ForwardedNode(text)?.description }

@Suite("ProxyFix: RFC 7239 Forwarded")
struct ForwardedTests {
    @Test("nodes: addresses with ports, bracketed IPv6, unknown and obfuscated identifiers", arguments: [
        ("192.0.2.60", "192.0.2.60"), ("192.0.2.60:8080", "192.0.2.60:8080"),
        ("[2001:db8:cafe::17]", "[2001:db8:cafe::17]"), ("[2001:DB8:cafe::17]:4711", "[2001:db8:cafe::17]:4711"),
        ("unknown", "unknown"), ("UNKNOWN:80", "unknown:80"), ("_hidden", "_hidden"), ("_SEVKISEK", "_SEVKISEK"),
        ("_hidden:_p-1", "_hidden:_p-1"), ("10.0.0.1:_port", "10.0.0.1:_port"), ("[::ffff:10.0.0.1]", "10.0.0.1"),
    ])
    func validNodes(text: String, expected: String) {
        #expect(node(text) == expected)
    }

    @Test("malformed nodes are refused", arguments: [
        "2001:db8::1",           // IPv6 must be bracketed
        "[2001:db8::1",          // unclosed bracket
        "[2001:db8::zz]",        // not hex
        "[10.0.0.1]",            // brackets are for IPv6 only
        "[::1]80", "[::1]:", "10.0.0.1:", "10.0.0.1:+443", "10.0.0.1:-1", "10.0.0.1:65536", "10.0.0.1:123456",
        "_", "_a b", "hidden", "999.0.0.1", "1.2.3", "", "example.com",
    ])
    func badNodes(text: String) {
        #expect(ForwardedNode(text) == nil)
    }

    @Test("elements: quoted values, case-insensitive names, empty pairs, extensions, several header lines")
    func elements() throws {
        let elements = try #require(ForwardedElement.parse(
            #"For="[2001:db8:cafe::17]:4711";PROTO=HTTPS;host="example.com:8443";by=_proxy;ext="a\"b", for=192.0.2.43;;, for=unknown"#))
        #expect(elements.count == 3)
        #expect(elements[0].for == .address(IPAddress("2001:db8:cafe::17")!, port: "4711"))
        #expect(elements[0].proto == "https")
        #expect(elements[0].host == "example.com:8443")
        #expect(elements[0].by == .obfuscated("_proxy", port: nil))
        #expect(elements[0].extensions.map(\.name) == ["ext"] && elements[0].extensions.map(\.value) == [#"a"b"#])
        #expect(elements[1].for?.address == IPAddress("192.0.2.43"))
        #expect(elements[2].for == .unknown(port: nil))
        #expect(ForwardedElement.parse("for=1.2.3.4 ; proto=http")?.first?.proto == "http")  // lenient about spaces
        #expect(ForwardedElement.parse("")?.isEmpty == true)
    }

    @Test("malformed Forwarded values make the whole header unusable", arguments: [
        "for: 192.0.2.1",                    // a hand-built emitter's colon
        "for=[2001:db8::1]",                 // brackets and colons are not token characters: must be quoted
        "by=[::1]", "host=a:443",            // ':' needs quoting
        #"for="2001:db8::1""#,               // quoted but unbracketed IPv6
        #"for="[2001:db8::1]:+443""#,        // bad port
        #"for="192.0.2.1"#,                  // unclosed quote
        "for=1.2.3.4;for=5.6.7.8",           // a parameter twice in one element
        "for=1.2.3.4 proto=http",            // missing ';'
        #"host="bad host""#, "proto=1http", #"proto="ht tp""#, "for=", "=x", #"for="""#,
    ])
    func malformed(value: String) {
        #expect(ForwardedElement.parse(value) == nil)
    }

    @Test("an over-long chain is refused rather than read in part")
    func tooManyElements() {
        let chain = Array(repeating: "for=10.0.0.1", count: ForwardedElement.maxElements + 1).joined(separator: ",")
        #expect(ForwardedElement.parse(chain) == nil)
        #expect(ForwardedElement.parse(chain.split(separator: ",").dropFirst().joined(separator: ","))?.count == 64)
    }

    @Test("ProxyFix(forwarded:) uses the element n-th from the right, and ignores the header with fewer", arguments: [
        (1, "10.0.0.9", "https", "b.example"), (2, "192.0.2.1", "http", "a.example"), (3, "10.0.0.2", "http", "spam"),
    ])
    func counts(hops: Int, remote: String, scheme: String, host: String) {
        let request = Request(target: "/", headers: [
            "Host": "spam", "Forwarded": #"for=192.0.2.1;proto=http;host=a.example, for="10.0.0.9:1234";proto=https;host=b.example"#,
        ], remoteAddress: "10.0.0.2")
        let fixed = ProxyFix(forwarded: hops).apply(to: request)
        #expect(fixed.remoteAddress == remote)
        #expect(fixed.scheme == scheme)
        #expect(fixed.host == host)
    }

    @Test("several Forwarded header lines are one list, in order")
    func severalLines() {
        var headers: Headers = ["Host": "spam"]
        headers.add("Forwarded", "for=192.0.2.1")
        headers.add("Forwarded", #"for="[2001:db8::5]";proto=https"#)
        let fixed = ProxyFix(forwarded: 1).apply(to: Request(target: "/", headers: headers, remoteAddress: "10.0.0.2"))
        #expect(fixed.remoteAddress == "2001:db8::5" && fixed.scheme == "https")
        #expect(ProxyFix(forwarded: 2).apply(to: Request(target: "/", headers: headers)).remoteAddress == "192.0.2.1")
    }

    @Test("unknown and obfuscated clients leave no address; the element is kept in storage")
    func hiddenClients() throws {
        for value in ["for=unknown;proto=https", "for=_hidden;proto=https", #"for="_hidden:_p""#] {
            let fixed = ProxyFix(forwarded: 1).apply(to: Request(target: "/", headers: ["Forwarded": value], remoteAddress: "10.0.0.2"))
            #expect(fixed.remoteAddress == nil, "\(value)")
            #expect(fixed.storage[ForwardedElement.self]?.for != nil)
        }
        let noFor = ProxyFix(forwarded: 1).apply(to: Request(target: "/", headers: ["Forwarded": "proto=https"], remoteAddress: "10.0.0.2"))
        #expect(noFor.remoteAddress == "10.0.0.2" && noFor.scheme == "https")
    }

    @Test("a malformed Forwarded changes nothing")
    func malformedIgnored() {
        let request = Request(target: "/", headers: ["Host": "spam", "Forwarded": "for=[::1];proto=https"], remoteAddress: "10.0.0.2")
        let fixed = ProxyFix(forwarded: 1).apply(to: request)
        #expect(fixed.remoteAddress == "10.0.0.2" && fixed.scheme == "http" && fixed.host == "spam")
        #expect(fixed.storage[ForwardedElement.self] == nil)
    }

    @Test("X-Forwarded-Prefix works alongside Forwarded")
    func prefix() {
        let request = Request(target: "/x", headers: ["Host": "spam", "Forwarded": "proto=https", "X-Forwarded-Prefix": "/app"])
        let fixed = ProxyFix(forwarded: 1, prefix: 1).apply(to: request)
        #expect(fixed.url == "https://spam/app/x")
    }
}
