/// Werkzeug's `DispatcherMiddleware`: sends each request to the handler mounted at the longest
/// matching path prefix, moving that prefix from `pathInfo` to `scriptName`; requests under no
/// prefix go to `default` unchanged.
///
/// ```swift
/// let app = Dispatcher(["/api": api, "/api/v2": apiV2, "/admin": admin], default: site)
/// // "/api/v2/users" -> apiV2 with scriptName "/api/v2", pathInfo "/users"
/// // "/apiary"       -> site
/// ```
///
/// Like Werkzeug, it strips path segments from the right until a prefix matches, so the cost grows
/// with the number of segments, not the number of mounts. As a middleware in a stack, `next` is
/// the default.
public struct Dispatcher: Middleware {
    /// The mounts, by prefix (no trailing `/`).
    public let mounts: [String: Handler]
    /// Where requests under no prefix go; nil: `next` when used as a middleware, 404 as a handler.
    public let defaultHandler: Handler?

    /// A dispatcher over `mounts` (prefixes like `/api`; a trailing `/` is ignored), each any
    /// ``HandlerConvertible``: a handler, a stack, a router.
    public init(_ mounts: [String: any HandlerConvertible], default defaultApp: (any HandlerConvertible)? = nil) {
        let defaultHandler = defaultApp?.makeHandler()
        var normalized: [String: Handler] = [:]
        for (prefix, app) in mounts { normalized[Request.normalizedMountPrefix(prefix)] = app.makeHandler() }
        self.mounts = normalized
        self.defaultHandler = defaultHandler
    }

    /// The layer's name in stack descriptions.
    public var name: String { "Dispatcher(\(mounts.keys.sorted().joined(separator: ", ")))" }

    /// The dispatcher as a handler: unmatched requests go to `default` (or 404).
    public var handler: Handler { wrap(defaultHandler ?? .notFound).withLayers([name] + (defaultHandler ?? .notFound).layers) }

    /// ``handler``: a dispatcher is a whole application.
    public func makeHandler() -> Handler { handler }

    /// Wraps `next`; called once, when the stack is built.
    public func wrap(_ next: Handler) -> Handler {
        let mounts = self.mounts
        let fallback = defaultHandler ?? next
        return Handler.choosing(among: Array(mounts.values) + [fallback]) { request in
            var script = Substring(request.pathInfo)
            while true {
                if !script.isEmpty, let handler = mounts[String(script)], let mounted = request.mounted(at: String(script)) {
                    return .handler(handler, mounted)
                }
                guard let slash = script.lastIndex(of: "/") else { break }
                script = script[..<slash]
            }
            if let root = mounts[""] { return .handler(root, request) }
            return .handler(fallback, request)
        }
    }
}
