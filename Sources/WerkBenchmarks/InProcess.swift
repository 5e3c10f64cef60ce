// In-process measurement: the stack called the way the server calls it (its synchronous form inline
// when it has one, the async form otherwise), in rounds; the median and p99 over the rounds'
// ns/request, then a separate, untimed pass that counts heap allocations per request.

/// How long the in-process runner measures.
public struct InProcessOptions: Sendable, Equatable {
    /// Timed rounds; the report shows the median and the p99 of their ns/request.
    public var rounds: Int = 100
    /// The time one round aims at; the requests per round are calibrated to it (at least 1).
    public var targetRoundNanoseconds: UInt64 = 2_000_000
    /// The most requests in one round, whatever the calibration says.
    public var maximumRequestsPerRound: Int = 100_000
    /// Requests sent before timing (warms caches, the allocator and lazy state).
    public var warmupRequests: Int = 1_000
    /// Requests in the allocation-counting pass.
    public var allocationRequests: Int = 1_000

    /// The defaults: 100 rounds of about 2 ms.
    public init() {}
}

/// What the in-process runner measured for one stack.
public struct InProcessResult: Sendable, Equatable {
    /// ns/request of each round.
    public var roundNanoseconds: SampleSummary
    /// Requests per round (after calibration).
    public var requestsPerRound: Int
    /// Heap allocations per request (nil when the counter is unavailable).
    public var allocationsPerRequest: Double?
    /// Bytes requested from the allocator per request (nil when the counter is unavailable).
    public var allocatedBytesPerRequest: Double?
    /// Whether the synchronous form was called (the server's inline path) rather than the async one.
    public var synchronous: Bool
}

/// Calls a handler with prepared requests and measures it.
public struct InProcessRunner: Sendable {
    /// The measurement's length.
    public var options: InProcessOptions

    /// A runner with `options`.
    public init(options: InProcessOptions = InProcessOptions()) { self.options = options }

    /// Measures `handler` answering `requests` in turn (each call gets a copy of a prepared request).
    public func measure(_ handler: Handler, requests: [BenchmarkRequest]) async -> InProcessResult {
        let prepared = (requests.isEmpty ? [BenchmarkRequest.get("/")] : requests).map { $0.makeRequest() }
        if handler.synchronous != nil {
            return measureSynchronous(handler, prepared)
        }
        return await measureAsync(handler, prepared)
    }

    private func measureSynchronous(_ handler: Handler, _ requests: [Request]) -> InProcessResult {
        func run(_ count: Int) {
            if requests.count == 1 {
                // One request: passed borrowed, like a captured constant (no per-call copy of its fields).
                let request = requests[0]
                for _ in 0..<count { blackHole(handler.respondSynchronouslyCatchingErrors(request)) }
                return
            }
            var index = 0
            for _ in 0..<count {
                blackHole(handler.respondSynchronouslyCatchingErrors(requests[index]))
                index += 1
                if index == requests.count { index = 0 }
            }
        }
        let perRound = calibrate { run($0) }
        var samples: [Double] = []
        samples.reserveCapacity(options.rounds)
        for _ in 0..<max(1, options.rounds) {
            let start = monotonicNanoseconds()
            run(perRound)
            samples.append(Double(monotonicNanoseconds() - start) / Double(perRound))
        }
        let count = max(1, options.allocationRequests)
        let allocations = AllocationCounter.count { run(count) }
        return result(samples, perRound, allocations, count, synchronous: true)
    }

    private func measureAsync(_ handler: Handler, _ requests: [Request]) async -> InProcessResult {
        func run(_ count: Int) async {
            if requests.count == 1 {
                let request = requests[0]
                for _ in 0..<count { blackHole(await handler.respondCatchingErrors(request)) }
                return
            }
            var index = 0
            for _ in 0..<count {
                blackHole(await handler.respondCatchingErrors(requests[index]))
                index += 1
                if index == requests.count { index = 0 }
            }
        }
        await run(max(1, options.warmupRequests))
        let probe = max(1, min(options.warmupRequests, 1_000))
        let start = monotonicNanoseconds()
        await run(probe)
        let perRound = requestsPerRound(probeNanoseconds: monotonicNanoseconds() - start, probeCount: probe)
        var samples: [Double] = []
        samples.reserveCapacity(options.rounds)
        for _ in 0..<max(1, options.rounds) {
            let start = monotonicNanoseconds()
            await run(perRound)
            samples.append(Double(monotonicNanoseconds() - start) / Double(perRound))
        }
        let count = max(1, options.allocationRequests)
        let allocations = await AllocationCounter.count { await run(count) }
        return result(samples, perRound, allocations, count, synchronous: false)
    }

    /// Warms up, then times a probe and returns the requests per round that fill the target time.
    private func calibrate(_ run: (Int) -> Void) -> Int {
        run(max(1, options.warmupRequests))
        let probe = max(1, min(options.warmupRequests, 1_000))
        let start = monotonicNanoseconds()
        run(probe)
        return requestsPerRound(probeNanoseconds: monotonicNanoseconds() - start, probeCount: probe)
    }

    private func requestsPerRound(probeNanoseconds: UInt64, probeCount: Int) -> Int {
        let perRequest = max(1, Double(probeNanoseconds) / Double(probeCount))
        let wanted = Int(Double(options.targetRoundNanoseconds) / perRequest)
        return min(max(1, options.maximumRequestsPerRound), max(1, wanted))
    }

    private func result(_ samples: [Double], _ perRound: Int, _ allocations: AllocationCount?, _ count: Int,
                        synchronous: Bool) -> InProcessResult {
        InProcessResult(
            roundNanoseconds: SampleSummary(samples) ?? SampleSummary([0])!,
            requestsPerRound: perRound,
            allocationsPerRequest: allocations.map { Double($0.allocations) / Double(count) },
            allocatedBytesPerRequest: allocations.map { Double($0.bytes) / Double(count) },
            synchronous: synchronous)
    }
}
