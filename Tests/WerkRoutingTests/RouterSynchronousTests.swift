import Testing
import WerkCore
import WerkTestSupport
@testable import WerkRouting
import WerkTesting

@Suite("Router: the synchronous form")
struct RouterSynchronousTests {
    /// Matches, a slash redirect, merge-slashes, a 405, a redirect_to rule and a fall-through.
    static let requests: [(String, Method)] = [
        ("/", .get), ("/branch", .get), ("/branch/", .get), ("//leaf", .get), ("/post/7", .post), ("/post/7", .delete),
        ("/files/a/b.txt", .get), ("/f/1.5", .head), ("/i/0042", .get), ("/i/42", .get), ("/old/3", .get), ("/missing", .get),
    ]

    static func app(fallback: Handler = Handler { _ in "fallback" }) -> Handler {
        Stack {
            Router {
                vectorRoutes()
                Route("/old/<int:id>", redirectTo: "/post/<id>")
            }
            fallback
        }
    }

    @Test("a router whose routes and fall-through are synchronous is synchronous and answers as its async form",
          arguments: Self.requests.indices)
    func sameAnswers(_ index: Int) async throws {
        let (path, method) = Self.requests[index]
        let app = Self.app()
        #expect(app.synchronous != nil)
        var request = Request(method: method, target: path)
        request.headers.set("Host", "example.com")
        #expect(try await BothForms.difference(app, request) == nil)
    }

    @Test("one asynchronous route, group middleware or fall-through makes the router asynchronous")
    func asyncPartDropsIt() async throws {
        let slow = Handler { _ in await Task.yield(); return "slow" }
        #expect(Router { Route("/", handler: echo("index")); Route("/slow", handler: slow) }.handler.synchronous == nil)
        #expect(Router { Group("/g") { Tag(label: "t", runs: Counter()); Route("/", handler: echo("g")) } }.handler.synchronous == nil)
        #expect(Self.app(fallback: slow).synchronous == nil)
        #expect(try await TestClient(Self.app(fallback: slow)).get("/missing").text == "slow")
        #expect(Router { Route("/", handler: echo("index")) }.handler.synchronous != nil)
    }

    @Test("routes written with trailing closures keep the synchronous form unless the closure awaits")
    func trailingClosures() async throws {
        struct Item: Encodable, Sendable { let id: Int }
        let router = Router {
            Route("/", name: "index") { _ in "Hello" }
            Route("/item/<int:id>", name: "item") { request in Item(id: request.route.int("id") ?? 0) }
            Route("/status") { _ in Status.noContent }
        }
        #expect(router.handler.synchronous != nil)
        for path in ["/", "/item/7", "/status", "/missing"] {
            #expect(try await BothForms.difference(router.handler, Request(target: path)) == nil)
        }
        #expect(try await TestClient(router.handler).get("/item/7").text == #"{"id":7}"#)
        let awaiting = Router { Route("/") { request in String(decoding: try await request.data(), as: UTF8.self) } }
        #expect(awaiting.handler.synchronous == nil)
    }
}
