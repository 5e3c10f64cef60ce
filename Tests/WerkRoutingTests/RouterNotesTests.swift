import Testing
@testable import WerkRouting
import WerkTesting

@Suite("Router: the route in the request's notes")
struct RouterNotesTests {
    @Test("the router notes the matched rule under its mount point, and nothing when it does not match", arguments: [
        ("", "/users/42", "/users/<int:id>" as String?),
        ("/api", "/users/42", "/api/users/<int:id>"),
        ("", "/admin/", "/admin/"),
        ("", "/missing", nil),
        ("", "/users/x", nil),
    ])
    func notesTheRoute(scriptName: String, path: String, route: String?) throws {
        let router = Router {
            Route("/users/<int:id>") { _ in "user" }
            Group("/admin") { Route("/") { _ in "admin" } }
        }
        let app = try #require(router.wrap(Handler { _ in "fallthrough" }).synchronous)
        var request = Request(target: path)
        request.scriptName = scriptName
        let notes = request.installNotes()
        _ = try app(request)
        #expect(notes.route == route)
    }

    @Test("without notes installed the router answers as before")
    func withoutNotes() throws {
        let app = try #require(Router { Route("/users/<int:id>") { _ in "user" } }.handler.synchronous)
        let request = Request(target: "/users/1")
        #expect(try app(request).status == .ok)
        #expect(request.notes == nil)
    }
}
