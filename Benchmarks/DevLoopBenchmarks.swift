// The dev server's edit loop: `swift run -c release Benchmarks devloop`, from the package's root.
//
// Runs `.build/debug/Demo --reload --port 0` (the dev supervisor; built first with `swift build
// --product Demo` when missing), then edits one file of Samples/Demo five times and measures, each
// time, from the write to the first answer of the new worker: the live-reload stream
// (`/__werk/reload`) answers with the new build's generation (`b2`, `b3`, …) only once the rebuilt
// Demo accepts on the socket. The edited file is a temporary one, `Samples/Demo/DevLoopProbe.swift`
// (`let devLoopProbe = N`, which changes the binary), written at the start and always removed at the
// end. The build's share is the `swift build` time the supervisor prints ("Build succeeded in 1.4 s").
// WERK_BENCH_ROUNDS (default 5) sets the number of edits.

import Glibc
import Werk

func runDevLoopBenchmarks(_ report: BenchmarkReport) async throws {
    let rounds = max(1, Int(getenv("WERK_BENCH_ROUNDS").map { String(cString: $0) } ?? "") ?? 5)
    guard let root = PackageLocator.root(from: PackageLocator.currentDirectory) else {
        print("devloop: run it from the Werk package (no Package.swift here or above)")
        return
    }
    let probe = root + "/Samples/Demo/DevLoopProbe.swift"
    let header = "// Temporary: written and removed by `swift run -c release Benchmarks devloop`. Never commit it.\n"
    guard devLoopWrite(probe, header + "let devLoopProbe = 0\n") else {
        print("devloop: cannot write \(probe)")
        return
    }
    defer { unlink(probe) }
    print("\n## Dev server: edit one file of Samples/Demo → the rebuilt Demo answers (\(rounds) edits)\n")
    let setup = BuildRunner(packageRoot: root, product: "Demo").build()
    guard setup.succeeded else {
        print("devloop: the Demo does not build:\n\(setup.output)")
        return
    }
    let log = "/tmp/werk-devloop-\(getpid()).log"
    defer { unlink(log) }
    guard let supervisor = spawnDevServer(root: root, log: log) else {
        print("devloop: the dev server did not start")
        return
    }
    defer {
        kill(supervisor.pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(supervisor.pid, &status, 0) < 0 && errno == EINTR {}
    }
    guard waitForGeneration("b1", port: supervisor.port, seconds: 300) else {
        print("devloop: the first worker did not answer; the supervisor said:\n\(devLoopRead(log))")
        return
    }
    var totals: [Double] = []
    var builds: [Double] = []
    let clock = ContinuousClock()
    for round in 1...rounds {
        let start = clock.now
        guard devLoopWrite(probe, header + "let devLoopProbe = \(round)\n") else { break }
        guard waitForGeneration("b\(round + 1)", port: supervisor.port, seconds: 120) else {
            print("devloop: edit \(round) was not served within 120 s; the supervisor said:\n\(devLoopRead(log))")
            return
        }
        totals.append(seconds(clock.now - start))
        if let build = buildSeconds(in: devLoopRead(log)).last { builds.append(build) }
    }
    print("| edit | edit → new code answers (s) | swift build (s) | share |")
    print("|---|---|---|---|")
    for (index, total) in totals.enumerated() {
        let build = index < builds.count ? builds[index] : 0
        print("| \(index + 1) | \(format(total)) | \(format(build)) | \(Int(build / total * 100)) % |")
    }
    let sorted = totals.sorted()
    print("\nmedian \(format(sorted[sorted.count / 2])) s, worst \(format(sorted.last ?? 0)) s (goal: 3 s)")
}

/// The dev supervisor, `Demo --reload --port 0`, with its output in `log`; its port from its first line.
private func spawnDevServer(root: String, log: String) -> (pid: pid_t, port: Int)? {
    let executable = root + "/.build/debug/Demo"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let words: [String] = [executable, "--reload", "--host", "127.0.0.1", "--port", "0", "--no-access-log"]
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let rc = argv.withUnsafeBufferPointer { posix_spawn(&pid, executable, &actions, nil, $0.baseAddress!, environ) }
    guard rc == 0 else { return nil }
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(60)
    while clock.now < deadline {
        let text = devLoopRead(log)
        if let range = text.firstRange(of: "Running on http://127.0.0.1:"), let end = text[range.upperBound...].firstIndex(of: "/"),
           let port = Int(text[range.upperBound..<end]) {
            return (pid, port)
        }
        var pause = timespec(tv_sec: 0, tv_nsec: 20_000_000)
        nanosleep(&pause, nil)
    }
    kill(pid, SIGTERM)
    return nil
}

/// Asks `/__werk/reload` until its first event carries `generation` (each connection waits in the
/// backlog while no worker accepts); false after `seconds`.
private func waitForGeneration(_ generation: String, port: Int, seconds: Int) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(seconds)
    while clock.now < deadline {
        if firstEvent(port: port) == generation { return true }
        var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
        nanosleep(&pause, nil)
    }
    return false
}

/// The `data:` of the live-reload stream's first event, or nil.
private func firstEvent(port: Int) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 20, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET /__werk/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else { return nil }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while received.count < 64 * 1024 {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        received += buffer[0..<n]
        let text = String(decoding: received, as: UTF8.self)
        if let range = text.firstRange(of: "\ndata: "), let end = text[range.upperBound...].firstIndex(of: "\n") {
            return String(text[range.upperBound..<end])
        }
    }
    return nil
}

/// Every "Build succeeded in X s" the supervisor printed, in seconds.
private func buildSeconds(in log: String) -> [Double] {
    log.split(separator: "\n").compactMap { line in
        guard let range = line.firstRange(of: "Build succeeded in "), let end = line[range.upperBound...].firstIndex(of: " ") else { return nil }
        return Double(line[range.upperBound..<end])
    }
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

private func format(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
}

private func devLoopWrite(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
}

private func devLoopRead(_ path: String) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
