// Per-layer cost: the seam. Without a profiler, the cost of layer k is measured by differencing: the
// stack of layers k..<n around the terminal handler, minus the stack of layers k+1..<n. A profiler
// (which times each layer inside one stack) plugs in as another `LayerCostSource`; the report labels
// the column with the source's name, so readers know which method produced the numbers.

/// The cost of one layer of a stack.
public struct LayerCost: Sendable, Equatable {
    /// The layer's name (`Middleware.name`), with its position from 1 when several layers share it.
    public var layer: String
    /// Nanoseconds per request this layer adds (may be slightly negative within noise).
    public var nanoseconds: Double
    /// Heap allocations per request this layer adds (exact: allocation counts do not vary with
    /// load); nil when the source cannot tell.
    public var allocations: Double?

    /// A layer's cost.
    public init(layer: String, nanoseconds: Double, allocations: Double? = nil) {
        self.layer = layer
        self.nanoseconds = nanoseconds
        self.allocations = allocations
    }
}

/// Something that can tell what each layer of a stack costs per request.
public protocol LayerCostSource: Sendable {
    /// How the costs were obtained, shown as the report's column title (e.g. "Δ ns (stack differencing)").
    var label: String { get }

    /// The cost of each of `layers` (outermost first) in front of `terminal`, answering `requests`.
    func costs(layers: [any Middleware], terminal: Handler, requests: [BenchmarkRequest],
               runner: InProcessRunner) async -> [LayerCost]
}

/// Per-layer cost by differencing stacks of 0...n layers: needs nothing but the layers themselves.
/// Each difference subtracts the fastest rounds of two stacks (the fastest round is the one least
/// disturbed by other processes); small layers (tens of ns) still carry the noise of both.
public struct StackDifferencing: LayerCostSource {
    /// The column title.
    public var label: String { "Δ ns (stack differencing)" }

    /// The differencing source.
    public init() {}

    /// Measures the stacks of layers k..<n around `terminal` for k = n down to 0 and subtracts
    /// neighbours.
    public func costs(layers: [any Middleware], terminal: Handler, requests: [BenchmarkRequest],
                      runner: InProcessRunner) async -> [LayerCost] {
        var inner = await runner.measure(terminal, requests: requests)
        var costs: [LayerCost] = []
        for index in layers.indices.reversed() {
            let stack = Handler.compose(layers[index...].map { StackElement.middleware($0) } + [.handler(terminal)])
            let total = await runner.measure(stack, requests: requests)
            let name = layers[index].name
            let repeated = layers.filter { $0.name == name }.count > 1
            var allocations: Double? = nil
            if let outer = total.allocationsPerRequest, let within = inner.allocationsPerRequest { allocations = outer - within }
            costs.append(LayerCost(layer: repeated ? "\(name) (\(index + 1))" : name,
                                   nanoseconds: total.roundNanoseconds.minimum - inner.roundNanoseconds.minimum,
                                   allocations: allocations))
            inner = total
        }
        return costs.reversed()
    }
}
