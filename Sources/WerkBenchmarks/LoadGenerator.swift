// The built-in load generator: HTTP/1.1 keep-alive connections on loopback, spread over a few
// threads, each thread polling its connections. Closed loop by default (every connection keeps
// `pipeline` requests in flight); with a rate, each connection sends on a fixed schedule and a
// request's latency is counted from when it should have been sent, as wrk2 does, so a stalled server
// cannot hide its stall by delaying the requests that would have measured it (coordinated omission).
// Every run is bounded by a duration and a request count.

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How the load generator drives a server.
public struct LoadOptions: Sendable, Equatable {
    /// Keep-alive connections in total.
    public var connections: Int = 64
    /// Threads sending (at most one per connection).
    public var threads: Int = 2
    /// How long to send, in seconds.
    public var durationSeconds: Double = 5
    /// Stop after this many responses, whatever the duration.
    public var maximumRequests: Int = 50_000_000
    /// Requests in flight per connection (1: no pipelining).
    public var pipeline: Int = 1
    /// Requests per second in total for a constant-rate run (nil: as fast as the server answers).
    public var rate: Double? = nil

    /// 64 connections, 2 threads, 5 s, no pipelining, closed loop.
    public init() {}
}

/// What a load run measured.
public struct LoadResult: Sendable, Equatable {
    /// Complete responses received.
    public var requests: Int
    /// Responses with a status of 400 or more.
    public var errorResponses: Int
    /// Connections that failed or closed with requests in flight, and requests lost with them.
    public var socketErrors: Int
    /// The run's wall-clock length in seconds.
    public var elapsedSeconds: Double
    /// Latency percentiles of the responses (from the intended send time in a constant-rate run).
    public var latency: LatencySummary
    /// CPU seconds the generator's own threads used (the in-process server's share is the rest).
    public var generatorCPUSeconds: Double

    /// Responses per second.
    public var requestsPerSecond: Double { elapsedSeconds > 0 ? Double(requests) / elapsedSeconds : 0 }
}

/// Latency percentiles in nanoseconds (nil where the generator does not report one).
public struct LatencySummary: Sendable, Equatable {
    /// The median.
    public var p50: Double?
    /// The 90th percentile.
    public var p90: Double?
    /// The 99th percentile.
    public var p99: Double?
    /// The 99.9th percentile.
    public var p999: Double?

    /// Percentiles given explicitly (wrk's report).
    public init(p50: Double?, p90: Double?, p99: Double?, p999: Double?) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
    }

    /// The percentiles of a histogram.
    public init(_ histogram: LatencyHistogram) {
        func at(_ percentile: Double) -> Double? {
            histogram.count == 0 ? nil : Double(histogram.value(atPercentile: percentile))
        }
        self.init(p50: at(50), p90: at(90), p99: at(99), p999: at(99.9))
    }
}

/// Drives a server on loopback with HTTP/1.1 requests.
public enum LoadGenerator {
    /// Sends `requests` (in turn, per connection) to 127.0.0.1:`port` as `options` says, waiting on
    /// a thread of its own so that no thread of Swift's small cooperative pool is blocked for the
    /// run (the server under test may need them); nil when no connection could be opened.
    public static func run(port: Int, requests: [BenchmarkRequest], options: LoadOptions) async -> LoadResult? {
        await OwnThread.run { runBlocking(port: port, requests: requests, options: options) }
    }

    /// ``run(port:requests:options:)`` on the calling thread, which it blocks for the run.
    public static func runBlocking(port: Int, requests: [BenchmarkRequest], options: LoadOptions) -> LoadResult? {
        let wire = (requests.isEmpty ? [BenchmarkRequest.get("/")] : requests).map { ($0.wireBytes, $0.method == .head) }
        let threadCount = max(1, min(options.threads, options.connections))
        let start = monotonicNanoseconds()
        let shared = LoadShared(port: port, requests: wire, options: options,
                                deadline: start + UInt64(max(0.01, options.durationSeconds) * 1e9))
        var threads: [pthread_t] = []
        for index in 0..<threadCount {
            let connections = options.connections / threadCount + (index < options.connections % threadCount ? 1 : 0)
            let context = LoadThreadContext(shared: shared, connections: connections,
                                            maximumRequests: max(1, options.maximumRequests / threadCount))
            var thread = pthread_t()
            let raw = Unmanaged.passRetained(context).toOpaque()
            if pthread_create(&thread, nil, loadThreadMain, raw) == 0 {
                threads.append(thread)
            } else {
                Unmanaged<LoadThreadContext>.fromOpaque(raw).release()
            }
        }
        for thread in threads { pthread_join(thread, nil) }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        return shared.totals.withLock { totals in
            guard totals.connected > 0 else { return nil }
            return LoadResult(requests: totals.requests, errorResponses: totals.errorResponses,
                              socketErrors: totals.socketErrors, elapsedSeconds: elapsed,
                              latency: LatencySummary(totals.latency), generatorCPUSeconds: totals.cpuSeconds)
        }
    }
}

struct LoadTotals: Sendable {
    var requests = 0, errorResponses = 0, socketErrors = 0, connected = 0
    var cpuSeconds = 0.0
    var latency = LatencyHistogram()
}

final class LoadShared: Sendable {
    let port: Int
    let requests: [([UInt8], Bool)]
    let options: LoadOptions
    let deadline: UInt64
    let totals = Mutex(LoadTotals())

    init(port: Int, requests: [([UInt8], Bool)], options: LoadOptions, deadline: UInt64) {
        self.port = port
        self.requests = requests
        self.options = options
        self.deadline = deadline
    }
}

final class LoadThreadContext: Sendable {
    let shared: LoadShared
    let connections: Int
    let maximumRequests: Int

    init(shared: LoadShared, connections: Int, maximumRequests: Int) {
        self.shared = shared
        self.connections = connections
        self.maximumRequests = maximumRequests
    }
}

private func loadThreadMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    let context = Unmanaged<LoadThreadContext>.fromOpaque(raw).takeRetainedValue()
    var worker = LoadWorker(context: context)
    worker.run()
    return nil
}

/// Runs blocking work on a new thread and resumes the caller with its result.
enum OwnThread {
    final class Job: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let job = Job { continuation.resume(returning: body()) }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(job).toOpaque()
            if pthread_create(&thread, nil, ownThreadMain, context) == 0 {
                pthread_detach(thread)
            } else {
                Unmanaged<Job>.fromOpaque(context).release()
                job.body()   // no thread to be had: run here rather than not at all
            }
        }
    }
}

private func ownThreadMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    Unmanaged<OwnThread.Job>.fromOpaque(raw).takeRetainedValue().body()
    return nil
}
