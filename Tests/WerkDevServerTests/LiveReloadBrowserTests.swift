import Glibc
import Synchronization
import Testing
import WerkCore
@testable import WerkServer
import WerkTestSupport
import WerkTesting

/// Live reload in a real browser, with the dev server's socket arrangement: one listening socket
/// held by the test (the supervisor's role) and, one after the other, the servers that answer on it
/// (a worker, the supervisor's compile-error page, the next worker). Building real workers would
/// take minutes; the handlers are the ones the dev server uses.
@Suite("Live reload in a headless browser")
struct LiveReloadBrowserTests {
    /// A page whose heading names the code that rendered it, and counts its loads per tab.
    static func page(_ version: String) -> Handler {
        Handler { (_: Request) throws -> Response in
            .html("""
            <!doctype html><html><head><title>\(version)</title></head><body><h1>\(version)</h1>
            <script>sessionStorage.loads = String(Number(sessionStorage.loads || 0) + 1)</script></body></html>
            """)
        }
    }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Counts the event-stream connections that reach `next`.
    static func countingStreams(_ count: Counter, _ next: Handler) -> Handler {
        Handler { request in
            if request.pathInfo == LiveReload.path { count.value.add(1, ordering: .relaxed) }
            return try await next(request)
        }
    }

    static func configuration() -> Server.Configuration { quietLoopbackConfiguration(eventLoops: 1) }

    @Test("the page reloads onto the compile-error page when a build fails, and onto the new code once it answers",
          .requires(.chromium), .timeLimit(.minutes(5)))
    func reloadsThroughABrokenBuild() async throws {
        let listener = try Listener.tcp(host: "127.0.0.1", port: 0, count: 1, backlog: 64, reusePort: false)
        let fd = listener.fds[0]
        defer { close(fd) }
        let base = "http://127.0.0.1:\(listener.port)"
        let streams = Counter()

        let firstStop = LiveReload.StopFlag()
        let first = Server(Self.countingStreams(streams, LiveReload(generation: "b1", stop: firstStop).wrap(Self.page("v1"))),
                           configuration: Self.configuration())
        _ = try first.start(listenerFD: fd)
        var running: [Server] = [first]
        let lastStop = LiveReload.StopFlag()
        let browser = try await HeadlessBrowser.launch()
        do {
            let tab = try await browser.open(base + "/")
            try await tab.waitUntil("document.querySelector('h1') && document.querySelector('h1').textContent === 'v1'")
            #expect(try await tab.evaluate("document.querySelectorAll('script[data-werk-live-reload]').length") == 1)
            _ = try await eventually(seconds: 60) { streams.value.load(ordering: .relaxed) >= 1 ? true : nil }

            // The build fails: the worker stops (its stream ends; the browser's reconnection waits in
            // the backlog), and the supervisor's error page answers for generation f1.
            firstStop.set()
            await first.shutdown()
            running.removeAll()
            let output = """
            /pkg/Sources/App/main.swift:3:19: error: cannot convert value of type 'String' to specified type 'Int'
            1 | import Glibc
            2 |
            3 | let broken: Int = "not a number"
              |                   `- error: cannot convert value of type 'String' to specified type 'Int'
            """
            let failedStop = LiveReload.StopFlag()
            let failed = Server(CompileErrorPage.handler(diagnostics: BuildDiagnostics.parse(output), output: output,
                                                         packageRoot: "/pkg", generation: "f1", stop: failedStop),
                                configuration: Self.configuration())
            _ = try failed.start(listenerFD: fd)
            running = [failed]
            try await tab.waitUntil("document.querySelector('h1') && document.querySelector('h1').textContent === 'Build failed'")
            #expect(try await tab.evaluate("document.body.textContent.includes(\"cannot convert value of type 'String'\")") == true)
            #expect(try await tab.evaluate("document.querySelectorAll('script[data-werk-live-reload]').length") == 1)

            // Fixed: the error page's stream ends, the next worker (generation b2) answers the reconnection.
            failedStop.set()
            await failed.shutdown()
            running.removeAll()
            let fixed = Server(LiveReload(generation: "b2", stop: lastStop).wrap(Self.page("v2")),
                               configuration: Self.configuration())
            _ = try fixed.start(listenerFD: fd)
            running = [fixed]
            try await tab.waitUntil("document.querySelector('h1') && document.querySelector('h1').textContent === 'v2'")
            // Loaded once as v1 and once as v2: no reload onto a refused connection, none twice.
            #expect(try await tab.evaluate("sessionStorage.loads") == "2")
            #expect(tab.exceptions.isEmpty, "\(tab.exceptions)")
            await browser.close()
        } catch {
            browser.kill()
            lastStop.set()
            for server in running { await server.shutdown() }
            throw error
        }
        lastStop.set()
        for server in running { await server.shutdown() }
    }
}
