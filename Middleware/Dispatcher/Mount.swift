/// Hands every request under `prefix` to another handler, moving the prefix from `pathInfo` to
/// `scriptName` (like mounting a WSGI application): the mounted handler sees paths relative to its
/// mount point and builds URLs under it. Other requests go to `next`.
///
/// ```swift
/// let app = Stack {
///     Mount("/api", apiHandler)      // "/api/users" reaches apiHandler as pathInfo "/users"
///     site                           // everything else, "/apiary" included
/// }
/// ```
///
/// The prefix matches at a segment boundary only: `/api` takes `/api` and `/api/...`, not `/apiary`.
/// A request for exactly `/api` reaches the handler with an empty `pathInfo` (a Router there
/// redirects it to `/api/` when it has a `/` rule, as Werkzeug does).
public struct Mount: Middleware {
    /// The mount point, without a trailing `/`.
    public let prefix: String
    /// The mounted handler.
    public let handler: Handler

    /// Mounts `app` (a ``Handler``, a stack, a router, any ``HandlerConvertible``) at `prefix`.
    public init(_ prefix: String, _ app: some HandlerConvertible) {
        let handler = app.makeHandler()
        self.prefix = Request.normalizedMountPrefix(prefix)
        self.handler = handler
    }

    /// The layer's name in stack descriptions.
    public var name: String { "Mount(\(prefix))" }

    /// Wraps `next`; called once, when the stack is built.
    public func wrap(_ next: Handler) -> Handler {
        let prefix = self.prefix, handler = self.handler
        return Handler.choosing(among: [handler, next]) { request in
            if let mounted = request.mounted(at: prefix) { return .handler(handler, mounted) }
            return .handler(next, request)
        }
    }
}
