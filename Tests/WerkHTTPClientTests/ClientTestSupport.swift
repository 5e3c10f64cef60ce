import Glibc
import Synchronization
import Testing
import WerkCore
import WerkHTTPClient
import WerkServer
import WerkTestSupport

/// The app the client talks to in the live tests.
let upstreamApp = Handler { request in
    switch request.pathInfo {
    case "/hello":
        return Response.text("Hello, \(request.headers["X-Name"] ?? "world")!")
    case "/echo":
        return Response(status: .ok, contentType: "application/octet-stream", bytes: try await request.data())
    case "/count":
        var total = 0
        for try await chunk in try request.body.stream() { total += chunk.count }
        return Response.text("\(total) \(request.headers["Transfer-Encoding"] ?? "length")")
    case "/stream":
        let count = Int(try request.query["chunks"] ?? "3") ?? 3
        let size = Int(try request.query["size"] ?? "5") ?? 5
        let body = ByteStream { writer in
            for i in 0..<count { try await writer.write([UInt8](repeating: UInt8(97 + i % 26), count: size)) }
        }
        return Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: .stream(body, length: nil))
    case "/head":
        return Response.text("with a body")
    case "/no-content":
        return Response(status: .noContent)
    case "/close":
        return Response(status: .ok, headers: ["Connection": "close"], body: .bytes(Array("bye".utf8)))
    default:
        throw HTTPError(.notFound)
    }
}

/// Starts a Werk server, runs `body` with its endpoint and the server, and always shuts it down.
func withUpstream<T>(unixSocket: String? = nil, configure: (inout Server.Configuration) -> Void = { _ in },
                     _ body: (HTTPEndpoint, Server) async throws -> T) async throws -> T {
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.eventLoops = 1
    configuration.shutdownTimeout = .seconds(5)
    configuration.headerReadTimeout = .seconds(60)   // a busy test machine can delay a request; no test waits on this
    configuration.unixSocketPath = unixSocket
    configure(&configuration)
    let server = Server(upstreamApp, configuration: configuration)
    let address = try server.start()
    let endpoint = address.unixSocketPath.map { HTTPEndpoint(unixSocketPath: $0) }
        ?? HTTPEndpoint(host: address.host ?? "127.0.0.1", port: address.port ?? 0)
    do {
        let result = try await body(endpoint, server)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

extension RawUpstream {
    /// The upstream as a client endpoint.
    var endpoint: HTTPEndpoint { HTTPEndpoint(host: "127.0.0.1", port: port) }
}

/// A request-body stream of `count` chunks of `size` bytes that counts how many it handed out.
final class CountingSource: Sendable {
    let pulled = Atomic<Int>(0)
    func stream(chunks count: Int, size: Int) -> ByteStream {
        let chunk = [UInt8](repeating: 120, count: size)
        return ByteStream { [self] in
            let n = pulled.add(1, ordering: .relaxed).newValue
            return n <= count ? chunk : nil
        }
    }
}
