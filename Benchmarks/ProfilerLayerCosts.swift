// Per-layer cost as the Profiler measures it: the stack runs inside `Profiler` (every request
// sampled) and each layer's self time (its total minus the time in the layers inside it) is read
// from the recorded profiles. It includes the profiler's own enter/exit (about 100 ns per layer,
// see the profiler suite); stack differencing (WerkBenchmarks' default) does not.

import Werk
import WerkBenchmarks

struct ProfilerLayerCosts: LayerCostSource {
    /// The column title.
    var label: String { "median self ns (Profiler)" }
    /// How many times each request is sent.
    var rounds = 2_000

    func costs(layers: [any Middleware], terminal: Handler, requests: [BenchmarkRequest],
               runner: InProcessRunner) async -> [LayerCost] {
        var options = Profiler.Options()
        options.sampling = .everyRequest
        options.uiPath = nil
        options.capacity = rounds * max(1, requests.count)
        let profiler = Profiler(options: options)
        let stack = Handler.compose([.middleware(profiler)] + layers.map { .middleware($0) } + [.handler(terminal)])
        for _ in 0..<rounds {
            for request in requests { _ = try? await stack(request.makeRequest()) }
        }
        var selfTimes: [String: [UInt64]] = [:]
        for profile in profiler.profiles {
            for frame in profile.frames where frame.kind == .layer { selfTimes[frame.name, default: []].append(frame.selfTime) }
        }
        return layers.map { layer in
            let times = (selfTimes[layer.name] ?? []).sorted()
            return LayerCost(layer: layer.name, nanoseconds: times.isEmpty ? 0 : Double(times[times.count / 2]))
        }
    }
}
