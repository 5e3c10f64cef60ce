// Worker processes: `swift run -c release Benchmarks workers`.
//
// Hello world served by a supervisor with `--workers 2` (two worker processes of one event loop
// each, accepting on the one socket the supervisor bound) against the single-process server with
// 2 event loops (per-loop SO_REUSEPORT listeners, the default) and 1 worker of 2 event loops. The
// servers are this executable run again with WERK_BENCH_SERVE=hello (a supervisor re-executes its
// own binary, so the server must be a program of its own), each started with `--port 0`, its
// `Running on` line read, then driven with wrk (`-t1 -c64 -d5s`) or the built-in load generator.
// WERK_BENCH_SECONDS (default 5) and WERK_BENCH_ROUNDS (default 3, alternating, median reported)
// as for the server suite. The CPU column is the server's processes' (supervisor and workers).

import Glibc
import Werk

/// The server the workers suite measures, when this executable runs with WERK_BENCH_SERVE set.
func serveForWorkerBenchmark() async {
    var configuration = Server.Configuration.fromCommandLine(arguments: CommandLine.arguments)
    configuration.accessLog = false
    await Server(Handler { _ in Response.text("Hello, World!") }, configuration: configuration).runOrExit()
}

func runWorkerBenchmarks(_ report: BenchmarkReport) async throws {
    let seconds = Int(getenv("WERK_BENCH_SECONDS").map { String(cString: $0) } ?? "") ?? 5
    let rounds = max(1, Int(getenv("WERK_BENCH_ROUNDS").map { String(cString: $0) } ?? "") ?? 3)
    let wrk = findExecutable("wrk")
    let variants: [(name: String, arguments: [String])] = [
        ("1 process, 2 event loops", ["--event-loops", "2"]),
        ("--workers 2, 1 loop each", ["--workers", "2", "--event-loops", "1"]),
        ("--workers 1, 2 loops", ["--workers", "1", "--event-loops", "2"]),
    ]
    print("\n## Worker processes: hello world, \(wrk == nil ? "built-in load" : "wrk -t1 -c64 -d\(seconds)s"), \(rounds) rounds\n")
    var results: [[LoadResult]] = Array(repeating: [], count: variants.count)
    for _ in 0..<rounds {
        for (index, variant) in variants.enumerated() {
            guard let server = BenchmarkServerProcess(["--host", "127.0.0.1", "--port", "0", "--no-access-log"] + variant.arguments) else {
                print("\(variant.name): the server did not start")
                continue
            }
            if let result = measured(server.processes(), { runLoad(url: "http://127.0.0.1:\(server.port)/", seconds: seconds, wrk: wrk) }) {
                results[index].append(result)
            }
            server.stop()
        }
    }
    print("| server | req/s (median) | p50 | p99 | CPU µs/req |")
    print("|---|---|---|---|---|")
    for (index, variant) in variants.enumerated() {
        guard let result = median(results[index]) else { continue }
        let cpu = result.cpuMicrosPerRequest.map { "\(Double(Int($0 * 100)) / 100)" } ?? "?"
        print("| \(variant.name) | \(Int(result.requestsPerSecond)) | \(result.p50) | \(result.p99) | \(cpu) |")
    }
}

/// This executable serving hello world (WERK_BENCH_SERVE=hello) with `arguments`.
final class BenchmarkServerProcess {
    let pid: pid_t
    let port: Int

    init?(_ arguments: [String]) {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &buffer, 4096)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var out: [Int32] = [-1, -1]
        guard pipe(&out) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, out[0])
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), strdup("WERK_BENCH_SERVE=hello"), nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in posix_spawn(&pid, path, &actions, nil, a.baseAddress!, e.baseAddress!) }
        }
        close(out[1])
        defer { close(out[0]) }
        guard rc == 0 else { return nil }
        self.pid = pid
        // "Running on http://127.0.0.1:PORT/ ..." (with workers: once every worker is ready).
        var line: [UInt8] = []
        var byte: UInt8 = 0
        var pfd = pollfd(fd: out[0], events: Int16(POLLIN), revents: 0)
        while !line.contains(10), line.count < 4096, poll(&pfd, 1, 30_000) > 0, read(out[0], &byte, 1) == 1 { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        let prefix = "Running on http://127.0.0.1:"
        guard text.hasPrefix(prefix), let port = Int(text.dropFirst(prefix.count).prefix { $0 != "/" }) else {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return nil
        }
        self.port = port
    }

    /// The server and its workers (children of any of its threads: the supervisor spawns from its own).
    func processes() -> [pid_t] {
        var result = [pid]
        guard let tasks = opendir("/proc/\(pid)/task") else { return result }
        defer { closedir(tasks) }
        while let entry = readdir(tasks) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard Int(name) != nil else { continue }
            result += (readText("/proc/\(pid)/task/\(name)/children") ?? "").split(separator: " ").compactMap { pid_t($0) }
        }
        return result
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
