// `swift run Demo`: serves the demo stack on http://127.0.0.1:8080 (`swift run Demo --help` lists the
// options; HOST and PORT set the defaults). A bad option or value exits with status 2, a port
// already in use with status 1 and "Address already in use".
// Set WERK_SECRET_KEY to keep sessions valid across restarts; otherwise a random key is used (one
// for the supervisor and all its workers with --workers N: each worker runs this file again).
// WERK_BEHIND_PROXY=1 trusts one proxy's X-Forwarded-* headers (ProxyFix); WERK_DEBUG=1 adds the Debugger
// (/boom shows its crash page; the PIN is printed at start) and Lint.
#if canImport(Glibc)
import Glibc
#endif
import Werk

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

let configuration = Server.Configuration.fromCommandLine()
if environment("WERK_SECRET_KEY") == nil { setenv("WERK_SECRET_KEY", try randomToken(bytes: 32), 1) }
var options = DemoApp.Options(secretKey: environment("WERK_SECRET_KEY") ?? "")
options.behindProxy = environment("WERK_BEHIND_PROXY") == "1"
options.debug = environment("WERK_DEBUG") == "1"
await Server(DemoApp.make(options), configuration: configuration).runOrExit()
