/// Layers that only decide which handler answers a request (routers, mounts, dispatchers) are
/// written once with ``Handler/choosing(among:_:)`` and keep the ``Handler/synchronous`` form of
/// the handlers they choose from.
extension Handler {
    /// What a choosing layer decided for one request.
    public enum Choice: Sendable {
        /// `handler` answers `request` (the incoming request or an adjusted copy). The handler must
        /// be one of the layer's candidates.
        case handler(Handler, Request)
        /// The layer answers itself (a redirect, say).
        case response(Response)
    }

    /// A handler that runs `choose` (which never suspends) and lets the chosen handler answer.
    /// It has a ``synchronous`` form when every handler in `candidates` has one.
    ///
    /// ```swift
    /// let byHost = Handler.choosing(among: [admin, site]) { request in
    ///     .handler(request.host == "admin.example.com" ? admin : site, request)
    /// }
    /// ```
    @inlinable
    public static func choosing(among candidates: [Handler],
                                _ choose: @escaping @Sendable (Request) throws -> Choice) -> Handler {
        let respond: @Sendable (Request) async throws -> Response = { request in
            switch try choose(request) {
            case .handler(let handler, let chosen): return try await handler.respond(chosen)
            case .response(let response): return response
            }
        }
        guard candidates.allSatisfy({ $0.synchronous != nil }) else {
            return Handler(layers: ["Handler"], respond, synchronous: nil)
        }
        return Handler(layers: ["Handler"], respond, synchronous: { request in
            switch try choose(request) {
            case .handler(let handler, let chosen):
                guard let synchronous = handler.synchronous else { throw HTTPError(.internalServerError, Self.notACandidate) }
                return try synchronous(chosen)
            case .response(let response):
                return response
            }
        })
    }

    @usableFromInline
    static let notACandidate = "A choosing layer picked a handler that is not among its candidates."
}
