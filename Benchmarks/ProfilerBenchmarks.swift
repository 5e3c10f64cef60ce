#if canImport(Glibc)
import Glibc
#endif
import Werk

/// Nanoseconds of CPU time of this thread: unlike the wall clock, it does not count the time the
/// thread waits for a core, so a comparison of a few nanoseconds survives a busy machine.
private func threadCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// ``measure(iterations:rounds:_:)`` in thread CPU time: the best round's ns/op.
private func measureCPU(iterations: Int, rounds: Int = 5, _ body: () -> Void) -> Double {
    for _ in 0..<min(iterations, 1000) { body() }
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = threadCPUNanoseconds()
        for _ in 0..<iterations { body() }
        best = min(best, Double(threadCPUNanoseconds() - start) / Double(iterations))
    }
    return best
}

/// A layer that keeps the synchronous form and does nothing: what the profiler instruments.
private struct Plain: Middleware {
    func wrap(_ next: Handler) -> Handler { next.mapRequest { $0 } }
}

/// The profiler's costs on the server's inline (synchronous) path: an unsampled request's overhead for
/// the whole stack, the cost per profiled layer and per span, and the clocks. Each case is measured
/// five times, in turns with its baseline, and the two bests are compared (the machine is shared).
func runProfilerBenchmarks(_ report: BenchmarkReport) async throws {
    report.header("Profiler: cost of its presence, per layer and per span (ns/op, synchronous form, thread CPU time, best of 5x5 rounds)")
    let request = Request(method: .get, target: "/items?page=2", headers: ["Host": "localhost", "Accept": "*/*"])
    let answer = Response.text("ok")
    let layers = 5

    func stack(_ profiler: Profiler?, layers: Int, spans: Int = 0) -> Handler {
        Stack {
            profiler
            for _ in 0..<layers { Plain() }
            Handler { request in
                for _ in 0..<spans { request.profile.span("work") { blackHole(1) } }
                return answer
            }
        }
    }
    func run(_ app: Handler, _ count: Int) -> Double {
        measureCPU(iterations: count) { blackHole(app.respondSynchronouslyCatchingErrors(request)) }
    }
    /// The best of five measurements of `app` and of `baseline`, taken in turns, and the difference
    /// of the two bests (a best is the least disturbed by the shared machine).
    func compare(_ app: Handler, with baseline: Handler, _ count: Int) -> (ns: Double, extra: Double) {
        var best = Double.infinity, bestBase = Double.infinity
        for _ in 0..<5 {
            bestBase = min(bestBase, run(baseline, count))
            best = min(best, run(app, count))
        }
        return (best, best - bestBase)
    }
    func profiler(_ sampling: Profiler.Sampling) -> Profiler {
        var options = Profiler.Options()
        options.sampling = sampling
        return Profiler(options: options)
    }

    let handlerOnly = stack(nil, layers: 0)
    report.add(BenchmarkResult(group: "profiler", name: "handler only, no profiler", nanosecondsPerOp: run(handlerOnly, 500_000)))
    let neverAlone = compare(stack(profiler(.never), layers: 0), with: handlerOnly, 500_000)
    report.add(BenchmarkResult(group: "profiler", name: "same, profiler sampling never", nanosecondsPerOp: neverAlone.ns,
                               note: "unsampled overhead \(Int(neverAlone.extra.rounded())) ns per request (budget 50)"))
    let requestedAlone = compare(stack(profiler(.requested()), layers: 0), with: handlerOnly, 500_000)
    report.add(BenchmarkResult(group: "profiler", name: "same, profiler sampling requested, no header", nanosecondsPerOp: requestedAlone.ns,
                               note: "unsampled overhead \(Int(requestedAlone.extra.rounded())) ns per request (budget 50)"))
    let bare = stack(nil, layers: layers)
    report.add(BenchmarkResult(group: "profiler", name: "\(layers) layers + handler, no profiler", nanosecondsPerOp: run(bare, 500_000)))
    for (label, sampling) in [("never", Profiler.Sampling.never), ("every 1000th", .everyNth(1000)),
                              ("requested, no header", .requested())] {
        let result = compare(stack(profiler(sampling), layers: layers), with: bare, 500_000)
        report.add(BenchmarkResult(group: "profiler", name: "same, profiler sampling \(label)", nanosecondsPerOp: result.ns,
                                   note: "unsampled overhead \(Int(result.extra.rounded())) ns per request (budget 50)"))
    }

    let twenty = compare(stack(profiler(.never), layers: 20), with: stack(nil, layers: 20), 200_000)
    report.add(BenchmarkResult(group: "profiler", name: "20 layers + handler, profiler sampling never", nanosecondsPerOp: twenty.ns,
                               note: "per unsampled layer \(Int(((twenty.extra - neverAlone.extra) / 20).rounded())) ns"))

    // Per profiled layer: 10 profiled layers against 10 plain ones, both minus their handler-only stack.
    let every = Profiler.Sampling.everyRequest
    let profiledNone = stack(profiler(every), layers: 0)
    report.add(BenchmarkResult(group: "profiler", name: "profiled request, handler only", nanosecondsPerOp: run(profiledNone, 200_000),
                               note: "the record and its ring entry"))
    let plainTen = compare(stack(nil, layers: 10), with: handlerOnly, 200_000)
    let profiledTen = compare(stack(profiler(every), layers: 10), with: profiledNone, 200_000)
    report.add(BenchmarkResult(group: "profiler", name: "profiled request, 10 layers + handler", nanosecondsPerOp: profiledTen.ns,
                               note: "per profiled layer \(Int(((profiledTen.extra - plainTen.extra) / 10).rounded())) ns (budget 100)"))
    let spans = compare(stack(profiler(every), layers: 0, spans: 10), with: profiledNone, 200_000)
    report.add(BenchmarkResult(group: "profiler", name: "profiled request, handler with 10 spans", nanosecondsPerOp: spans.ns,
                               note: "per span \(Int((spans.extra / 10).rounded())) ns (budget 150)"))
    await asyncSpanCosts(report)
    let unsampledSpan = measure(iterations: 2_000_000) { request.profile.span("work") { blackHole(1) } }
    report.add(BenchmarkResult(group: "profiler", name: "span on a request not profiled", nanosecondsPerOp: unsampledSpan))

    let monotonic = ProfilerClock.monotonic
    report.add(BenchmarkResult(group: "profiler", name: "clock: ProfilerClock.monotonic",
                               nanosecondsPerOp: measure(iterations: 2_000_000) { blackHole(monotonic.now()) },
                               note: CycleClock.usesCycleCounter ? "the cycle counter, scaled" : "clock_gettime"))
    report.add(BenchmarkResult(group: "profiler", name: "clock: clock_gettime(CLOCK_MONOTONIC)",
                               nanosecondsPerOp: measure(iterations: 2_000_000) { blackHole(CycleClock.monotonicNanoseconds()) }))
    report.add(BenchmarkResult(group: "profiler", name: "clock: ContinuousClock.now",
                               nanosecondsPerOp: measure(iterations: 2_000_000) { blackHole(ContinuousClock.now) }))
}

/// Asynchronous spans (they carry their frame in a task-local value for child tasks), through the
/// async form of an async stack, against the same stack without spans.
private func asyncSpanCosts(_ report: BenchmarkReport) async {
    let request = Request(method: .get, target: "/items?page=2", headers: ["Host": "localhost", "Accept": "*/*"])
    let answer = Response.text("ok")
    func profiler(_ sampling: Profiler.Sampling) -> Profiler {
        var options = Profiler.Options()
        options.sampling = sampling
        return Profiler(options: options)
    }
    func asyncStack(spans: Int, sampling: Profiler.Sampling = .everyRequest) -> Handler {
        Stack {
            profiler(sampling)
            Handler { request async -> Response in
                for _ in 0..<spans { await request.profile.span("work") { () async -> Void in blackHole(1) } }
                return answer
            }
        }
    }
    func asyncCompare(_ app: Handler, with baseline: Handler) async -> (ns: Double, extra: Double) {
        var best = Double.infinity, bestBase = Double.infinity
        for _ in 0..<5 {
            bestBase = min(bestBase, await measureAsync(iterations: 100_000) { blackHole(await baseline.respondCatchingErrors(request)) })
            best = min(best, await measureAsync(iterations: 100_000) { blackHole(await app.respondCatchingErrors(request)) })
        }
        return (best, best - bestBase)
    }
    let asyncSpans = await asyncCompare(asyncStack(spans: 10), with: asyncStack(spans: 0))
    report.add(BenchmarkResult(group: "profiler", name: "profiled request, async handler with 10 async spans", nanosecondsPerOp: asyncSpans.ns,
                               note: "per async span \(Int((asyncSpans.extra / 10).rounded())) ns (wall clock)"))
    // What the async span's task-local binding costs on its own (the runtime's TaskLocal.withValue
    // around an empty async body), and reading a task-local.
    let binding = await measureAsync(iterations: 1_000_000) {
        await SpanBenchmarkLocal.$value.withValue(1) { () async -> Void in blackHole(1) }
    }
    report.add(BenchmarkResult(group: "profiler", name: "TaskLocal.withValue around an empty async body", nanosecondsPerOp: binding,
                               note: "part of each async span (wall clock)"))
    report.add(BenchmarkResult(group: "profiler", name: "TaskLocal read", nanosecondsPerOp: measure(iterations: 2_000_000) {
        blackHole(SpanBenchmarkLocal.value)
    }))
    let asyncUnsampled = await asyncCompare(asyncStack(spans: 10, sampling: .never), with: asyncStack(spans: 0, sampling: .never))
    report.add(BenchmarkResult(group: "profiler", name: "same, request not profiled", nanosecondsPerOp: asyncUnsampled.ns,
                               note: "per async span \(Int((asyncUnsampled.extra / 10).rounded())) ns: calling the async block"))
}

/// A task-local like the one async spans bind.
private enum SpanBenchmarkLocal {
    @TaskLocal static var value: Int?
}
