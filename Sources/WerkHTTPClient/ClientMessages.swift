/// A request for ``HTTPClient``: where it goes, the method, the request-target, headers and a body
/// (in memory or streamed).
///
/// ```swift
/// let request = try ClientRequest(.post, "http://127.0.0.1:8080/upload", headers: ["Content-Type": "text/plain"],
///                                 body: .bytes(Array("hello".utf8)))
/// ```
public struct ClientRequest: Sendable {
    /// Where the connection goes.
    public var endpoint: HTTPEndpoint
    /// The method.
    public var method: Method
    /// The request-target: `/path?query` (origin form), or an absolute URL for a forward proxy.
    public var target: String
    /// The headers. Host is added from the endpoint when missing; Content-Length and
    /// Transfer-Encoding are always set by the client from the body.
    public var headers: Headers
    /// The body: `.empty`, `.bytes`, `.stream` (with a length: Content-Length, otherwise sent
    /// chunked) or `.file`.
    public var body: Body

    /// A request to `endpoint`.
    public init(_ method: Method = .get, endpoint: HTTPEndpoint, target: String = "/", headers: Headers = Headers(),
                body: Body = .empty) {
        self.endpoint = endpoint
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// A request for an `http://host[:port]/path?query` URL. Throws ``HTTPClientError`` (`.invalidRequest`)
    /// for anything else.
    public init(_ method: Method = .get, _ url: String, headers: Headers = Headers(), body: Body = .empty) throws(HTTPClientError) {
        guard let endpoint = HTTPEndpoint(url: url) else {
            throw HTTPClientError(.invalidRequest, "'\(url.prefix(200))' is not an http:// URL with a host.")
        }
        let afterScheme = url.dropFirst(7)
        let pathStart = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var target = String(afterScheme[pathStart...].prefix { $0 != "#" })
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        self.init(method, endpoint: endpoint, target: target, headers: headers, body: body)
    }
}

/// A response from ``HTTPClient``: the head, and the body as a stream read from the connection as you
/// pull it. Read the body to its end (or drop it): the connection is reused only after the whole body
/// was read.
public struct ClientResponse: Sendable {
    /// The status.
    public let status: Status
    /// The protocol version the upstream answered with.
    public let version: HTTPVersion
    /// The headers, in order.
    public let headers: Headers
    /// The body. It throws ``HTTPClientError`` when the upstream breaks off, so a body that ends
    /// cleanly is complete.
    public let body: ByteStream
    /// The body's length when the upstream announced it (Content-Length), 0 when there is none.
    public let contentLength: Int?

    /// Reads the whole body; throws ``HTTPClientError`` (`.tooLarge`) beyond `limit` bytes.
    public func collect(upTo limit: Int = 64 * 1024 * 1024) async throws -> [UInt8] {
        var result: [UInt8] = []
        if let contentLength, contentLength <= limit { result.reserveCapacity(contentLength) }
        for try await chunk in body {
            guard result.count + chunk.count <= limit else {
                throw HTTPClientError(.tooLarge, "The response body is larger than \(limit) bytes.")
            }
            result.append(contentsOf: chunk)
        }
        return result
    }

    /// The body as UTF-8 text (see ``collect(upTo:)``).
    public func text(upTo limit: Int = 64 * 1024 * 1024) async throws -> String {
        String(decoding: try await collect(upTo: limit), as: UTF8.self)
    }
}
