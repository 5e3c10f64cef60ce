import Glibc

/// A connection's read buffer: raw memory with a readable window `[start, end)`. Parsing works on
/// pointers into it; bytes are copied out only to build a `Request` or a body chunk.
struct ReadBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var start = 0
    private(set) var end = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    /// Readable bytes.
    var count: Int { end - start }
    /// The first readable byte.
    var readable: UnsafeMutablePointer<UInt8> { base + start }

    /// Makes room for at least `minimum` more bytes at the end (compacting, then growing).
    mutating func reserve(_ minimum: Int) {
        if capacity - end >= minimum { return }
        if start > 0 {
            if count > 0 { memmove(base, base + start, count) }
            end = count
            start = 0
            if capacity - end >= minimum { return }
        }
        var newCapacity = capacity * 2
        while newCapacity - end < minimum { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if count > 0 { grown.update(from: base + start, count: count) }
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    /// Reads from `fd` into the free space. Returns read(2)'s result.
    mutating func read(from fd: Int32) -> Int {
        reserve(4096)
        let n = Glibc.read(fd, base + end, capacity - end)
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
        Array(UnsafeBufferPointer(start: base + start + offset, count: n))
    }

    func deallocate() { base.deallocate() }
}
