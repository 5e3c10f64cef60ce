/// The HTTP version of a request.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    /// 1 in HTTP/1.1.
    public var major: Int
    /// 1 in HTTP/1.1.
    public var minor: Int
    /// A version.
    public init(major: Int, minor: Int) { self.major = major; self.minor = minor }
    /// HTTP/1.0.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    /// `HTTP/1.1`.
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// An HTTP request, as a value. Middleware that change a request pass a modified copy to `next`.
///
/// The path is split the way WSGI splits it: ``scriptName`` is the prefix the application is mounted
/// at (moved there by `Mount`/`Dispatcher`), ``pathInfo`` the rest. Both are percent-decoded.
///
/// ```swift
/// let request = Request(method: .get, target: "/users/42?tab=posts", headers: ["Host": "example.com"])
/// request.pathInfo                    // "/users/42"
/// try request.query["tab"]            // "posts"
/// request.url                         // "http://example.com/users/42?tab=posts"
/// ```
public struct Request: Sendable {
    /// The method.
    public var method: Method
    /// The request-target exactly as it arrived (`/a%20b?x=1`, or absolute-form `http://h/p`).
    public var target: String
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields, in order, duplicates kept.
    public var headers: Headers
    /// The body.
    public var body: RequestBody
    /// `http` or `https` (or what ProxyFix decided).
    public var scheme: String
    /// The decoded mount prefix: empty at the root, otherwise starts with `/` and has no trailing `/`.
    public var scriptName: String
    /// The decoded path below ``scriptName``, usually starting with `/`.
    public var pathInfo: String
    /// The raw query string, without `?` and still percent-encoded.
    public var queryString: String
    /// The client's address (IP, without port), when known.
    public var remoteAddress: String?
    /// The local address `host:port` the request arrived on, used for ``host`` when there is no Host
    /// header (HTTP/1.0).
    public var serverAddress: String?
    /// Values that middleware attach (session, route match, ...).
    public var storage: Storage
    /// The largest body, in bytes, that ``data()`` and friends read; more is a 413. Nil: no limit
    /// beyond what the server enforces.
    public var maxContentLength: Int?
    /// The largest urlencoded form body ``form()`` parses; more is a 413 (Werkzeug's default, 500 000).
    public var maxFormMemorySize: Int = 500_000
    /// When set, ``validatedHost()`` accepts only these hosts (a leading `.` matches subdomains too).
    public var trustedHosts: [String]?

    /// A request for `target`. An absolute-form target (`http://host/path`) sets ``scheme`` and the
    /// Host header from the URL, as servers must (RFC 9112 §3.2.2).
    public init(
        method: Method = .get,
        target: String = "/",
        version: HTTPVersion = .http1_1,
        headers: Headers = Headers(),
        body: RequestBody = .empty,
        scheme: String = "http",
        remoteAddress: String? = nil
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.scheme = scheme
        self.remoteAddress = remoteAddress
        self.storage = Storage()
        self.scriptName = ""

        // Parse the target on its UTF-8 bytes: Character-level String indexing costs ~10x more.
        let utf8 = target.utf8
        var pathStart = utf8.startIndex
        if let first = utf8.first, first != UInt8(ascii: "/") {
            Self.parseAbsoluteForm(target, scheme: &self.scheme, headers: &self.headers, pathStart: &pathStart)
        }
        var question: String.Index? = nil
        var end = utf8.endIndex
        var i = pathStart
        while i < end {
            let byte = utf8[i]
            if byte == UInt8(ascii: "?"), question == nil {
                question = i
            } else if byte == UInt8(ascii: "#") {
                end = i
            }
            i = utf8.index(after: i)
        }
        if let question {
            queryString = String(target[utf8.index(after: question)..<end])
        } else {
            queryString = ""
        }
        let rawPath = target[pathStart..<(question ?? end)]
        pathInfo = rawPath.isEmpty ? "/" : PercentEncoding.decode(rawPath)
    }

    /// Reads `scheme://authority` off an absolute-form target: sets the scheme (http/https), the Host
    /// header from the authority, and where the path starts.
    private static func parseAbsoluteForm(_ target: String, scheme: inout String, headers: inout Headers,
                                          pathStart: inout String.Index) {
        guard let schemeEnd = target.firstRange(of: "://") else { return }
        let urlScheme = ASCII.lowercased(target[..<schemeEnd.lowerBound])
        if urlScheme == "http" || urlScheme == "https" { scheme = urlScheme }
        let afterScheme = target.utf8[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? afterScheme.endIndex
        if authorityEnd > schemeEnd.upperBound {
            headers.set("Host", String(target[schemeEnd.upperBound..<authorityEnd]))
        }
        pathStart = authorityEnd
    }

    /// The body as in-memory bytes, for tests and small clients.
    public init(method: Method = .get, target: String = "/", headers: Headers = Headers(), body bytes: [UInt8]) {
        self.init(method: method, target: target, headers: headers, body: RequestBody(bytes: bytes))
    }

    /// The query string as an ordered multi-dict (`?a=1&a=2` keeps both). Throws ``HTTPError`` 400 on a
    /// malformed escape such as `%zz`.
    public var query: MultiDict {
        get throws { try URLQuery.parse(queryString) }
    }

    /// The cookies of the `Cookie` header(s), as an ordered multi-dict.
    public var cookies: MultiDict {
        var all = MultiDict()
        for header in headers.values(for: "Cookie") {
            for pair in Cookies.parse(header) { all.append(pair.key, pair.value) }
        }
        return all
    }

    /// Whether the request came over TLS (directly, or as ProxyFix established).
    public var isSecure: Bool { scheme == "https" || scheme == "wss" }

    /// The Content-Length header as a number; nil when absent or not a valid non-negative number.
    public var contentLength: Int? {
        guard let raw = headers["Content-Length"], !raw.isEmpty, raw.utf8.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        return Int(raw)
    }
}
