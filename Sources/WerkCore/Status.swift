/// An HTTP status code with its reason phrase.
///
/// ```swift
/// Response(status: .created)
/// Status(299, reason: "Custom")      // keeps the custom reason
/// let s: Status = 404                // reason "Not Found"
/// ```
public struct Status: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The three-digit code.
    public let code: Int
    /// The reason phrase sent on the status line (`Not Found`). Unknown codes get `Unknown`.
    public let reasonPhrase: String

    /// A status with an explicit reason phrase, or the standard one when `reason` is nil.
    public init(_ code: Int, reason: String? = nil) {
        self.code = code
        self.reasonPhrase = reason ?? Status.standardReason(for: code) ?? "Unknown"
    }

    /// A status from an integer literal, with the standard reason phrase.
    public init(integerLiteral value: Int) { self.init(value) }

    /// `404 Not Found`.
    public var description: String { "\(code) \(reasonPhrase)" }

    /// 1xx.
    public var isInformational: Bool { (100..<200).contains(code) }
    /// 2xx.
    public var isSuccess: Bool { (200..<300).contains(code) }
    /// 3xx.
    public var isRedirection: Bool { (300..<400).contains(code) }
    /// 4xx.
    public var isClientError: Bool { (400..<500).contains(code) }
    /// 5xx.
    public var isServerError: Bool { (500..<600).contains(code) }
    /// Whether a response with this status never has a body (1xx, 204, 304).
    public var forbidsBody: Bool { isInformational || code == 204 || code == 304 }

    /// Statuses are equal when their codes are, whatever the reason phrase.
    public static func == (a: Status, b: Status) -> Bool { a.code == b.code }
    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The standard reason phrase (RFC 9110 and the registered extensions), or nil for unknown codes.
    public static func standardReason(for code: Int) -> String? {
        switch code {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 102: "Processing"
        case 103: "Early Hints"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 203: "Non-Authoritative Information"
        case 204: "No Content"
        case 205: "Reset Content"
        case 206: "Partial Content"
        case 207: "Multi-Status"
        case 208: "Already Reported"
        case 226: "IM Used"
        case 300: "Multiple Choices"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 305: "Use Proxy"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 407: "Proxy Authentication Required"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Request Entity Too Large"
        case 414: "Request URI Too Long"
        case 415: "Unsupported Media Type"
        case 416: "Requested Range Not Satisfiable"
        case 417: "Expectation Failed"
        case 418: "I'm a teapot"
        case 421: "Misdirected Request"
        case 422: "Unprocessable Entity"
        case 423: "Locked"
        case 424: "Failed Dependency"
        case 425: "Too Early"
        case 426: "Upgrade Required"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 449: "Retry With"
        case 451: "Unavailable For Legal Reasons"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        case 506: "Variant Also Negotiates"
        case 507: "Insufficient Storage"
        case 508: "Loop Detected"
        case 510: "Not Extended"
        case 511: "Network Authentication Required"
        default: nil
        }
    }
}

extension Status {
    /// 100 Continue.
    public static let `continue` = Status(100)
    /// 101 Switching Protocols.
    public static let switchingProtocols = Status(101)
    /// 200 OK.
    public static let ok = Status(200)
    /// 201 Created.
    public static let created = Status(201)
    /// 202 Accepted.
    public static let accepted = Status(202)
    /// 204 No Content.
    public static let noContent = Status(204)
    /// 206 Partial Content.
    public static let partialContent = Status(206)
    /// 301 Moved Permanently.
    public static let movedPermanently = Status(301)
    /// 302 Found.
    public static let found = Status(302)
    /// 303 See Other.
    public static let seeOther = Status(303)
    /// 304 Not Modified.
    public static let notModified = Status(304)
    /// 307 Temporary Redirect.
    public static let temporaryRedirect = Status(307)
    /// 308 Permanent Redirect.
    public static let permanentRedirect = Status(308)
    /// 400 Bad Request.
    public static let badRequest = Status(400)
    /// 401 Unauthorized.
    public static let unauthorized = Status(401)
    /// 403 Forbidden.
    public static let forbidden = Status(403)
    /// 404 Not Found.
    public static let notFound = Status(404)
    /// 405 Method Not Allowed.
    public static let methodNotAllowed = Status(405)
    /// 406 Not Acceptable.
    public static let notAcceptable = Status(406)
    /// 408 Request Timeout.
    public static let requestTimeout = Status(408)
    /// 409 Conflict.
    public static let conflict = Status(409)
    /// 410 Gone.
    public static let gone = Status(410)
    /// 411 Length Required.
    public static let lengthRequired = Status(411)
    /// 412 Precondition Failed.
    public static let preconditionFailed = Status(412)
    /// 413 Request Entity Too Large.
    public static let contentTooLarge = Status(413)
    /// 414 Request URI Too Long.
    public static let uriTooLong = Status(414)
    /// 415 Unsupported Media Type.
    public static let unsupportedMediaType = Status(415)
    /// 416 Requested Range Not Satisfiable.
    public static let rangeNotSatisfiable = Status(416)
    /// 417 Expectation Failed.
    public static let expectationFailed = Status(417)
    /// 422 Unprocessable Entity.
    public static let unprocessableContent = Status(422)
    /// 429 Too Many Requests.
    public static let tooManyRequests = Status(429)
    /// 431 Request Header Fields Too Large.
    public static let requestHeaderFieldsTooLarge = Status(431)
    /// 500 Internal Server Error.
    public static let internalServerError = Status(500)
    /// 501 Not Implemented.
    public static let notImplemented = Status(501)
    /// 502 Bad Gateway.
    public static let badGateway = Status(502)
    /// 503 Service Unavailable.
    public static let serviceUnavailable = Status(503)
    /// 504 Gateway Timeout.
    public static let gatewayTimeout = Status(504)
    /// 505 HTTP Version Not Supported.
    public static let httpVersionNotSupported = Status(505)
}
