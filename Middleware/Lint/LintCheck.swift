/// One thing ``Lint`` checks. The raw value is the short name shown in warnings
/// (`[content-length-mismatch]`); pass checks to `Lint(disabled:)` to silence them.
public enum LintCheck: String, Sendable, Hashable, CaseIterable {
    // The request, as the application receives it.
    /// `scriptName` is set but does not start with `/`, or ends with `/`.
    case scriptNameSlash = "script-name-slash"
    /// `pathInfo` is set but does not start with `/`.
    case pathInfoSlash = "path-info-slash"
    /// An HTTP/1.1 request without a Host header.
    case missingHost = "missing-host"
    /// A request with both Content-Length and Transfer-Encoding.
    case requestFramingConflict = "request-framing-conflict"
    /// A GET or HEAD request with a body, which has no defined meaning (RFC 9110 §9.3.1).
    case bodyOnGet = "body-on-get"

    // The status.
    /// A status outside 100...599.
    case statusOutOfRange = "status-out-of-range"
    /// A 1xx status other than 101 as the final response.
    case informationalFinal = "informational-final"
    /// 101 without an Upgrade header.
    case switchingWithoutUpgrade = "switching-without-upgrade"
    /// 3xx redirect (301, 302, 303, 307, 308) without Location.
    case redirectWithoutLocation = "redirect-without-location"
    /// Location on a status where it means nothing (not 201 or 3xx).
    case locationWithoutRedirect = "location-without-redirect"
    /// 405 without Allow (RFC 9110 §15.5.6 requires it).
    case allowMissing = "allow-missing"
    /// 401 without WWW-Authenticate (RFC 9110 §15.5.2 requires it).
    case authenticateMissing = "authenticate-missing"
    /// 206 without Content-Range (and not multipart/byteranges).
    case contentRangeMissing = "content-range-missing"

    // Framing and body.
    /// A body on 1xx, 204 or 304 (the server drops it).
    case bodyNotAllowed = "body-not-allowed"
    /// Content-Length on 1xx or 204 (RFC 9110 §8.6 forbids it).
    case contentLengthNotAllowed = "content-length-not-allowed"
    /// Representation headers (Content-Type, -Encoding, -Language, -Range) on 304.
    case representationHeaderOn304 = "representation-header-on-304"
    /// A Content-Length that is not a non-negative decimal number.
    case contentLengthInvalid = "content-length-invalid"
    /// Content-Length differs from the length of the body.
    case contentLengthMismatch = "content-length-mismatch"
    /// A streamed body ended before the length it announced.
    case streamEndedEarly = "stream-ended-early"
    /// A streamed body produced more than the length it announced.
    case streamTooLong = "stream-too-long"
    /// A streamed body failed midway (its producer threw).
    case streamFailed = "stream-failed"
    /// A hop-by-hop header (Connection, Keep-Alive, Transfer-Encoding, TE, Trailer, Upgrade outside 101,
    /// Proxy-Connection) set by the application: framing is the server's job.
    case hopByHopHeader = "hop-by-hop-header"

    // Header syntax.
    /// A header name that is not an RFC 9110 token.
    case invalidHeaderName = "invalid-header-name"
    /// A header value with control characters (CR, LF, NUL, ...).
    case invalidHeaderValue = "invalid-header-value"
    /// A header value with non-ASCII bytes (obs-text: clients read them differently).
    case nonASCIIHeaderValue = "non-ascii-header-value"
    /// A header value with leading or trailing whitespace.
    case headerValueWhitespace = "header-value-whitespace"
    /// A header that must appear once (Content-Type, Location, ETag, ...) appears more than once.
    case repeatedHeader = "repeated-header"
    /// A Location that is not a valid URI reference.
    case locationInvalid = "location-invalid"
    /// An ETag that is not a quoted entity-tag (`"abc"` or `W/"abc"`).
    case etagInvalid = "etag-invalid"
    /// A weak ETag written with a lowercase `w/`.
    case etagWeakLowercase = "etag-weak-lowercase"
    /// Date, Expires or Last-Modified that is not an HTTP-date.
    case dateInvalid = "date-invalid"
    /// Retry-After that is neither seconds nor an HTTP-date.
    case retryAfterInvalid = "retry-after-invalid"

    // Content type.
    /// A body without Content-Type.
    case missingContentType = "missing-content-type"
    /// A Content-Type that is not `type/subtype`.
    case contentTypeInvalid = "content-type-invalid"
    /// A text type (text/*, application/javascript) without a charset.
    case missingCharset = "missing-charset"

    // Cookies.
    /// A Set-Cookie that cannot be parsed or whose name is not a token.
    case cookieInvalid = "cookie-invalid"
    /// `SameSite=None` without `Secure` (browsers drop the cookie).
    case cookieSameSiteNoneWithoutSecure = "cookie-samesite-none-without-secure"
    /// A SameSite value other than Strict, Lax or None.
    case cookieSameSiteInvalid = "cookie-samesite-invalid"
    /// A `__Host-` cookie without Secure, with a Domain, or with a Path other than `/`.
    case cookieHostPrefix = "cookie-host-prefix"
    /// A `__Secure-` cookie without Secure.
    case cookieSecurePrefix = "cookie-secure-prefix"
    /// A Set-Cookie over 4093 bytes (browsers drop it; Werkzeug's limit).
    case cookieTooLarge = "cookie-too-large"

    // Caching and negotiation.
    /// Cache-Control directives that contradict each other (public and private, no-store and max-age, ...).
    case cacheControlContradiction = "cache-control-contradiction"
    /// A Cache-Control delta-seconds directive (max-age, s-maxage, ...) without a number.
    case cacheControlInvalid = "cache-control-invalid"
    /// Set-Cookie on a response shared caches may store (public, s-maxage).
    case cacheableSetCookie = "cacheable-set-cookie"
    /// A response negotiated on Accept-Encoding or Accept-Language (it has Content-Encoding or
    /// Content-Language) without the matching Vary.
    case negotiatedWithoutVary = "negotiated-without-vary"
}

/// One problem ``Lint`` found.
public struct LintWarning: Sendable, Hashable, CustomStringConvertible {
    /// Which check.
    public let check: LintCheck
    /// What is wrong and why, in words.
    public let message: String
    /// The request's method.
    public let method: Method
    /// The request's path (``Request/fullRequestPath``).
    public let path: String

    /// A warning.
    public init(check: LintCheck, message: String, method: Method, path: String) {
        self.check = check
        self.message = message
        self.method = method
        self.path = path
    }

    /// `[check] METHOD /path: message`.
    public var description: String { "[\(check.rawValue)] \(method) \(path): \(message)" }
}

/// What ``Lint`` throws in strict mode: the problems found at one point (request, response or body).
public struct LintError: Error, Sendable, CustomStringConvertible {
    /// The problems, in the order found.
    public let warnings: [LintWarning]
    /// One line per problem.
    public var description: String { warnings.map(\.description).joined(separator: "\n") }
}
