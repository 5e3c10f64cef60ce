import Testing
import WerkCore
import WerkTestSupport
@testable import WerkDispatcher
import WerkTesting

/// A handler that shows where it was mounted.
private func show(_ name: String) -> Handler {
    Handler { request in "\(name) script=\(request.scriptName) path=\(request.pathInfo)" }
}

@Suite("Mount and Dispatcher")
struct DispatcherTests {
    @Test("Mount moves the prefix to scriptName", arguments: [
        ("/api/users", "api script=/api path=/users"), ("/api", "api script=/api path="),
        ("/api/", "api script=/api path=/"), ("/apiary", "site script= path=/apiary"), ("/", "site script= path=/"),
        ("/ap", "site script= path=/ap"),
    ])
    func mount(path: String, expected: String) async throws {
        let app = Stack {
            Mount("/api/", show("api"))
            show("site")
        }
        #expect(try await TestClient(app).get(path).text == expected)
    }

    @Test("mounts nest: the script names add up")
    func nested() async throws {
        let inner = Stack { Mount("/v1", show("v1")) }
        let app = Stack { Mount("/api", inner) }
        #expect(try await TestClient(app).get("/api/v1/x").text == "v1 script=/api/v1 path=/x")
        #expect(try await TestClient(app).get("/api/v2").status.code == 404)
    }

    @Test("a multi-segment mount prefix")
    func multiSegment() async throws {
        let app = Stack { Mount("/a/b", show("ab")); show("site") }
        #expect(try await TestClient(app).get("/a/b/c").text == "ab script=/a/b path=/c")
        #expect(try await TestClient(app).get("/a/bc").text == "site script= path=/a/bc")
    }

    @Test("Dispatcher takes the longest prefix, as Werkzeug's DispatcherMiddleware", arguments: [
        ("/api/v2/users", "v2 script=/api/v2 path=/users"), ("/api/v1", "api script=/api path=/v1"),
        ("/api", "api script=/api path="), ("/apiary", "site script= path=/apiary"), ("/", "site script= path=/"),
        ("/admin/x/y", "admin script=/admin path=/x/y"),
    ])
    func dispatcher(path: String, expected: String) async throws {
        let dispatcher = Dispatcher(["/api": show("api"), "/api/v2/": show("v2"), "admin": show("admin")],
                                    default: show("site"))
        #expect(try await TestClient(dispatcher.handler).get(path).text == expected)
    }

    @Test("Dispatcher without a default: next in a stack, 404 as a handler")
    func dispatcherFallthrough() async throws {
        let dispatcher = Dispatcher(["/a": show("a")])
        let app = Stack { dispatcher; show("next") }
        #expect(try await TestClient(app).get("/b").text == "next script= path=/b")
        #expect(try await TestClient(dispatcher.handler).get("/b").status.code == 404)
    }

    @Test("the script name of an outer mount is kept (the test client's base path)")
    func keepsOuterScriptName() async throws {
        let dispatcher = Dispatcher(["/a": show("a")])
        let client = TestClient(dispatcher.handler, baseURL: "http://localhost/root")
        #expect(try await client.get("/a/x").text == "a script=/root/a path=/x")   // paths are relative to the base
    }

    @Test("Request.mounted(at:) only at segment boundaries")
    func mountedAt() {
        let request = Request(target: "/api/users")
        #expect(request.mounted(at: "/api")?.pathInfo == "/users")
        #expect(request.mounted(at: "api")?.scriptName == "/api")
        #expect(request.mounted(at: "/ap") == nil)
        #expect(request.mounted(at: "/")?.pathInfo == "/api/users")
        #expect(request.mounted(at: "/api/users/more") == nil)
    }
}

@Suite("Mount and Dispatcher: the synchronous form")
struct DispatcherSynchronousTests {
    @Test("Mount and Dispatcher over synchronous handlers are synchronous and answer as their async form",
          arguments: ["/", "/api", "/api/users", "/apiary", "/v1/x", "/v2"])
    func sameAnswers(_ path: String) async throws {
        let app = Stack {
            Mount("/api", show("api"))
            Dispatcher(["/v1": show("v1")])
            show("site")
        }
        #expect(app.synchronous != nil)
        #expect(try await BothForms.difference(app, Request(target: path)) == nil)
    }

    @Test("an asynchronous mounted handler makes the layer asynchronous")
    func asyncMounted() async throws {
        let slow = Handler { _ in await Task.yield(); return "slow" }
        #expect(Stack { Mount("/api", slow); show("site") }.synchronous == nil)
        #expect(Stack { Dispatcher(["/v1": slow]); show("site") }.synchronous == nil)
        #expect(try await TestClient(Stack { Mount("/api", slow); show("site") }).get("/api/x").text == "slow")
    }

    @Test("a Dispatcher and a stack are accepted wherever an application is, with no .handler")
    func handlerConvertible() async throws {
        let api = Dispatcher(["/v1": show("v1")], default: show("api-root"))
        let client = TestClient(Dispatcher(["/api": api, "/admin": Stack { show("admin") }]))
        #expect(try await client.get("/api/v1/x").text == "v1 script=/api/v1 path=/x")
        #expect(try await client.get("/api/other").text == "api-root script=/api path=/other")
        #expect(try await client.get("/admin/y").text == "admin script=/admin path=/y")
        #expect(try await client.get("/none").status == .notFound)
        let mounted = TestClient(Stack { Mount("/api", api); show("site") })
        #expect(try await mounted.get("/api/v1/z").text == "v1 script=/api/v1 path=/z")
    }
}
