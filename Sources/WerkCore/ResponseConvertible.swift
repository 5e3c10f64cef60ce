/// A value a handler may return instead of a ``Response``.
public protocol ResponseConvertible: Sendable {
    /// The response for this value.
    func makeResponse() throws -> Response
}

extension Response: ResponseConvertible {
    /// The response itself.
    public func makeResponse() -> Response { self }
}

extension String: ResponseConvertible {
    /// `text/plain; charset=utf-8`.
    public func makeResponse() -> Response { .text(self) }
}

extension Substring: ResponseConvertible {
    /// `text/plain; charset=utf-8`.
    public func makeResponse() -> Response { .text(String(self)) }
}

extension Array: ResponseConvertible where Element == UInt8 {
    /// `application/octet-stream`.
    public func makeResponse() -> Response { Response(contentType: "application/octet-stream", bytes: self) }
}

extension JSON: ResponseConvertible {
    /// `application/json`.
    public func makeResponse() -> Response { .json(self) }
}

extension Status: ResponseConvertible {
    /// An empty response with this status.
    public func makeResponse() -> Response { Response(status: self) }
}
