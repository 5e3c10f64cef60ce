// Over the wire: the stack served by a WerkServer on 127.0.0.1 (port 0, access log off) in this
// process, driven by the built-in load generator or by wrk. The server's CPU per request is the
// process's CPU during the run minus the generator threads' own.

#if canImport(Glibc)
import Glibc
#endif
import WerkServer

/// Which load generator drives the server.
public enum LoadDriver: String, Sendable, Equatable, CaseIterable {
    /// The built-in generator (``LoadGenerator``): all features, no installation.
    case builtin
    /// wrk (or wrk2 for `--rate`) when installed: GET of the first request's target and headers only.
    case wrk
}

/// What one over-the-wire run measured.
public struct WireResult: Sendable, Equatable {
    /// The load run.
    public var load: LoadResult
    /// The server's CPU microseconds per response (nil when unknown).
    public var cpuMicrosecondsPerRequest: Double?
    /// The process's resident memory after the run, in KiB.
    public var residentKilobytes: Int
    /// Which generator produced the numbers.
    public var driver: LoadDriver
}

/// Serves a stack on loopback and loads it.
public struct WireRunner: Sendable {
    /// The load to apply.
    public var options: LoadOptions
    /// The generator.
    public var driver: LoadDriver
    /// Event loops of the server (default: one per processor).
    public var eventLoops: Int

    /// A runner for `options`, driven by `driver`.
    public init(options: LoadOptions = LoadOptions(), driver: LoadDriver = .builtin,
                eventLoops: Int = Server.Configuration.processorCount) {
        self.options = options
        self.driver = driver
        self.eventLoops = eventLoops
    }

    /// Starts a server for `handler`, loads it with `requests`, stops it. Nil when the server could
    /// not start or the generator got no response.
    public func measure(_ handler: Handler, requests: [BenchmarkRequest]) async -> WireResult? {
        var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
        configuration.accessLog = false
        configuration.eventLoops = max(1, eventLoops)
        let server = Server(handler, configuration: configuration)
        guard let port = try? server.start().port else { return nil }
        let result = await measure(port: port, requests: requests)
        await server.shutdown()
        return result
    }

    /// Loads a server already listening on 127.0.0.1:`port` that runs in this process.
    public func measure(port: Int, requests: [BenchmarkRequest]) async -> WireResult? {
        let before = ProcessStats.cpuSeconds()
        let (options, driver) = (self.options, self.driver)
        let load: LoadResult? = await OwnThread.run {
            switch driver {
            case .builtin: LoadGenerator.runBlocking(port: port, requests: requests, options: options)
            case .wrk: Wrk.run(port: port, request: requests.first ?? .get("/"), options: options)
            }
        }
        guard let load, load.requests > 0 else { return nil }
        let after = ProcessStats.cpuSeconds()
        let serverSeconds = (after.user + after.system) - (before.user + before.system) - load.generatorCPUSeconds
        return WireResult(load: load, cpuMicrosecondsPerRequest: max(0, serverSeconds) * 1e6 / Double(load.requests),
                          residentKilobytes: ProcessStats.residentKilobytes(), driver: driver)
    }
}
