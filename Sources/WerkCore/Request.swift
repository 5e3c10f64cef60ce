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

        var rest = Substring(target)
        if !rest.hasPrefix("/"), let schemeEnd = rest.firstRange(of: "://") {
            // Absolute form: scheme://authority/path?query
            let urlScheme = ASCII.lowercased(rest[..<schemeEnd.lowerBound])
            if urlScheme == "http" || urlScheme == "https" { self.scheme = urlScheme }
            let afterScheme = rest[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
            let authority = afterScheme[..<authorityEnd]
            if !authority.isEmpty { self.headers.set("Host", String(authority)) }
            rest = afterScheme[authorityEnd...]
        }
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        if let question = rest.firstIndex(of: "?") {
            queryString = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        } else {
            queryString = ""
        }
        pathInfo = rest.isEmpty ? "/" : PercentEncoding.decode(rest)
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
