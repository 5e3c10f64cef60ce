import Testing
@testable import WerkCore
import WerkTestSupport

private struct Point: Codable, Sendable { var x: Int }

private struct Boom: Error {}

/// A pass-through layer written with the async API only: it makes a stack asynchronous.
private let asyncLayer = MiddlewareFunction("AsyncLayer") { request, next in try await next(request) }

/// The README's layer with both forms (renamed: the README's first example has a `ServerHeader`).
private struct BothFormsServerHeader: Middleware {
    func wrap(_ next: Handler) -> Handler {
        @Sendable func stamp(_ response: Response) -> Response {
            var response = response
            response.headers.set("Server", "Werk")
            return response
        }
        guard let nextSync = next.synchronous else {
            return Handler { request in stamp(try await next(request)) }
        }
        return Handler(layers: ["ServerHeader"], { request in stamp(try await next(request)) },
                       synchronous: { request in stamp(try nextSync(request)) })
    }
}

@Suite("Synchronous handlers")
struct SynchronousHandlerTests {
    @Test("a closure that never awaits gives a handler with a synchronous form, for every return type")
    func inferredSynchronous() {
        #expect(Handler { _ in "text" }.synchronous != nil)
        #expect(Handler { _ in Response.text("text") }.synchronous != nil)
        #expect(Handler { _ in Status.noContent }.synchronous != nil)
        #expect(Handler { _ in Point(x: 1) }.synchronous != nil)
        #expect(Handler { _ in throw HTTPError(.gone) }.synchronous != nil)
        #expect(Handler.notFound.synchronous != nil)
    }

    @Test("a closure that awaits gives an asynchronous handler only")
    func inferredAsynchronous() {
        #expect(Handler { _ in await Task.yield(); return "text" }.synchronous == nil)
        #expect(Handler { request in Response.text(String(decoding: try await request.data(), as: UTF8.self)) }.synchronous == nil)
        #expect(Handler { _ in await Task.yield(); return Point(x: 1) }.synchronous == nil)
    }

    @Test("both forms give the same answer", arguments: ["/", "/point", "/gone", "/boom"])
    func sameAnswer(_ path: String) async throws {
        let handler = Handler { request -> Response in
            switch request.pathInfo {
            case "/point": return try Response.json(encoding: Point(x: 3))
            case "/gone": throw HTTPError(.gone, "Moved away.")
            case "/boom": throw Boom()
            default: return Response.text("hello")
            }
        }
        #expect(try await BothForms.difference(handler, Request(target: path)) == nil)
    }

    @Test("respondSynchronouslyCatchingErrors: HTTPError keeps its status, other errors are a 500 that reveals nothing")
    func errorsCaught() throws {
        let gone = try #require(Handler { _ in throw HTTPError(.gone) }.respondSynchronouslyCatchingErrors(Request()))
        #expect(gone.status == .gone)
        let boom = try #require(Handler { _ -> Response in throw Boom() }.respondSynchronouslyCatchingErrors(Request()))
        #expect(boom.status == .internalServerError)
        #expect(Handler { _ in await Task.yield(); return "x" }.respondSynchronouslyCatchingErrors(Request()) == nil)
    }

    @Test("withLayers and stacks of synchronous layers keep the synchronous form")
    func stacksKeepIt() throws {
        let terminal = Handler { _ in "end" }
        #expect(terminal.withLayers(["Renamed"]).synchronous != nil)
        #expect(Handler { terminal }.synchronous != nil)
        #expect(Handler { Layers { Layers {} }; terminal }.synchronous != nil)
        let empty = Handler {}
        #expect(empty.synchronous != nil)
        #expect(empty.respondSynchronouslyCatchingErrors(Request())?.status == .notFound)
    }

    @Test("one asynchronous layer anywhere makes the stack asynchronous; the answer is the same")
    func asyncLayerDropsIt() async throws {
        let terminal = Handler { _ in "end" }
        let stack = Handler { Layers { asyncLayer }; terminal }
        #expect(stack.synchronous == nil)
        #expect(try await stack(Request()).collectBody() == Array("end".utf8))
        #expect(Handler { asyncLayer; Handler { _ in await Task.yield(); return "x" } }.synchronous == nil)
    }

    @Test("a choosing layer is synchronous exactly when all its candidates are")
    func choosing() async throws {
        let a = Handler { _ in "a" }, b = Handler { _ in "b" }
        let slow = Handler { _ in await Task.yield(); return "slow" }
        let pick: @Sendable (Handler, Handler) -> Handler = { first, second in
            Handler.choosing(among: [first, second]) { request in
                switch request.pathInfo {
                case "/first": return .handler(first, request)
                case "/direct": return .response(Response.text("direct", status: .accepted))
                case "/refused": throw HTTPError(.forbidden)
                default: return .handler(second, request)
                }
            }
        }
        let both = pick(a, b)
        #expect(both.synchronous != nil)
        #expect(pick(a, slow).synchronous == nil)
        for (path, body) in [("/first", "a"), ("/other", "b"), ("/direct", "direct")] {
            let inline = try #require(both.respondSynchronouslyCatchingErrors(Request(target: path)))
            #expect(try await inline.collectBody() == Array(body.utf8))
            #expect(try await both(Request(target: path)).collectBody() == Array(body.utf8))
        }
        #expect(both.respondSynchronouslyCatchingErrors(Request(target: "/refused"))?.status == .forbidden)
        #expect(try await pick(a, slow)(Request(target: "/x")).collectBody() == Array("slow".utf8))
    }

    @Test("a choosing layer that picks a handler outside its candidates answers 500 instead of crashing")
    func choosingOutsideCandidates() {
        let outsider = Handler { _ in await Task.yield(); return "outside" }
        let layer = Handler.choosing(among: [Handler { _ in "in" }]) { request in .handler(outsider, request) }
        #expect(layer.respondSynchronouslyCatchingErrors(Request())?.status == .internalServerError)
    }

    @Test("the README's layer with both forms stays synchronous over a synchronous handler, and asynchronous otherwise")
    func readmeLayer() async throws {
        let inline = Handler { BothFormsServerHeader(); Handler { _ in "hi" } }
        #expect(inline.synchronous != nil)
        #expect(inline.respondSynchronouslyCatchingErrors(Request())?.headers["Server"] == "Werk")
        #expect(try await BothForms.difference(inline, Request()) == nil)
        let tasked = Handler { BothFormsServerHeader(); Handler { _ in await Task.yield(); return "hi" } }
        #expect(tasked.synchronous == nil)
        #expect(try await tasked(Request()).headers["Server"] == "Werk")
    }
}
