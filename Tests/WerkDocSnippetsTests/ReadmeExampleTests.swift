import Testing
import Werk
import WerkTesting

// The README's first stack, run: its Swift blocks are compiled by WerkDocSnippetsTests, and this
// checks that the first one answers as the README says. If this fails, the README is wrong.

private struct ServerHeader: Middleware {
    func wrap(_ next: Handler) -> Handler {
        next.mapResponse { _, response in
            var response = response
            response.headers.set("Server", "Werk")
            return response
        }
    }
}

@Suite("README examples")
struct ReadmeExampleTests {
    @Test("the README's first stack answers through the test client as the README says")
    func readmeStack() async throws {
        let app = Stack {
            TrustedHosts(["localhost", "127.0.0.1", "example.com"])   // anything else is a 400
            ServerHeader()                                             // outermost first
            Router {
                Route("/") { request in "Hello, \(try request.query["name"] ?? "world")!" }
                Route("/users/<int:id>", name: "user") { request in
                    JSON.object(["id": .int(request.route.int("id") ?? 0)])
                }
            }
        }

        let client = TestClient(app)
        let response = try await client.get("/", query: [("name", "Werk")])
        #expect(response.text == "Hello, Werk!" && response.headers["Server"] == "Werk")
        #expect(app.layers == ["TrustedHosts", "ServerHeader", "Router", "NotFound"])
        #expect(app.synchronous != nil)
        #expect(try await client.get("/users/7").json()["id"]?.intValue == 7)
        #expect(try await TestClient(app, baseURL: "http://evil.example").get("/").status == .badRequest)
    }
}
