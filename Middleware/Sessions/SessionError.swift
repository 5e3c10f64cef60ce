/// An error ``Sessions`` throws while writing the session cookie, after the handler has run. It is
/// not an ``HTTPError``: the client gets a plain 500 that reveals nothing, while logs and the
/// debugger show the description.
public enum SessionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `Set-Cookie` value (name, signed value and attributes, as Werkzeug measures it) would be
    /// `size` bytes, above `limit` (4 093 by default). Browsers drop such cookies silently, so the
    /// response fails loudly instead.
    case cookieTooLarge(cookieName: String, size: Int, limit: Int)
    /// libcrypto failed while signing the cookie.
    case signingFailed(SigningError)

    /// A sentence saying what went wrong and what to do.
    public var description: String {
        switch self {
        case .cookieTooLarge(let name, let size, let limit):
            "The session cookie \"\(name)\" would be \(size) bytes, more than the \(limit)-byte limit; browsers "
                + "drop larger cookies silently. Keep less in the session (store large data server-side and put "
                + "only its id in the session)."
        case .signingFailed(let error):
            "The session cookie could not be signed: \(error)"
        }
    }
}
