/// How a ``TestClient`` delivers a request: in process (calling a ``Handler``) or over a real socket
/// (the live transport in WerkServer), so the same test can run both ways.
public protocol TestTransport: Sendable {
    /// Sends `request` and returns the response, its body fully read.
    func send(_ request: Request) async throws -> TestTransportResponse
}

/// A response as a transport delivers it: status, headers and the whole body.
public struct TestTransportResponse: Sendable {
    /// The status.
    public var status: Status
    /// The headers as sent.
    public var headers: Headers
    /// The body bytes (empty for HEAD, 1xx, 204 and 304).
    public var body: [UInt8]
    /// A response.
    public init(status: Status, headers: Headers, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Calls a ``Handler`` directly, with no sockets, and shapes the response as the server would put it
/// on the wire: errors rendered, Content-Length added when known, no body for HEAD, 1xx, 204 and 304.
public struct InProcessTransport: TestTransport {
    /// The handler under test.
    public let handler: Handler

    /// A transport calling `handler`.
    public init(_ handler: Handler) { self.handler = handler }

    /// Calls the handler and shapes its response as the wire would carry it.
    public func send(_ request: Request) async throws -> TestTransportResponse {
        var response = await handler.respondCatchingErrors(request)
        if let bad = response.headers.firstInvalidField {
            // The server refuses to send such a header (it would allow header injection); so do we.
            response = HTTPError(.internalServerError,
                                 "The handler set an invalid header field '\(bad.name)'.").response(for: request)
        }
        // HEAD: the body is not read (a file region may be gigabytes), only its known length sent.
        let isHead = request.method == .head
        var body = isHead ? [] : try await response.collectBody()
        if response.status.forbidsBody {
            body = []
            response.headers.remove("Content-Length")
            response.headers.remove("Transfer-Encoding")
        } else if !response.headers.contains("Content-Length") && !response.headers.contains("Transfer-Encoding") {
            if let length = isHead ? response.body.knownLength : body.count {
                response.headers.add("Content-Length", String(length))
            }
        }
        return TestTransportResponse(status: response.status, headers: response.headers, body: body)
    }
}
