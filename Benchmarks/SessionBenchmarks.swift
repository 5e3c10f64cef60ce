import Werk
import WerkBenchmarks

/// Sessions: the per-request cost of the middleware, and the signing primitives under it.
func runSessionBenchmarks(_ report: BenchmarkReport) async throws {
    report.header("Sessions: middleware per request (ns/op, best of 5 rounds)")
    let key = "benchmark-secret-key"
    let werk = Sessions(secretKeys: [key])
    let flask = Sessions(secretKeys: [key], format: .flask)
    let small: [String: JSON] = ["user_id": 42, "name": "alice", "csrf": "3f2a9c1e7b6d4a5f"]
    let werkCookie = try werk.serializer.encode(json: small)
    let flaskCookie = try flask.serializer.encode(json: small)
    let headers: Headers = ["Host": "localhost", "Cookie": "theme=dark; session=\(werkCookie)"]
    let werkRequest = Request(method: .get, target: "/", headers: headers)
    let flaskRequest = Request(method: .get, target: "/",
                               headers: ["Host": "localhost", "Cookie": "theme=dark; session=\(flaskCookie)"])
    let iterations = 100_000

    let untouched = Stack { werk; Handler { _ in Response.text("ok") } }
    report.add(BenchmarkResult(group: "sessions", name: "session untouched (no crypto, no headers)",
                               nanosecondsPerOp: try await measureAsync(iterations: iterations) {
                                   blackHole(try await untouched(werkRequest))
                               }))
    let reading = Stack { werk; Handler { request in Response.text(request.session.string("name") ?? "") } }
    report.add(BenchmarkResult(group: "sessions", name: "load small session (verify + decode, Vary)",
                               nanosecondsPerOp: try await measureAsync(iterations: iterations) {
                                   blackHole(try await reading(werkRequest))
                               }))
    for (label, sessions, request) in [("Werk format, SHA-256", werk, werkRequest), ("Flask format, SHA-1", flask, flaskRequest)] {
        let app = Stack {
            sessions
            Handler { request in
                let session = request.session
                session["visits"] = .int((session.int("visits") ?? 0) + 1)
                return Response.text("ok")
            }
        }
        report.add(BenchmarkResult(group: "sessions", name: "load + save small session (\(label))",
                                   nanosecondsPerOp: try await measureAsync(iterations: iterations) {
                                       blackHole(try await app(request))
                                   }, note: "target < 10 µs"))
    }

    // The same stacks through WerkBenchmarks: median, p99 and allocations per request.
    let cookie: [(name: String, value: String)] = [("theme", "dark"), ("session", werkCookie)]
    var stacks = BenchmarkSuite("sessions stacks", requests: [.get("/", headers: [("Host", "localhost")], cookies: cookie)])
    stacks.add("session untouched", baseline: true, untouched)
    stacks.add("load small session", reading)
    stacks.add("load + save small session (Werk format)", Stack {
        werk
        Handler { request in
            request.session["visits"] = .int((request.session.int("visits") ?? 0) + 1)
            return Response.text("ok")
        }
    })
    await runLibrarySuite(stacks, report)

    report.header("Sessions: signing (ns/op)")
    let payload = Array(werkCookie.split(separator: ".")[0].utf8)
    for digest in [HashFunction.sha1, .sha256] {
        let signer = try Signer(secretKeys: [key], salt: "werk.session", keyDerivation: .hmac, digest: digest)
        let signature = try signer.signature(for: payload)
        report.add(BenchmarkResult(group: "sessions", name: "HMAC-\(digest.rawValue.uppercased()) sign (\(payload.count)-byte payload)",
                                   nanosecondsPerOp: try measure(iterations: 200_000) { blackHole(try signer.sign(bytes: payload)) }))
        report.add(BenchmarkResult(group: "sessions", name: "HMAC-\(digest.rawValue.uppercased()) verify (\(payload.count)-byte payload)",
                                   nanosecondsPerOp: measure(iterations: 200_000) {
                                       blackHole(signer.verify(payload, signature: signature.utf8))
                                   }))
    }

    report.header("Sessions: cookie encode/decode without the middleware (ns/op)")
    let cart: [String: JSON] = ["user_id": 42, "cart": .array(Array(repeating: "apple", count: 20))]
    let compressed = try flask.serializer.encode(json: cart)
    report.add(BenchmarkResult(group: "sessions", name: "Flask-format load (small, \(flaskCookie.utf8.count) bytes)",
                               nanosecondsPerOp: measure(iterations: 100_000) { blackHole(flask.serializer.decode(flaskCookie)) }))
    report.add(BenchmarkResult(group: "sessions", name: "Flask-format load (zlib, \(compressed.utf8.count) bytes)",
                               nanosecondsPerOp: measure(iterations: 100_000) { blackHole(flask.serializer.decode(compressed)) }))
    report.add(BenchmarkResult(group: "sessions", name: "Werk-format load (small, \(werkCookie.utf8.count) bytes)",
                               nanosecondsPerOp: measure(iterations: 100_000) { blackHole(werk.serializer.decode(werkCookie)) }))
    report.add(BenchmarkResult(group: "sessions", name: "Werk-format save (small)",
                               nanosecondsPerOp: try measure(iterations: 100_000) { blackHole(try werk.serializer.encode(json: small)) }))
}
