/// Anything that answers a request: the unit everything in Werk is made of.
///
/// A handler is a value holding an async function. Middleware wrap handlers into new handlers, a
/// ``Stack`` composes them, and the server and ``TestClient`` are adapters that call one.
///
/// ```swift
/// let hello = Handler { request in "Hello, \(request.pathInfo)" }
/// let response = try await hello(Request(target: "/world"))
/// ```
///
/// A handler made from a closure that never awaits also keeps that closure as ``synchronous``:
/// the server calls it inline on its event loop, without creating a task per request (the cost is in
/// the Benchmarks article). Middleware written with ``around(before:after:)``, ``mapRequest(_:)``,
/// ``mapResponse(_:)`` or ``choosing(among:_:)`` keep the form; a layer that awaits makes the stack
/// asynchronous, which is always correct, only slower, and ``description`` marks it.
public struct Handler: Sendable, CustomStringConvertible {
    @usableFromInline
    let respond: @Sendable (Request) async throws -> Response

    /// The same handler as a function that never suspends, when it and every layer in it have one
    /// (nil otherwise). Adapters may call it instead of the async form; the answer is the same.
    public let synchronous: (@Sendable (Request) throws -> Response)?

    /// The names of the layers this handler is made of, outermost first (for `description`, the
    /// profiler and the debugger).
    public let layers: [String]

    /// A handler from a function returning a ``Response``.
    public init(_ respond: @escaping @Sendable (Request) async throws -> Response) {
        self.init(layers: ["Handler"], respond)
    }

    /// A handler from a function that never suspends, returning a ``Response``: it also has a
    /// ``synchronous`` form.
    public init(_ respond: @escaping @Sendable (Request) throws -> Response) {
        self.init(layers: ["Handler"], synchronous: respond)
    }

    /// A handler from a function returning anything ``ResponseConvertible``: a `String` (text), bytes,
    /// a ``JSON`` value, a ``Status``.
    public init<Result: ResponseConvertible>(_ respond: @escaping @Sendable (Request) async throws -> Result) {
        self.init(layers: ["Handler"]) { request in try await respond(request).makeResponse() }
    }

    /// A handler from a function that never suspends, returning anything ``ResponseConvertible``:
    /// it also has a ``synchronous`` form.
    public init<Result: ResponseConvertible>(_ respond: @escaping @Sendable (Request) throws -> Result) {
        self.init(layers: ["Handler"], synchronous: { request in try respond(request).makeResponse() })
    }

    /// A handler from a function returning an `Encodable` value, sent as JSON.
    @_disfavoredOverload
    public init<Result: Encodable & Sendable>(_ respond: @escaping @Sendable (Request) async throws -> Result) {
        self.init(layers: ["Handler"]) { request in try Response.json(encoding: try await respond(request)) }
    }

    /// A handler from a function that never suspends, returning an `Encodable` value sent as JSON.
    @_disfavoredOverload
    public init<Result: Encodable & Sendable>(_ respond: @escaping @Sendable (Request) throws -> Result) {
        self.init(layers: ["Handler"], synchronous: { request in try Response.json(encoding: try respond(request)) })
    }

    /// A handler with explicit layer names (used by ``Stack`` and middleware that compose handlers).
    public init(layers: [String], _ respond: @escaping @Sendable (Request) async throws -> Response) {
        self.respond = respond
        self.synchronous = nil
        self.layers = layers
    }

    /// A handler with explicit layer names from a function that never suspends.
    public init(layers: [String], synchronous: @escaping @Sendable (Request) throws -> Response) {
        self.respond = synchronous
        self.synchronous = synchronous
        self.layers = layers
    }

    /// A handler with both forms, for the library's own layers that need a different code path in
    /// each (`Sessions`); the two must give the same answer. Everyone else writes a layer once, with
    /// ``around(before:after:)``, ``mapRequest(_:)``, ``mapResponse(_:)`` or ``choosing(among:_:)``.
    @usableFromInline
    package init(layers: [String], _ respond: @escaping @Sendable (Request) async throws -> Response,
                 synchronous: (@Sendable (Request) throws -> Response)?) {
        self.respond = respond
        self.synchronous = synchronous
        self.layers = layers
    }

    /// Answers `request`. Errors propagate; adapters turn them into responses with
    /// ``respondCatchingErrors(_:)``.
    @inlinable
    public func callAsFunction(_ request: Request) async throws -> Response {
        try await respond(request)
    }

    /// Answers `request`, turning a thrown ``HTTPError`` into its response and any other error into a
    /// 500 that reveals nothing about the error. This is what the server and the test client call.
    public func respondCatchingErrors(_ request: Request) async -> Response {
        do {
            return try await respond(request)
        } catch {
            return HTTPError.response(for: error, request: request)
        }
    }

    /// Answers `request` without suspending when the handler has a ``synchronous`` form, turning
    /// errors into responses as ``respondCatchingErrors(_:)`` does; nil when it has none.
    public func respondSynchronouslyCatchingErrors(_ request: Request) -> Response? {
        guard let synchronous else { return nil }
        do {
            return try synchronous(request)
        } catch {
            return HTTPError.response(for: error, request: request)
        }
    }

    /// The same handler under other layer names.
    public func withLayers(_ layers: [String]) -> Handler { Handler(layers: layers, respond, synchronous: synchronous) }

    /// Marks, in ``layers``, a layer that makes a synchronous stack asynchronous (it awaits, or was
    /// written with the async API only): every request through it then costs a task.
    public static let asyncMark = "[async]"

    /// The stack, one layer per line, outermost first.
    public var description: String {
        layers.enumerated().map { String(repeating: "  ", count: $0.offset) + $0.element }.joined(separator: "\n")
    }

    /// Answers every request with 404 Not Found: the end of a stack without a terminal handler.
    public static let notFound = Handler(layers: ["NotFound"], synchronous: { _ in throw HTTPError(.notFound) })
}

/// A layer around a handler: `Handler -> Handler`.
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
///
/// Write a layer with ``Handler/around(before:after:)``, ``Handler/mapRequest(_:)`` or
/// ``Handler/mapResponse(_:)`` when it looks at or changes the request and the response, and with
/// ``Handler/choosing(among:_:)`` when it only picks who answers: such layers keep the
/// ``Handler/synchronous`` form of what they wrap. A layer that must `await` returns
/// `Handler { request in ... try await next(request) ... }`.
public protocol Middleware: HandlerConvertible {
    /// Wraps `next`. Called when the stack is built; the returned handler runs per request. A layer
    /// inside an instrumenter that asks for its layers uninstrumented as well (a sampling
    /// `Profiler`, see ``LayerInstrumenting/wrap(_:plain:)``) is wrapped twice, around two versions
    /// of `next`: state that all requests must share belongs in the middleware value (made in its
    /// initialiser), not in what `wrap` creates.
    func wrap(_ next: Handler) -> Handler

    /// The layer's name in ``Handler/description`` (default: the type's name).
    var name: String { get }
}

extension Middleware {
    /// The type's name, e.g. `Sessions`.
    public var name: String { String(describing: Self.self) }
}

/// A middleware from a closure that gets the request and the next handler.
///
/// ```swift
/// let timing = MiddlewareFunction("Timing") { request, next in
///     let start = ContinuousClock.now
///     var response = try await next(request)
///     response.headers.set("Server-Timing", "app;dur=\((ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000)")
///     return response
/// }
/// ```
public struct MiddlewareFunction: Middleware {
    /// The layer's name in the stack's description.
    public let name: String
    private let body: @Sendable (Request, Handler) async throws -> Response

    /// A middleware named `name` running `body`.
    public init(_ name: String = "MiddlewareFunction",
                _ body: @escaping @Sendable (Request, Handler) async throws -> Response) {
        self.name = name
        self.body = body
    }

    /// A handler that runs the closure with `next`.
    public func wrap(_ next: Handler) -> Handler {
        let body = self.body
        return Handler { request in try await body(request, next) }
    }
}
