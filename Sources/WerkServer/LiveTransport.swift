import Glibc
import Synchronization
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
/// Connections are kept alive and reused, as a browser does: at most ``maxIdleConnections`` idle
/// ones are kept, a response with `Connection: close` (or without a length) ends its connection,
/// and a request whose reused connection the server had already closed while idle is sent again on
/// a new one. The request is sent as the ``TestClient`` built it (target, headers, the buffered body
/// with its Content-Length); the response is read whole, chunked or not.
public struct LiveTransport: TestTransport {
    /// Where requests go.
    public let address: Server.Address
    /// The longest wait for any single send or receive.
    public var timeout: Duration
    /// The most idle keep-alive connections kept for reuse (0: a new connection per request).
    public var maxIdleConnections = 4
    private let pool = ConnectionPool()

    /// A transport to a started server's address.
    public init(_ address: Server.Address, timeout: Duration = .seconds(30)) {
        self.address = address
        self.timeout = timeout
    }

    /// Sends `request` (over an idle kept-alive connection when there is one) and reads the whole
    /// response. Throws ``LiveTransportError`` when the server cannot be reached or answers with
    /// broken HTTP.
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
        let pool = self.pool, maxIdle = maxIdleConnections
        let reusable = request.version == .http1_1 && !Self.saysClose(headers)
        return try await ThreadRunner.run {
            if let socket = pool.take() {
                let received = socket.receivedBytes
                do {
                    return try Self.exchange(bytes, method: method, on: socket, pool: pool, keep: reusable, maxIdle: maxIdle)
                } catch where socket.receivedBytes == received {
                    // The server closed the idle connection before it saw the request: send it again.
                }
            }
            let socket = try BlockingSocket(address, timeout: timeout)
            return try Self.exchange(bytes, method: method, on: socket, pool: pool, keep: reusable, maxIdle: maxIdle)
        }
    }

    /// One request and response on `socket`, which goes back to the pool when both sides keep it.
    private static func exchange(_ bytes: [UInt8], method: Method, on socket: BlockingSocket, pool: ConnectionPool,
                                 keep: Bool, maxIdle: Int) throws(LiveTransportError) -> TestTransportResponse {
        try socket.send(bytes)
        let response = try socket.readResponse(method: method)
        let framed = method == .head || response.status.forbidsBody || response.headers.contains("Content-Length")
            || response.headers.contains("Transfer-Encoding")
        if keep && framed && !saysClose(response.headers) { pool.put(socket, maxIdle: maxIdle) }
        return response
    }

    private static func saysClose(_ headers: Headers) -> Bool {
        headers.values(for: "Connection").contains { value in
            value.split(separator: ",").contains { ASCII.equalsIgnoringCase(ASCII.trimmingWhitespace($0), "close") }
        }
    }
}

/// Idle kept-alive client connections. A socket is in the pool or in one request's hands, never both.
private final class ConnectionPool: Sendable {
    private let idle = Mutex<[BlockingSocket]>([])

    func take() -> BlockingSocket? { idle.withLock { $0.popLast() } }

    func put(_ socket: BlockingSocket, maxIdle: Int) {
        idle.withLock { if $0.count < maxIdle { $0.append(socket) } }
    }
}
