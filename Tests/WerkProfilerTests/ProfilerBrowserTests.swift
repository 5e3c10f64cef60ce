import Testing
@testable import WerkProfiler
import WerkServer
import WerkTestSupport
import WerkTesting

/// A profiled app with a layer and a span, whose requests the UI then lists.
private func browserApp() -> (Profiler, Handler) {
    let profiler = Profiler()
    let app = Stack {
        profiler
        MiddlewareFunction("Auth") { request, next in try await next(request) }
        Handler { request in
            request.profile.route = request.pathInfo.hasPrefix("/items") ? "/items/<int:id>" : nil
            request.profile.span("db query") { request.profile.count("rows", by: 3) }
            return "ok"
        }
    }
    return (profiler, app)
}

@Suite("Profiler UI in a headless browser")
struct ProfilerBrowserTests {
    @Test("the UI loads without console errors, lists the requests made just before, and draws one's chart",
          .requires(.chromium))
    func listsAndDraws() async throws {
        let (profiler, app) = browserApp()
        var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
        configuration.accessLog = false
        configuration.errorLogger = DiscardingLogger()
        configuration.shutdownTimeout = .seconds(5)
        let server = Server(app, configuration: configuration)
        let address = try server.start()
        let browser = try await HeadlessBrowser.launch()
        do {
            let base = "http://127.0.0.1:\(address.port ?? 0)"
            let client = TestClient(app)
            _ = try await client.get("/items/1")
            _ = try await client.get("/items/2", headers: ["X-Evil": #"<img src=x onerror="window.pwned=1">"#])
            _ = try await client.get("/other")
            #expect(profiler.profiles.count == 3)

            let page = try await browser.open(base + "/__profiler/")
            try await page.waitUntil("document.querySelectorAll('#requests tbody tr').length === 3")
            let targets = try await page.evaluate(
                "[...document.querySelectorAll('#requests tbody tr')].map(r => r.children[2].textContent)")
            #expect(targets == ["/other", "/items/2", "/items/1"])

            try await page.click("#requests tbody tr[data-id='2']")
            try await page.waitUntil("document.querySelectorAll('#chart rect.frame').length === 4")
            let names = try await page.evaluate("[...document.querySelectorAll('#chart rect.frame')].map(r => r.dataset.name)")
            #expect(names == ["GET /items/<int:id>", "Auth", "Handler", "db query"])
            let widths = try await page.evaluate(
                "[...document.querySelectorAll('#chart rect.frame')].every(r => Number(r.getAttribute('width')) >= 1)")
            #expect(widths == true)
            #expect(try await page.text("#detail-title") == "GET /items/<int:id> — GET /items/2")
            // Attacker-controlled header values are shown as text, never run.
            let evil = try await page.evaluate(
                "[...document.querySelectorAll('#request-headers td')].some(td => td.textContent.includes('onerror'))")
            #expect(evil == true)
            #expect(try await page.evaluate("window.pwned === undefined && document.querySelector('#detail img') === null") == true)

            try await page.click("#show-routes")
            try await page.waitUntil("document.querySelectorAll('#routes .route').length === 2")
            #expect(try await page.evaluate("document.querySelector('#routes h2').textContent") == "GET /other (1 requests)")

            let errors = page.consoleErrors(ignoringURLsEndingWith: ["/favicon.ico"])
            #expect(errors.isEmpty, "\(errors)")
            #expect(page.exceptions.isEmpty)
            await browser.close()
        } catch {
            browser.kill()
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }
}
