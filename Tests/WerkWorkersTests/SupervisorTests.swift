import Glibc
import Synchronization
import Testing
import WerkCore
import WerkServer
import WerkTestSupport
import WerkTesting

@Suite("Supervising worker processes")
struct SupervisorTests {
    @Test("with 2 workers a trapping handler fails only its own request; the worker is replaced and the crash logged with function and file:line")
    func trapIsIsolated() async throws {
        let app = try SupervisedApp(["--workers", "2"])
        let before = readyPids(app.text)
        #expect(Set(before).count == 2)
        let address = app.address
        let trapped = try await ThreadRunner.run { SupervisedApp.get(address, "/trap") }
        #expect(trapped == nil, "the trapping request has no answer: its worker died")
        // While the crashed worker is down (and being replaced), every other request is answered.
        let statuses = try await ThreadRunner.run { (0..<50).map { _ in SupervisedApp.get(address, "/hello")?.status.code ?? 0 } }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        let line = trapSourceLine()
        let log = try await app.waitForLog("the crash and the replacement") { log in
            log.contains("crashed: Illegal instruction in trapInHandler(_:) at ") && readyPids(log).count == 3
        }
        #expect(log.contains("WorkerApp/main.swift:\(line):"), "the crash names the file and line: \(log)")
        let replacement = try #require(readyPids(log).last)
        #expect(!before.contains(replacement))
        #expect(try await app.stop() == 0)
    }

    @Test("SIGHUP under load: new workers start, the old ones stop gracefully, and every request sent is answered")
    func reloadDropsNothing() async throws {
        let app = try SupervisedApp(["--workers", "2"])
        let before = Set(readyPids(app.text))
        let reloaded = Flag()
        let total = Counter()
        let address = app.address
        // Four clients, each at most 400 requests and 60 s, until the reload is over and 20 more went through.
        let clients = (0..<4).map { _ in
            Task { try await ThreadRunner.run { () -> (sent: Int, answered: Int) in
                var sent = 0, answered = 0, after = 0
                let deadline = time(nil) + 60
                while sent < 400 && after < 20 && time(nil) < deadline {
                    sent += 1
                    total.value.add(1, ordering: .relaxed)
                    if SupervisedApp.get(address, "/hello")?.status == .ok { answered += 1 }
                    if reloaded.value.load(ordering: .acquiring) { after += 1 }
                }
                return (sent, answered)
            } }
        }
        try await app.waitForLog("the first 40 requests") { _ in total.value.load(ordering: .relaxed) >= 40 }
        kill(app.process.pid, SIGHUP)
        let log = try await app.waitForLog("both old workers to stop") { log in
            before.allSatisfy { log.contains("(pid \($0)) stopped") }
        }
        reloaded.value.store(true, ordering: .releasing)
        var sent = 0, answered = 0
        for client in clients {
            let counts = try await client.value
            sent += counts.sent
            answered += counts.answered
        }
        #expect(sent >= 120 && answered == sent, "sent \(sent), answered \(answered)")
        let after = Set(readyPids(log)).subtracting(before)
        #expect(after.count == 2, "two new workers: \(log)")
        #expect(!log.contains("crashed"))
        #expect(try await app.stop() == 0)
    }

    @Test("a crash loop (workers that trap at start) stops the supervisor with a message and a non-zero exit")
    func crashLoopStops() async throws {
        let crashes = try TemporaryFolder()
        let process = try Spawned(SupervisedApp.executable, ["--port", "0", "--workers", "2", "--event-loops", "1"],
                                  environment: ["WERK_TEST_CRASH_AT_START": "1", "WERK_TEST_MAX_RESTARTS": "3",
                                                "WERK_TEST_RESTART_WINDOW": "60", "WERK_TEST_CRASH_DIR": crashes.path])
        let fd = process.stderr
        let log = String(decoding: try await ThreadRunner.run { readToEnd(fd) }, as: UTF8.self)
        let status = process.wait()
        #expect(status == 1)
        #expect(log.contains("stopping: more than 3 worker restarts within 60.0 seconds (a crash loop); the last: worker"), "\(log)")
        #expect(log.contains("crashed: Illegal instruction in trapInHandler(_:) at "))
        #expect(process.readAll(process.stdout).isEmpty, "never announced as running")
    }

    @Test("a worker stuck in a handler stops heartbeating: it is killed and replaced, and the other keeps serving")
    func heartbeatKillsStuckWorker() async throws {
        let app = try SupervisedApp(["--workers", "2", "--worker-timeout", "1"])
        let before = readyPids(app.text)
        let address = app.address
        let spinning = Task { try await ThreadRunner.run { SupervisedApp.get(address, "/spin") } }
        let log = try await app.waitForLog("the stuck worker to be killed and replaced") { log in
            log.contains("sent no heartbeat for 1.0 seconds: SIGKILL") && readyPids(log).count == 3
        }
        #expect(try await spinning.value == nil, "the stuck request never gets an answer")
        #expect(log.contains("killed (SIGKILL): no heartbeat"))
        #expect(!before.contains(try #require(readyPids(log).last)))
        let status = try await ThreadRunner.run { SupervisedApp.get(address, "/hello")?.status }
        #expect(status == .ok)
        #expect(try await app.stop() == 0)
    }

    @Test("maxRequests recycles a worker: a replacement starts first, then the old one stops gracefully")
    func maxRequestsRecycles() async throws {
        let app = try SupervisedApp(["--workers", "1", "--max-requests", "20", "--max-requests-jitter", "5"])
        let first = try #require(readyPids(app.text).first)
        let address = app.address
        // 30 requests: more than the worker's limit (20 + at most 5).
        let statuses = try await ThreadRunner.run { (0..<30).map { _ in SupervisedApp.get(address, "/hello")?.status.code ?? 0 } }
        #expect(statuses.allSatisfy { $0 == 200 })
        let log = try await app.waitForLog("the recycled worker to stop") { $0.contains("(pid \(first)) stopped") }
        #expect(log.contains("(pid \(first)) served its max requests: replacing it"))
        let answer = try await ThreadRunner.run { SupervisedApp.get(address, "/pid") }
        #expect(answer.map { String(decoding: $0.body, as: UTF8.self) } == readyPids(log).last)
        #expect(readyPids(log).count >= 2)
        #expect(try await app.stop() == 0)
    }
}

extension SupervisorTests {
    @Test("on a Unix socket: workers serve it, a reload keeps the socket file (workers never unlink it), the supervisor removes it at exit")
    func unixSocket() async throws {
        let path = "/tmp/werk-workers-\(getpid()).sock"
        let app = try SupervisedApp(["--workers", "2"], unixSocket: path)
        let before = Set(readyPids(app.text))
        let address = app.address
        #expect(try await ThreadRunner.run { SupervisedApp.get(address, "/hello")?.status } == .ok)
        kill(app.process.pid, SIGHUP)
        try await app.waitForLog("the old workers to stop") { log in before.allSatisfy { log.contains("(pid \($0)) stopped") } }
        #expect(access(path, F_OK) == 0, "the socket file survives the old workers")
        #expect(try await ThreadRunner.run { SupervisedApp.get(address, "/hello")?.status } == .ok)
        #expect(try await app.stop() == 0)
        #expect(access(path, F_OK) != 0, "removed at exit")
    }
}

/// The line of `return missing!` in Tests/WorkerApp/main.swift (where the crash report must point).
func trapSourceLine() -> Int {
    let path = InteropVectors.testsDirectory + "/WorkerApp/main.swift"
    let source = CrashReportFixture.read(path)
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    return (lines.firstIndex { $0.contains("return missing!") } ?? -1) + 1
}

/// A flag the test sets and client threads read.
final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}

/// A count the client threads add to.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
