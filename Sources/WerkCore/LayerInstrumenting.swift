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

extension Handler {
    /// `handler` passed through every instrumenter in `instrumenters` (position in the stack, the
    /// instrumenter) that sits outside `position`, the nearest first.
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
