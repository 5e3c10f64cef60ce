import Synchronization

/// Which layers an error passed through, and the request as the innermost of them saw it (with the
/// storage entries the layers inside the Debugger added: the session, the route match, ...).
///
/// The Debugger is a ``LayerInstrumenting`` middleware: when the stack is built, every layer inside
/// it is wrapped in a `do`/`catch` that notes `(error, layer, request)` in the request's trail (a
/// task-local the Debugger binds per request) and rethrows. Per request that is one task-local
/// binding; layers keep their synchronous form.
final class DebuggerTrail: Sendable {
    struct Mark: Sendable {
        let errorAddress: UInt
        let layer: String
        /// How far inside the Debugger the layer sits (1: the layer right after it).
        let depth: Int
        let request: Request
    }

    @TaskLocal static var current: DebuggerTrail?

    /// Most marks kept per request (a layer that catches and retries in a loop must not grow it).
    static let capacity = 64

    private let marks = Mutex<[Mark]>([])

    func note(_ error: any Error, layer: LayerInfo, request: Request) {
        let mark = Mark(errorAddress: Self.address(of: error), layer: layer.name, depth: layer.depth, request: request)
        marks.withLock { marks in if marks.count < Self.capacity { marks.append(mark) } }
    }

    /// The marks left by `error` (or an error of its chain), innermost layer first.
    func marks(for chain: [any Error]) -> [Mark] {
        let addresses = chain.map(Self.address(of:))
        return marks.withLock { marks in marks.filter { addresses.contains($0.errorAddress) } }
    }

    /// An error's box address (`as any Error` keeps the existential from being opened).
    static func address(of error: any Error) -> UInt { unsafeBitCast(error as any Error, to: UInt.self) }
}

extension Debugger: LayerInstrumenting {
    /// Wraps one layer inside the Debugger so that an error leaving it is noted in the request's
    /// trail (then rethrown unchanged). ``HTTPError``s are not noted. Keeps the synchronous form.
    public func instrument(_ layer: Handler, _ info: LayerInfo) -> Handler {
        let synchronous = layer.synchronous.map { synchronous in
            { @Sendable (request: Request) throws -> Response in
                do {
                    return try synchronous(request)
                } catch {
                    if !(error is HTTPError) { DebuggerTrail.current?.note(error, layer: info, request: request) }
                    throw error
                }
            }
        }
        return Handler(layers: layer.layers, { request in
            do {
                return try await layer(request)
            } catch {
                if !(error is HTTPError) { DebuggerTrail.current?.note(error, layer: info, request: request) }
                throw error
            }
        }, synchronous: synchronous)
    }
}
