// `swift run Demo`: serves the demo stack on http://127.0.0.1:8080 (`swift run Demo --help` lists the
// options; HOST and PORT set the defaults). A bad option or value exits with status 2, a port
// already in use with status 1 and "Address already in use".
// Set WERK_SECRET_KEY to keep sessions valid across restarts; otherwise a random key is used.
#if canImport(Glibc)
import Glibc
#endif
import Werk

let configuration = Server.Configuration.fromCommandLine()
let secret = try getenv("WERK_SECRET_KEY").map { String(cString: $0) } ?? randomToken(bytes: 32)
await Server(DemoApp.make(secretKey: secret), configuration: configuration).runOrExit()
