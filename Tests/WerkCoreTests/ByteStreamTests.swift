import Testing
import Synchronization
@testable import WerkCore

private struct Boom: Error {}

@Suite("ByteStream")
struct ByteStreamTests {
    @Test("a chunk stream yields its chunks in order and then ends")
    func chunks() async throws {
        var collected: [[UInt8]] = []
        for try await chunk in ByteStream(chunks: [[1], [], [2, 3]]) { collected.append(chunk) }
        #expect(collected == [[1], [], [2, 3]])
    }

    @Test("a pull stream ends when the closure returns nil")
    func pull() async throws {
        let n = Mutex(0)
        let stream = ByteStream { () -> [UInt8]? in
            n.withLock { v -> [UInt8]? in v += 1; return v <= 3 ? [UInt8(v)] : nil }
        }
        #expect(try await stream.collect(upTo: 100) == [1, 2, 3])
    }

    @Test("collect stops with a 413 once the limit is passed and accepts exactly the limit")
    func collectLimit() async throws {
        #expect(try await ByteStream(chunks: [[1, 2], [3]]).collect(upTo: 3) == [1, 2, 3])
        do {
            _ = try await ByteStream(chunks: [[1, 2], [3, 4]]).collect(upTo: 3)
            Issue.record("expected 413")
        } catch let error as HTTPError {
            #expect(error.status == .contentTooLarge)
            #expect(error.detail.contains("3"))
        }
    }

    @Test("a producer's chunks arrive in order and the stream ends when it returns")
    func producer() async throws {
        let stream = ByteStream { writer in
            for i in 0..<5 { try await writer.write([UInt8(i)]) }
            try await writer.write("ok")
        }
        #expect(try await stream.collect(upTo: 100) == [0, 1, 2, 3, 4] + Array("ok".utf8))
    }

    @Test("a producer's error reaches the reader")
    func producerError() async throws {
        let stream = ByteStream { writer in
            try await writer.write([1])
            throw Boom()
        }
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next() == [1])
        await #expect(throws: Boom.self) { _ = try await iterator.next() }
    }

    @Test("a producer is held back until the reader takes its chunks (backpressure)")
    func backpressure() async throws {
        let written = Mutex(0)
        let stream = ByteStream { writer in
            for i in 0..<10 {
                try await writer.write([UInt8(i)])
                written.withLock { $0 += 1 }
            }
        }
        var iterator = stream.makeAsyncIterator()
        for received in 1...10 {
            #expect(try await iterator.next() == [UInt8(received - 1)])
            for _ in 0..<200 { await Task.yield() }   // give an unbounded producer every chance to run ahead
            #expect(written.withLock { $0 } <= received + 1)
        }
        #expect(try await iterator.next() == nil)
    }

    @Test("a producer whose reader goes away is cancelled instead of waiting forever",
          .timeLimit(.minutes(1)))
    func abandonedProducer() async throws {
        let (ended, endedContinuation) = AsyncStream<Bool>.makeStream()
        let (progress, progressContinuation) = AsyncStream<Int>.makeStream()
        do {
            let stream = ByteStream { writer in
                defer { endedContinuation.yield(true); endedContinuation.finish() }
                for i in 0..<1_000 {
                    try await writer.write([UInt8(i % 256)])
                    progressContinuation.yield(i)
                }
            }
            var iterator = stream.makeAsyncIterator()
            #expect(try await iterator.next() == [0])
            // Once chunk 0 is taken the producer goes on to write chunk 1, which nobody will read.
            for await _ in progress { break }
        }
        var sawEnd = false
        for await _ in ended { sawEnd = true; break }
        #expect(sawEnd)
    }

    @Test("an empty producer gives an empty stream")
    func emptyProducer() async throws {
        let stream = ByteStream { _ in }
        #expect(try await stream.collect(upTo: 0) == [])
    }
}
