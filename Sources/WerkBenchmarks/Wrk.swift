// wrk as the load generator, when installed: `wrk -t -c -d --latency` (wrk2's `-R` for a constant
// rate). wrk sends one request shape; the first BenchmarkRequest's method is GET-only here, its
// target and headers are passed with -H. Its report is parsed for req/s and latency percentiles.

#if canImport(Glibc)
import CWerkSystem
import Glibc
#endif

/// Finding and running wrk.
public enum Wrk {
    /// The path of `wrk2` when `constantRate` is asked for and installed, else of `wrk`; nil when absent.
    public static func executable(constantRate: Bool = false) -> String? {
        constantRate ? findExecutable("wrk2") : findExecutable("wrk")
    }

    /// Runs wrk against 127.0.0.1:`port`; nil when wrk is missing or its output has no result.
    public static func run(port: Int, request: BenchmarkRequest, options: LoadOptions) -> LoadResult? {
        guard let path = executable(constantRate: options.rate != nil) else { return nil }
        var arguments = ["-t\(max(1, min(options.threads, options.connections)))", "-c\(max(1, options.connections))",
                         "-d\(max(1, Int(options.durationSeconds.rounded())))s", "--latency"]
        if let rate = options.rate { arguments += ["-R\(Int(rate))"] }
        for field in request.effectiveHeaders where ASCII.lowercased(field.name) != "content-length" {
            arguments += ["-H", "\(field.name): \(field.value)"]
        }
        arguments.append("http://127.0.0.1:\(port)\(request.target)")
        let start = monotonicNanoseconds()
        guard let output = Subprocess.output(path, arguments) else { return nil }
        return parse(output, elapsedSeconds: Double(monotonicNanoseconds() - start) / 1e9)
    }

    /// Reads wrk's report: `Requests/sec:`, the latency distribution, `N requests in`, non-2xx/3xx
    /// responses and socket errors.
    public static func parse(_ output: String, elapsedSeconds: Double) -> LoadResult? {
        var percentiles: [String: Double] = [:]
        var rate: Double? = nil
        var requests = 0, errors = 0, socketErrors = 0
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first == "Requests/sec:", fields.count > 1 { rate = Double(fields[1]) }
            if fields.count == 2, first.hasSuffix("%"), let value = duration(fields[1]) { percentiles[String(first)] = value }
            if fields.count > 2, fields[1] == "requests", fields[2] == "in" { requests = Int(first) ?? 0 }
            if line.contains("Non-2xx or 3xx responses:"), let last = fields.last { errors = Int(last) ?? 0 }
            if first == "Socket", line.contains("errors:") {
                socketErrors = fields.compactMap { Int($0.filter { $0 != "," }) }.reduce(0, +)
            }
        }
        guard let rate, rate > 0 else { return nil }
        let seconds = requests > 0 ? Double(requests) / rate : elapsedSeconds
        return LoadResult(requests: requests, errorResponses: errors, socketErrors: socketErrors, elapsedSeconds: seconds,
                          latency: LatencySummary(p50: percentiles["50%"] ?? percentiles["50.000%"],
                                                  p90: percentiles["90%"] ?? percentiles["90.000%"],
                                                  p99: percentiles["99%"] ?? percentiles["99.000%"],
                                                  p999: percentiles["99.900%"]),
                          generatorCPUSeconds: 0)
    }

    /// wrk's durations (`812.00us`, `1.20ms`, `2.00s`, `3.00m`) in nanoseconds.
    static func duration(_ text: Substring) -> Double? {
        let units: [(String, Double)] = [("us", 1e3), ("ms", 1e6), ("ns", 1), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }
}

/// The path of an executable found in `PATH` (and /usr/sbin, /sbin), or nil.
public func findExecutable(_ name: String) -> String? {
    let path = (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
        let candidate = "\(directory)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// Running a helper program and collecting its standard output.
public enum Subprocess {
    /// Spawns `path` with `arguments` (a minimal `PATH`-only environment), waits for it and returns
    /// its standard output; nil when it could not be started.
    public static func output(_ path: String, _ arguments: [String]) -> String? {
        var fds: [Int32] = [-1, -1]
        guard werk_pipe_cloexec(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        guard let pid = spawn(path, arguments, actions: &actions) else {
            close(fds[0]); close(fds[1]); return nil
        }
        close(fds[1])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress!, $0.count) }
            if count <= 0 { break }
            output += chunk[0..<count]
        }
        close(fds[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return String(decoding: output, as: UTF8.self)
    }

    /// posix_spawn with argv from `arguments` and an environment of only `PATH`; the child's pid.
    public static func spawn(_ path: String, _ arguments: [String], actions: inout posix_spawn_file_actions_t) -> pid_t? {
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin:/usr/sbin:/sbin"), nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in posix_spawn(&pid, path, &actions, nil, a.baseAddress!, e.baseAddress!) }
        }
        return rc == 0 ? pid : nil
    }
}
