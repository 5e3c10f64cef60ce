/// A middleware that is handed every layer composed inside it when a ``Stack`` is built, and may
/// return each one wrapped (timed, traced, annotated). The profiler times every layer this way and
/// the debugger learns which layers an error passed through, with no code in the layers themselves.
///
/// ```swift
/// struct LayerNames: LayerInstrumenting {
///     func wrap(_ next: Handler) -> Handler { next }
///     func instrument(_ layer: Handler, _ info: LayerInfo) -> Handler {
///         layer.mapResponse { _, response in
///             var response = response
///             response.headers.add("X-Layer", info.name)
///             return response
///         }
///     }
/// }
/// ```
///
/// `Handler.compose` calls ``instrument(_:_:)`` once per layer inside the instrumenter (the layers
/// after it in the stack, and the terminal handler), innermost first, before the instrumenter's own
/// ``Middleware/wrap(_:)`` receives the result. Per request there is no cost beyond what the returned
/// handlers do; a stack without an instrumenter is composed exactly as before. Return a handler that
/// keeps ``Handler/synchronous`` when `layer` has it (``Handler/around(before:after:)`` and friends
/// do), or the stack becomes asynchronous from that layer out and its description says so.
/// A ``Layers`` group is one layer here; a stack built separately and used as a handler is one
/// layer too (its own instrumenters see its insides).
public protocol LayerInstrumenting: Middleware {
    /// Returns `layer` (the handler a layer made around the layers inside it, or the terminal
    /// handler) instrumented. Called once per layer when the stack is built.
    func instrument(_ layer: Handler, _ info: LayerInfo) -> Handler

    /// Wraps the layers inside the instrumenter, given two builds of them: `next`, every layer
    /// instrumented (by ``instrument(_:_:)`` and by the other instrumenters around it), and
    /// `plain()`, the same layers built again without this instrumenter's ``instrument(_:_:)``
    /// (other instrumenters' wrapping stays, so an instrumenter inside or outside this one still sees
    /// its layers in both). An instrumenter that decides per request whether to look at a request (a
    /// sampling profiler) sends the requests it skips down `plain()`, so they pay nothing per layer.
    ///
    /// `plain` composes the inner layers a second time (each inner middleware's ``Middleware/wrap(_:)``
    /// runs again) and only when called, at build time; per request there is no cost. The default
    /// calls ``Middleware/wrap(_:)`` with `next` and never builds the plain layers.
    func wrap(_ next: Handler, plain: () -> Handler) -> Handler
}

extension LayerInstrumenting {
    /// `wrap(next)`: the plain layers are not built.
    public func wrap(_ next: Handler, plain: () -> Handler) -> Handler { wrap(next) }
}

/// What an instrumenter is told about one layer of the stack it sits in.
public struct LayerInfo: Sendable, Hashable, CustomStringConvertible {
    /// The layer's name (``Middleware/name``, or the terminal handler's first layer name).
    public var name: String
    /// How far inside the instrumenter the layer sits: 1 for the layer right after it in the stack.
    public var depth: Int
    /// The layer's position in its stack, outermost first, from 0 (the terminal is last).
    public var position: Int
    /// Whether this is the stack's terminal handler rather than a middleware.
    public var isTerminal: Bool
    /// Whether this layer drops the synchronous form of what it wraps (marked `[async]` in the
    /// stack's description).
    public var makesAsynchronous: Bool

    /// Information about one layer.
    public init(name: String, depth: Int, position: Int, isTerminal: Bool = false, makesAsynchronous: Bool = false) {
        self.name = name
        self.depth = depth
        self.position = position
        self.isTerminal = isTerminal
        self.makesAsynchronous = makesAsynchronous
    }

    /// `name (depth n)`.
    public var description: String { "\(name) (depth \(depth))" }
}

/// A stack's composition when it holds instrumenters: each layer inside an instrumenter is handed
/// to it, and an instrumenter that asks for the plain layers (``LayerInstrumenting/wrap(_:plain:)``)
/// gets them built again without its own instrumentation. With k such instrumenters nested, the
/// innermost layers are built at most 2^k times (once per set of instrumenters left out), at build
/// time only.
struct InstrumentedComposition {
    let layers: [any Middleware]
    let terminal: Handler
    /// The stack's instrumenters and their positions, outermost first.
    let instrumenters: [(position: Int, instrumenter: any LayerInstrumenting)]

    /// The layers from `start` inward around the terminal, instrumented by every instrumenter outside
    /// each layer except those at the positions in `excluded`.
    func chain(from start: Int, excluding excluded: Set<Int>) -> Handler {
        let active = instrumenters.filter { !excluded.contains($0.position) }
        var handler = Self.instrumented(terminal, name: terminal.layers.first ?? "Handler", position: layers.count,
                                        isTerminal: true, makesAsynchronous: false, by: active)
            .withLayers(terminal.layers)
        for position in (start..<layers.count).reversed() {
            let middleware = layers[position]
            let inner = handler
            let wrapped: Handler
            if let instrumenter = middleware as? any LayerInstrumenting {
                wrapped = instrumenter.wrap(inner, plain: { chain(from: position + 1, excluding: excluded.union([position])) })
            } else {
                wrapped = middleware.wrap(inner)
            }
            let dropsSynchronous = inner.synchronous != nil && wrapped.synchronous == nil
            let instrumented = Self.instrumented(wrapped, name: middleware.name, position: position, isTerminal: false,
                                                 makesAsynchronous: dropsSynchronous, by: active)
            handler = Handler.stacked(instrumented, named: middleware.name, around: inner)
        }
        return handler
    }

    /// `handler` passed through every instrumenter in `instrumenters` that sits outside `position`,
    /// the nearest first.
    static func instrumented(_ handler: Handler, name: String, position: Int, isTerminal: Bool, makesAsynchronous: Bool,
                             by instrumenters: [(position: Int, instrumenter: any LayerInstrumenting)]) -> Handler {
        var result = handler
        for entry in instrumenters.reversed() where entry.position < position {
            let info = LayerInfo(name: name, depth: position - entry.position, position: position,
                                 isTerminal: isTerminal, makesAsynchronous: makesAsynchronous)
            result = entry.instrumenter.instrument(result, info)
        }
        return result
    }
}
