/// One-closure building blocks for middleware: a layer written with these is written once and keeps
/// the ``Handler/synchronous`` form of the handler it wraps (the server then answers inline, with no
/// task per request). Write a layer with the async ``Handler/init(_:)-(Request)->Response`` only
/// when it must `await` (and the stack's `description` marks it `[async]`).
///
/// ```swift
/// struct ServerHeader: Middleware {
///     func wrap(_ next: Handler) -> Handler {
///         next.mapResponse { _, response in
///             var response = response
///             response.headers.set("Server", "Werk")
///             return response
///         }
///     }
/// }
/// ```
extension Handler {
    /// A handler that runs `before` on the request (which may change it, or throw to answer with an
    /// error), lets this handler answer, then runs `after` on the response (which may change it).
    /// Neither closure suspends, so the result keeps this handler's synchronous form.
    public func around(before: @escaping @Sendable (inout Request) throws -> Void,
                       after: @escaping @Sendable (Request, inout Response) throws -> Void) -> Handler {
        let respond = self.respond
        let async: @Sendable (Request) async throws -> Response = { incoming in
            var request = incoming
            try before(&request)
            var response = try await respond(request)
            try after(request, &response)
            return response
        }
        guard let synchronous else { return Handler(layers: layers, async, synchronous: nil) }
        return Handler(layers: layers, async, synchronous: { incoming in
            var request = incoming
            try before(&request)
            var response = try synchronous(request)
            try after(request, &response)
            return response
        })
    }

    /// A handler that passes each request through `transform` (which may throw an ``HTTPError`` to
    /// refuse it) before this handler answers. Keeps the synchronous form.
    public func mapRequest(_ transform: @escaping @Sendable (Request) throws -> Request) -> Handler {
        // Not `around`: the request goes straight from `transform` to the next handler, with no
        // copy back into an `inout` and no empty `after` call.
        let respond = self.respond
        let async: @Sendable (Request) async throws -> Response = { request in try await respond(try transform(request)) }
        guard let synchronous else { return Handler(layers: layers, async, synchronous: nil) }
        return Handler(layers: layers, async, synchronous: { request in try synchronous(try transform(request)) })
    }

    /// A handler that passes each response, with the request it answers, through `transform`.
    /// Keeps the synchronous form.
    public func mapResponse(_ transform: @escaping @Sendable (Request, Response) throws -> Response) -> Handler {
        let respond = self.respond
        let async: @Sendable (Request) async throws -> Response = { request in try transform(request, try await respond(request)) }
        guard let synchronous else { return Handler(layers: layers, async, synchronous: nil) }
        return Handler(layers: layers, async, synchronous: { request in try transform(request, try synchronous(request)) })
    }
}
