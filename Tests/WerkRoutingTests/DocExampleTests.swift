import Testing
import WerkCore
@testable import WerkRouting
import WerkTesting

/// The first example of the README's Routing section, with a stand-in for `RequireLogin`.
@Suite("README routing example")
struct DocExampleTests {
    struct RequireLogin: Middleware {
        func wrap(_ next: Handler) -> Handler {
            Handler { request in
                guard request.headers["Authorization"] != nil else { throw HTTPError(.unauthorized) }
                return try await next(request)
            }
        }
    }

    @Test("the documented stack behaves as documented")
    func example() async throws {
        let app = Stack {
            Router {
                Route("/", name: "index") { _ in "Hello" }
                Route("/users/<int:id>", methods: [.get, .post], name: "user") { request in
                    let id = request.route.int("id")!
                    return "user \(id), see \(try request.url(for: "user", ["id": id + 1]))"
                }
                Route("/files/<path:file>", name: "file") { request in "file \(request.route["file"]!)" }
                Route("/old/<int:id>", redirectTo: "/users/<id>")
                Group("/admin", name: "admin.") {
                    RequireLogin()
                    Route("/", name: "index") { _ in "dashboard" }
                }
            }
            Handler { _ in Response.text("fallback", status: .notFound) }
        }
        let client = TestClient(app, baseURL: "http://example.com")
        #expect(try await client.get("/").text == "Hello")
        #expect(try await client.get("/users/1").text == "user 1, see /users/2")
        #expect(try await client.get("/files/a/b.txt").text == "file a/b.txt")
        #expect(try await client.get("/old/3").location == "http://example.com/users/3")
        #expect(try await client.get("/admin/").status.code == 401)
        #expect(try await client.get("/admin/", headers: ["Authorization": "x"]).text == "dashboard")
        #expect(try await client.get("/admin/nothing").text == "fallback")   // RequireLogin did not run
        #expect(try await client.delete("/users/1").headers["Allow"] == "GET, HEAD, POST")
    }
}
