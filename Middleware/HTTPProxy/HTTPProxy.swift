/// Forwards requests under configured path prefixes to upstream servers and streams the answers back:
/// Werkzeug's `ProxyMiddleware` with what Go's `httputil.ReverseProxy` adds (hop-by-hop headers
/// removed both ways, `X-Forwarded-*` or `Forwarded` set, 502 and 504 on upstream failures, a body
/// that breaks midway aborts the client's connection). Requests under no prefix go to the next handler.
///
/// ```swift
/// let app = Stack {
///     HTTPProxy(["/api": .init("http://127.0.0.1:9000/v1", removePrefix: true)])
///     Handler { _ in "site" }
/// }
/// // GET /api/users?x=1 -> GET /v1/users?x=1 on 127.0.0.1:9000
/// ```
///
/// Only the configured upstreams are reachable: the request's Host and an absolute-form target never
/// choose where a request goes. Bodies stream both ways and are never buffered whole. `Upgrade`
/// (WebSocket) is not passed through: the header is removed like every hop-by-hop header.
public struct HTTPProxy: Middleware {
    /// Where one prefix goes and how.
    public struct Target: Sendable {
        /// The upstream.
        public var endpoint: HTTPEndpoint
        /// The path the upstream's URL starts with (`/v1`), without a trailing `/`.
        public var basePath: String
        /// Whether the matched prefix is removed from the path (Werkzeug's `remove_prefix`).
        public var removePrefix: Bool
        /// The Host sent upstream.
        public var host: HostPolicy
        /// Headers added to every upstream request (replacing the client's of the same name).
        public var headers: Headers
        /// How the client's address, scheme and host are passed on.
        public var forwarding: Forwarding

        /// A target at `url` (`http://host[:port][/base]`; a Unix socket with ``init(endpoint:basePath:removePrefix:host:headers:forwarding:)``).
        /// A URL that is not `http://` stops the program: it is configuration, not input.
        public init(_ url: String, removePrefix: Bool = false, host: HostPolicy = .upstream, headers: Headers = Headers(),
                    forwarding: Forwarding = .xForwarded) {
            guard let endpoint = HTTPEndpoint(url: url) else { preconditionFailure("HTTPProxy: '\(url)' is not an http:// URL") }
            let path = url.dropFirst(7).drop { $0 != "/" }.prefix { $0 != "?" && $0 != "#" }
            self.init(endpoint: endpoint, basePath: String(path), removePrefix: removePrefix, host: host, headers: headers,
                      forwarding: forwarding)
        }

        /// A target at an endpoint (TCP or Unix socket).
        public init(endpoint: HTTPEndpoint, basePath: String = "", removePrefix: Bool = false, host: HostPolicy = .upstream,
                    headers: Headers = Headers(), forwarding: Forwarding = .xForwarded) {
            var base = Substring(basePath)
            while base.hasSuffix("/") { base = base.dropLast() }
            self.endpoint = endpoint
            self.basePath = String(base)
            self.removePrefix = removePrefix
            self.host = host
            self.headers = headers
            self.forwarding = forwarding
        }
    }

    /// Which Host the upstream sees.
    public enum HostPolicy: Sendable, Hashable {
        /// The upstream's own (`127.0.0.1:9000`): Werkzeug's default.
        case upstream
        /// The client's, unchanged.
        case keep
        /// This value.
        case custom(String)
    }

    /// How the proxy tells the upstream about the client.
    public enum Forwarding: Sendable, Hashable {
        /// Appends the client to `X-Forwarded-For`, sets `X-Forwarded-Proto` and `X-Forwarded-Host`.
        case xForwarded
        /// Appends an RFC 7239 element (`for`, `proto`, `host`) to `Forwarded`.
        case forwarded
        /// Nothing is added (and nothing the client sent of these is removed).
        case none
    }

    /// The targets by path prefix (longest match wins; at a segment boundary).
    public let targets: [(prefix: String, target: Target)]
    /// The client that makes the upstream requests.
    public let client: HTTPClient

    /// A proxy for `targets` (prefix → target) through `client`.
    public init(_ targets: [String: Target], client: HTTPClient = HTTPClient()) {
        self.targets = targets.map { prefix, target -> (String, Target) in
            var p = Substring(prefix)
            while p.hasSuffix("/") { p = p.dropLast() }
            return (p.hasPrefix("/") || p.isEmpty ? String(p) : "/" + p, target)
        }.sorted { $0.0.count > $1.0.count }
        self.client = client
    }

    /// `HTTPProxy` in stack descriptions.
    public var name: String { "HTTPProxy" }

    /// Wraps `next`: requests under a prefix go upstream, others to `next`.
    public func wrap(_ next: Handler) -> Handler {
        let proxy = self
        return Handler { request in
            for (prefix, target) in proxy.targets where request.mounted(at: prefix) != nil {
                return try await proxy.forward(request, prefix: prefix, to: target)
            }
            return try await next(request)
        }
    }
}
