import Glibc
import Testing
@testable import WerkServer

/// Idle connections hold no buffer: the read buffer and the output staging borrow blocks from the
/// loop's pool and give them back once empty (tested without a server).
@Suite("Buffer pool, read buffer and output staging")
struct BufferPoolTests {
    /// A pipe: bytes written to `write` come out of `read`.
    static func pipePair() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        return (fds[0], fds[1])
    }

    @Test("the pool lends blocks, keeps what is given back up to its limit, and trims to its reserve")
    func pool() {
        let pool = BufferPool(blockSize: 64, maxRetained: 3, idleRetained: 1)
        let blocks = (0..<5).map { _ in pool.take() }
        #expect(pool.borrowed == 5)
        for block in blocks { pool.give(block, capacity: 64) }
        #expect(pool.borrowed == 0)
        #expect(pool.retained == 3)
        pool.trim()
        #expect(pool.retained == 1)
        let big = UnsafeMutablePointer<UInt8>.allocate(capacity: 128)
        pool.give(big, capacity: 128)   // not a pool block: freed, not kept
        #expect(pool.retained == 1)
    }

    @Test("a read buffer borrows when it reads and gives the block back once consumed")
    func readBuffer() {
        let pool = BufferPool(blockSize: 8192)
        var buffer = ReadBuffer(pool: pool)
        #expect(buffer.base == nil)
        #expect(buffer.count == 0)
        let (r, w) = Self.pipePair()
        defer { close(r); close(w) }
        _ = "GET / HTTP/1.1\r\n".withCString { write(w, $0, 16) }
        #expect(buffer.read(from: r) == 16)
        #expect(pool.borrowed == 1)
        buffer.release()   // still holds bytes: kept
        #expect(pool.borrowed == 1)
        #expect(buffer.copy(offset: 0, count: 3) == Array("GET".utf8))
        buffer.consume(16)
        buffer.release()
        #expect(buffer.base == nil)
        #expect(pool.borrowed == 0)
        #expect(pool.retained == 1)
        buffer.deallocate()
    }

    @Test("a read buffer grows past a block for a large input and frees the large memory itself")
    func readBufferGrows() {
        let pool = BufferPool(blockSize: 4096)
        var buffer = ReadBuffer(pool: pool)
        buffer.reserve(100)
        #expect(pool.borrowed == 1)
        buffer.reserve(10_000)
        #expect(buffer.capacity >= 10_000)
        #expect(pool.borrowed == 0)   // the block went back when the buffer grew
        buffer.release()
        #expect(pool.retained == 1)
        buffer.deallocate()
    }

    @Test("output staging is borrowed for a response and given back when it is written")
    func outputStaging() throws {
        let pool = BufferPool(blockSize: 8192)
        var out = OutputQueue(pool: pool)
        let (r, w) = Self.pipePair()
        defer { close(r); close(w) }
        out.append("HTTP/1.1 200 OK\r\n")
        out.append(decimal: 42)
        out.append(Array(repeating: 65, count: 40_000))   // queued as its array, not staged
        out.append("\r\n")
        #expect(pool.borrowed == 1)
        #expect(out.pending == 17 + 2 + 40_000 + 2)
        let result = out.write(to: w)   // 40 KiB fit in a pipe's 64 KiB buffer
        #expect(result == .done)
        #expect(out.isEmpty)
        #expect(pool.borrowed == 0)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while received.count < 40_021 {
            let n = chunk.withUnsafeMutableBytes { read(r, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        #expect(received.count == 40_021)
        #expect(received.prefix(19) == ArraySlice("HTTP/1.1 200 OK\r\n42".utf8))
        out.deallocate()
    }
}
