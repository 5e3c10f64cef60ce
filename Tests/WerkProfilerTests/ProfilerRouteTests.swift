import Testing
import Synchronization
@testable import WerkProfiler
import WerkRouting
import WerkDispatcher
import WerkTesting

@Suite("Profiler: the route a router notes")
struct ProfilerRouteTests {
    /// A profiled stack: the API router mounted at `/api`, the site's router, then a 404.
    private func app(_ profiler: Profiler) -> Handler {
        Stack {
            profiler
            Mount("/api", Router {
                Route("/items/<int:id>") { request in "item \(request.route.int("id") ?? 0)" }
            })
            Router {
                Route("/hello/<name>") { request in "Hello, \(request.route["name"] ?? "")" }
                Route("/named") { request in
                    request.profile.route = "chosen by the handler"
                    return "named"
                }
                Route("/only-post", methods: [.post]) { _ in "posted" }
            }
        }
    }

    @Test("each request's route is the matched rule under the router's mount point, or none", arguments: [
        ("/hello/ada", 200, "/hello/<name>" as String?, "GET /hello/<name>"),
        ("/api/items/7", 200, "/api/items/<int:id>", "GET /api/items/<int:id>"),
        ("/named", 200, "chosen by the handler", "GET chosen by the handler"),
        ("/nowhere", 404, nil, "GET"),
        ("/only-post", 405, nil, "GET"),
    ])
    func routeOfEachRequest(path: String, status: Int, route: String?, spanName: String) async throws {
        let profiler = Profiler(options: options(FakeClock()))
        let response = try await TestClient(app(profiler)).get(path)
        #expect(response.status.code == status)
        let profile = try #require(profiler.profiles.first)
        #expect(profile.route == route)
        #expect(profile.spanName == spanName)
        #expect(profile.frames.first?.name == spanName)
        #expect(profile.attributes.first { $0.key == "http.route" }?.value == route)
    }

    @Test("the per-route view groups requests by the noted route")
    func perRouteView() async throws {
        let profiler = Profiler(options: options(FakeClock()))
        let client = TestClient(app(profiler))
        for name in ["ada", "grace", "linus"] { _ = try await client.get("/hello/\(name)") }
        _ = try await client.get("/api/items/1")
        #expect(Set(profiler.profiles.map(\.routeKey)) == ["GET /hello/<name>", "GET /api/items/<int:id>"])
    }

    @Test("a request that is not sampled carries no notes, and the router still answers")
    func unsampledHasNoNotes() async throws {
        let sawNotes = Seen()
        let profiler = Profiler(options: options(FakeClock()) { $0.sampling = .never })
        let app = Stack {
            profiler
            Router {
                Route("/hello/<name>") { request in
                    sawNotes.set(request.notes != nil)
                    return "Hello"
                }
            }
        }
        #expect(try await TestClient(app).get("/hello/x").text == "Hello")
        #expect(sawNotes.value == false)
        #expect(profiler.profiles.isEmpty)
    }
}

/// One flag set from a request.
private final class Seen: Sendable {
    private let state = Mutex<Bool?>(nil)
    func set(_ value: Bool) { state.withLock { $0 = value } }
    var value: Bool? { state.withLock { $0 } }
}
