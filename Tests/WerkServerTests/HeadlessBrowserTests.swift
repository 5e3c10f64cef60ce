import Glibc
import Testing
import WerkCore
import WerkServer
import WerkTestSupport

/// A page whose script changes the DOM, logs a console error and reacts to clicks and typing; the
/// server sets a cookie with it and `/whoami` echoes the cookie back, so the browser's own network
/// stack and cookie jar are exercised.
private let browserApp = Handler { request in
    switch request.pathInfo {
    case "/":
        var response = Response.html("""
            <!doctype html>
            <html><head><title>browser test</title></head><body>
            <p id="status">loading</p>
            <button id="go">Go</button>
            <input id="name">
            <p id="echo"></p>
            <script>
            let clicks = 0;
            document.getElementById('status').textContent = 'ready';
            console.error('deliberate', 42);
            document.getElementById('go').addEventListener('click', () => {
                clicks += 1;
                document.getElementById('status').textContent = 'clicked ' + clicks;
            });
            document.getElementById('name').addEventListener('input', (event) => {
                document.getElementById('echo').textContent = event.target.value.toUpperCase();
            });
            </script>
            </body></html>
            """)
        response.setCookie("visitor", "ada")
        return response
    case "/whoami":
        return Response.text("visitor=\(request.cookies["visitor"] ?? "none")")
    default:
        throw HTTPError(.notFound)
    }
}

@Suite("HeadlessBrowser: chromium over the DevTools pipe against a live Werk server", .serialized)  // one chromium at a time
struct HeadlessBrowserTests {
    @Test("A page loads from a Werk server; evaluate, waitUntil, click, type and text see its DOM, and its console error is reported",
          .requires(.chromium))
    func drivesAPage() async throws {
        try await withServer(browserApp) { address in
            let browser = try await HeadlessBrowser.launch()
            defer { browser.kill() }
            let page = try await browser.open("http://127.0.0.1:\(address.port ?? 0)/")

            #expect(try await page.text("#status") == "ready")
            #expect(try await page.evaluate("document.title") == "browser test")
            #expect(try await page.evaluate("Promise.resolve(6 * 7)") == 42)
            #expect(try await page.evaluate("({a: [1, 'b', null]})") == ["a": [1, "b", nil]])

            try await page.click("#go")
            try await page.click("#go")
            try await page.waitUntil("document.getElementById('status').textContent === 'clicked 2'")

            try await page.type("#name", "grace")
            try await page.waitUntil("document.getElementById('echo').textContent === 'GRACE'")
            #expect(try await page.evaluate("document.getElementById('name').value") == "grace")

            // The cookie set with the page goes back with a fetch, through the browser's cookie jar.
            #expect(try await page.evaluate("fetch('/whoami').then(r => r.text())") == "visitor=ada")

            let errors = page.consoleErrors(ignoringURLsEndingWith: ["/favicon.ico"])
            #expect(errors.count == 1, "\(errors)")
            #expect(errors.first?.source == .console)
            #expect(errors.first?.text == "deliberate 42")
            #expect(page.exceptions.isEmpty)
            await browser.close()
        }
    }

    @Test("A JavaScript exception becomes a Swift error with its message; an uncaught one is recorded; a refused navigation and a closed tab fail at once",
          .requires(.chromium))
    func exceptions() async throws {
        try await withServer(browserApp) { address in
            let browser = try await HeadlessBrowser.launch()
            defer { browser.kill() }
            let page = try await browser.open("http://127.0.0.1:\(address.port ?? 0)/")

            await #expect { try await page.evaluate("throw new TypeError('boom')") } throws: { error in
                "\(error)".contains("TypeError: boom")
            }
            await #expect { try await page.evaluate("Promise.reject(new Error('rejected'))") } throws: { error in
                "\(error)".contains("rejected")
            }
            await #expect { try await page.click("#missing") } throws: { error in
                "\(error)".contains("no element matches #missing")
            }
            await #expect { try await page.waitUntil("false", timeout: .milliseconds(300)) } throws: { error in
                "\(error)".contains("`false` to be true")
            }

            // A navigation that cannot connect fails with the browser's error text.
            let closedPort = unusedPort()
            await #expect { _ = try await browser.open("http://127.0.0.1:\(closedPort)/") } throws: { error in
                "\(error)".contains("ERR_CONNECTION_REFUSED")
            }

            try await page.evaluate("setTimeout(() => { throw new Error('uncaught later') }, 0)")
            let late = try await page.waitForConsoleError { $0.text.contains("uncaught later") }
            #expect(late.source == .exception)
            #expect(page.exceptions.count == 1, "\(page.exceptions)")
            try await page.close()
            await #expect(throws: HeadlessBrowserError.self) { try await page.evaluate("1") }
            await browser.close()
        }
    }

    @Test("close() ends the browser process, reaps it and removes its profile folder", .requires(.chromium))
    func closeCleansUp() async throws {
        let browser = try await HeadlessBrowser.launch()
        defer { browser.kill() }
        let pid = browser.pid
        #expect(kill(pid, 0) == 0)
        #expect(access(browser.profileFolder, F_OK) == 0)

        await browser.close()
        #expect(browser.isClosed)
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the browser process \(pid) is still there")
        var status: Int32 = 0
        #expect(waitpid(pid, &status, WNOHANG) == -1, "the browser process \(pid) was not reaped")
        #expect(access(browser.profileFolder, F_OK) != 0, "\(browser.profileFolder) was not removed")
        await #expect(throws: HeadlessBrowserError.self) { try await browser.open("about:blank") }
    }
}
