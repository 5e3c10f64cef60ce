#if canImport(Glibc)
import Glibc
#endif
import Testing
import WerkServer
@testable import WerkBenchmarks

/// A reference type, so that making one is a heap allocation.
private final class Box: @unchecked Sendable { var value = 0 }

/// The runners against real stacks: what they return, never how fast (the counter is process-wide,
/// hence one serialized suite and lower bounds only).
@Suite("Benchmark runners", .serialized)
struct RunnerTests {
    @Test("the allocation counter sees heap allocations")
    func counter() throws {
        try #require(AllocationCounter.isAvailable, "the interposed malloc is not the one in use")
        let counted = try #require(AllocationCounter.count {
            for _ in 0..<100 { blackHole(Box()) }
        })
        #expect(counted.allocations >= 100)
        #expect(counted.frees >= 100)
        #expect(counted.bytes >= 100 * 16)
    }

    @Test("the in-process runner calls the synchronous form when there is one, and counts allocations")
    func inProcess() async throws {
        var options = InProcessOptions()
        options.rounds = 5
        options.targetRoundNanoseconds = 100_000
        options.warmupRequests = 10
        options.allocationRequests = 50
        let runner = InProcessRunner(options: options)
        let synchronous = await runner.measure(Handler { _ in Response.text("\(Box().value)") }, requests: [.get("/")])
        #expect(synchronous.synchronous)
        #expect(synchronous.roundNanoseconds.count == 5)
        #expect(synchronous.roundNanoseconds.median > 0)
        #expect(synchronous.requestsPerRound >= 1)
        #expect(try #require(synchronous.allocationsPerRequest) >= 1)
        let async = await runner.measure(Handler { (_: Request) async throws -> Response in Response.text("async") },
                                         requests: [.get("/a"), .get("/b")])
        #expect(!async.synchronous)
        #expect(async.roundNanoseconds.minimum <= async.roundNanoseconds.p99)
    }

    @Test("stack differencing names every layer, outermost first")
    func layerCosts() async {
        var options = InProcessOptions()
        options.rounds = 3
        options.targetRoundNanoseconds = 50_000
        options.warmupRequests = 10
        options.allocationRequests = 1
        let layers: [any Middleware] = [MiddlewareFunction("Outer") { request, next in try await next(request) },
                                        MiddlewareFunction("Inner") { request, next in try await next(request) }]
        let costs = await StackDifferencing().costs(layers: layers, terminal: Handler { _ in "ok" },
                                                    requests: [.get("/")], runner: InProcessRunner(options: options))
        #expect(costs.map(\.layer) == ["Outer", "Inner"])
        #expect(costs.allSatisfy { $0.allocations != nil })
        #expect(StackDifferencing().label.contains("differencing"))
    }

    @Test("the load generator gets every response back, closed loop, pipelined and at a constant rate",
          arguments: [(1, nil), (4, nil), (1, 400.0)] as [(Int, Double?)])
    func load(pipeline: Int, rate: Double?) async throws {
        var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
        configuration.accessLog = false
        configuration.eventLoops = 1
        let server = Server(Handler { request in Response.text(request.pathInfo) }, configuration: configuration)
        let port = try #require(try server.start().port)
        var options = LoadOptions()
        options.connections = 4
        options.threads = 2
        options.durationSeconds = 0.3
        options.maximumRequests = 2_000
        options.pipeline = pipeline
        options.rate = rate
        let result = await LoadGenerator.run(port: port, requests: [.get("/a"), BenchmarkRequest(method: .head, target: "/b"), .post("/c", body: [1, 2, 3])], options: options)
        await server.shutdown()
        let load = try #require(result)
        #expect(load.requests > 0)
        #expect(load.requests <= 2_000 + 4 * pipeline)
        #expect(load.socketErrors == 0)
        #expect(load.errorResponses == 0)
        #expect(load.latency.p50 != nil && load.latency.p999 != nil)
        #expect(try #require(load.latency.p50) <= (try #require(load.latency.p999)))
    }

    @Test("a suite records in-process, per-layer and over-the-wire results into the session")
    func suite() async throws {
        var arguments = try BenchmarkArguments.parse(["--mode", "both", "--rounds", "3", "--duration", "0.2",
                                                      "--connections", "2", "--threads", "1", "--no-progress"])
        arguments.load.maximumRequests = 500
        let session = BenchmarkSession(arguments: arguments)
        let hello = Handler { _ in "Hello" }
        var suite = BenchmarkSuite("app")
        suite.add("bare", baseline: true, hello)
        suite.add("layered", layers: [MiddlewareFunction("Pass") { request, next in try await next(request) }], terminal: hello)
        await suite.run(in: session)
        let records = session.records
        #expect(records.map(\.identifier) == ["app/bare", "app (wire)/bare", "app/layered",
                                              "app: per layer/layered › Pass", "app (wire)/layered"])
        #expect(records[0].isBaseline && records[0][.nanoseconds] != nil && records[0][.allocations] != nil)
        #expect(records[1][.requestsPerSecond] != nil && records[1][.latencyP99] != nil && records[1][.cpuPerRequest] != nil)
        #expect(records[3][.layerNanoseconds] != nil && records[3][.allocations] != nil)
        #expect(suite.selectedCases(["lay"]).map(\.name) == ["layered"])
        #expect(suite.selectedCases(["app"]).count == 2)
    }

    @Test("finishing a session writes the JSON, and comparing with a worse baseline exits 1, a bad one 2")
    func finish() throws {
        var template = Array("/tmp/werk-bench-test-XXXXXX".utf8CString)
        let made = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) })
        let directory = String(cString: made)
        defer { for name in ["out.json", "base.json", "bad.json", "c.svg"] { unlink(directory + "/" + name) }; rmdir(directory) }
        func session(_ extra: [String]) throws -> BenchmarkSession {
            let session = BenchmarkSession(arguments: try BenchmarkArguments.parse(["--no-progress"] + extra))
            session.record(BenchmarkRecord(group: "g", name: "case", values: ["ns": 100, "allocs": 2]))
            return session
        }
        #expect(try session(["--json", directory + "/out.json", "--svg", directory + "/c.svg"]).finish(printTables: false) == 0)
        let written = try BenchmarkResults(contentsOf: directory + "/out.json")
        #expect(written.records.first?[.nanoseconds] == 100)
        #expect(try session(["--compare", directory + "/out.json"]).finish(printTables: false) == 0)
        try BenchmarkResults(records: [BenchmarkRecord(group: "g", name: "case", values: ["ns": 100, "allocs": 1])], environment: [:])
            .write(to: directory + "/base.json")
        #expect(try session(["--compare", directory + "/base.json", "--threshold", "5%"]).finish(printTables: false) == 1)
        #expect(try session(["--compare", directory + "/missing.json"]).finish(printTables: false) == 2)
    }
}
