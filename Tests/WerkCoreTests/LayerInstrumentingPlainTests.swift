import Testing
import Synchronization
@testable import WerkCore
import WerkTesting

/// An instrumenter that asks for the plain layers: requests carrying `X-Skip-<label>` go down them
/// (as a sampling profiler sends the requests it does not sample); it logs its instrumented layers as
/// `>label+name` / `<label+name` like ``Tracer``.
private struct Sampler: LayerInstrumenting {
    let tracer: Tracer
    let label: String
    let plainBuilds: CoreRecorder<String>

    init(_ label: String, log: CoreRecorder<String>, plainBuilds: CoreRecorder<String> = CoreRecorder()) {
        tracer = Tracer(label, log: log)
        self.label = label
        self.plainBuilds = plainBuilds
    }

    var name: String { "Sampler(\(label))" }

    func wrap(_ next: Handler) -> Handler { next }

    func wrap(_ next: Handler, plain: () -> Handler) -> Handler {
        let plain = plain()
        plainBuilds.append(label)
        let skip = "X-Skip-" + label
        return Handler.choosing(among: [next, plain]) { request in
            .handler(request.headers.contains(skip) ? plain : next, request)
        }
    }

    func instrument(_ layer: Handler, _ info: LayerInfo) -> Handler { tracer.instrument(layer, info) }
}

/// Counts how many times it is wrapped (each composition of the layers around it).
private struct WrapCounter: Middleware {
    let wraps: CoreRecorder<Int>
    func wrap(_ next: Handler) -> Handler {
        wraps.append(1)
        return next.mapRequest { $0 }
    }
}

@Suite("Layer instrumenting: the plain layers")
struct LayerInstrumentingPlainTests {
    @Test("an instrumenter that asks for the plain layers sends skipped requests through them, uninstrumented")
    func plainLayers() async throws {
        let log = CoreRecorder<String>()
        let app = Stack {
            Sampler("s.", log: log)
            Mark("a")
            Handler { _ in "ok" }
        }
        let client = TestClient(app)
        let sampled = try await client.get("/")
        #expect(sampled.text == "ok" && sampled.headers["X-Mark"] == "a")
        #expect(log.values == [">s.Mark(a)", ">s.Handler", "<s.Handler", "<s.Mark(a)"])
        let skipped = try await client.get("/", headers: ["X-Skip-s.": "1"])
        #expect(skipped.text == "ok" && skipped.headers["X-Mark"] == "a")
        #expect(log.values.count == 4)
        #expect(app.synchronous != nil)
        #expect(app.layers == ["Sampler(s.)", "Mark(a)", "Handler"])
    }

    @Test("the plain layers are built only for an instrumenter that asks, and once per set of instrumenters left out")
    func buildsOnDemand() {
        let wraps = CoreRecorder<Int>(), log = CoreRecorder<String>()
        _ = Stack { Tracer(log: log); WrapCounter(wraps: wraps); Handler { _ in "ok" } }
        #expect(wraps.values.count == 1)
        let one = CoreRecorder<Int>()
        _ = Stack { Sampler("a", log: log); WrapCounter(wraps: one); Handler { _ in "ok" } }
        #expect(one.values.count == 2)
        let two = CoreRecorder<Int>(), builds = CoreRecorder<String>()
        _ = Stack {
            Sampler("a", log: log, plainBuilds: builds)
            Tracer(log: log)
            Sampler("b", log: log, plainBuilds: builds)
            WrapCounter(wraps: two)
            Handler { _ in "ok" }
        }
        #expect(two.values.count == 4)
        #expect(builds.values.sorted() == ["a", "b", "b"])
    }

    @Test("with three instrumenters, each skipped one leaves the others' instrumentation in place", arguments: [
        ([String](), [">a.Mark(1)", ">a.Tracer(t.)", ">a.Mark(2)", ">t.Mark(2)", ">a.Sampler(b.)", ">t.Sampler(b.)",
                      ">a.Mark(3)", ">t.Mark(3)", ">b.Mark(3)", ">a.Handler", ">t.Handler", ">b.Handler"]),
        (["a."], [">t.Mark(2)", ">t.Sampler(b.)", ">t.Mark(3)", ">b.Mark(3)", ">t.Handler", ">b.Handler"]),
        (["b."], [">a.Mark(1)", ">a.Tracer(t.)", ">a.Mark(2)", ">t.Mark(2)", ">a.Sampler(b.)", ">t.Sampler(b.)",
                  ">a.Mark(3)", ">t.Mark(3)", ">a.Handler", ">t.Handler"]),
        (["a.", "b."], [">t.Mark(2)", ">t.Sampler(b.)", ">t.Mark(3)", ">t.Handler"]),
    ])
    func threeInstrumenters(skipping: [String], entered: [String]) async throws {
        let log = CoreRecorder<String>()
        let app = Stack {
            Sampler("a.", log: log)
            Mark("1")
            Tracer("t.", log: log)
            Mark("2")
            Sampler("b.", log: log)
            Mark("3")
            Handler { _ in "ok" }
        }
        #expect(app.synchronous != nil)
        var request = Request(target: "/")
        for label in skipping { request.headers.add("X-Skip-" + label, "1") }
        let response = try #require(app.respondSynchronouslyCatchingErrors(request))
        #expect(response.headers.values(for: "X-Mark") == ["3", "2", "1"])
        #expect(log.values.filter { $0.hasPrefix(">") } == entered)
        #expect(log.values.filter { $0.hasPrefix("<") }.count == entered.count)
        let asynchronously = try await app(request)
        #expect(asynchronously.headers.values(for: "X-Mark") == ["3", "2", "1"])
        #expect(log.values.count == 4 * entered.count)
    }

    @Test("the plain layers keep an asynchronous layer asynchronous and marked")
    func asynchronousPlainLayers() async throws {
        let log = CoreRecorder<String>()
        let app = Stack {
            Sampler("s.", log: log)
            MiddlewareFunction("Awaiting") { request, next in try await next(request) }
            Handler { _ in "ok" }
        }
        #expect(app.synchronous == nil)
        #expect(app.layers == ["Sampler(s.)", "Awaiting \(Handler.asyncMark)", "Handler"])
        #expect(try await TestClient(app).get("/", headers: ["X-Skip-s.": "1"]).text == "ok")
        #expect(log.values.isEmpty)
        #expect(try await TestClient(app).get("/").text == "ok")
        #expect(log.values == [">s.Awaiting", ">s.Handler", "<s.Handler", "<s.Awaiting"])
    }
}
