import Testing
import WerkCore
import WerkProxyFix
import WerkTesting

/// The examples of the Proxies article (Sources/Werk/Werk.docc/Proxies.md), run.
@Suite("ProxyFix: the article's examples")
struct DocExampleTests {
    @Test("one nginx in front")
    func overview() async throws {
        let app = Stack {
            ProxyFix(forwardedFor: 1, proto: 1, host: 1, prefix: 1)   // one nginx in front
            Handler { request in "\(request.remoteAddress ?? "-") \(request.url)" }
        }
        let response = try await TestClient(app).get("/x", headers: [
            "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "example.com", "X-Forwarded-Prefix": "/app",
        ])
        #expect(response.text == "203.0.113.7 https://example.com/app/x")
    }

    @Test("parsing Forwarded")
    func forwarded() {
        let elements = ForwardedElement.parse(#"for="[2001:db8::1]:4711";proto=https, for=10.0.0.2"#)
        #expect(elements?.count == 2)
        #expect(elements?[0].for?.address?.description == "2001:db8::1")
        #expect(ForwardedElement.parse("for=[::1]") == nil)
    }

    @Test("trusting proxies by address")
    func trusted() throws {
        let fix = ProxyFix(trustedProxies: AddressRange.loopback + AddressRange.privateNetworks + [try AddressRange("203.0.113.0/24")],
                           using: .xForwarded, fields: [.forwardedFor, .proto])
        let request = fix.apply(to: Request(target: "/", headers: [
            "Host": "example.com", "X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.0.0.5", "X-Forwarded-Proto": "https",
        ], remoteAddress: "10.0.0.1"))
        #expect(request.remoteAddress == "198.51.100.7")
        #expect(request.scheme == "https")
    }
}
