#if canImport(FoundationEssentials)
import WerkCore
import FoundationEssentials
#endif

/// A response received by a ``TestClient``.
public struct TestResponse: Sendable {
    /// The status.
    public let status: Status
    /// The headers as sent.
    public let headers: Headers
    /// The whole body.
    public let body: [UInt8]
    /// The request this response answers (the last one, after redirects).
    public let request: Request
    /// The responses of redirects followed before this one, oldest first.
    public let history: [TestResponse]

    /// The body decoded as UTF-8.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as ``JSON``; throws when it is not valid JSON.
    public func json() throws -> JSON { try JSON.parse(body) }

    /// The body decoded from JSON into `T`.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body))
    }

    /// The `Location` header.
    public var location: String? { headers["Location"] }

    /// The `Content-Type` header.
    public var contentType: String? { headers["Content-Type"] }

    /// The cookies this response sets, parsed from its `Set-Cookie` headers.
    public var setCookies: [SetCookie] {
        headers.values(for: "Set-Cookie").compactMap { SetCookie.parse($0) }
    }
}
