// `swift run Demo`: serves the demo stack on http://127.0.0.1:8080 (PORT and HOST override).
// Set WERK_SECRET_KEY to keep sessions valid across restarts; otherwise a random key is used.
#if canImport(Glibc)
import Glibc
#endif
import Werk

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

let secret = try environment("WERK_SECRET_KEY") ?? randomToken(bytes: 32)
let port = environment("PORT").flatMap(Int.init) ?? 8080

var configuration = Server.Configuration(host: environment("HOST") ?? "127.0.0.1", port: port)
configuration.accessLog = true
try await Server(DemoApp.make(secretKey: secret), configuration: configuration).run()
