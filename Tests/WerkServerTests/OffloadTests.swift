#if canImport(Glibc)
import Glibc
#endif
import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

/// A latch made of a pipe: `wait()` blocks a thread until `open()` is called (no sleeps, no polling).
private final class Latch: Sendable {
    let fds: (read: Int32, write: Int32)
    init() {
        var pair: [Int32] = [0, 0]
        pipe(&pair)
        fds = (pair[0], pair[1])
    }
    func wait() {
        var byte: UInt8 = 0
        while read(fds.read, &byte, 1) < 0 && errno == EINTR {}
        // Pass the wake-up on, so every waiter gets one.
        _ = write(fds.write, "x", 1)
    }
    func open() { _ = write(fds.write, "x", 1) }
    deinit { close(fds.read); close(fds.write) }
}

@Suite("Offloading blocking work from the event loops")
struct OffloadTests {
    @Test("a GET completes while 20 blocking jobs hold every worker thread (one event loop)")
    func getCompletesWhileWorkersAreBusy() async throws {
        let pool = WorkerPool(threads: 2, queueLimit: 64)
        let latch = Latch()
        let app = Handler { request -> Response in
            if request.pathInfo == "/login" {
                try await pool.run { latch.wait() }
                return .text("logged in")
            }
            return .text("hello")
        }
        try await withServer(app, configure: { $0.eventLoops = 1 }) { address in
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await TestClient(transport: LiveTransport(address)).get("/login").text }
                }
                // Every login is parked on the pool (2 running, 18 queued) and none can finish until
                // the latch opens: if the work ran on the event loop, this GET could never be answered.
                let hello = try await TestClient(transport: LiveTransport(address)).get("/")
                #expect(hello.text == "hello")
                latch.open()
                var answers: [String] = []
                for try await text in group { answers.append(text) }
                #expect(answers == Array(repeating: "logged in", count: 20))
            }
        }
    }

    @Test("a full queue is answered 503 with Retry-After, and the pool recovers")
    func fullQueueIs503() async throws {
        let pool = WorkerPool(threads: 1, queueLimit: 1, retryAfterSeconds: 7)
        let latch = Latch()
        let started = Latch()
        async let running: Void = pool.run { started.open(); latch.wait() }
        // The one thread is busy once `started` opens; then one job may wait and the next is refused.
        try await ThreadRunner.run { started.wait() }
        async let queued: Int = pool.run { 42 }
        while pool.waiting < 1 { await Task.yield() }
        do {
            _ = try await pool.run { 0 }
            Issue.record("expected a 503")
        } catch let error as HTTPError {
            #expect(error.status == .serviceUnavailable)
            #expect(error.headers["Retry-After"] == "7")
            #expect(error.detail.contains("1 jobs are already waiting"))
        }
        latch.open()
        try await running
        #expect(try await queued == 42)
        #expect(try await pool.run { "again" } == "again")
    }

    @Test("errors thrown by offloaded work reach the caller")
    func errorsPropagate() async throws {
        struct Broken: Error, Equatable {}
        await #expect(throws: Broken()) { try await offload { throw Broken() } }
    }

    @Test("the async PasswordHash runs off the loop and agrees with the synchronous one")
    func asyncPasswordHash() async throws {
        let hash = try await PasswordHash.generate("correct horse", method: "pbkdf2:sha256:1000")
        #expect(try await PasswordHash.check(hash, "correct horse"))
        #expect(try await !PasswordHash.check(hash, "wrong"))
        let syncCheck: (String, String) -> Bool = PasswordHash.check
        #expect(syncCheck(hash, "correct horse"))
    }
}
