import Glibc
import WerkCore

/// A ``TestTransport`` over real sockets: the same ``TestClient`` calls, sent over the wire to a
/// started ``Server``, so a test can run in process and live.
///
/// ```swift
/// let server = Server(app, configuration: .init(host: "127.0.0.1", port: 0))
/// let client = TestClient(transport: LiveTransport(try server.start()))
/// let response = try await client.get("/hello")
/// await server.shutdown()
/// ```
///
/// Each request uses a new connection. The request is sent as the ``TestClient`` built it (target,
/// headers, the buffered body with its Content-Length); the response is read whole, chunked or not.
public struct LiveTransport: TestTransport {
    /// Where requests go.
    public let address: Server.Address
    /// The longest wait for any single send or receive.
    public var timeout: Duration

    /// A transport to a started server's address.
    public init(_ address: Server.Address, timeout: Duration = .seconds(30)) {
        self.address = address
        self.timeout = timeout
    }

    /// Sends `request` over a new connection and reads the whole response. Throws
    /// ``LiveTransportError`` when the server cannot be reached or answers with broken HTTP.
    public func send(_ request: Request) async throws -> TestTransportResponse {
        let body = try await request.body.collect(upTo: .max)
        var headers = request.headers
        if !body.isEmpty && !headers.contains("Content-Length") && !headers.contains("Transfer-Encoding") {
            headers.set("Content-Length", String(body.count))
        }
        var head = "\(request.method) \(request.target) HTTP/\(request.version.major).\(request.version.minor)\r\n"
        for field in headers { head += "\(field.name): \(field.value)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + body
        let address = self.address, timeout = self.timeout, method = request.method
        return try await ThreadRunner.run {
            let socket = try BlockingSocket(address, timeout: timeout)
            try socket.send(bytes)
            return try socket.readResponse(method: method)
        }
    }
}
