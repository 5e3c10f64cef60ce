import Werk

/// The sample's stack: a Server header middleware, a tiny access counter, and a handler with a few
/// paths. Built in a nonisolated function (not in main.swift's top-level code, which is
/// @MainActor) so the handlers run on the server's event loops.
func makeHelloApp() -> Handler {
    Stack {
        MiddlewareFunction("ServerHeader") { request, next in
            var response = try await next(request)
            response.headers.set("Server", "Werk")
            return response
        }
        Handler { request in
            switch (request.method, request.pathInfo) {
            case (.get, "/"), (.head, "/"):
                return Response.text("Hello, World!\n")
            case (.get, "/hello"):
                let name = try request.query["name"] ?? "World"
                return Response.html("<!doctype html>\n<h1>Hello, \(HTML.escape(name))!</h1>\n")
            case (.post, "/echo"):
                return Response(status: .ok, contentType: request.headers["Content-Type"] ?? "application/octet-stream",
                                bytes: try await request.data())
            case (.get, "/stream"):
                let stream = ByteStream { writer in
                    for i in 1...5 { try await writer.write("chunk \(i)\n") }
                }
                return Response(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"],
                                body: .stream(stream, length: nil))
            case (_, "/"), (_, "/hello"), (_, "/echo"), (_, "/stream"):
                throw HTTPError(.methodNotAllowed)
            default:
                throw HTTPError(.notFound)
            }
        }
    }
}
