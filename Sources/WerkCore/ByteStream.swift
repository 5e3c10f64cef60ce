import Synchronization

/// An asynchronous sequence of byte chunks, pulled one chunk at a time.
///
/// Pulling is what gives backpressure: the server reads the next piece of a request body from the
/// socket only when the handler asks for it, and asks a response stream for its next chunk only once
/// the previous one is written.
///
/// ```swift
/// let stream = ByteStream(chunks: [Array("hello ".utf8), Array("world".utf8)])
/// for try await chunk in stream { ... }
/// ```
public struct ByteStream: AsyncSequence, Sendable {
    /// One chunk of bytes.
    public typealias Element = [UInt8]
    /// Reading can fail (a client that went away, a producer that threw).
    public typealias Failure = any Error

    private let pull: @Sendable () async throws -> [UInt8]?

    /// A stream whose chunks come from `next`; returning nil ends the stream.
    public init(_ next: @escaping @Sendable () async throws -> [UInt8]?) { pull = next }

    /// A stream of the given chunks.
    public init(chunks: [[UInt8]]) {
        let remaining = Mutex(chunks[...])
        pull = { remaining.withLock { $0.popFirst() } }
    }

    /// A stream fed by a producer closure that writes chunks; the stream ends when it returns and
    /// fails when it throws. Each `write` waits until the reader has taken the chunk, so a slow reader
    /// slows the writer. When the stream is dropped unread (the client went away), pending and later
    /// writes throw `CancellationError` and the producer task is cancelled.
    public init(_ produce: @escaping @Sendable (ByteStreamWriter) async throws -> Void) {
        let channel = ChunkChannel()
        let task = Task {
            do {
                try await produce(ByteStreamWriter(channel: channel))
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
        }
        let guardToken = ReaderLifetime { channel.cancel(); task.cancel() }
        pull = {
            _ = guardToken  // the closure owns the token: when the stream is released, the producer stops
            return try await channel.next()
        }
    }

    /// An iterator that pulls one chunk per call.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let pull: @Sendable () async throws -> [UInt8]?
        /// The next chunk, or nil at the end.
        public mutating func next() async throws -> [UInt8]? { try await pull() }
    }

    /// An iterator pulling from this stream.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pull: pull) }

    /// The same stream, throwing ``HTTPError`` 413 as soon as more than `limit` bytes have come through
    /// (Werkzeug's `LimitedStream(is_max=True)`).
    public func limited(to limit: Int) -> ByteStream {
        let pull = self.pull
        let total = Mutex(0)
        return ByteStream {
            guard let chunk = try await pull() else { return nil }
            let exceeded = total.withLock { count -> Bool in
                count += chunk.count
                return count > limit
            }
            if exceeded { throw HTTPError.contentTooLarge(limit: limit) }
            return chunk
        }
    }

    /// Reads the whole stream into one buffer, throwing ``HTTPError`` 413 once more than `limit` bytes
    /// arrive (the rest is not read).
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        for try await chunk in self {
            if result.count + chunk.count > limit { throw HTTPError.contentTooLarge(limit: limit) }
            result.append(contentsOf: chunk)
        }
        return result
    }
}

/// Hands chunks from a producer task to a ``ByteStream``.
public struct ByteStreamWriter: Sendable {
    let channel: ChunkChannel

    /// Writes one chunk; returns once the reader has taken it. Throws `CancellationError` when the
    /// reader is gone.
    public func write(_ chunk: [UInt8]) async throws {
        try Task.checkCancellation()
        try await channel.send(chunk)
    }

    /// Writes the UTF-8 bytes of a string.
    public func write(_ text: String) async throws { try await write(Array(text.utf8)) }
}

/// Runs a closure when the last reference to the stream's pull closure goes away.
private final class ReaderLifetime: Sendable {
    private let onEnd: @Sendable () -> Void
    init(_ onEnd: @escaping @Sendable () -> Void) { self.onEnd = onEnd }
    deinit { onEnd() }
}

/// A one-slot rendezvous between one producer and one reader. A chunk is handed over only when both
/// sides are there, which is the backpressure: the producer can be at most one chunk ahead.
final class ChunkChannel: Sendable {
    private enum State {
        case idle
        case chunkWaiting([UInt8], CheckedContinuation<Void, any Error>)
        case readerWaiting(CheckedContinuation<[UInt8]?, any Error>)
        case finished((any Error)?)
        case cancelled
    }

    private let state = Mutex<State>(.idle)

    func send(_ chunk: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (writer: CheckedContinuation<Void, any Error>) in
            let reader: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { state in
                switch state {
                case .readerWaiting(let reader):
                    state = .idle
                    return reader
                case .idle:
                    state = .chunkWaiting(chunk, writer)
                    return nil
                case .cancelled, .finished, .chunkWaiting:
                    writer.resume(throwing: CancellationError())
                    return nil
                }
            }
            if let reader {
                reader.resume(returning: chunk)
                writer.resume()
            }
        }
    }

    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { (reader: CheckedContinuation<[UInt8]?, any Error>) in
            let handOff: (chunk: [UInt8], writer: CheckedContinuation<Void, any Error>)? = state.withLock { state in
                switch state {
                case .chunkWaiting(let chunk, let writer):
                    state = .idle
                    return (chunk, writer)
                case .idle:
                    state = .readerWaiting(reader)
                    return nil
                case .finished(let error):
                    if let error { reader.resume(throwing: error) } else { reader.resume(returning: nil) }
                    return nil
                case .cancelled, .readerWaiting:
                    reader.resume(throwing: CancellationError())
                    return nil
                }
            }
            if let handOff {
                reader.resume(returning: handOff.chunk)
                handOff.writer.resume()
            }
        }
    }

    func finish(_ error: (any Error)?) {
        let reader: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { state in
            if case .readerWaiting(let reader) = state {
                state = .finished(error)
                return reader
            }
            if case .idle = state { state = .finished(error) }
            return nil
        }
        if let reader {
            if let error { reader.resume(throwing: error) } else { reader.resume(returning: nil) }
        }
    }

    func cancel() {
        let writer: CheckedContinuation<Void, any Error>? = state.withLock { state in
            defer { state = .cancelled }
            if case .chunkWaiting(_, let writer) = state { return writer }
            return nil
        }
        writer?.resume(throwing: CancellationError())
    }
}
