import Synchronization
import WerkCore

/// A tab of a `HeadlessBrowser`, attached through its own DevTools session; made by
/// `HeadlessBrowser.open(_:timeout:)`.
///
/// It records every error the page reports (see `consoleErrors`), and runs JavaScript in the page
/// (`evaluate`, `waitUntil`, `click`, `type`, `text`). Every wait is bounded by a timeout.
public final class BrowserPage: Sendable {
    /// The browser this tab belongs to.
    public let browser: HeadlessBrowser
    /// The DevTools session id (flat mode).
    public let session: String
    /// The DevTools target id of the tab.
    public let targetID: String

    private struct State {
        var errors: [BrowserConsoleEntry] = []
        var waiters: [String: [OneShot]] = [:]
        var closed = false
    }
    private let state = Mutex(State())

    init(browser: HeadlessBrowser, session: String, targetID: String) {
        self.browser = browser
        self.session = session
        self.targetID = targetID
    }

    /// Every error reported so far, in order: `console.error` calls, uncaught exceptions and
    /// error-level log entries (failed loads). Filter by `source` or `url` as needed, e.g. to ignore a
    /// 404 for `/favicon.ico`; or use `consoleErrors(ignoringURLsEndingWith:)`.
    public var consoleErrors: [BrowserConsoleEntry] { state.withLock { $0.errors } }

    /// The uncaught exceptions (and unhandled rejections) reported so far.
    public var exceptions: [BrowserConsoleEntry] { consoleErrors.filter { $0.source == .exception } }

    /// `consoleErrors` without the entries whose URL ends with one of `suffixes`
    /// (by default the browser's automatic `/favicon.ico` request).
    public func consoleErrors(ignoringURLsEndingWith suffixes: [String] = ["/favicon.ico"]) -> [BrowserConsoleEntry] {
        consoleErrors.filter { entry in !suffixes.contains { suffix in entry.url?.hasSuffix(suffix) == true } }
    }

    /// Waits (polling every 50 ms, bounded) until an error matching `predicate` has been reported, and
    /// returns it; for errors that arrive after the call that caused them (a timer, a failed fetch).
    @discardableResult
    public func waitForConsoleError(timeout: Duration = HeadlessBrowser.defaultTimeout,
                                    where predicate: (BrowserConsoleEntry) -> Bool) async throws -> BrowserConsoleEntry {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let entry = consoleErrors.first(where: predicate) { return entry }
            if clock.now >= deadline {
                throw HeadlessBrowserError.timedOut(what: "a matching console error (so far: \(consoleErrors))", after: timeout)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Closes the tab (Target.closeTarget); the browser stays open.
    public func close(timeout: Duration = HeadlessBrowser.defaultTimeout) async throws {
        guard !state.withLock({ state in defer { state.closed = true }; return state.closed }) else { return }
        try await browser.send("Target.closeTarget", ["targetId": .string(targetID)], timeout: timeout)
    }

    /// Sends a DevTools command to this tab's session.
    @discardableResult
    public func send(_ method: String, _ params: JSON = [:], timeout: Duration = HeadlessBrowser.defaultTimeout) async throws -> JSON {
        if state.withLock({ $0.closed }) {
            throw HeadlessBrowserError.protocolError(method: method, message: "the tab \(targetID) was closed")
        }
        return try await browser.send(method, params, session: session, timeout: timeout)
    }

    /// Navigates to `url` and waits for its load event; a failed navigation (connection refused,
    /// bad URL) throws with the browser's error text.
    public func navigate(_ url: String, timeout: Duration = HeadlessBrowser.defaultTimeout) async throws {
        let loaded = expect("Page.loadEventFired")
        let result = try await send("Page.navigate", ["url": .string(url)], timeout: timeout)
        if let error = result["errorText"]?.stringValue, !error.isEmpty {
            throw HeadlessBrowserError.protocolError(method: "Page.navigate", message: "\(url): \(error)")
        }
        _ = try await loaded.value(timeout: timeout, what: "the load event of \(url)")
    }

    /// Evaluates a JavaScript expression in the page and returns its value as JSON (promises are
    /// awaited; `undefined` gives `.null`). A thrown exception becomes `HeadlessBrowserError.javaScript`
    /// with its message.
    @discardableResult
    public func evaluate(_ expression: String, timeout: Duration = HeadlessBrowser.defaultTimeout) async throws -> JSON {
        let reply = try await send("Runtime.evaluate", [
            "expression": .string(expression), "awaitPromise": true, "returnByValue": true, "userGesture": true,
        ], timeout: timeout)
        if let details = reply["exceptionDetails"] {
            let message = details["exception"]?["description"]?.stringValue
                ?? details["exception"]?["value"]?.serialized()
                ?? details["text"]?.stringValue ?? details.serialized()
            throw HeadlessBrowserError.javaScript(message)
        }
        return reply["result"]?["value"] ?? .null
    }

    /// Polls the JavaScript boolean `condition` (every 50 ms) until it is true; throws
    /// `HeadlessBrowserError.timedOut` naming the condition after `timeout`, or the JS error it threw.
    public func waitUntil(_ condition: String, timeout: Duration = HeadlessBrowser.defaultTimeout) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if try await evaluate("!!(\(condition))", timeout: timeout).boolValue == true { return }
            if clock.now >= deadline { throw HeadlessBrowserError.timedOut(what: "`\(condition)` to be true", after: timeout) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Clicks the first element matching the CSS `selector` (`element.click()`: the click listeners
    /// and default action run); throws if nothing matches.
    public func click(_ selector: String, timeout: Duration = HeadlessBrowser.defaultTimeout) async throws {
        try await evaluate("\(element(selector)).click()", timeout: timeout)
    }

    /// Focuses the first element matching `selector` and types `text` into it through the browser's
    /// input pipeline (`Input.insertText`: `beforeinput` and `input` events fire, as for an IME), then
    /// fires `change`; throws if nothing matches.
    public func type(_ selector: String, _ text: String, timeout: Duration = HeadlessBrowser.defaultTimeout) async throws {
        try await evaluate("\(element(selector)).focus()", timeout: timeout)
        try await send("Input.insertText", ["text": .string(text)], timeout: timeout)
        try await evaluate("\(element(selector)).dispatchEvent(new Event('change', {bubbles: true}))", timeout: timeout)
    }

    /// The `textContent` of the first element matching `selector`; throws if nothing matches.
    public func text(_ selector: String, timeout: Duration = HeadlessBrowser.defaultTimeout) async throws -> String {
        try await evaluate("\(element(selector)).textContent", timeout: timeout).stringValue ?? ""
    }

    /// A JS expression for the first element matching `selector`, throwing an Error naming it if none.
    private func element(_ selector: String) -> String {
        let literal = JSON.string(selector).javaScriptLiteral
        return "((s) => { const e = document.querySelector(s); if (!e) throw new Error('no element matches ' + s); return e })(\(literal))"
    }

    /// A one-shot waiter for the next `method` event of this session; create it before causing the event.
    func expect(_ method: String) -> OneShot {
        let waiter = OneShot()
        state.withLock { $0.waiters[method, default: []].append(waiter) }
        return waiter
    }

    /// Called by the browser's reader thread for each event of this session.
    func handle(_ method: String, _ params: JSON) {
        var entry: BrowserConsoleEntry?
        switch method {
        case "Runtime.consoleAPICalled" where params["type"]?.stringValue == "error":
            let arguments = params["args"]?.arrayValue ?? []
            let text = arguments.map { argument in
                argument["value"]?.stringValue ?? argument["value"]?.serialized() ?? argument["description"]?.stringValue ?? ""
            }.joined(separator: " ")
            entry = BrowserConsoleEntry(source: .console, text: text, url: params["stackTrace"]?["callFrames"]?[0]?["url"]?.stringValue)
        case "Runtime.exceptionThrown":
            let details = params["exceptionDetails"] ?? [:]
            let text = details["exception"]?["description"]?.stringValue ?? details["text"]?.stringValue ?? details.serialized()
            entry = BrowserConsoleEntry(source: .exception, text: text, url: details["url"]?.stringValue)
        case "Log.entryAdded" where params["entry"]?["level"]?.stringValue == "error":
            entry = BrowserConsoleEntry(source: .log, text: params["entry"]?["text"]?.stringValue ?? "",
                                        url: params["entry"]?["url"]?.stringValue)
        default:
            break
        }
        let waiters = state.withLock { state in
            if let entry { state.errors.append(entry) }
            return state.waiters.removeValue(forKey: method) ?? []
        }
        for waiter in waiters { waiter.resolve(.success(params)) }
    }
}
