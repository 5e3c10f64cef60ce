import Glibc

/// An HTTP/1.1 client: a pool of kept-alive connections per endpoint, request and response bodies
/// streamed with backpressure (chunked when the length is unknown, both ways), timeouts for
/// connecting, for the response head and for any pause in a body, limits on what the upstream sends,
/// and one error type, ``HTTPClientError``. Plain HTTP only (TCP or a Unix socket).
///
/// ```swift
/// let client = HTTPClient()
/// let response = try await client.send(try ClientRequest(.get, "http://127.0.0.1:8080/hello"))
/// let text = try await response.text()
/// ```
///
/// Each connection does its socket calls on its own thread, so blocking never reaches Swift's
/// cooperative pool; a response body is read from the socket only as it is pulled, so a slow reader
/// slows the upstream instead of filling memory.
public final class HTTPClient: Sendable {
    /// Timeouts and limits.
    public struct Configuration: Sendable {
        /// The longest wait to connect (name resolution included). Default 10 s.
        public var connectTimeout: Duration = .seconds(10)
        /// The longest wait for the complete response head once the request is sent. Default 30 s.
        public var headerTimeout: Duration = .seconds(30)
        /// The longest pause while sending or receiving a body, and how long an idle connection is
        /// kept in the pool. Default 60 s.
        public var idleTimeout: Duration = .seconds(60)
        /// The most idle connections kept per endpoint (0: a new connection per request). Default 8.
        public var maxIdleConnectionsPerEndpoint = 8
        /// The largest response head accepted. Default 64 KiB.
        public var maxHeaderBytes = 64 * 1024
        /// The most response header fields accepted. Default 100.
        public var maxHeaderCount = 100

        /// The defaults.
        public init() {}
    }

    /// Timeouts and limits.
    public let configuration: Configuration
    private let pool: ConnectionPool

    /// A client with its own connection pool.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        pool = ConnectionPool(maxIdlePerEndpoint: configuration.maxIdleConnectionsPerEndpoint,
                              idleTimeout: configuration.idleTimeout)
        werkIgnoreSIGPIPE
    }

    /// The idle connections kept for reuse.
    public var idleConnectionCount: Int { pool.idleCount }

    /// Closes the idle connections (connections in use close when their response is done).
    public func closeIdleConnections() { pool.removeAll() }

    /// Sends `request` and returns the response once its head has arrived; the body streams from
    /// `response.body`. A request on a kept-alive connection the upstream had already closed is sent
    /// again on a new one when its body can be replayed (not a stream). Throws ``HTTPClientError``.
    public func send(_ request: ClientRequest) async throws(HTTPClientError) -> ClientResponse {
        let plan = try RequestWriter.plan(request)
        let replayable: Bool
        if case .stream = request.body { replayable = false } else { replayable = true }
        let idle = configuration.idleTimeout, body = request.body, headerTimeout = configuration.headerTimeout
        let limits = ResponseLimits(maxHeaderBytes: configuration.maxHeaderBytes, maxHeaderCount: configuration.maxHeaderCount)
        // On the connection's thread, in one job: the request (all of it unless the body is a stream),
        // then, when the request is complete, the response head. Nil: a streamed body follows.
        let start: @Sendable (ClientSocket) throws(HTTPClientError) -> ResponseHead? = { socket throws(HTTPClientError) in
            guard try RequestWriter.sendStart(body, plan, on: socket, idle: idle) else { return nil }
            return try socket.readHead(limits: limits, Deadline(headerTimeout, .headers))
        }
        if let pooled = pool.take(request.endpoint) {
            let received = pooled.socket.receivedBytes
            do {
                let head = try await pooled.thread.run { () throws(HTTPClientError) in try start(pooled.socket) }
                return try await exchange(request, plan, on: pooled, head: head)
            } catch where replayable && pooled.socket.receivedBytes == received
                            && (error.kind == .connectionClosed || error.kind == .io) {
                // The upstream closed the idle connection before reading the request: send it again.
            }
        }
        let (connection, head) = try await Connection.open(request.endpoint, timeout: configuration.connectTimeout, then: start)
        return try await exchange(request, plan, on: connection, head: head)
    }

    /// The response for a request whose head already arrived, or else the rest of the request (a
    /// streamed body) and then the response head.
    private func exchange(_ request: ClientRequest, _ plan: RequestWriter.Plan, on connection: Connection, head: ResponseHead?)
        async throws(HTTPClientError) -> ClientResponse {
        if let head { return try response(head, request, plan, connection, reusable: plan.keepAlive) }
        let limits = ResponseLimits(maxHeaderBytes: configuration.maxHeaderBytes, maxHeaderCount: configuration.maxHeaderCount)
        let headerTimeout = configuration.headerTimeout, socket = connection.socket
        do {
            try await RequestWriter.sendStream(request.body, plan, on: connection, idle: configuration.idleTimeout)
        } catch where error.kind == .connectionClosed {
            // The upstream may have answered early (a 413) and closed: take that answer if it is there.
            guard let head = try? await connection.thread.run({ () throws(HTTPClientError) in
                try socket.readHead(limits: limits, Deadline(.milliseconds(500), .headers))
            }) else { throw error }
            return try response(head, request, plan, connection, reusable: false)
        }
        let head = try await connection.thread.run { () throws(HTTPClientError) in
            try socket.readHead(limits: limits, Deadline(headerTimeout, .headers))
        }
        return try response(head, request, plan, connection, reusable: plan.keepAlive)
    }

    private func response(_ head: ResponseHead, _ request: ClientRequest, _ plan: RequestWriter.Plan, _ connection: Connection,
                          reusable: Bool) throws(HTTPClientError) -> ClientResponse {
        let framing = try head.framing(for: request.method)
        let keep = reusable && head.keepsAlive(framing: framing)
        let length: Int? = switch framing {
        case .none: 0
        case .length(let n): n
        default: nil
        }
        if framing == .none {
            if keep { pool.put(connection) }
            return ClientResponse(status: head.status, version: head.version, headers: head.headers,
                                  body: ByteStream(chunks: []), contentLength: length)
        }
        let reader = ResponseBodyReader(connection: connection, framing: framing, reusable: keep, pool: pool,
                                        idle: configuration.idleTimeout, maxTrailerBytes: configuration.maxHeaderBytes)
        return ClientResponse(status: head.status, version: head.version, headers: head.headers, body: reader.stream(),
                              contentLength: length)
    }
}

/// SIGPIPE is ignored once per process: a write to a closed connection then fails with EPIPE.
private let werkIgnoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
