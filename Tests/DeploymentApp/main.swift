// The application of the deployment test (Tests/WerkDeploymentTests), as its own process: the test
// starts two of these behind nginx, one on TCP and one on a Unix socket, with the server's command
// line (`--port 0`, `--unix-socket PATH`); WERK_APP_NAME names the process in its answers.
#if canImport(Glibc)
import Glibc
#endif
import Werk

var configuration = Server.Configuration.fromCommandLine()
configuration.maxBodySize = 1 << 30   // the test streams 200 MiB through
let name = getenv("WERK_APP_NAME").map { String(cString: $0) } ?? "app"
await Server(deployedApp(name: name), configuration: configuration).runOrExit()
