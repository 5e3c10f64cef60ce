import Werk
import WerkBenchmarks

/// Routing: trie matching with 10, 100 and 1 000 rules (static and with an `<int>`), a linear scan
/// over the same rules as the baseline, time against path length, the whole Router layer, and URL
/// building.
func runRoutingBenchmarks(_ report: BenchmarkReport) async throws {
    let binding = URLMap.Binding(serverName: "example.com")
    let iterations = 1_000_000

    report.header("Routing: match (ns/op; N rules = N/2 static `/rI/static` + N/2 `/rI/<int:id>`, last rule hit)")
    for count in [10, 100, 1000] {
        let half = count / 2
        let router = Router {
            for i in 0..<half {
                Route("/r\(i)/static", name: "s\(i)") { _ in "s" }
                Route("/r\(i)/<int:id>", name: "p\(i)") { _ in "p" }
            }
        }
        let map = router.map
        let staticPath = "/r\(half - 1)/static", paramPath = "/r\(half - 1)/12345"
        precondition(map.match(paramPath, binding: binding).isMatch && map.match(staticPath, binding: binding).isMatch)
        report.add(BenchmarkResult(group: "routing", name: "trie, \(count) rules, static",
                                   nanosecondsPerOp: measure(iterations: iterations) {
                                       blackHole(map.match(staticPath, binding: binding))
                                   }))
        report.add(BenchmarkResult(group: "routing", name: "trie, \(count) rules, <int:id>",
                                   nanosecondsPerOp: measure(iterations: iterations) {
                                       blackHole(map.match(paramPath, binding: binding))
                                   }))
        let scan = LinearRoutes(half: half)
        precondition(scan.match(paramPath) == 2 * half - 1)
        report.add(BenchmarkResult(group: "routing", name: "linear scan, \(count) rules, static",
                                   nanosecondsPerOp: measure(iterations: max(1000, iterations / count)) {
                                       blackHole(scan.match(staticPath))
                                   }))
        report.add(BenchmarkResult(group: "routing", name: "linear scan, \(count) rules, <int:id>",
                                   nanosecondsPerOp: measure(iterations: max(1000, iterations / count)) {
                                       blackHole(scan.match(paramPath))
                                   }))
    }
    report.add(BenchmarkResult(group: "routing", name: "trie, 1000 rules, no match (404)",
                               nanosecondsPerOp: measureMiss(binding: binding, iterations: iterations)))

    report.header("Routing: time vs path length (1 000 rules; a rule D segments deep ending in <int:id>)")
    for depth in [1, 2, 4, 8, 16] {
        let router = Router {
            for i in 0..<999 { Route("/x\(i)/<int:id>") { _ in "x" } }
            Route((0..<depth - 1).map { "/seg\($0)" }.joined() + "/<int:id>") { _ in "deep" }
        }
        let map = router.map
        let path = (0..<depth - 1).map { "/seg\($0)" }.joined() + "/42"
        precondition(map.match(path, binding: binding).isMatch)
        report.add(BenchmarkResult(group: "routing", name: "trie, \(depth) segments",
                                   nanosecondsPerOp: measure(iterations: iterations) {
                                       blackHole(map.match(path, binding: binding))
                                   }))
    }

    report.header("Routing: the Router layer and URL building (1 000 rules)")
    let router = Router {
        for i in 0..<500 {
            Route("/r\(i)/static", name: "s\(i)") { _ in Response() }
            Route("/r\(i)/<int:id>", name: "p\(i)") { _ in Response() }
        }
    }
    let app = router.handler
    let request = Request(method: .get, target: "/r499/12345", headers: ["Host": "example.com"])
    let bare = Handler { _ in Response() }
    let bareNs = try await measureAsync(iterations: iterations) { blackHole(try await bare(request)) }
    report.add(BenchmarkResult(group: "routing", name: "bare Handler call (reference for the next line)",
                               nanosecondsPerOp: bareNs))
    let routedNs = try await measureAsync(iterations: iterations) { blackHole(try await app(request)) }
    report.add(BenchmarkResult(group: "routing", name: "Router handler call, <int:id> (match + storage)",
                               nanosecondsPerOp: routedNs,
                               note: "router layer \(Int((routedNs - bareNs).rounded())) ns"))
    // The same through WerkBenchmarks: median, p99 and allocations per request.
    var stacks = BenchmarkSuite("routing stacks", requests: [.get("/r499/12345", headers: [("Host", "example.com")])])
    stacks.add("bare Handler", baseline: true, bare)
    stacks.add("Router, 1 000 rules, <int:id>", app)
    stacks.add("Router, 1 000 rules, no match (404)", requests: [.get("/nothing/here")], app)
    await runLibrarySuite(stacks, report)

    let map = router.map
    report.add(BenchmarkResult(group: "routing", name: "build /r250/<int:id>",
                               nanosecondsPerOp: try measure(iterations: iterations) {
                                   blackHole(try map.build("p250", [("id", 42)], context: binding))
                               }))
    report.add(BenchmarkResult(group: "routing", name: "build with query (?q=a+b&page=2)",
                               nanosecondsPerOp: try measure(iterations: iterations / 2) {
                                   blackHole(try map.build("p250", [("id", 42), ("q", "a b"), ("page", 2)],
                                                           context: binding))
                               }))
    report.add(BenchmarkResult(group: "routing", name: "build external",
                               nanosecondsPerOp: try measure(iterations: iterations) {
                                   blackHole(try map.build("p250", [("id", 42)], external: true, context: binding))
                               }))
}

private func measureMiss(binding: URLMap.Binding, iterations: Int) -> Double {
    let router = Router {
        for i in 0..<500 {
            Route("/r\(i)/static") { _ in "s" }
            Route("/r\(i)/<int:id>") { _ in "p" }
        }
    }
    let map = router.map
    return measure(iterations: iterations) { blackHole(map.match("/nothing/here", binding: binding)) }
}

extension RouteMatchResult {
    fileprivate var isMatch: Bool { if case .matched = self { true } else { false } }
}

/// The baseline: the same rules checked one by one, as a router without a trie does.
private struct LinearRoutes {
    enum Segment { case text(Substring), int }
    let routes: [[Segment]]

    init(half: Int) {
        var routes: [[Segment]] = []
        for i in 0..<half {
            routes.append([.text("r\(i)"), .text("static")])
            routes.append([.text("r\(i)"), .int])
        }
        self.routes = routes
    }

    func match(_ path: String) -> Int? {
        let parts = path.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
        for (index, route) in routes.enumerated() where route.count == parts.count {
            var ok = true
            for (segment, part) in zip(route, parts) {
                switch segment {
                case .text(let text): ok = text == part
                case .int: ok = !part.isEmpty && part.utf8.allSatisfy { $0 &- 48 < 10 }
                }
                if !ok { break }
            }
            if ok { return index }
        }
        return nil
    }
}
