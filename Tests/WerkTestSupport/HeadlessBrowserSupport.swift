import Synchronization
import WerkCore

/// What went wrong driving the headless browser; every message names what was awaited or asked.
public enum HeadlessBrowserError: Error, CustomStringConvertible {
    /// Chromium could not be started (missing executable, spawn failure, no temp folder).
    case launchFailed(String)
    /// Something awaited did not happen within the timeout.
    case timedOut(what: String, after: Duration)
    /// The browser answered a DevTools command with an error.
    case protocolError(method: String, message: String)
    /// The page's JavaScript threw; the message is the exception's description.
    case javaScript(String)
    /// The browser process went away (or was closed) while a command was pending.
    case browserExited(String)

    /// A sentence for the test log.
    public var description: String {
        switch self {
        case .launchFailed(let why): "chromium could not be launched: \(why)"
        case .timedOut(let what, let after): "timed out after \(after) waiting for \(what)"
        case .protocolError(let method, let message): "DevTools command \(method) failed: \(message)"
        case .javaScript(let message): "JavaScript exception: \(message)"
        case .browserExited(let what): "the browser exited while waiting for \(what)"
        }
    }
}

/// One error a page reported: a `console.error(...)`, an uncaught exception, or an error-level
/// browser log entry (a failed resource load, such as a 404 for `/favicon.ico`).
public struct BrowserConsoleEntry: Sendable, CustomStringConvertible {
    /// Where it came from.
    public enum Source: String, Sendable {
        /// `console.error(...)` (Runtime.consoleAPICalled with type `error`).
        case console
        /// An uncaught exception or unhandled rejection (Runtime.exceptionThrown).
        case exception
        /// An error-level entry of the browser's log (Log.entryAdded), e.g. a failed network load.
        case log
    }

    /// Where it came from.
    public let source: Source
    /// The message text (the console arguments joined by spaces, or the exception's description).
    public let text: String
    /// The URL it concerns, when the browser gave one (for a failed load, the resource's URL).
    public let url: String?

    /// `source: text (url)`, for failure messages.
    public var description: String { "\(source.rawValue): \(text)" + (url.map { " (\($0))" } ?? "") }
}

/// A value that arrives once (a command's reply, an event), awaited with a timeout.
final class OneShot: Sendable {
    private struct State {
        var result: Result<JSON, any Error>?
        var continuation: CheckedContinuation<JSON, any Error>?
    }
    private let state = Mutex(State())

    /// Delivers the value (or failure); later calls are ignored.
    func resolve(_ result: Result<JSON, any Error>) {
        let waiting: CheckedContinuation<JSON, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        waiting?.resume(with: result)
    }

    /// The value, or `HeadlessBrowserError.timedOut` naming `what` after `timeout`.
    func value(timeout: Duration, what: String) async throws -> JSON {
        let timer = Task { [self] in
            do { try await Task.sleep(for: timeout) } catch { return }
            resolve(.failure(HeadlessBrowserError.timedOut(what: what, after: timeout)))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready: Result<JSON, any Error>? = state.withLock { state in
                if let result = state.result { return result }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

extension JSON {
    /// The value as a JavaScript literal (a JSON text is one), for building expressions safely.
    var javaScriptLiteral: String { serialized(sortKeys: false) }
}
