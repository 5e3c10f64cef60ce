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
    public typealias Element = [UInt8]
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
    /// fails when it throws. The producer runs as a task and waits for each chunk to be taken
    /// (buffer of one), so a slow reader slows the writer.
    public init(_ produce: @escaping @Sendable (ByteStreamWriter) async throws -> Void) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream(bufferingPolicy: .unbounded)
        let writer = ByteStreamWriter(continuation: continuation)
        let task = Task {
            do { try await produce(writer); continuation.finish() } catch { continuation.finish(throwing: error) }
        }
        continuation.onTermination = { _ in task.cancel() }
        let box = IteratorBox(stream.makeAsyncIterator())
        pull = { try await box.next(writer: writer) }
    }

    /// An iterator that pulls one chunk per call.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let pull: @Sendable () async throws -> [UInt8]?
        public mutating func next() async throws -> [UInt8]? { try await pull() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pull: pull) }

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
    let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    let credits = Credits()

    /// Writes one chunk; waits while the reader has not taken the previous one.
    public func write(_ chunk: [UInt8]) async throws {
        try Task.checkCancellation()
        await credits.waitForSpace()
        continuation.yield(chunk)
    }

    /// Writes the UTF-8 bytes of a string.
    public func write(_ text: String) async throws { try await write(Array(text.utf8)) }
}

/// A one-slot gate between the producer and the reader of a ``ByteStream``.
final class Credits: Sendable {
    private let state = Mutex<(inFlight: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func waitForSpace() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.inFlight { s.waiter = continuation; return false }
                s.inFlight = true
                return true
            }
            if resumeNow { continuation.resume() }
        }
    }

    func taken() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter { s.waiter = nil; return w }   // hand the slot straight to the waiter
            s.inFlight = false
            return nil
        }
        waiter?.resume()
    }
}

/// Holds the iterator of the underlying AsyncThrowingStream. Invariant: `ByteStream` is consumed by one
/// reader at a time (HTTP bodies are), so `next` is never entered concurrently; the Mutex makes the
/// hand-off of the iterator between calls safe.
private final class IteratorBox: Sendable {
    let iterator: Mutex<AsyncThrowingStream<[UInt8], any Error>.Iterator?>
    init(_ iterator: sending AsyncThrowingStream<[UInt8], any Error>.Iterator) { self.iterator = Mutex(iterator) }

    func next(writer: ByteStreamWriter) async throws -> [UInt8]? {
        guard var it = iterator.withLock({ $0.take() }) else { return nil }
        let chunk = try await it.next()
        if chunk != nil { iterator.withLock { $0 = it } }
        writer.credits.taken()
        return chunk
    }
}
