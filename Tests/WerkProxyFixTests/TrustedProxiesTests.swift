import Testing
import WerkCore
@testable import WerkProxyFix
import WerkTesting

private let internalRanges = AddressRange.loopback + AddressRange.privateNetworks

private func fixed(_ fix: ProxyFix, peer: String?, _ headers: [(String, String)]) -> Request {
    fix.apply(to: Request(target: "/", headers: Headers([("Host", "spam")] + headers), remoteAddress: peer))
}

@Suite("ProxyFix: trusted proxies by address range")
struct TrustedProxiesTests {
    @Test("the client is the nearest untrusted hop from the right, never the spoofable left-most", arguments: [
        ("10.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),             // the client prepended a fake hop
        ("10.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),   // two trusted proxies
        ("10.0.0.1", "192.168.1.4, 10.0.0.5", "192.168.1.4"),            // all trusted: the left-most
        ("10.0.0.1", "[2001:db8::7]:5555, ::1", "2001:db8::7"),          // IPv6 with port, bracketed
        ("::1", "2001:DB8::7", "2001:db8::7"),
        ("::ffff:10.0.0.1", "203.0.113.7", "203.0.113.7"),               // a dual-stack server's mapped peer
        ("203.0.113.9", "6.6.6.6", "203.0.113.9"),                       // the peer is not a proxy: headers ignored
        ("10.0.0.1", "6.6.6.6, 2001:db8::zz", "10.0.0.1"),               // malformed IPv6 on the way: ignored
        ("10.0.0.1", "6.6.6.6, unknown", "10.0.0.1"),
    ])
    func xForwardedFor(peer: String, chain: String, client: String) {
        let request = fixed(ProxyFix(trustedProxies: internalRanges), peer: peer, [("X-Forwarded-For", chain)])
        #expect(request.remoteAddress == client)
    }

    @Test("nothing is trusted by an empty list; a Unix-socket peer only when asked")
    func nothingByDefault() {
        let headers = [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https")]
        let none = fixed(ProxyFix(trustedProxies: []), peer: "127.0.0.1", headers)
        #expect(none.remoteAddress == "127.0.0.1" && none.scheme == "http")
        #expect(fixed(ProxyFix(trustedProxies: internalRanges), peer: nil, headers).remoteAddress == nil)
        let unix = fixed(ProxyFix(trustedProxies: [], trustUnixSocketPeers: true), peer: nil, headers)
        #expect(unix.remoteAddress == "203.0.113.7" && unix.scheme == "https")
    }

    @Test("proto, host, port and prefix come from the right-most value, only when listed in fields")
    func otherFields() {
        let headers = [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "http, https"),
                       ("X-Forwarded-Host", "evil.example, example.com"), ("X-Forwarded-Port", "8443"),
                       ("X-Forwarded-Prefix", "/app")]
        let all = fixed(ProxyFix(trustedProxies: internalRanges, fields: [.forwardedFor, .proto, .host, .port, .prefix]),
                        peer: "10.0.0.1", headers)
        #expect(all.rootURL == "https://example.com:8443/app/")
        let some = fixed(ProxyFix(trustedProxies: internalRanges), peer: "10.0.0.1", headers)
        #expect(some.rootURL == "https://spam/")
    }

    @Test("with Forwarded, the client's own element gives its scheme and host", arguments: [
        (#"for=6.6.6.6;proto=http, for=203.0.113.7;proto=https;host=example.com, for="[fd00::2]";proto=http"#,
         "203.0.113.7", "https://example.com/"),
        ("for=10.0.0.4;proto=https, for=10.0.0.3", "10.0.0.4", "https://spam/"),            // all trusted
        ("for=_hidden;proto=https, for=10.0.0.3", nil, "https://spam/"),                     // obfuscated stops the walk
        ("for=[::1]", "10.0.0.1", "http://spam/"),                                           // malformed: ignored
    ])
    func forwarded(value: String, client: String?, root: String) {
        let fix = ProxyFix(trustedProxies: internalRanges, using: .forwarded, fields: [.forwardedFor, .proto, .host])
        let request = fixed(fix, peer: "10.0.0.1", [("Forwarded", value)])
        #expect(request.remoteAddress == client)
        #expect(request.rootURL == root)
    }

    @Test("ranges: CIDR parsing, IPv4 inside IPv6, bad ranges named in the error")
    func ranges() throws {
        let range = try AddressRange("172.16.0.0/12")
        #expect(range.contains(IPAddress("172.31.255.255")!) && !range.contains(IPAddress("172.32.0.0")!))
        #expect(try AddressRange("10.1.2.3/8").contains(IPAddress("10.200.0.1")!))
        #expect(try AddressRange("2001:db8::/32").contains(IPAddress("2001:db8:ffff::1")!))
        #expect(try !AddressRange("2001:db8::/32").contains(IPAddress("10.0.0.1")!))
        #expect(try AddressRange("::/0").contains(IPAddress("2001:db8::1")!))
        #expect(try AddressRange("0.0.0.0/0").contains(IPAddress("8.8.8.8")!))
        #expect(try !AddressRange("0.0.0.0/0").contains(IPAddress("2001:db8::1")!))
        #expect(try AddressRange("192.0.2.1").contains(IPAddress("::ffff:192.0.2.1")!))
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0/8", "host", "", "10.0.0.0/08x"] {
            #expect(throws: AddressRange.ParseError.self, "\(bad)") { try AddressRange(bad) }
        }
        #expect("\(AddressRange.ParseError(text: "x"))".contains("'x' is not an address range"))
    }
}

@Suite("ProxyFix: pitfalls of X-Forwarded-* headers")
struct XForwardedPitfallTests {
    @Test("several X-Forwarded-For lines are one list (RFC 9110 §5.3), counted from the right")
    func severalHeaders() {
        let request = fixed(ProxyFix(forwardedFor: 2), peer: "10.0.0.1",
                            [("X-Forwarded-For", "6.6.6.6, 203.0.113.7"), ("X-Forwarded-For", "10.0.0.9")])
        #expect(request.remoteAddress == "203.0.113.7")
    }

    @Test("the left-most value a client sends is never used with count 1")
    func leftMostSpoof() {
        let request = fixed(ProxyFix(), peer: "10.0.0.1", [("X-Forwarded-For", "127.0.0.1, 203.0.113.7")])
        #expect(request.remoteAddress == "203.0.113.7")
    }

    @Test("addresses are read IPv6-aware and normalised; malformed ones leave the address alone", arguments: [
        ("2001:DB8::1", "2001:db8::1"), ("[2001:db8::1]", "2001:db8::1"), ("[2001:db8::1]:4711", "2001:db8::1"),
        ("203.0.113.7:5555", "203.0.113.7"), ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8::zz", "10.0.0.1"), ("[2001:db8::1", "10.0.0.1"), ("2001:db8::1]", "10.0.0.1"),
        ("[203.0.113.7]", "10.0.0.1"), ("203.0.113.7:99999", "10.0.0.1"), ("unknown", "10.0.0.1"),
        ("_hidden", "10.0.0.1"), ("evil.example", "10.0.0.1"), ("1.2.3.4.5", "10.0.0.1"),
    ])
    func addresses(value: String, expected: String) {
        #expect(fixed(ProxyFix(), peer: "10.0.0.1", [("X-Forwarded-For", value)]).remoteAddress == expected)
    }

    @Test("a proto, host, port or prefix that is not one is ignored", arguments: [
        ("X-Forwarded-Proto", "java script"), ("X-Forwarded-Proto", "1http"), ("X-Forwarded-Host", "evil.example/path"),
        ("X-Forwarded-Host", "a b"), ("X-Forwarded-Host", "[::1"), ("X-Forwarded-Host", "host:+80"),
        ("X-Forwarded-Port", "+443"), ("X-Forwarded-Port", "-1"), ("X-Forwarded-Port", "65536"), ("X-Forwarded-Port", "80a"),
        ("X-Forwarded-Prefix", "app"), ("X-Forwarded-Prefix", "/a%0Db"),
    ])
    func badValues(header: String, value: String) {
        let fix = ProxyFix(forwardedFor: 1, proto: 1, host: 1, port: 1, prefix: 1)
        #expect(fixed(fix, peer: "10.0.0.1", [(header, value)]).rootURL == "http://spam/")
    }

    @Test("proto is lowercased; a prefix is decoded and loses its trailing slash")
    func normalised() {
        let fix = ProxyFix(forwardedFor: 1, proto: 1, host: 1, port: 1, prefix: 1)
        let request = fixed(fix, peer: "10.0.0.1", [("X-Forwarded-Proto", "HTTPS"), ("X-Forwarded-Prefix", "/my%20app/")])
        #expect(request.scheme == "https" && request.scriptName == "/my app")
        #expect(request.rootURL == "https://spam/my%20app/")
        #expect(fixed(fix, peer: nil, [("X-Forwarded-Prefix", "/")]).scriptName == "")
    }

    @Test("through the test client: a redirect built from the request is https on the forwarded host")
    func endToEnd() async throws {
        let app = Stack {
            ProxyFix(forwardedFor: 1, proto: 1, host: 1)
            Handler { request in Response.redirect(to: request.hostURL + "login") }
        }
        let response = try await TestClient(app).get("/", headers: [
            "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "example.com",
        ])
        #expect(response.location == "https://example.com/login")
        #expect(app.description == "ProxyFix\n  Handler")
    }
}

@Suite("ProxyFix: the fast list scan")
struct ListScanTests {
    @Test("the n-th value from the right matches Werkzeug's parse_list_header on unquoted lists", arguments: [
        "a", "a, b", "a,b,c", " a ,  b\t,c ", ", a", "a ,", ",,", "", " ", "a,,b", "192.168.0.1, 192.168.0.3",
        "2001:db8::1, [::1]:80", "a, , b , ,",
    ])
    func matchesParseList(value: String) {
        let items = HeaderValues.parseList(value)
        for n in 1...4 {
            #expect(ProxyFix.nthFromRight(value, n) == (items.count >= n ? items[items.count - n] : nil), "n=\(n)")
        }
    }

    @Test("quoted values go through the general parser")
    func quoted() {
        let request = Request(target: "/", headers: ["X-Forwarded-For": #""203.0.113.7", 10.0.0.1"#], remoteAddress: "10.0.0.2")
        #expect(ProxyFix(forwardedFor: 2).apply(to: request).remoteAddress == "203.0.113.7")
    }

    @Test("plain IPv4 is recognised without parsing", arguments: [
        ("1.2.3.4", true), ("255.255.255.255", true), ("0.0.0.0", true), ("01.2.3.4", false), ("256.1.1.1", false),
        ("1.2.3", false), ("1.2.3.4.5", false), ("1..3.4", false), ("1.2.3.4:80", false), ("", false), ("1.2.3.", false),
    ])
    func plainIPv4(text: String, expected: Bool) {
        #expect(IPAddress.isPlainIPv4(text) == expected)
        if expected { #expect(IPAddress(text)?.description == text) }
    }
}
