import Testing
import WerkCore
import WerkTestSupport
@testable import WerkRouting
import WerkTesting

@Suite("Werkzeug routing vectors")
struct VectorTests {
    @Test("every routing vector matches as Werkzeug does")
    func routingVectors() throws {
        let router = vectorRouter()
        let cases = try InteropVectors.section("routing")
        #expect(cases.count >= 14)
        for entry in cases {
            let path = entry["path"]!.stringValue!
            let method = Method(entry["method"]!.stringValue!)
            let result = router.test(path, method)
            if let endpoint = entry["endpoint"]?.stringValue {
                #expect(result.endpoint == endpoint, "\(method) \(path): \(result)")
                let expected = entry["values"]!.objectValue!.mapValues { $0.stringValue! }
                #expect(result.values == expected, "\(method) \(path)")
                continue
            }
            switch entry["status"]!.intValue! {
            case 308:
                #expect(result.location == entry["location"]!.stringValue!, "\(method) \(path): \(result)")
            case 404:
                #expect(result.isNotFound, "\(method) \(path): \(result)")
            case 405:
                let allow = entry["allow"]!.arrayValue!.map { $0.stringValue! }
                #expect(result.allowed == allow, "\(method) \(path): \(result)")
            default:
                Issue.record("unexpected vector \(entry)")
            }
        }
    }

    @Test("every routing_build vector builds the same URL")
    func buildVectors() throws {
        let router = vectorRouter()
        let cases = try InteropVectors.section("routing_build")
        #expect(cases.count >= 3)
        for entry in cases {
            let endpoint = entry["endpoint"]!.stringValue!
            let values: [(String, any Sendable)] = entry["values"]!.objectValue!.sorted { $0.key < $1.key }.map { pair in
                if let i = pair.value.intValue { return (pair.key, i) }
                return (pair.key, pair.value.stringValue!)
            }
            let url = try router.map.build(endpoint, values, context: exampleBinding)
            #expect(url == entry["url"]!.stringValue!)
        }
    }

    @Test("vectors through the HTTP stack: redirect keeps the query, 405 lists Allow sorted")
    func vectorsOverHTTP() async throws {
        let client = TestClient(vectorRouter().handler, baseURL: "http://example.com")
        let redirect = try await client.get("/branch?a=1")
        #expect(redirect.status.code == 308)
        #expect(redirect.location == "http://example.com/branch/?a=1")
        #expect(redirect.text.contains("Redirecting..."))
        let notAllowed = try await client.delete("/post/5")
        #expect(notAllowed.status.code == 405)
        #expect(notAllowed.headers["Allow"] == "GET, HEAD, POST")
        let head = try await client.head("/post/5")
        #expect(head.status.code == 200)
        #expect(try await client.get("/post/5").text == "post [id: 5]")
        #expect(try await client.get("/leaf/").status.code == 404)
    }
}
