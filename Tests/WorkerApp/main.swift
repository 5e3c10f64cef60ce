// The application of the worker tests (Tests/WerkWorkersTests), run as its own process with the
// server's command line (`--workers 2 --port 0 ...`): routes that answer, report the worker's pid,
// trap, spin forever on the event loop, or take a while. Environment:
// WERK_TEST_CRASH_AT_START=1 traps before serving (a crash loop); WERK_TEST_MAX_RESTARTS and
// WERK_TEST_RESTART_WINDOW set the restart intensity (seconds); WERK_TEST_CRASH_DIR the crash
// report folder (the tests remove it).
#if canImport(Glibc)
import Glibc
#endif
import Werk

/// Traps: a force-unwrap of nil, in a function of its own so that the crash report names it.
@inline(never)
func trapInHandler(_ path: String) -> String {
    let missing: String? = path.hasPrefix("/trap") ? nil : path
    return missing!
}

/// Never returns (and never suspends): the event loop it runs on stops ticking.
@inline(never)
func spinForever() -> Int {
    var counter = 0
    while getenv("WERK_NEVER_SET_\(counter % 2)") == nil { counter &+= 1 }
    return counter
}

func environmentInt(_ name: String) -> Int? { getenv(name).flatMap { Int(String(cString: $0)) } }

if getenv("WERK_TEST_CRASH_AT_START") != nil && getenv("WERK_WORKER") != nil {
    print(trapInHandler("/trap-at-start"))
}

var configuration = Server.Configuration.fromCommandLine()
if let restarts = environmentInt("WERK_TEST_MAX_RESTARTS") { configuration.maxRestarts = restarts }
if let window = environmentInt("WERK_TEST_RESTART_WINDOW") { configuration.restartWindow = .seconds(window) }
if let folder = getenv("WERK_TEST_CRASH_DIR") { configuration.crashReportDirectory = String(cString: folder) }

let app = Handler { request -> Response in
    switch request.pathInfo {
    case "/pid": return Response(body: .bytes(Array("\(getpid())".utf8)))
    case "/trap": return Response(body: .bytes(Array(trapInHandler(request.pathInfo).utf8)))
    case "/spin": return Response(body: .bytes(Array("\(spinForever())".utf8)))
    default: return Response(body: .bytes(Array("hello from \(getpid())".utf8)))
    }
}
await Server(app, configuration: configuration).runOrExit()
