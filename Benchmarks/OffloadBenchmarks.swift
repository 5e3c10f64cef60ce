// `swift run -c release Benchmarks offload`: what a plain GET waits while 20 password checks (scrypt,
// Werkzeug's default cost) are in flight on a server with one event loop: checked on the loop (the
// synchronous PasswordHash.check inside a handler) against offloaded (`try await PasswordHash.check`,
// on WorkerPool.shared). Loopback only; 20 logins and 10 GETs per mode.

#if canImport(Glibc)
import Glibc
#endif
import Werk

func runOffloadBenchmarks(_ report: BenchmarkReport) async throws {
    let hash = try await PasswordHash.generate("correct horse")   // scrypt, Werkzeug's default parameters
    let app = Handler { request -> Response in
        switch request.pathInfo {
        case "/login-on-loop":
            let check: (String, String) -> Bool = PasswordHash.check   // the synchronous form, on the loop
            return .text(check(hash, "correct horse") ? "ok" : "no")
        case "/login":
            return .text(try await PasswordHash.check(hash, "correct horse") ? "ok" : "no")
        default:
            return .text("hello")
        }
    }
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.eventLoops = 1
    let server = Server(app, configuration: configuration)
    let address = try server.start()
    defer { Task { await server.shutdown() } }

    print("\nOffload: GET latency while 20 scrypt checks are in flight (1 event loop, \(WorkerPool.shared.threads) pool threads)")
    print("  \("logins".padding(34)) \("GET p50".leftPadding(10)) \("GET max".leftPadding(10)) \("20 logins".leftPadding(10))")
    for (label, path) in [("checked on the event loop", "/login-on-loop"), ("offloaded (await PasswordHash.check)", "/login")] {
        let start = monotonicNanoseconds()
        let (latencies, loginsDone) = try await withThrowingTaskGroup(of: UInt64?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    _ = try await TestClient(transport: LiveTransport(address)).get(path)
                    return nil
                }
            }
            var latencies: [UInt64] = []
            let client = TestClient(transport: LiveTransport(address))
            _ = try await client.get("/")   // the connection is open before the measured GETs
            for _ in 0..<10 {
                let before = monotonicNanoseconds()
                _ = try await client.get("/")
                latencies.append(monotonicNanoseconds() - before)
            }
            for try await _ in group {}
            return (latencies.sorted(), monotonicNanoseconds() - start)
        }
        func ms(_ ns: UInt64) -> String { "\(Double(ns / 10_000) / 100) ms" }
        print("  \(label.padding(34)) \(ms(latencies[latencies.count / 2]).leftPadding(10)) "
              + "\(ms(latencies.last ?? 0).leftPadding(10)) \(ms(loginsDone).leftPadding(10))")
    }
    fflush(nil)
}
