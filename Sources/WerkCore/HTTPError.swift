/// An error that is an HTTP response: throw it from any handler or middleware.
///
/// It renders as Werkzeug's small HTML page, or as JSON when the client prefers JSON (by `Accept`).
/// Any other error thrown out of a stack becomes a 500 that reveals nothing about it.
///
/// ```swift
/// throw HTTPError(.notFound)
/// throw HTTPError(.badRequest, "The 'page' parameter must be a number.")
/// throw HTTPError.methodNotAllowed(allowed: [.get, .head])
/// ```
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The status to answer with.
    public var status: Status
    /// What went wrong, for the client. Nil: the status's standard description.
    public var message: String?
    /// Headers the response needs (`Allow`, `Location`, `WWW-Authenticate`, `Retry-After`, ...).
    public var headers: Headers

    /// An error answering with `status`, a message for the client and extra headers.
    public init(_ status: Status, _ message: String? = nil, headers: Headers = Headers()) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// The status's name (`Not Found`).
    public var name: String { status.reasonPhrase }

    /// The message, or the standard description of the status (Werkzeug's wording).
    public var detail: String { message ?? HTTPError.standardDescription(for: status.code) }

    /// `404 Not Found: <detail>`.
    public var description: String { "\(status): \(detail)" }

    /// 405 with the `Allow` header listing `allowed`.
    public static func methodNotAllowed(allowed: [Method]) -> HTTPError {
        HTTPError(.methodNotAllowed, headers: ["Allow": allowed.map(\.rawValue).joined(separator: ", ")])
    }

    /// A redirect (308 by default, which keeps the method and body) to `location`.
    public static func redirect(to location: String, status: Status = .permanentRedirect) -> HTTPError {
        HTTPError(status, "Redirecting to \(location).", headers: ["Location": PercentEncoding.encodeIRI(location)])
    }

    /// 413, naming the limit.
    public static func contentTooLarge(limit: Int) -> HTTPError {
        HTTPError(.contentTooLarge, "The request body is larger than the \(limit)-byte limit.")
    }

    /// 401 with one `WWW-Authenticate` header per challenge (e.g. `Basic realm="app"`).
    public static func unauthorized(_ message: String? = nil, challenges: [String]) -> HTTPError {
        var headers = Headers()
        for challenge in challenges { headers.add("WWW-Authenticate", challenge) }
        return HTTPError(.unauthorized, message, headers: headers)
    }

    /// 429 or 503 with `Retry-After` in seconds.
    public static func retryLater(_ status: Status = .tooManyRequests, afterSeconds seconds: Int) -> HTTPError {
        HTTPError(status, headers: ["Retry-After": String(seconds)])
    }

    /// 416 with `Content-Range: bytes */length`.
    public static func rangeNotSatisfiable(length: Int) -> HTTPError {
        HTTPError(.rangeNotSatisfiable, headers: ["Content-Range": "bytes */\(length)"])
    }

    /// Werkzeug's description of each status it defines; a generic sentence for others.
    public static func standardDescription(for code: Int) -> String {
        switch code {
        case 400: "The browser (or proxy) sent a request that this server could not understand."
        case 401: "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."
        case 403: "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."
        case 404: "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
        case 405: "The method is not allowed for the requested URL."
        case 406: "The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request."
        case 408: "The server closed the network connection because the browser didn't finish the request within the specified time."
        case 409: "A conflict happened while processing the request. The resource might have been modified while the request was being processed."
        case 410: "The requested URL is no longer available on this server and there is no forwarding address. If you followed a link from a foreign page, please contact the author of this page."
        case 411: "A request with this method requires a valid <code>Content-Length</code> header."
        case 412: "The precondition on the request for the URL failed positive evaluation."
        case 413: "The data value transmitted exceeds the capacity limit."
        case 414: "The length of the requested URL exceeds the capacity limit for this server. The request cannot be processed."
        case 415: "The server does not support the media type transmitted in the request."
        case 416: "The server cannot provide the requested range."
        case 417: "The server could not meet the requirements of the Expect header"
        case 418: "This server is a teapot, not a coffee machine"
        case 421: "The server is not able to produce a response."
        case 422: "The request was well-formed but was unable to be followed due to semantic errors."
        case 423: "The resource that is being accessed is locked."
        case 424: "The method could not be performed on the resource because the requested action depended on another action and that action failed."
        case 428: "This request is required to be conditional; try using \"If-Match\" or \"If-Unmodified-Since\"."
        case 429: "This user has exceeded an allotted request count. Try again later."
        case 431: "One or more header fields exceeds the maximum size."
        case 451: "Unavailable for legal reasons."
        case 500: "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."
        case 501: "The server does not support the action requested by the browser."
        case 502: "The proxy server received an invalid response from an upstream server."
        case 503: "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later."
        case 504: "The connection to an upstream server timed out."
        case 505: "The server does not support the HTTP protocol version used in the request."
        default: code >= 300 && code < 400 ? "Redirecting." : "The request could not be completed (\(Status(code)))."
        }
    }
}
