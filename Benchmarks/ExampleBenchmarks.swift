// The Benchmarks article's example, as a suite: `swift run -c release Benchmarks example --mode both`
// produces the article's table. Keep the stacks the same as the article's `main.swift`.

import Werk
import WerkBenchmarks

func runExampleBenchmarks(_ report: BenchmarkReport) async throws {
    let router = Router {
        Route("/") { _ in "Hello, World!" }
        Route("/users/<int:id>") { request in JSON.object(["id": .int(request.route.int("id") ?? 0)]) }
    }
    var suite = BenchmarkSuite("app", requests: [.get("/"), .get("/users/42")])
    suite.add("router", baseline: true, router)
    suite.add("+ TrustedHosts, ProxyFix", Stack { TrustedHosts(["127.0.0.1"]); ProxyFix(); router })
    suite.add("+ sessions", layers: [TrustedHosts(["127.0.0.1"]), ProxyFix(), Sessions(secretKeys: ["change me"])],
              terminal: router)
    await runLibrarySuite(suite, report)

    // The same layers measured by the Profiler instead of by differencing (issue 17's "per-layer
    // cost where the Profiler is present").
    var profiled = BenchmarkSuite("app, layers timed by the Profiler", requests: [.get("/"), .get("/users/42")])
    profiled.layerCosts = ProfilerLayerCosts()
    profiled.add("+ sessions", layers: [TrustedHosts(["127.0.0.1"]), ProxyFix(), Sessions(secretKeys: ["change me"])],
                 terminal: router)
    await runLibrarySuite(profiled, report)
}
