import Werk
import WerkBenchmarks

/// A middleware that only passes the request on: the cost of one layer.
struct PassThrough: Middleware {
    func wrap(_ next: Handler) -> Handler { Handler { request in try await next(request) } }
}

/// A synchronous layer that hands the request on through `mapRequest`.
struct RequestMapping: Middleware {
    func wrap(_ next: Handler) -> Handler { next.mapRequest { $0 } }
}

/// A synchronous layer that hands the response back through `mapResponse`.
struct ResponseMapping: Middleware {
    func wrap(_ next: Handler) -> Handler { next.mapResponse { _, response in response } }
}

func runCoreBenchmarks(_ report: BenchmarkReport) async throws {
    report.header("Core: handler calls and stacks (ns/op, best of 5 rounds)")
    let hello = Handler { _ in Response.text("Hello") }
    let request = Request(method: .get, target: "/hello?name=world", headers: ["Host": "localhost"])
    let iterations = 1_000_000

    let bare = try await measureAsync(iterations: iterations) { blackHole(try await hello(request)) }
    report.add(BenchmarkResult(group: "core", name: "bare Handler call", nanosecondsPerOp: bare))
    let inline = measure(iterations: iterations) { blackHole(hello.respondSynchronouslyCatchingErrors(request)) }
    report.add(BenchmarkResult(group: "core", name: "bare Handler, synchronous form (the server's inline call)",
                               nanosecondsPerOp: inline))
    for depth in [1, 5, 10, 20] {
        let app = Stack {
            for _ in 0..<depth { PassThrough() }
            hello
        }
        let ns = try await measureAsync(iterations: iterations) { blackHole(try await app(request)) }
        let perLayer = (ns - bare) / Double(depth)
        report.add(BenchmarkResult(group: "core", name: "stack of \(depth) pass-through middleware",
                                   nanosecondsPerOp: ns,
                                   note: "per layer \(Int(perLayer.rounded())) ns"))
    }

    // The same stacks through WerkBenchmarks: median and p99 over rounds, allocations per request,
    // and what each layer of a 5-layer stack costs (by differencing stacks of 0...5 layers).
    var stacks = BenchmarkSuite("core stacks", requests: [.get("/hello?name=world")])
    stacks.add("bare Handler (synchronous form)", baseline: true, hello)
    stacks.add("bare Handler, async only", Handler { (_: Request) async throws -> Response in Response.text("Hello") })
    stacks.add("1 pass-through layer", Stack { PassThrough(); hello })
    stacks.add("5 pass-through layers", layers: Array(repeating: PassThrough(), count: 5), terminal: hello)
    stacks.add("20 pass-through layers", Stack { for _ in 0..<20 { PassThrough() }; hello })
    stacks.add("5 mapRequest layers (synchronous)", layers: Array(repeating: RequestMapping(), count: 5), terminal: hello)
    stacks.add("5 mapResponse layers (synchronous)", layers: Array(repeating: ResponseMapping(), count: 5), terminal: hello)
    await runLibrarySuite(stacks, report)

    report.header("Core: parsing (ns/op)")
    let query = "q=swift+web&page=2&tags=a&tags=b&empty=&utf8=%C3%BC%C3%A9"
    report.add(BenchmarkResult(group: "core", name: "query parse (6 pairs, escapes)",
                               nanosecondsPerOp: try measure(iterations: 200_000) { blackHole(try URLQuery.parse(query)) }))
    let headers: Headers = [
        "Host": "example.com", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)", "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en-US,en;q=0.5", "Accept-Encoding": "gzip, deflate, br", "Cookie": "session=abc.def.ghi; theme=dark; _ga=GA1.2.3",
        "Connection": "keep-alive", "Cache-Control": "max-age=0",
    ]
    report.add(BenchmarkResult(group: "core", name: "header lookup (last of 8, case-insensitive)",
                               nanosecondsPerOp: measure(iterations: 1_000_000) { blackHole(headers["cache-control"]) }))
    report.add(BenchmarkResult(group: "core", name: "Accept header parse + best match",
                               nanosecondsPerOp: measure(iterations: 200_000) {
                                   blackHole(MIMEAccept(parsing: headers["Accept"]).bestMatch(["application/json", "text/html"]))
                               }))
    report.add(BenchmarkResult(group: "core", name: "Cookie header parse (3 cookies)",
                               nanosecondsPerOp: measure(iterations: 200_000) { blackHole(Cookies.parse(headers["Cookie"]!)) }))
    report.add(BenchmarkResult(group: "core", name: "Request init (origin-form target, 8 headers)",
                               nanosecondsPerOp: measure(iterations: 500_000) {
                                   blackHole(Request(method: .get, target: "/users/42/posts?page=2", headers: headers))
                               }))
}
