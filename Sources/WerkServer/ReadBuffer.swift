import Glibc

/// A connection's read buffer: raw memory with a readable window `[start, end)`. Parsing works on
/// pointers into it; bytes are copied out only to build a `Request` or a body chunk.
///
/// The memory is borrowed from the loop's ``BufferPool`` when bytes are about to be read and given
/// back by ``release()`` once everything read was consumed, so an idle connection holds none.
struct ReadBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>?
    private(set) var capacity = 0
    private(set) var start = 0
    private(set) var end = 0
    let pool: BufferPool

    init(pool: BufferPool) {
        self.pool = pool
    }

    /// Readable bytes.
    var count: Int { end - start }
    /// The first readable byte (a valid address even while no memory is borrowed and `count` is 0).
    var readable: UnsafeMutablePointer<UInt8> { (base ?? BufferPool.placeholder) + start }

    /// Makes room for at least `minimum` more bytes at the end (borrowing, compacting, then growing).
    mutating func reserve(_ minimum: Int) {
        guard let current = base else {
            if minimum <= pool.blockSize {
                base = pool.take()
                capacity = pool.blockSize
            } else {
                base = .allocate(capacity: minimum)
                capacity = minimum
            }
            return
        }
        if capacity - end >= minimum { return }
        if start > 0 {
            if count > 0 { memmove(current, current + start, count) }
            end = count
            start = 0
            if capacity - end >= minimum { return }
        }
        var newCapacity = capacity * 2
        while newCapacity - end < minimum { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if count > 0 { grown.update(from: current + start, count: count) }
        pool.give(current, capacity: capacity)
        base = grown
        capacity = newCapacity
    }

    /// Reads from `fd` into the free space, making room for at least `wanted` bytes first (more
    /// than a block while a handler streams a large body, so that it gets large chunks and the loop
    /// and the handler hand over fewer of them). Returns read(2)'s result.
    mutating func read(from fd: Int32, wanted: Int = 4096) -> Int {
        reserve(wanted)
        let n = Glibc.read(fd, base! + end, capacity - end)
        if n > 0 { end += n }
        return n
    }

    /// Drops `n` bytes from the front.
    mutating func consume(_ n: Int) {
        start += n
        if start >= end {
            start = 0
            end = 0
        }
    }

    /// Copies `n` bytes at `offset` (from the readable start) into an array.
    func copy(offset: Int, count n: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: readable + offset, count: n))
    }

    /// Gives the memory back to the pool when nothing is buffered (an idle connection keeps none).
    mutating func release() {
        guard count == 0, let current = base else { return }
        pool.give(current, capacity: capacity)
        base = nil
        capacity = 0
        start = 0
        end = 0
    }

    /// Frees the memory (the owner's `deinit`).
    mutating func deallocate() {
        if let current = base { pool.give(current, capacity: capacity) }
        base = nil
        capacity = 0
    }
}
