/// Werkzeug-style routing as a middleware: matches the request against its rules, answers with the
/// matched route's handler (or a redirect, 405, or 400), and calls `next` when no rule matches, so
/// stacks can fall through to later layers.
///
/// ```swift
/// let app = Stack {
///     Router {
///         Route("/", name: "index") { _ in "Hello" }
///         Route("/users/<int:id>", methods: [.get, .post], name: "user") { request in
///             "user \(request.route.int("id")!) at \(try request.url(for: "user", ["id": 7]))"
///         }
///         Group("/admin") {
///             RequireLogin()
///             Route("/") { _ in "admin" }
///         }
///     }
///     fallbackHandler        // reached when no rule matches
/// }
/// ```
///
/// When a layer around the router installed ``RequestNotes`` (the profiler does), the router writes
/// the matched rule there, under its mount point (`/api/users/<int:id>`), as the request's route.
///
/// Rules compile into a trie when the router is created. A malformed rule stops the program when
/// the router is put into a stack (``wrap(_:)``), with a message naming the rule and the position;
/// call ``validate()`` first to get the same error as a thrown ``RouteDefinitionError`` (``URLMap/errors``
/// lists them all).
public struct Router: Middleware {
    /// The compiled rules.
    public let map: URLMap

    /// A router. Settings are Werkzeug's `Map` arguments, with its defaults; `converters` add to or
    /// replace the built-in ones by name.
    public init(strictSlashes: Bool = true, mergeSlashes: Bool = true, redirectDefaults: Bool = true,
                hostMatching: Bool = false, serverName: String? = nil, defaultSubdomain: String = "",
                converters: [String: RouteConverterFactory] = [:],
                @RouteBuilder _ content: () -> [RouteElement]) {
        var options = URLMap.Options()
        options.strictSlashes = strictSlashes
        options.mergeSlashes = mergeSlashes
        options.redirectDefaults = redirectDefaults
        options.hostMatching = hostMatching
        options.serverName = serverName
        options.defaultSubdomain = defaultSubdomain
        map = URLMap(content(), options: options, converters: converters)
    }

    /// Throws the first malformed rule's ``RouteDefinitionError``.
    public func validate() throws {
        if let first = map.errors.first { throw first }
    }

    /// The layer's name in stack descriptions.
    public var name: String { "Router" }

    /// The router as the end of a stack: requests no rule matches get 404.
    public var handler: Handler { wrap(.notFound).withLayers(["Router"]) }

    /// ``handler``: a router alone is a whole application.
    public func makeHandler() -> Handler { handler }

    /// Wraps `next`; called once, when the stack is built.
    public func wrap(_ next: Handler) -> Handler {
        precondition(map.errors.isEmpty, "Router: \(map.errors.count) malformed rule(s):\n"
                     + map.errors.map(\.description).joined(separator: "\n"))
        let map = self.map
        return Handler.choosing(among: map.rules.compactMap(\.handler) + [next]) { request in
            let binding: URLMap.Binding
            if map.matchesDomain {
                binding = map.binding(for: request)
            } else {
                binding = URLMap.Binding(serverName: "", subdomain: "", scheme: request.scheme,
                                         scriptName: request.scriptName, websocket: request.isWebSocketUpgrade)
            }
            let result = map.match(request.pathInfo, method: request.method, binding: binding,
                                   queryString: request.queryString)
            var routed = request
            switch result {
            case .matched(let match):
                // For the layers around that report on the request (the profiler's `http.route`).
                if let notes = request.notes { notes.route = request.scriptName + match.rule }
                routed.storage[RoutingStateKey.self] = RoutingState(map: map, match: match)
                return .handler(match.compiled.handler!, routed)
            case .redirect(var location):
                if map.options.serverName == nil {
                    // The location carries the request's host: a missing or malformed Host is a 400,
                    // never a `Location: http:///...`.
                    _ = try request.hostForAbsoluteURL()
                }
                if !map.matchesDomain {
                    // Redirect URLs carry the host: match again with the full binding on this rare path.
                    if case .redirect(let full) = map.match(request.pathInfo, method: request.method,
                                                            binding: map.binding(for: request),
                                                            queryString: request.queryString) {
                        location = full
                    }
                }
                return .response(Response.redirect(to: location, status: .permanentRedirect))
            case .methodNotAllowed(let methods):
                throw HTTPError.methodNotAllowed(allowed: methods)
            case .websocketMismatch:
                throw HTTPError(.badRequest, request.isWebSocketUpgrade
                                ? "This URL does not accept WebSocket connections."
                                : "This URL only accepts WebSocket connections.")
            case .notFound:
                routed.storage[RoutingStateKey.self] = RoutingState(map: map, match: nil)
                return .handler(next, routed)
            }
        }.withLayers(["Router"] + next.layers)
    }
}

/// What a router leaves on a request: its map and the match. A class, so storing it in the
/// request's storage does not box a large value and copies are one retain.
final class RoutingState: Sendable {
    let map: URLMap
    let match: RouteMatch?

    init(map: URLMap, match: RouteMatch?) {
        self.map = map
        self.match = match
    }
}

enum RoutingStateKey: StorageKey {
    typealias Value = RoutingState
}
