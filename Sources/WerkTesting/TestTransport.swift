#if canImport(Glibc)
import WerkCore
import Glibc
#endif

/// How a ``TestClient`` delivers a request: in process (calling a ``Handler``) or over a real socket
/// (`LiveTransport`), so the same test can run both ways.
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
///
/// Like the server, it binds a logger as ``Log/current`` while the handler runs, and errors that
/// become a 5xx are reported there. The default writes nothing, so tests stay quiet; pass a
/// ``LogRecorder`` to assert on the records, or a ``LineLogger`` to see them:
///
/// ```swift
/// let recorder = LogRecorder()
/// let client = TestClient(transport: InProcessTransport(Handler { _ in throw CancellationError() }, logger: recorder))
/// _ = try await client.get("/")
/// #expect(recorder.records.first?.level == .error)
/// ```
public struct InProcessTransport: TestTransport {
    /// The handler under test.
    public let handler: Handler
    /// The logger bound as ``Log/current`` during each request (the error log).
    public let logger: any Logger

    /// A transport calling `app`'s handler, logging to `logger` (by default nowhere).
    public init(_ app: some HandlerConvertible, logger: any Logger = DiscardingLogger()) {
        self.handler = app.makeHandler()
        self.logger = logger
    }

    /// Calls the handler and shapes its response as the wire would carry it.
    public func send(_ request: Request) async throws -> TestTransportResponse {
        try await Log.$current.withValue(logger) { try await shape(request) }
    }

    private func shape(_ request: Request) async throws -> TestTransportResponse {
        var response = await handler.respondCatchingErrors(request)
        if let bad = response.headers.firstInvalidField {
            // The server refuses to send such a header (it would allow header injection); so do we.
            response = HTTPError.response(for: HTTPError(.internalServerError,
                                                         "The handler set an invalid header field '\(bad.name)'."),
                                          request: request)
        }
        if case .file(let region) = response.body, request.method != .head, !response.status.forbidsBody,
           !FileReader.canOpen(region.path) {
            // As the server does: a file that is gone at send time is the handler's error, a 500.
            let code = errno
            response = FileRegionError.unopenedFileError().response(for: request)
            ErrorLog.report(FileRegionError.cannotOpen(path: region.path, errno: code), status: response.status,
                            request: request)
        }
        let sendsBody = request.method != .head && !response.status.forbidsBody
        if !sendsBody, case .file(let region) = response.body {
            // Nothing is read, as on the wire; HEAD still announces the file's length.
            if !response.status.forbidsBody { response.headers.setIfAbsent("Content-Length", String(region.count)) }
            response.body = .empty
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
