import Testing
@testable import WerkCore
import WerkTesting

/// Records, per request, every layer it instrumented as `>name` on entry and `<name` on exit
/// (`!name` when the layer threw), in one shared log; each layer keeps both handler forms.
struct Tracer: LayerInstrumenting {
    let log: CoreRecorder<String>
    let seen: CoreRecorder<LayerInfo>
    let label: String

    init(_ label: String = "", log: CoreRecorder<String>, seen: CoreRecorder<LayerInfo> = CoreRecorder()) {
        self.label = label
        self.log = log
        self.seen = seen
    }

    var name: String { label.isEmpty ? "Tracer" : "Tracer(\(label))" }

    func wrap(_ next: Handler) -> Handler { next }

    func instrument(_ layer: Handler, _ info: LayerInfo) -> Handler {
        seen.append(info)
        let log = self.log, tag = label + info.name
        let respond: @Sendable (Request) async throws -> Response = { request in
            log.append(">" + tag)
            do {
                let response = try await layer(request)
                log.append("<" + tag)
                return response
            } catch {
                log.append("!" + tag)
                throw error
            }
        }
        guard let synchronous = layer.synchronous else { return Handler(layers: layer.layers, respond, synchronous: nil) }
        return Handler(layers: layer.layers, respond, synchronous: { request in
            log.append(">" + tag)
            do {
                let response = try synchronous(request)
                log.append("<" + tag)
                return response
            } catch {
                log.append("!" + tag)
                throw error
            }
        })
    }
}

/// Adds a header on the way out; keeps both forms.
struct Mark: Middleware {
    let value: String
    init(_ value: String) { self.value = value }
    var name: String { "Mark(\(value))" }
    func wrap(_ next: Handler) -> Handler {
        let value = self.value
        return next.mapResponse { _, response in
            var response = response
            response.headers.add("X-Mark", value)
            return response
        }
    }
}

/// Awaits around `next` (makes a synchronous stack asynchronous).
private struct Awaiting: Middleware {
    func wrap(_ next: Handler) -> Handler { Handler { request in try await next(request) } }
}

@Suite("Layer instrumenting")
struct LayerInstrumentingTests {
    @Test("an instrumenter is handed every layer inside it, with name, depth and position, and none outside it")
    func seesInnerLayers() async throws {
        let log = CoreRecorder<String>(), seen = CoreRecorder<LayerInfo>()
        let app = Stack {
            Mark("outside")
            Tracer(log: log, seen: seen)
            Mark("a")
            Mark("b")
            Handler { _ in "ok" }
        }
        #expect(seen.values == [
            LayerInfo(name: "Handler", depth: 3, position: 4, isTerminal: true),
            LayerInfo(name: "Mark(b)", depth: 2, position: 3),
            LayerInfo(name: "Mark(a)", depth: 1, position: 2),
        ])
        #expect(app.layers == ["Mark(outside)", "Tracer", "Mark(a)", "Mark(b)", "Handler"])
        let response = try await TestClient(app).get("/")
        #expect(response.text == "ok")
        #expect(response.headers.values(for: "X-Mark") == ["b", "a", "outside"])
        #expect(log.values == [">Mark(a)", ">Mark(b)", ">Handler", "<Handler", "<Mark(b)", "<Mark(a)"])
    }

    @Test("an instrumented synchronous stack stays synchronous and answers the same in both forms")
    func keepsSynchronousForm() async throws {
        let log = CoreRecorder<String>()
        let app = Stack {
            Tracer(log: log)
            Mark("a")
            Handler { _ in "sync" }
        }
        let synchronous = try #require(app.synchronous)
        let sync = try synchronous(Request(target: "/"))
        #expect(sync.headers["X-Mark"] == "a")
        #expect(log.values == [">Mark(a)", ">Handler", "<Handler", "<Mark(a)"])
        let async = try await app(Request(target: "/"))
        #expect(async.headers["X-Mark"] == "a")
        #expect(log.values.count == 8)
        #expect(!app.description.contains(Handler.asyncMark))
    }

    @Test("an error thrown by the terminal passes out through every instrumented layer")
    func errorsPassThrough() async throws {
        let log = CoreRecorder<String>()
        let app = Stack {
            Tracer(log: log)
            Mark("a")
            Handler { _ in throw HTTPError(.forbidden) }
        }
        #expect(await app.respondCatchingErrors(Request(target: "/")).status == .forbidden)
        #expect(log.values == [">Mark(a)", ">Handler", "!Handler", "!Mark(a)"])
        #expect(app.respondSynchronouslyCatchingErrors(Request(target: "/"))?.status == .forbidden)
    }

    @Test("the layer that makes the stack asynchronous is flagged to the instrumenter and marked in the description")
    func asynchronousLayer() async throws {
        let log = CoreRecorder<String>(), seen = CoreRecorder<LayerInfo>()
        let app = Stack {
            Tracer(log: log, seen: seen)
            Mark("a")
            Awaiting()
            Handler { _ in "ok" }
        }
        #expect(app.synchronous == nil)
        #expect(app.layers == ["Tracer", "Mark(a)", "Awaiting \(Handler.asyncMark)", "Handler"])
        #expect(seen.values.map(\.makesAsynchronous) == [false, true, false])
        #expect(try await TestClient(app).get("/").text == "ok")
        #expect(log.values == [">Mark(a)", ">Awaiting", ">Handler", "<Handler", "<Awaiting", "<Mark(a)"])
    }

    @Test("with two instrumenters, layers inside both go through the nearest one first, then the outer one")
    func nestedInstrumenters() async throws {
        let log = CoreRecorder<String>(), outerSeen = CoreRecorder<LayerInfo>(), innerSeen = CoreRecorder<LayerInfo>()
        let app = Stack {
            Tracer("outer.", log: log, seen: outerSeen)
            Mark("a")
            Tracer("inner.", log: log, seen: innerSeen)
            Handler { _ in "ok" }
        }
        #expect(innerSeen.values.map(\.name) == ["Handler"])
        #expect(outerSeen.values.map(\.description) == ["Handler (depth 3)", "Tracer(inner.) (depth 2)", "Mark(a) (depth 1)"])
        #expect(try await TestClient(app).get("/").text == "ok")
        #expect(log.values == [">outer.Mark(a)", ">outer.Tracer(inner.)", ">outer.Handler", ">inner.Handler",
                               "<inner.Handler", "<outer.Handler", "<outer.Tracer(inner.)", "<outer.Mark(a)"])
    }

    @Test("an instrumenter as the last layer sees the terminal handler only; one without layers sees nothing")
    func edges() async throws {
        let seen = CoreRecorder<LayerInfo>()
        let app = Stack { Mark("a"); Tracer(log: CoreRecorder(), seen: seen) }
        #expect(seen.values == [LayerInfo(name: "NotFound", depth: 1, position: 2, isTerminal: true)])
        #expect(app.layers == ["Mark(a)", "Tracer", "NotFound"])
        #expect(await app.respondCatchingErrors(Request(target: "/")).status == .notFound)
    }
}
