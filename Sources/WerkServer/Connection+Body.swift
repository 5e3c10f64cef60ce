import Glibc
import WerkCore

/// Request bodies: handing chunks to the handler's stream when it pulls (the only time the socket
/// is read during a body: that is the backpressure, and when `100 Continue` is sent), and draining
/// what the handler left unread.
extension Connection {
    /// Reads and discards what is left of a body the handler did not read. False when more bytes
    /// are needed (or the connection was closed because the rest is too large).
    func drainBody() -> Bool {
        while true {
            switch nextBodyBytes(copy: false) {
            case .chunk(let n):
                drained += n
                if drained > loop.server.configuration.maxDrainBytes {
                    state.drainAbandoned()
                    loop.scheduleFlush(self)
                    return false
                }
            case .end:
                state.bodyDrained()
                return true
            case .needMore:
                if state.peerClosed { close() }
                return false
            case .failed:
                state.drainAbandoned()
                loop.scheduleFlush(self)
                return false
            }
        }
    }


    /// Takes the next piece of the current body from the buffer (into `lastChunk` when `copy`).
    func nextBodyBytes(copy: Bool) -> BodyStep {
        switch bodyMode {
        case .none:
            return .end
        case .length(let remaining):
            if buffer.count == 0 { return .needMore }
            let n = min(remaining, buffer.count, 1 << 20)
            if copy { lastChunk = buffer.copy(offset: 0, count: n) }
            buffer.consume(n)
            bodyMode = remaining == n ? .none : .length(remaining - n)
            return .chunk(n)
        case .chunked(var decoder):
            do {
                while true {
                    let step = try decoder.decode(buffer.readable, count: buffer.count, maxTrailerBytes: loop.server.limits.maxHeaderBytes)
                    if step.dataCount > 0 && copy { lastChunk = buffer.copy(offset: step.dataStart, count: step.dataCount) }
                    buffer.consume(step.consumed)
                    if decoder.isDone {
                        bodyMode = .none
                        if step.dataCount > 0 { return .chunk(step.dataCount) }
                        return .end
                    }
                    bodyMode = .chunked(decoder)
                    if step.dataCount > 0 { return .chunk(step.dataCount) }
                    if step.consumed == 0 { return .needMore }
                }
            } catch {
                bodyMode = .none
                bodyError = HTTPError(error.status, error.message)
                state.refuseKeepAlive()
                return .failed
            }
        }
    }

    /// How much to read at once while a handler waits for body bytes: up to 256 KiB, no more than
    /// the rest of a body of known length (a small body still reads into a pooled block).
    var bodyReadSize: Int {
        switch bodyMode {
        case .length(let remaining): min(max(remaining, 4096), 256 << 10)
        case .chunked: 256 << 10
        case .none: 4096
        }
    }

    /// The next chunk of the current request body, for the handler's `ByteStream`. Safe to call
    /// from any task: the work happens on the loop.
    func pullBody(generation: Int) async throws -> [UInt8]? {
        try await withUnsafeThrowingContinuation { continuation in
            loop.execute { self.startPull(generation: generation, continuation) }
        }
    }

    private func startPull(generation: Int, _ continuation: UnsafeContinuation<[UInt8]?, any Error>) {
        assertInLoop()
        guard generation == self.generation, !closed, bodyWaiter == nil else {
            if let bodyError { return continuation.resume(throwing: bodyError) }
            if bodyWaiter != nil {
                return continuation.resume(throwing: HTTPError(.internalServerError, "The request body is read by two tasks at once."))
            }
            return continuation.resume(returning: nil)
        }
        bodyWaiter = continuation
        deliverBody()
        guard bodyWaiter != nil else { return }
        if continueState == .expected {
            continueState = .sent
            out.append("HTTP/1.1 100 Continue\r\n\r\n")
            loop.scheduleFlush(self)
        }
        if state.peerClosed {
            bodyWaiter = nil
            return continuation.resume(throwing: HTTPError(.badRequest, "The client closed the connection before sending the whole body."))
        }
        setDeadline(.body)
        updateInterest()
    }

    /// Hands buffered body bytes to a waiting pull.
    func deliverBody() {
        guard let waiter = bodyWaiter else { return }
        if let bodyError {
            bodyWaiter = nil
            return waiter.resume(throwing: bodyError)
        }
        switch nextBodyBytes(copy: true) {
        case .chunk:
            bodyWaiter = nil
            deadlineKind = .none
            let chunk = lastChunk
            lastChunk = []
            waiter.resume(returning: chunk)
        case .end:
            bodyWaiter = nil
            deadlineKind = .none
            waiter.resume(returning: nil)
        case .failed:
            bodyWaiter = nil
            waiter.resume(throwing: bodyError ?? HTTPError(.badRequest))
        case .needMore:
            break
        }
    }
}
