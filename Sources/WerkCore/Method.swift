/// An HTTP request method: one of the standard ones or any extension token (`PURGE`, `PROPFIND`).
///
/// Methods are case-sensitive, as RFC 9110 says; `Method("get")` is not `.get`.
public struct Method: Sendable, Hashable, RawRepresentable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The method token as sent on the request line.
    public let rawValue: String

    /// A method from its token. No validation: use ``init(validating:)`` for untrusted input.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A method from its token. No validation: use ``init(validating:)`` for untrusted input.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// A method from a literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// A method from untrusted text, or nil when it is not an RFC 9110 token.
    public init?(validating token: some StringProtocol) {
        guard ASCII.isToken(token) else { return nil }
        self.rawValue = String(token)
    }

    /// The token, as sent on the request line.
    public var description: String { rawValue }

    /// GET and HEAD, OPTIONS and TRACE: methods that must not change state (RFC 9110 §9.2.1).
    public var isSafe: Bool { self == .get || self == .head || self == .options || self == .trace }

    /// `GET`.
    public static let get = Method("GET")
    /// `HEAD`.
    public static let head = Method("HEAD")
    /// `POST`.
    public static let post = Method("POST")
    /// `PUT`.
    public static let put = Method("PUT")
    /// `DELETE`.
    public static let delete = Method("DELETE")
    /// `PATCH`.
    public static let patch = Method("PATCH")
    /// `OPTIONS`.
    public static let options = Method("OPTIONS")
    /// `TRACE`.
    public static let trace = Method("TRACE")
    /// `CONNECT`.
    public static let connect = Method("CONNECT")
}
