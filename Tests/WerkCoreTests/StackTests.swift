import Testing
@testable import WerkCore
import WerkTesting

/// Appends its tag to the `X-Trace` request header on the way in and to the response's on the way out.
private struct Tag: Middleware {
    let tag: String
    init(_ tag: String) { self.tag = tag }
    var name: String { "Tag(\(tag))" }
    func wrap(_ next: Handler) -> Handler {
        let tag = self.tag
        return next.around(before: { request in request.headers.add("X-Trace", tag) },
                           after: { _, response in response.headers.add("X-Out", tag) })
    }
}

/// Answers by itself without calling `next`.
private struct Gate: Middleware {
    func wrap(_ next: Handler) -> Handler {
        Handler { request in
            if request.headers["X-Pass"] == nil { return Response.text("blocked", status: .forbidden) }
            return try await next(request)
        }
    }
}

private enum UserKey: StorageKey { typealias Value = String }
private enum CountKey: StorageKey { typealias Value = Int }

/// A terminal handler that echoes the trace it saw.
private let echo = Handler { request in request.headers.values(for: "X-Trace").joined(separator: ",") }

@Suite("Stack")
struct StackTests {
    @Test("middleware run outermost first on the way in and innermost first on the way out")
    func order() async throws {
        let app = Stack { Tag("a"); Tag("b"); Tag("c"); echo }
        let response = try await TestClient(app).get("/")
        #expect(response.text == "a,b,c")
        #expect(response.headers.values(for: "X-Out") == ["c", "b", "a"])
    }

    @Test("a middleware that answers without calling next short-circuits the rest")
    func shortCircuit() async throws {
        let reached = CoreCounter()
        let app = Stack {
            Tag("outer")
            Gate()
            Tag("inner")
            Handler { _ in reached.increment(); return "app" }
        }
        let client = TestClient(app)
        let blocked = try await client.get("/")
        #expect(blocked.status == .forbidden)
        #expect(blocked.text == "blocked")
        #expect(blocked.headers.values(for: "X-Out") == ["outer"])
        #expect(reached.value == 0)
        let passed = try await client.get("/", headers: ["X-Pass": "1"])
        #expect(passed.text == "app")
        #expect(reached.value == 1)
    }

    @Test("an if without else includes the layer only when the condition holds", arguments: [true, false])
    func ifWithoutElse(flag: Bool) async throws {
        let app = Stack {
            Tag("a")
            if flag { Tag("b") }
            echo
        }
        #expect(try await TestClient(app).get("/").text == (flag ? "a,b" : "a"))
    }

    @Test("if/else picks one branch", arguments: [true, false])
    func ifElse(flag: Bool) async throws {
        let app = Stack {
            if flag { Tag("yes") } else { Tag("no") }
            echo
        }
        #expect(try await TestClient(app).get("/").text == (flag ? "yes" : "no"))
    }

    @Test("an optional middleware is skipped when nil and used when present")
    func optionals() async throws {
        let none: (any Middleware)? = nil
        let some: (any Middleware)? = Tag("opt")
        let without = Stack { none; echo }
        let with = Stack { some; echo }
        #expect(try await TestClient(without).get("/").text == "")
        #expect(try await TestClient(with).get("/").text == "opt")
    }

    @Test("a for loop adds one layer per element in order")
    func forLoop() async throws {
        let names = ["x", "y", "z"]
        let app = Stack {
            for name in names { Tag(name) }
            echo
        }
        #expect(try await TestClient(app).get("/").text == "x,y,z")
        #expect(app.layers == ["Tag(x)", "Tag(y)", "Tag(z)", "Handler"])
    }

    @Test("a stack without a terminal handler answers 404")
    func noTerminal() async throws {
        let app = Stack { Tag("a") }
        let response = try await TestClient(app).get("/anything")
        #expect(response.status == .notFound)
        #expect(response.headers.values(for: "X-Out").isEmpty)   // the error passed through the layer
        #expect(response.text.contains("<h1>Not Found</h1>"))
        #expect(app.layers == ["Tag(a)", "NotFound"])
    }

    @Test("an empty stack answers 404")
    func emptyStack() async throws {
        let app = Stack {}
        #expect(try await TestClient(app).get("/").status == .notFound)
    }

    @Test("the terminal handler alone is a stack")
    func terminalOnly() async throws {
        let app = Stack { Handler { _ in "only" } }
        #expect(try await TestClient(app).get("/").text == "only")
        #expect(app.layers == ["Handler"])
    }

    @Test("description lists the layers outermost first, indented by depth")
    func description() {
        let app = Stack { Tag("a"); Gate(); echo }
        // Gate is written with the async API only, around a synchronous handler: it is marked.
        #expect(app.description == "Tag(a)\n  Gate \(Handler.asyncMark)\n    Handler")
        #expect(String(describing: app) == app.description)
    }

    @Test("a MiddlewareFunction takes its name and sees the request and next")
    func middlewareFunction() async throws {
        let header = MiddlewareFunction("ServerHeader") { request, next in
            var response = try await next(request)
            response.headers.set("Server", "Werk")
            return response
        }
        let app = Stack { header; echo }
        // Around a synchronous handler, the async-only MiddlewareFunction is marked as the layer that
        // makes the stack asynchronous.
        #expect(app.layers == ["ServerHeader \(Handler.asyncMark)", "Handler"])
        #expect(try await TestClient(app).get("/").headers["Server"] == "Werk")
    }

    @Test("Layers groups middleware into one reusable layer that continues to next")
    func layersGroup() async throws {
        let group = Layers { Tag("g1"); Tag("g2") }
        let app = Stack { Tag("a"); group; Tag("b"); echo }
        #expect(try await TestClient(app).get("/").text == "a,g1,g2,b")
        #expect(app.layers.first == "Tag(a)")
        #expect(app.layers.contains("Layers(Tag(g1), Tag(g2))"))
    }

    @Test("Layers ending with a handler answers without calling the outer next")
    func layersWithHandler() async throws {
        let group = Layers { Tag("g"); Handler { request in "group:" + request.headers.values(for: "X-Trace").joined(separator: ",") } }
        let app = Stack { Tag("a"); group; Handler { _ in "outer" } }
        #expect(try await TestClient(app).get("/").text == "group:a,g")
    }

    @Test("a value middleware stores is seen by the handler")
    func storageFlowsDown() async throws {
        let auth = MiddlewareFunction("Auth") { request, next in
            var request = request
            request.storage[UserKey.self] = "alice"
            request.storage[CountKey.self] = 3
            return try await next(request)
        }
        let app = Stack {
            auth
            Handler { request in "\(request.storage[UserKey.self] ?? "nobody") \(request.storage[CountKey.self] ?? 0)" }
        }
        #expect(try await TestClient(app).get("/").text == "alice 3")
        let bare = Stack { Handler { request in request.storage[UserKey.self] ?? "nobody" } }
        #expect(try await TestClient(bare).get("/").text == "nobody")
    }

    @Test("a middleware passes a modified copy of the request down")
    func modifiedCopy() async throws {
        let rewrite = MiddlewareFunction("Rewrite") { request, next in
            var copy = request
            copy.pathInfo = "/rewritten"
            copy.method = .post
            let response = try await next(copy)
            // the original is untouched
            #expect(request.pathInfo == "/original")
            #expect(request.method == .get)
            return response
        }
        let app = Stack { rewrite; Handler { request in "\(request.method) \(request.pathInfo)" } }
        #expect(try await TestClient(app).get("/original").text == "POST /rewritten")
    }

    @Test("an error thrown inside passes out through outer layers that do not catch it")
    func errorsPropagate() async throws {
        let app = Stack { Tag("a"); Handler { _ in throw HTTPError(.conflict) } }
        await #expect(throws: HTTPError.self) { try await app(Request()) }
        #expect(try await TestClient(app).get("/").status == .conflict)
    }

    @Test("a handler anywhere but last stops the program, naming the mistake")
    func handlerNotLast() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Handler.compose([.handler(Handler { _ in "early" }), .middleware(MiddlewareFunction { r, n in try await n(r) })])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("position 1 of 2 must be the last element"))
    }

    @Test("an optional concrete middleware type works in the builder")
    func optionalConcrete() async throws {
        let missing: Tag? = nil
        let present: Tag? = Tag("p")
        let app = Stack { missing; present; echo }
        #expect(app.layers == ["Tag(p)", "Handler"])
        #expect(try await TestClient(app).get("/").text == "p")
    }

    @Test("the stack is composed once: wrap is not called per request")
    func composedOnce() async throws {
        let wraps = CoreCounter()
        struct Counting: Middleware {
            let wraps: CoreCounter
            func wrap(_ next: Handler) -> Handler { wraps.increment(); return next }
        }
        let app = Stack { Counting(wraps: wraps); echo }
        let client = TestClient(app)
        for _ in 0..<3 { _ = try await client.get("/") }
        #expect(wraps.value == 1)
    }
}
