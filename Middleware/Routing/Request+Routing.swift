extension Request {
    /// The values of the matched route (empty when no route matched).
    ///
    /// ```swift
    /// request.route.int("id")                    // Int?
    /// request.route["slug"]                      // String?
    /// try request.route.value("id", as: Int.self)
    /// ```
    public var route: RouteParameters { storage[RoutingStateKey.self]?.match?.parameters ?? RouteParameters() }

    /// The match (endpoint name, rule, values), when a ``Router`` matched this request.
    public var routeMatch: RouteMatch? { storage[RoutingStateKey.self]?.match }

    /// The map of the last ``Router`` this request went through, for building URLs to any of its rules.
    public var urlMap: URLMap? { storage[RoutingStateKey.self]?.map }

    /// The URL of `endpoint` with `values` (in order; unknown ones become the query string), built by
    /// the router this request went through: relative to the host and under ``scriptName`` (so mounts
    /// and X-Forwarded-Prefix are honoured), or absolute with `external`.
    ///
    /// ```swift
    /// try request.url(for: "user", ["id": 42])                    // "/users/42"
    /// try request.url(for: "post", ["id": 5, "q": "a b"])         // "/post/5?q=a+b"
    /// try request.url(for: "user", ["id": 42], external: true)    // "http://example.com/users/42"
    /// ```
    ///
    /// Throws ``URLBuildError`` (naming the closest endpoint or the missing values) when no rule fits,
    /// and when the request did not go through a ``Router``; throws ``HTTPError`` 400 when an absolute
    /// URL is asked for and the request's Host header is missing, malformed or not trusted.
    public func url(for endpoint: String, _ values: KeyValuePairs<String, any Sendable> = [:], method: Method? = nil,
                    external: Bool = false, scheme: String? = nil) throws -> String {
        try buildURL(endpoint, values.map { ($0.key, $0.value) }, method: method, external: external, scheme: scheme)
    }

    /// ``url(for:_:method:external:scheme:)`` with values in a dictionary; the query string is in key order.
    @_disfavoredOverload
    public func url(for endpoint: String, _ values: [String: any Sendable], method: Method? = nil,
                    external: Bool = false, scheme: String? = nil) throws -> String {
        try buildURL(endpoint, values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, method: method,
                     external: external, scheme: scheme)
    }

    private func buildURL(_ endpoint: String, _ values: [(String, any Sendable)], method: Method?, external: Bool,
                          scheme: String?) throws -> String {
        guard let map = urlMap else {
            throw URLBuildError(endpoint: endpoint, valueNames: values.map(\.0).sorted(), suggestion: nil,
                                description: "Could not build url for endpoint '\(endpoint)': the request did not "
                                    + "go through a Router (put the Router before this handler in the stack).")
        }
        let url = try map.build(endpoint, values, method: method, external: external, scheme: scheme,
                                context: map.binding(for: self))
        if map.options.serverName == nil, url.contains("://") { _ = try hostForAbsoluteURL() }
        return url
    }
}
