import Testing
import WerkCore
import WerkTestSupport
@testable import WerkServer
import WerkTesting

/// A small app used by most server tests. It awaits (reading bodies), so the server runs it in a
/// task: the general path.
let testApp = Handler { request in
    switch request.pathInfo {
    case "/echo":
        let body = try await request.data()
        return Response(status: .ok, contentType: "application/octet-stream", bytes: body)
    case "/count":
        // Reads the body as a stream and answers with its length.
        var total = 0
        for try await chunk in try request.body.stream() { total += chunk.count }
        return Response.text(String(total))
    default:
        return try answerWithoutSuspending(request)
    }
}

/// The routes of ``testApp`` that never suspend, as a handler with a synchronous form: the server
/// answers it inline, without a task.
let synchronousTestApp = Handler(layers: ["Handler"], synchronous: answerWithoutSuspending)

@Sendable func answerWithoutSuspending(_ request: Request) throws -> Response {
    switch request.pathInfo {
    case "/":
        return Response.text("Hello, World!")
    case "/headers":
        let lines = request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        return Response.text(lines)
    case "/fail":
        struct Boom: Error {}
        throw Boom()
    case "/not-found":
        throw HTTPError(.notFound)
    case "/no-content":
        return Response(status: .noContent)
    case "/not-modified":
        return Response(status: .notModified, headers: ["ETag": "\"x\""])
    case "/close":
        return Response(status: .ok, headers: ["Connection": "close"], body: .bytes(Array("bye".utf8)))
    case "/ordered":
        return Response(status: .ok, headers: [("X-B", "2"), ("X-A", "1"), ("X-C", "3")].reduce(into: Headers()) { $0.add($1.0, $1.1) },
                        body: .bytes(Array("ok".utf8)))
    case "/stream":
        let stream = ByteStream(chunks: [Array("one,".utf8), Array("two,".utf8), Array("three".utf8)])
        return Response(status: .ok, body: .stream(stream, length: nil))
    case "/stream-known":
        let stream = ByteStream(chunks: [Array("abc".utf8), Array("def".utf8)])
        return Response(status: .ok, body: .stream(stream, length: 6))
    case "/large":
        return Response(status: .ok, contentType: "application/octet-stream", bytes: largeBody)
    case "/path":
        return Response.text("\(request.method) \(request.pathInfo) q=\(request.queryString) host=\(request.host)")
    default:
        throw HTTPError(.notFound)
    }
}

/// 200 KiB of a repeating pattern: larger than the output queue copies, so it is sent from its array.
let largeBody: [UInt8] = (0..<200 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }

/// A configuration for tests: loopback, port 0, no access or error log, two loops.
func testConfiguration() -> Server.Configuration { quietLoopbackConfiguration() }

/// Starts a server, runs `body` with its address, and always shuts it down.
func withServer<T>(_ handler: Handler = testApp, configure: (inout Server.Configuration) -> Void = { _ in },
                   _ body: (Server.Address) async throws -> T) async throws -> T {
    var configuration = testConfiguration()
    configure(&configuration)
    let server = Server(handler, configuration: configuration)
    let address = try server.start()
    do {
        let result = try await body(address)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Runs blocking socket work against `address` on its own thread.
func onSocket<T: Sendable>(_ address: Server.Address, timeout: Duration = .seconds(60),
                           _ work: @escaping @Sendable (BlockingSocket) throws -> T) async throws -> T {
    try await ThreadRunner.run {
        let socket = try BlockingSocket(address, timeout: timeout)
        return try work(socket)
    }
}

/// Sends raw bytes and reads one response.
func exchange(_ address: Server.Address, _ raw: String, method: Method = .get) async throws -> TestTransportResponse {
    try await onSocket(address) { socket in
        try socket.send(raw)
        return try socket.readResponse(method: method)
    }
}

/// Sends raw bytes, reads one response, and reports whether the server then closed the connection.
func exchangeAndClose(_ address: Server.Address, _ raw: String) async throws -> (TestTransportResponse, closed: Bool) {
    try await onSocket(address) { socket in
        try socket.send(raw)
        let response = try socket.readResponse()
        return (response, socket.isClosedByPeer())
    }
}

extension TestTransportResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
