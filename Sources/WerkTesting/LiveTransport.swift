import Synchronization
import WerkCore
import WerkServer
import WerkHTTPClient

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
/// It runs on `HTTPClient` (WerkHTTPClient): connections are kept alive and reused, as a browser does
/// (at most ``maxIdleConnections`` idle ones), a response with `Connection: close` (or without a
/// length) ends its connection, and a request whose reused connection the server had already closed
/// while idle is sent again on a new one. The request goes as the ``TestClient`` built it (target,
/// headers, the buffered body; the client sets Content-Length and always speaks HTTP/1.1); the
/// response is read whole, chunked or not. Failures throw `HTTPClientError`.
public struct LiveTransport: TestTransport {
    /// Where requests go.
    public let address: Server.Address
    /// The longest wait for connecting, for a response head, and for any pause in a body.
    public var timeout: Duration
    /// The most idle keep-alive connections kept for reuse (0: a new connection per request).
    public var maxIdleConnections = 4
    private let clients = Clients()

    /// A transport to a started server's address.
    public init(_ address: Server.Address, timeout: Duration = .seconds(30)) {
        self.address = address
        self.timeout = timeout
    }

    /// Sends `request` (over an idle kept-alive connection when there is one) and reads the whole
    /// response. Throws `HTTPClientError` when the server cannot be reached or answers with broken HTTP.
    public func send(_ request: Request) async throws -> TestTransportResponse {
        let body = try await request.body.collect(upTo: .max)
        let endpoint = address.unixSocketPath.map { HTTPEndpoint(unixSocketPath: $0) }
            ?? HTTPEndpoint(host: address.host ?? "127.0.0.1", port: address.port ?? 80)
        let client = clients.client(timeout: timeout, maxIdle: maxIdleConnections)
        let response = try await client.send(ClientRequest(request.method, endpoint: endpoint, target: request.target,
                                                           headers: request.headers, body: body.isEmpty ? .empty : .bytes(body)))
        let bytes = try await response.collect(upTo: .max)
        return TestTransportResponse(status: response.status, headers: response.headers, body: bytes)
    }
}

/// One client (and so one connection pool) per timeout and pool size a transport was used with,
/// shared by the copies of a transport.
private final class Clients: Sendable {
    private let byConfiguration = Mutex<[String: HTTPClient]>([:])

    func client(timeout: Duration, maxIdle: Int) -> HTTPClient {
        byConfiguration.withLock { clients in
            let key = "\(timeout)/\(maxIdle)"
            if let existing = clients[key] { return existing }
            var configuration = HTTPClient.Configuration()
            configuration.connectTimeout = timeout
            configuration.headerTimeout = timeout
            configuration.idleTimeout = timeout
            configuration.maxIdleConnectionsPerEndpoint = maxIdle
            let client = HTTPClient(configuration: configuration)
            clients[key] = client
            return client
        }
    }
}
