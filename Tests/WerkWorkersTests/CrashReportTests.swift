import Glibc
import Testing
import WerkCore
import WerkServer
import WerkTestSupport
import WerkTesting

enum CrashReportFixture {
    static var folder: String { InteropVectors.testsDirectory + "/WerkWorkersTests/Fixtures" }

    static func read(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@Suite("Crash reports")
struct CrashReportTests {
    @Test("the fixture report (a worker that trapped in a handler) names the fault, the function and file:line")
    func fixture() throws {
        let report = try #require(CrashReport(contentsOf: CrashReportFixture.folder + "/crash-report.json"))
        #expect(report.fault == "Illegal instruction")
        #expect(report.threadName == "werk-loop-0")
        #expect(report.frames.count == 16)   // the 17th entry is the backtracer's end marker, not a frame
        #expect(report.frames.first?.function == "closure #1 in closure #1 in _assertionFailure(_:_:file:line:flags:)")
        #expect(report.frames.first?.isRuntime == true)
        let frame = try #require(report.crashingFrame)
        #expect(frame.function == "trapInHandler(_:)")
        #expect(frame.file?.hasSuffix("/Tests/WorkerApp/main.swift") == true)
        #expect(frame.line == 15 && frame.column == 19)
        #expect(report.summary.hasPrefix("Illegal instruction in trapInHandler(_:) at /"))
        #expect(report.summary.hasSuffix("/Tests/WorkerApp/main.swift:15:19"))
    }

    @Test("bytes that are not a crash report are an error, never a crash", arguments: [
        "", "{", "[]", #"{"kind":"crashReport"}"#, #"{"kind":"other","threads":[]}"#,
    ])
    func rejects(_ text: String) {
        #expect(throws: JSONError.self) { try CrashReport(json: Array(text.utf8)) }
    }

    @Test("frames without source locations: the summary falls back to the first frame outside the runtime, or the fault")
    func fallbacks() throws {
        let json = #"{"kind":"crashReport","description":"Segmentation fault","threads":[{"crashed":true,"frames":[{"description":"memcpy + 10","image":"libc.so.6"},{"description":"f() + 3","image":"app"}]}]}"#
        #expect(try CrashReport(json: Array(json.utf8)).summary == "Segmentation fault in f()")
        let empty = #"{"kind":"crashReport","description":"Aborted","threads":[{"crashed":true,"frames":[]}]}"#
        #expect(try CrashReport(json: Array(empty.utf8)).summary == "Aborted")
    }

    @Test("a real report: a process that traps under SWIFT_BACKTRACE=format=json writes one the parser reads")
    func realReport() async throws {
        let crashes = try TemporaryFolder()
        let folder = crashes.path
        let process = try Spawned(SupervisedApp.executable, [], environment: [
            "WERK_TEST_CRASH_AT_START": "1", "WERK_WORKER": "trap",
            "SWIFT_BACKTRACE": "format=json,output-to=\(folder),interactive=no,color=no",
        ])
        let pid = process.pid
        let fd = process.stderr
        _ = try await ThreadRunner.run { readToEnd(fd) }
        #expect(process.wait() == 128 + SIGILL)
        let path = try #require(CrashReport.path(forProcess: pid, in: folder))
        let report = try #require(CrashReport(contentsOf: path))
        #expect(report.fault == "Illegal instruction")
        let frame = try #require(report.crashingFrame)
        #expect(frame.function == "trapInHandler(_:)")
        #expect(frame.file?.hasSuffix("/Tests/WorkerApp/main.swift") == true)
        #expect(frame.line == trapSourceLine())
    }
}

@Suite("Restart policy")
struct RestartPolicyTests {
    @Test("a crash streak backs off exponentially; a worker that ran long enough starts a new streak")
    func backoff() {
        var policy = RestartPolicy(maxRestarts: 100, window: 60_000_000_000)
        let delays = (0..<9).map { policy.crashed(slot: 0, now: UInt64($0) * 1_000_000, uptime: 1_000_000) }
        #expect(delays == [0, 50_000_000, 100_000_000, 200_000_000, 400_000_000, 800_000_000, 1_600_000_000,
                           3_200_000_000, 5_000_000_000])
        #expect(policy.crashed(slot: 1, now: 10_000_000, uptime: 0) == 0, "slots have their own streaks")
        #expect(policy.crashed(slot: 0, now: 20_000_000, uptime: 10_000_000_000) == 0, "a healthy run resets the streak")
    }

    @Test("more than maxRestarts restarts within the window is a crash loop; older restarts leave the window")
    func intensity() {
        var policy = RestartPolicy(maxRestarts: 3, window: 5_000_000_000)
        for i in 0..<3 { #expect(policy.crashed(slot: i, now: UInt64(i) * 1_000_000_000, uptime: 0) != nil) }
        #expect(policy.crashed(slot: 0, now: 3_000_000_000, uptime: 0) == nil)
        var spread = RestartPolicy(maxRestarts: 3, window: 5_000_000_000)
        for i in 0..<10 { #expect(spread.crashed(slot: 0, now: UInt64(i) * 2_000_000_000, uptime: 0) != nil) }
        #expect(spread.recentRestarts(now: 18_000_000_000) == 3)
    }
}

@Suite("Worker options on the command line")
struct WorkerCommandLineTests {
    @Test("--workers, --max-requests, --max-requests-jitter and --worker-timeout set the configuration")
    func parses() throws {
        let request = try Server.Configuration.parse(arguments: ["--workers", "4", "--max-requests=1000", "--max-requests-jitter", "50",
                                                                 "--worker-timeout", "2.5"])
        guard case .run(let configuration) = request else { Issue.record("not a run"); return }
        #expect(configuration.workers == 4)
        #expect(configuration.maxRequests == 1000)
        #expect(configuration.maxRequestsJitter == 50)
        #expect(configuration.workerTimeout == .milliseconds(2500))
    }

    @Test("bad values are usage errors (exit 2) that say what is wrong", arguments: [
        (["--workers", "-1"], "--workers -1 is not a number of worker processes"),
        (["--workers", "257"], "--workers 257 is not a number of worker processes"),
        (["--workers", "two"], "--workers two is not a number"),
        (["--max-requests", "-5"], "--max-requests -5 is not a request count"),
        (["--max-requests-jitter", "x"], "--max-requests-jitter x is not a request count"),
        (["--worker-timeout", "0"], "--worker-timeout 0 is not a timeout"),
        (["--worker-timeout", "nan"], "--worker-timeout nan is not a timeout"),
        (["--workers"], "--workers needs a value"),
    ])
    func rejects(_ arguments: [String], _ message: String) {
        do {
            _ = try Server.Configuration.parse(arguments: arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(error.exitCode == 2)
        }
    }
}
