/// A stack of middleware around a terminal handler, declared with a result builder. `Stack` is
/// ``Handler``: building one composes the layers once, so a request goes through nested calls only.
///
/// Middleware come outermost first; the last element may be a ``Handler``; a stack without one
/// answers 404. `if`, `if/else`, optionals and `for` work inside.
///
/// ```swift
/// let app: Handler = Stack {
///     ServerHeader()
///     if debug { RequestLogger() }
///     for name in extraLayers { Tag(name) }
///     Handler { _ in "Hello" }
/// }
/// print(app)   // the layers, outermost first
/// ```
public typealias Stack = Handler

/// One element of a ``Stack``.
public enum StackElement: Sendable {
    /// A layer.
    case middleware(any Middleware)
    /// The terminal handler.
    case handler(Handler)
}

/// The result builder behind ``Stack``.
@resultBuilder
public enum StackBuilder {
    /// A middleware: one layer.
    public static func buildExpression(_ middleware: some Middleware) -> [StackElement] { [.middleware(middleware)] }
    /// An optional middleware: a layer when present.
    public static func buildExpression(_ middleware: (any Middleware)?) -> [StackElement] {
        middleware.map { [.middleware($0)] } ?? []
    }
    /// A handler: the terminal (must come last).
    public static func buildExpression(_ handler: Handler) -> [StackElement] { [.handler(handler)] }
    /// Elements built elsewhere, spliced in.
    public static func buildExpression(_ elements: [StackElement]) -> [StackElement] { elements }
    /// Concatenates the elements of a block in order.
    public static func buildBlock(_ parts: [StackElement]...) -> [StackElement] { parts.flatMap { $0 } }
    /// `if` without `else`: the elements when the condition holds.
    public static func buildOptional(_ part: [StackElement]?) -> [StackElement] { part ?? [] }
    /// `if`/`else`: the first branch.
    public static func buildEither(first part: [StackElement]) -> [StackElement] { part }
    /// `if`/`else`: the second branch.
    public static func buildEither(second part: [StackElement]) -> [StackElement] { part }
    /// `for` loops: every iteration's elements in order.
    public static func buildArray(_ parts: [[StackElement]]) -> [StackElement] { parts.flatMap { $0 } }
    /// `if #available`: the elements unchanged.
    public static func buildLimitedAvailability(_ part: [StackElement]) -> [StackElement] { part }
}

extension Handler {
    /// Builds a stack: see ``Stack``. A handler anywhere but last is a mistake in the stack's
    /// declaration (the layers after it could never run) and stops the program with a message
    /// naming the position.
    public init(@StackBuilder _ build: () -> [StackElement]) {
        self = Handler.compose(build())
    }

    /// Composes elements, outermost first, around the terminal (or ``Handler/notFound``).
    public static func compose(_ elements: [StackElement]) -> Handler {
        var terminal = Handler.notFound
        var layers: [any Middleware] = []
        for (index, element) in elements.enumerated() {
            switch element {
            case .middleware(let middleware):
                layers.append(middleware)
            case .handler(let handler):
                precondition(index == elements.count - 1,
                             "Stack: the handler at position \(index + 1) of \(elements.count) must be the last element; "
                             + "the layers after it could never run. Move it to the end or make it a Mount.")
                terminal = handler
            }
        }
        // Instrumenters (the profiler, the debugger) are handed each layer inside them; found once,
        // here, so a stack without one is composed exactly as before and pays nothing per request.
        var instrumenters: [(position: Int, instrumenter: any LayerInstrumenting)] = []
        for (position, middleware) in layers.enumerated() {
            if let instrumenter = middleware as? any LayerInstrumenting { instrumenters.append((position, instrumenter)) }
        }
        if !instrumenters.isEmpty {
            return InstrumentedComposition(layers: layers, terminal: terminal, instrumenters: instrumenters)
                .chain(from: 0, excluding: [])
        }
        var handler = terminal
        for middleware in layers.reversed() {
            handler = stacked(middleware.wrap(handler), named: middleware.name, around: handler)
        }
        return handler
    }

    /// `wrapped` (what `name`'s layer made of `inner`) with the stack's layer names; a layer that
    /// drops the synchronous form of what it wraps makes the stack asynchronous from there out:
    /// `description` says so, so nobody pays for it unknowingly.
    static func stacked(_ wrapped: Handler, named name: String, around inner: Handler) -> Handler {
        let name = inner.synchronous != nil && wrapped.synchronous == nil ? name + " " + Handler.asyncMark : name
        return wrapped.withLayers([name] + inner.layers)
    }
}

/// A group of middleware that is itself one middleware, for reusing a set of layers in several
/// stacks. When the group ends with a handler, that handler answers and the outer `next` is not
/// called; otherwise requests continue to `next`.
///
/// ```swift
/// let security = Layers { ProxyFix(); Sessions(secretKeys: keys) }
/// let app = Stack { security; router }
/// ```
public struct Layers: Middleware {
    private let elements: [StackElement]

    /// A group of layers.
    public init(@StackBuilder _ build: () -> [StackElement]) { elements = build() }

    /// `Layers(A, B, C)`, naming the layers inside.
    public var name: String {
        let inner = elements.map { element -> String in
            switch element {
            case .middleware(let middleware): middleware.name
            case .handler(let handler): handler.layers.joined(separator: " > ")
            }
        }
        return "Layers(" + inner.joined(separator: ", ") + ")"
    }

    /// The group around `next` (or around its own terminal handler, ignoring `next`).
    public func wrap(_ next: Handler) -> Handler {
        if case .handler = elements.last { return Handler.compose(elements) }
        return Handler.compose(elements + [.handler(next)])
    }
}
