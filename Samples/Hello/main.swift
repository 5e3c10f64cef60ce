// `swift run Hello`: serves a small stack on http://127.0.0.1:8080/ until CTRL+C.
// `swift run Hello --help` lists the options (--host, --port, --unix-socket, --event-loops, ...);
// HOST and PORT set the defaults. A bad option or value exits with status 2, a port already in use
// with status 1 and "Address already in use".
//   curl http://127.0.0.1:8080/            -> Hello, World!
//   curl 'http://127.0.0.1:8080/hello?name=Werk'
//   curl -d 'some bytes' http://127.0.0.1:8080/echo
//   curl http://127.0.0.1:8080/stream      -> five chunks (chunked transfer coding)
import Werk

let configuration = Server.Configuration.fromCommandLine()
await Server(makeHelloApp(), configuration: configuration).runOrExit()
