import Werk

/// Proxies: the per-request cost of ProxyFix and Lint, and the HTTP client and reverse proxy against a
/// local server (loopback, one connection, kept alive).
func runProxyBenchmarks(_ report: BenchmarkReport) async throws {
    report.header("ProxyFix and Lint: per request, synchronous stack (ns/op, best of 5 rounds)")
    let hello = Handler { _ in Response.text("ok") }
    let forwarded: Headers = ["Host": "internal:8080", "X-Forwarded-For": "203.0.113.7, 10.0.0.5", "X-Forwarded-Proto": "https",
                              "X-Forwarded-Host": "example.com", "Forwarded": "for=203.0.113.7;proto=https, for=10.0.0.5"]
    let request = Request(target: "/", headers: forwarded, remoteAddress: "10.0.0.1")
    let plain = Request(target: "/", headers: ["Host": "example.com"], remoteAddress: "10.0.0.1")
    let cases: [(String, Handler, Request)] = [
        ("handler alone", hello, request),
        ("ProxyFix(forwardedFor: 1, proto: 1), no X-Forwarded headers", Stack { ProxyFix(); hello }, plain),
        ("ProxyFix(forwardedFor: 2, proto: 1, host: 1)", Stack { ProxyFix(forwardedFor: 2, proto: 1, host: 1); hello }, request),
        ("ProxyFix(forwarded: 2)", Stack { ProxyFix(forwarded: 2); hello }, request),
        ("ProxyFix(trustedProxies: private ranges)",
         Stack { ProxyFix(trustedProxies: AddressRange.loopback + AddressRange.privateNetworks); hello }, request),
        ("Lint, a clean text response", Stack { Lint(report: { _ in }); hello }, plain),
    ]
    for (name, handler, request) in cases {
        guard let synchronous = handler.synchronous else { continue }
        report.add(BenchmarkResult(group: "proxies", name: name,
                                   nanosecondsPerOp: try measure(iterations: 200_000) { blackHole(try synchronous(request)) }))
    }

    report.header("HTTPClient and HTTPProxy on loopback (µs/request; MiB/s for bodies)")
    let chunk = [UInt8](repeating: 7, count: 1 << 20)
    let upstream = Handler { request in
        if request.pathInfo == "/big" {
            let body = ByteStream { writer in for _ in 0..<64 { try await writer.write(chunk) } }
            return Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: .stream(body, length: 64 << 20))
        }
        return Response.text("ok")
    }
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.eventLoops = 1
    let server = Server(upstream, configuration: configuration)
    let address = try server.start()
    let endpoint = HTTPEndpoint(host: "127.0.0.1", port: address.port ?? 0)
    let client = HTTPClient()
    let small = ClientRequest(endpoint: endpoint, target: "/")
    let perRequest = try await measureAsync(iterations: 5_000, rounds: 3) {
        blackHole(try await client.send(small).collect())
    }
    report.add(BenchmarkResult(group: "client", name: "GET, 2-byte body, kept-alive connection", nanosecondsPerOp: perRequest,
                               note: "\(Int(1e9 / perRequest)) req/s"))
    let big = ClientRequest(endpoint: endpoint, target: "/big")
    let download = try await measureAsync(iterations: 5, rounds: 3) {
        var total = 0
        for try await piece in try await client.send(big).body { total += piece.count }
        blackHole(total)
    }
    report.add(BenchmarkResult(group: "client", name: "GET 64 MiB streamed body", nanosecondsPerOp: download,
                               note: "\(Int(64 * 1e9 / download)) MiB/s"))
    let proxy = Stack { HTTPProxy(["/": .init(endpoint: endpoint)], client: client) }
    let proxied = Request(target: "/", headers: ["Host": "example.com"], remoteAddress: "127.0.0.1")
    let viaProxy = try await measureAsync(iterations: 5_000, rounds: 3) {
        blackHole(try await proxy(proxied).collectBody())
    }
    report.add(BenchmarkResult(group: "proxy", name: "HTTPProxy in process → upstream, 2-byte body", nanosecondsPerOp: viaProxy,
                               note: "\(Int(1e9 / viaProxy)) req/s"))
    await server.shutdown()
}
