import Synchronization

/// Counts a streamed body as it is pulled, and reports a stream that ends before its announced length,
/// goes beyond it, or fails. In strict mode the stream throws ``LintError`` at that point, so the body
/// is never taken as complete.
final class BodyAudit: Sendable {
    private struct State {
        var sent = 0
        var done = false
    }

    private let state = Mutex(State())
    private let stream: ByteStream
    private let expected: Int?
    private let lint: Lint
    private let method: Method
    private let path: String

    private init(_ stream: ByteStream, expected: Int?, lint: Lint, request: Request) {
        self.stream = stream
        self.expected = expected
        self.lint = lint
        method = request.method
        path = request.fullRequestPath
    }

    /// `stream`, counted against `expected` bytes (nil: any length, only failures are reported).
    static func wrap(_ stream: ByteStream, expected: Int?, lint: Lint, request: Request) -> ByteStream {
        let audit = BodyAudit(stream, expected: expected, lint: lint, request: request)
        return ByteStream { try await audit.next() }
    }

    private func next() async throws -> [UInt8]? {
        if state.withLock({ $0.done }) { return nil }
        // A ByteStream's iterators all pull from the same source: a fresh one continues where the last stopped.
        var iterator = stream.makeAsyncIterator()
        let chunk: [UInt8]?
        do {
            chunk = try await iterator.next()
        } catch let error as LintError {
            throw error
        } catch {
            state.withLock { $0.done = true }
            try fail(.streamFailed, "the streamed body failed after \(sentBytes) bytes (\(error)); the client gets a truncated body.")
            throw error
        }
        let sent = state.withLock { state -> Int in
            if let chunk { state.sent += chunk.count } else { state.done = true }
            return state.sent
        }
        if let expected {
            if chunk == nil, sent < expected {
                try fail(.streamEndedEarly, "the streamed body ended after \(sent) of the \(expected) bytes announced; "
                         + "the client waits for the rest or sees a truncated body.")
            } else if let chunk, sent > expected, sent - chunk.count <= expected {
                try fail(.streamTooLong, "the streamed body went past the \(expected) bytes announced (\(sent) so far); "
                         + "the extra bytes corrupt the next response on the connection.")
            }
        }
        return chunk
    }

    private var sentBytes: Int { state.withLock { $0.sent } }

    private func fail(_ check: LintCheck, _ message: String) throws(LintError) {
        guard !lint.disabled.contains(check) else { return }
        try lint.deliver([LintWarning(check: check, message: message, method: method, path: path)])
    }
}
