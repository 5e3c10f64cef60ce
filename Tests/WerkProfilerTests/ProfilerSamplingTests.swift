import Testing
import Synchronization
@testable import WerkProfiler
import WerkTesting

/// Values appended from several requests.
private final class Seen<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}

/// Counts how many times it is wrapped (each build of the layers around it).
private struct WrapCounter: Middleware {
    let wraps = Seen<Int>()
    func wrap(_ next: Handler) -> Handler {
        wraps.append(1)
        return next
    }
}

@Suite("Profiler sampling")
struct ProfilerSamplingTests {
    @Test("a request not sampled goes down the layers built without the profiler; a sampled one has every layer timed")
    func unsampledTakesThePlainLayers() async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock) { $0.sampling = .everyNth(2) })
        let seen = Seen<Bool>()
        let app = Stack {
            profiler
            Step(label: "Outer", clock: clock, before: 1, after: 1)
            Step(label: "Inner", clock: clock, before: 2, after: 0)
            Handler { request in
                seen.append(request.profile.isRecording)
                return "ok"
            }
        }
        #expect(app.synchronous != nil)
        #expect(app.layers == ["Profiler", "Outer", "Inner", "Handler"])
        let client = TestClient(app)
        for _ in 0..<3 { #expect(try await client.get("/").text == "ok") }
        #expect(seen.all == [true, false, true])
        #expect(profiler.profiles.count == 2)
        for profile in profiler.profiles {
            #expect(profile.frames.map(\.name) == ["GET", "Outer", "Inner", "Handler"])
            #expect(profile.frames.map(\.selfTime) == [0, 2_000, 2_000, 0])
        }
    }

    @Test("the layers are built a second time only when some requests are not sampled", arguments: [
        (Profiler.Sampling.everyRequest, 1), (.everyNth(10), 2), (.requested(), 2), (.never, 2),
    ])
    func plainLayersBuiltWhenNeeded(sampling: Profiler.Sampling, builds: Int) {
        let counter = WrapCounter()
        _ = Stack {
            Profiler(options: options(FakeClock()) { $0.sampling = sampling })
            counter
            Handler { _ in "ok" }
        }
        #expect(counter.wraps.all.count == builds)
    }
}
