/// Where a rule with `redirectTo` sends its requests.
public enum RedirectTarget: Sendable {
    /// A URL or path with `<name>` placeholders filled from the matched values (`"/users/<id>"`),
    /// resolved against the application root.
    case template(String)
    /// A function of the matched values returning the URL or path.
    case function(@Sendable (RouteParameters) throws -> String)
}

/// One rule: a Werkzeug rule string, the methods it answers, an endpoint name for URL building, and
/// the handler that answers it.
///
/// ```swift
/// Route("/users/<int:id>", methods: [.get, .post], name: "user") { request in
///     "user \(request.route.int("id")!)"
/// }
/// Route("/page/", name: "page", defaults: ["n": 1]) { request in "page \(request.route["n"]!)" }
/// Route("/old/<slug>", redirectTo: "/new/<slug>")
/// ```
///
/// `methods` nil answers every method (Werkzeug's default); GET adds HEAD; OPTIONS is never added.
public struct Route: Sendable {
    /// The rule as written (a group's prefix is added when the router is built).
    public var rule: String
    /// The methods answered; nil: all.
    public var methods: [Method]?
    /// The endpoint name used by ``URLMap/build(_:_:method:external:scheme:context:)`` and `request.url(for:)`.
    public var name: String?
    /// Values passed to the handler when the rule does not have them; with the router's
    /// `redirectDefaults`, a URL spelling out a default redirects to the rule that omits it.
    public var defaults: [String: RouteValue]
    /// Whether `/branch` redirects to the rule `/branch/` (nil: the router's setting). False makes
    /// both spellings match without a redirect.
    public var strictSlashes: Bool?
    /// Whether `//a///b` redirects to `/a/b` (nil: the router's setting).
    public var mergeSlashes: Bool?
    /// The subdomain pattern this rule matches (`"<user>"`, `"api"`); nil: the router's default.
    public var subdomain: String?
    /// The host pattern when the router does host matching (`"<user>.example.com"`).
    public var host: String?
    /// Whether the rule answers WebSocket upgrade requests only; a mismatch either way is 400.
    public var websocket: Bool
    /// Whether the rule is only used to build URLs, never to match.
    public var buildOnly: Bool
    /// When set, a match redirects (308) instead of calling the handler.
    public var redirectTo: RedirectTarget?
    /// The handler (nil for redirect-only, alias and build-only rules).
    public var handler: Handler?
    /// An alias spelling of the endpoint: a match redirects (308) to the URL the endpoint's other
    /// rules build for the same values (Werkzeug's `alias=True`).
    public var alias = false

    /// A rule answered by `handler`.
    public init(_ rule: String, methods: [Method]? = nil, name: String? = nil, defaults: [String: RouteValue] = [:],
                strictSlashes: Bool? = nil, mergeSlashes: Bool? = nil, subdomain: String? = nil, host: String? = nil,
                websocket: Bool = false, buildOnly: Bool = false, handler: Handler?) {
        self.rule = rule
        self.methods = methods
        self.name = name
        self.defaults = defaults
        self.strictSlashes = strictSlashes
        self.mergeSlashes = mergeSlashes
        self.subdomain = subdomain
        self.host = host
        self.websocket = websocket
        self.buildOnly = buildOnly
        self.handler = handler
    }

    /// A rule answered by a closure returning a ``Response``, a `String`, ``JSON``, bytes or a ``Status``.
    public init<Result: ResponseConvertible>(
        _ rule: String, methods: [Method]? = nil, name: String? = nil, defaults: [String: RouteValue] = [:],
        strictSlashes: Bool? = nil, mergeSlashes: Bool? = nil, subdomain: String? = nil, host: String? = nil,
        websocket: Bool = false, _ body: @escaping @Sendable (Request) async throws -> Result
    ) {
        self.init(rule, methods: methods, name: name, defaults: defaults, strictSlashes: strictSlashes,
                  mergeSlashes: mergeSlashes, subdomain: subdomain, host: host, websocket: websocket,
                  handler: Handler(body))
    }

    /// A rule answered by a closure that never awaits, returning a ``Response``, a `String`, ``JSON``,
    /// bytes or a ``Status``: its handler keeps a synchronous form, so the router can too.
    public init<Result: ResponseConvertible>(
        _ rule: String, methods: [Method]? = nil, name: String? = nil, defaults: [String: RouteValue] = [:],
        strictSlashes: Bool? = nil, mergeSlashes: Bool? = nil, subdomain: String? = nil, host: String? = nil,
        websocket: Bool = false, _ body: @escaping @Sendable (Request) throws -> Result
    ) {
        self.init(rule, methods: methods, name: name, defaults: defaults, strictSlashes: strictSlashes,
                  mergeSlashes: mergeSlashes, subdomain: subdomain, host: host, websocket: websocket,
                  handler: Handler(body))
    }

    /// A rule answered by a closure returning an `Encodable` value, sent as JSON.
    @_disfavoredOverload
    public init<Result: Encodable & Sendable>(
        _ rule: String, methods: [Method]? = nil, name: String? = nil, defaults: [String: RouteValue] = [:],
        strictSlashes: Bool? = nil, mergeSlashes: Bool? = nil, subdomain: String? = nil, host: String? = nil,
        websocket: Bool = false, _ body: @escaping @Sendable (Request) async throws -> Result
    ) {
        self.init(rule, methods: methods, name: name, defaults: defaults, strictSlashes: strictSlashes,
                  mergeSlashes: mergeSlashes, subdomain: subdomain, host: host, websocket: websocket,
                  handler: Handler(body))
    }

    /// A rule answered by a closure that never awaits, returning an `Encodable` value sent as JSON.
    @_disfavoredOverload
    public init<Result: Encodable & Sendable>(
        _ rule: String, methods: [Method]? = nil, name: String? = nil, defaults: [String: RouteValue] = [:],
        strictSlashes: Bool? = nil, mergeSlashes: Bool? = nil, subdomain: String? = nil, host: String? = nil,
        websocket: Bool = false, _ body: @escaping @Sendable (Request) throws -> Result
    ) {
        self.init(rule, methods: methods, name: name, defaults: defaults, strictSlashes: strictSlashes,
                  mergeSlashes: mergeSlashes, subdomain: subdomain, host: host, websocket: websocket,
                  handler: Handler(body))
    }

    /// A rule that redirects (308) to `target`: `<name>` placeholders take the matched values, and a
    /// path is resolved against the application root (`Route("/old/<id>", redirectTo: "/new/<id>")`).
    public init(_ rule: String, redirectTo target: String, methods: [Method]? = nil, name: String? = nil,
                defaults: [String: RouteValue] = [:], subdomain: String? = nil, host: String? = nil) {
        self.init(rule, methods: methods, name: name, defaults: defaults, subdomain: subdomain, host: host,
                  handler: nil)
        self.redirectTo = .template(target)
    }

    /// A rule that redirects (308) to `target`; use `.function { values in ... }` to compute the URL
    /// from the matched values.
    public init(_ rule: String, redirectTo target: RedirectTarget, methods: [Method]? = nil, name: String? = nil,
                defaults: [String: RouteValue] = [:], subdomain: String? = nil, host: String? = nil) {
        self.init(rule, methods: methods, name: name, defaults: defaults, subdomain: subdomain, host: host,
                  handler: nil)
        self.redirectTo = target
    }

    /// An alias of endpoint `name`: a request for `rule` redirects (308) to the endpoint's canonical
    /// URL, built from the matched values (`Route(alias: "/index.html", name: "index")`).
    public init(alias rule: String, name: String, methods: [Method]? = nil, defaults: [String: RouteValue] = [:],
                subdomain: String? = nil, host: String? = nil) {
        self.init(rule, methods: methods, name: name, defaults: defaults, subdomain: subdomain, host: host,
                  handler: nil)
        self.alias = true
    }

    /// A rule used only to build URLs (for example to a static file server or another application).
    public init(buildOnly rule: String, name: String, defaults: [String: RouteValue] = [:],
                subdomain: String? = nil, host: String? = nil) {
        self.init(rule, name: name, defaults: defaults, subdomain: subdomain, host: host, buildOnly: true, handler: nil)
    }
}

/// Rules under a common path prefix (Werkzeug's `Submount`), subdomain (`Subdomain`) or name prefix
/// (`EndpointPrefix`), with middleware that run **only when a rule inside the group matched**.
///
/// ```swift
/// Group("/admin", name: "admin.") {
///     RequireLogin()                                  // wraps the routes that follow it
///     Route("/", name: "index") { _ in "dashboard" }  // endpoint "admin.index", rule "/admin/"
/// }
/// ```
///
/// A middleware wraps the routes declared after it in its block, nested groups included. A request
/// for `/admin/missing` does not run `RequireLogin` (Hummingbird's `RouteGroup` would: there, group
/// middleware run on any prefix match). Redirects, 405 and 404 are decided before any group middleware.
public struct Group: Sendable {
    /// The path prefix (no trailing `/`).
    public var prefix: String
    /// The subdomain pattern for rules that do not set their own.
    public var subdomain: String?
    /// The host pattern for rules that do not set their own.
    public var host: String?
    /// Prepended to every endpoint name inside.
    public var namePrefix: String
    /// The routes, groups and middleware inside.
    public var elements: [RouteElement]

    /// A group.
    public init(_ prefix: String = "", subdomain: String? = nil, host: String? = nil, name namePrefix: String = "",
                @RouteBuilder _ content: () -> [RouteElement]) {
        var trimmed = prefix
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.prefix = trimmed
        self.subdomain = subdomain
        self.host = host
        self.namePrefix = namePrefix
        self.elements = content()
    }
}

/// One element of a ``Router`` or ``Group`` block.
public enum RouteElement: Sendable {
    /// A rule.
    case route(Route)
    /// A nested group.
    case group(Group)
    /// A middleware wrapping the rules after it in the same block.
    case middleware(any Middleware)
}

/// The result builder of ``Router`` and ``Group`` blocks: routes, groups and middleware; `if`,
/// `if/else`, optionals and `for` work.
@resultBuilder
public enum RouteBuilder {
    /// Result-builder plumbing.
    public static func buildExpression(_ route: Route) -> [RouteElement] { [.route(route)] }
    /// Result-builder plumbing.
    public static func buildExpression(_ group: Group) -> [RouteElement] { [.group(group)] }
    /// Result-builder plumbing.
    public static func buildExpression(_ middleware: some Middleware) -> [RouteElement] { [.middleware(middleware)] }
    /// Result-builder plumbing.
    public static func buildExpression(_ elements: [RouteElement]) -> [RouteElement] { elements }
    /// Result-builder plumbing.
    public static func buildBlock(_ parts: [RouteElement]...) -> [RouteElement] { parts.flatMap { $0 } }
    /// Result-builder plumbing.
    public static func buildOptional(_ part: [RouteElement]?) -> [RouteElement] { part ?? [] }
    /// Result-builder plumbing.
    public static func buildEither(first part: [RouteElement]) -> [RouteElement] { part }
    /// Result-builder plumbing.
    public static func buildEither(second part: [RouteElement]) -> [RouteElement] { part }
    /// Result-builder plumbing.
    public static func buildArray(_ parts: [[RouteElement]]) -> [RouteElement] { parts.flatMap { $0 } }
    /// Result-builder plumbing.
    public static func buildLimitedAvailability(_ part: [RouteElement]) -> [RouteElement] { part }
}
