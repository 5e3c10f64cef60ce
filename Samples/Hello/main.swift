// `swift run Hello`: serves a small stack on http://127.0.0.1:8080/ until CTRL+C.
//   curl http://127.0.0.1:8080/            -> Hello, World!
//   curl 'http://127.0.0.1:8080/hello?name=Werk'
//   curl -d 'some bytes' http://127.0.0.1:8080/echo
//   curl http://127.0.0.1:8080/stream      -> five chunks (chunked transfer coding)
import Werk

var configuration = Server.Configuration(host: "127.0.0.1", port: 8080)
if CommandLine.arguments.count > 1, let port = Int(CommandLine.arguments[1]) { configuration.port = port }
let server = Server(makeHelloApp(), configuration: configuration)
do {
    try await server.run()
} catch {
    print("Hello: \(error)")
}
