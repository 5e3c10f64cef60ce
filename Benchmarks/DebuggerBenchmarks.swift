import Werk

// `swift run -c release Benchmarks debugger`: what the Debugger's will-throw hook costs per throw
// (target: at most 5 µs), that HTTPErrors stay cheap with it on, the cost of a capture alone and of
// symbolicating one for a page, and the Debugger's cost per request that does not fail.

private struct BenchmarkFailure: Error { var code: Int }

@inline(never)
private func throwFailure(_ code: Int) throws { throw BenchmarkFailure(code: code) }

@inline(never)
private func throwHTTPError() throws { throw HTTPError(.notFound) }

@inline(never)
private func throwAndCatch(_ body: () throws -> Void) {
    do { try body() } catch { blackHole(error) }
}

func runDebuggerBenchmarks(_ report: BenchmarkReport) async throws {
    report.header("Debugger: throw-site capture (ns/op, best of 5 rounds)")
    report.add(BenchmarkResult(group: "debugger", name: "throw + catch a struct error, hook off",
                               nanosecondsPerOp: measure(iterations: 200_000) { throwAndCatch { try throwFailure(1) } }))
    report.add(BenchmarkResult(group: "debugger", name: "throw + catch an HTTPError, hook off",
                               nanosecondsPerOp: measure(iterations: 200_000) { throwAndCatch { try throwHTTPError() } }))
    let installation = ThrowSites.install()
    report.add(BenchmarkResult(group: "debugger", name: "throw + catch a struct error, hook on (capture)",
                               nanosecondsPerOp: measure(iterations: 50_000) { throwAndCatch { try throwFailure(1) } },
                               note: "target ≤ 5000"))
    report.add(BenchmarkResult(group: "debugger", name: "throw + catch an HTTPError, hook on (skipped)",
                               nanosecondsPerOp: measure(iterations: 200_000) { throwAndCatch { try throwHTTPError() } }))
    report.add(BenchmarkResult(group: "debugger", name: "CapturedBacktrace.here() alone",
                               nanosecondsPerOp: measure(iterations: 50_000) { blackHole(CapturedBacktrace.here()) }))
    let capture = CapturedBacktrace.here()
    _ = capture?.frames()   // the first symbolication reads the debug info
    report.add(BenchmarkResult(group: "debugger", name: "symbolicate a capture (once per page)",
                               nanosecondsPerOp: measure(iterations: 20, rounds: 3) { blackHole(capture?.frames()) }))
    withExtendedLifetime(installation) {}

    report.header("Debugger: per request that does not fail (ns/op)")
    let hello = Handler { _ in "hello" }
    let plain = Stack { MiddlewareFunction("Pass") { request, next in try await next(request) }; hello }
    let debugged = Stack {
        Debugger(pin: DebuggerPIN(publicBits: ["bench"], privateBits: [], override: "off"))
        MiddlewareFunction("Pass") { request, next in try await next(request) }
        hello
    }
    let request = Request(target: "/")
    report.add(BenchmarkResult(group: "debugger", name: "stack without the Debugger",
                               nanosecondsPerOp: await measureAsync(iterations: 100_000) { blackHole(await plain.respondCatchingErrors(request)) }))
    report.add(BenchmarkResult(group: "debugger", name: "the same stack inside a Debugger",
                               nanosecondsPerOp: await measureAsync(iterations: 100_000) { blackHole(await debugged.respondCatchingErrors(request)) }))
}
