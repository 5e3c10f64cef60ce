import Testing
import WerkCore
import WerkServer
import WerkTestSupport
@testable import WerkDebugger

@Suite("Debugger in a headless browser", .serialized)
struct DebuggerBrowserTests {
    @Test("the page renders, library frames unfold, the PIN dialog refuses a wrong PIN and accepts the right one, and the inspector answers",
          .requires(.chromium))
    func pageInChromium() async throws {
        let server = Server(debuggedApp(), configuration: quietLoopbackConfiguration())
        let address = try server.start()
        let browser: HeadlessBrowser
        do { browser = try await HeadlessBrowser.launch() } catch { await server.shutdown(); throw error }
        defer { browser.kill() }
        do {
            let page = try await browser.open("http://127.0.0.1:\(address.port ?? 0)/cart")
            #expect(try await page.evaluate("document.title").stringValue?.hasPrefix("WerkDebuggerTests.CartError: the cart <b>is</b> empty") == true)
            #expect(try await page.text("#error-type") == "WerkDebuggerTests.CartError")

            // The first application frame is open and shows the line that threw; library frames are folded.
            #expect(try await page.evaluate("document.querySelector('.frame.app details').open") == true)
            // The source excerpt is single-spaced: its lines sit one under the other, no blank line between.
            #expect(try await page.evaluate("""
                (() => { const lines = [...document.querySelector('.frame.app pre.source').querySelectorAll('.line')];
                  return lines.length > 1 && lines.slice(1).every((line, i) =>
                    Math.abs(line.getBoundingClientRect().top - lines[i].getBoundingClientRect().bottom) < 1) })()
                """) == true)
            #expect(try await page.text(".frame.app .line.current").contains("throw CartError(code: 42"))
            #expect(try await page.evaluate("getComputedStyle(document.querySelector('.frame.library')).display") == "none")
            try await page.click("#toggle-library")
            try await page.waitUntil("getComputedStyle(document.querySelector('.frame.library')).display === 'block'")
            try await page.click(".frame.library summary")
            try await page.waitUntil("document.querySelector('.frame.library details').open")

            // The PIN dialog opens on load; a wrong PIN is refused, the right one unlocks the inspector.
            try await page.waitUntil("document.getElementById('pin-dialog').open")
            try await page.type("#pin", "000-000-000")
            try await page.click("#pin-submit")
            try await page.waitUntil("document.getElementById('pin-message').textContent === 'Wrong PIN.'")
            try await page.evaluate("document.getElementById('pin').value = ''")
            try await page.type("#pin", "123-456-789")
            try await page.click("#pin-submit")
            try await page.waitUntil("!document.getElementById('pin-dialog').open")
            try await page.waitUntil("document.querySelector('#inspector-output .tree') !== null")
            #expect(try await page.text("#inspector-output").contains("WerkDebuggerTests.CartError"))

            try await page.evaluate("document.getElementById('expression').value = ''")
            try await page.type("#expression", "error.code")
            try await page.click("#inspector-form button")
            try await page.waitUntil("document.getElementById('inspector-output').textContent.includes('error.code: 42')")

            try await page.evaluate("document.getElementById('expression').value = 'error.nothing'")
            try await page.click("#inspector-form button")
            try await page.waitUntil("document.querySelector('#inspector-output .inspector-error') !== null")
            #expect(try await page.text("#inspector-output") == "error has no member 'nothing'.")
            #expect(page.exceptions.isEmpty, "\(page.exceptions)")
            await browser.close()
            await server.shutdown()
        } catch {
            await server.shutdown()
            throw error
        }
    }
}
