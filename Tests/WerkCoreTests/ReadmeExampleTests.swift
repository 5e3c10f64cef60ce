import Testing
import WerkCore

// The README's first example, verbatim: a stack declared in the DSL and exercised with the TestClient.
// If this stops compiling or passing, the README is wrong.

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
    @Test("the README's DSL stack answers through the test client as the README says")
    func readmeStack() async throws {
        let debug = false
        let app: Handler = Stack {
            ServerHeader()                                   // outermost first
            if debug { MiddlewareFunction("Trace") { request, next in try await next(request) } }
            Handler { request in "Hello, \(try request.query["name"] ?? "world")!" }
        }

        let client = TestClient(app)
        let response = try await client.get("/", query: [("name", "Werk")])
        #expect(response.status == .ok)
        #expect(response.text == "Hello, Werk!")
        #expect(response.headers["Server"] == "Werk")
        #expect(app.layers == ["ServerHeader", "Handler"])
        #expect(try await client.get("/").text == "Hello, world!")
    }
}
