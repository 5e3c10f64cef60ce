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

/// Bytes and file regions waiting to be written to a socket, in order. Small writes are appended to
/// one growing segment (reused between responses); large bodies and files are their own segments.
struct OutputQueue {
    struct Segment {
        var bytes: [UInt8]
        var fileFD: Int32 = -1
        var fileOffset = 0
        var fileRemaining = 0
        /// A segment holding a handler's large body: never appended to.
        var sealed = false
    }

    enum WriteResult { case done, wouldBlock, failed }

    private var segments: [Segment] = []
    private var first = 0
    private var offset = 0
    private var spare: [UInt8] = []
    /// The index of the segment small writes go to, or -1.
    private var openIndex = -1
    /// Bytes (and file bytes) not yet written.
    private(set) var pending = 0

    var isEmpty: Bool { pending == 0 && first == segments.count }

    private mutating func openSegment() {
        if openIndex >= 0 { return }
        var bytes: [UInt8] = []
        swap(&bytes, &spare)
        if bytes.capacity == 0 { bytes.reserveCapacity(4096) }
        openIndex = segments.count
        segments.append(Segment(bytes: bytes))
    }

    mutating func append(_ bytes: [UInt8]) {
        if bytes.count > 32 * 1024 {
            segments.append(Segment(bytes: bytes, sealed: true))
            openIndex = -1
        } else {
            openSegment()
            segments[openIndex].bytes.append(contentsOf: bytes)
        }
        pending += bytes.count
    }

    mutating func append(_ text: StaticString) {
        openSegment()
        segments[openIndex].bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        pending += text.utf8CodeUnitCount
    }

    mutating func append(string: String) {
        openSegment()
        segments[openIndex].bytes.append(contentsOf: string.utf8)
        pending += string.utf8.count
    }

    mutating func append(decimal value: Int) {
        openSegment()
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = max(value, 0), n = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat { raw[19 - n] = UInt8(48 + v % 10); v /= 10; n += 1 } while v > 0
            segments[openIndex].bytes.append(contentsOf: raw[(20 - n)...])
        }
        pending += n
    }

    mutating func append(hex value: Int) {
        openSegment()
        let digits = Array(String(value, radix: 16).utf8)
        segments[openIndex].bytes.append(contentsOf: digits)
        pending += digits.count
    }

    mutating func appendFile(fd: Int32, offset: Int, count: Int) {
        segments.append(Segment(bytes: [], fileFD: fd, fileOffset: offset, fileRemaining: count))
        openIndex = -1
        pending += count
    }

    /// Writes as much as the socket takes.
    mutating func write(to fd: Int32) -> WriteResult {
        while first < segments.count {
            if segments[first].fileFD >= 0 {
                var off = off_t(segments[first].fileOffset)
                let n = sendfile(fd, segments[first].fileFD, &off, min(segments[first].fileRemaining, 1 << 20))
                if n < 0 {
                    if errno == EAGAIN || errno == EINTR { return errno == EAGAIN ? .wouldBlock : write(to: fd) }
                    return .failed
                }
                if n == 0 { return .failed }  // the file shrank: the promised length cannot be sent
                segments[first].fileOffset += n
                segments[first].fileRemaining -= n
                pending -= n
                if segments[first].fileRemaining == 0 {
                    close(segments[first].fileFD)
                    segments[first].fileFD = -1
                    first += 1
                }
                continue
            }
            if segments[first].bytes.count - offset == 0 {
                first += 1
                offset = 0
                continue
            }
            let n: Int
            if first + 1 < segments.count, segments[first + 1].fileFD < 0, !segments[first + 1].bytes.isEmpty {
                n = segments[first].bytes.withUnsafeBytes { a in
                    segments[first + 1].bytes.withUnsafeBytes { b in
                        var iov = (iovec(iov_base: UnsafeMutableRawPointer(mutating: a.baseAddress! + offset), iov_len: a.count - offset),
                                   iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress), iov_len: b.count))
                        return withUnsafePointer(to: &iov) { $0.withMemoryRebound(to: iovec.self, capacity: 2) { writev(fd, $0, 2) } }
                    }
                }
            } else {
                n = segments[first].bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN ? .wouldBlock : .failed
            }
            pending -= n
            var left = n
            while left > 0 && first < segments.count {
                let size = segments[first].bytes.count - offset
                if left >= size { left -= size; offset = 0; first += 1 } else { offset += left; left = 0 }
            }
        }
        recycle()
        return .done
    }

    private mutating func recycle() {
        if openIndex >= 0, segments[openIndex].bytes.capacity <= 1 << 20 {
            swap(&spare, &segments[openIndex].bytes)
            spare.removeAll(keepingCapacity: true)
        }
        segments.removeAll(keepingCapacity: true)
        first = 0
        offset = 0
        pending = 0
        openIndex = -1
    }

    /// Closes the files of unsent file segments (when the connection closes).
    mutating func discard() {
        for segment in segments[first...] where segment.fileFD >= 0 { close(segment.fileFD) }
        segments.removeAll()
        first = 0
        offset = 0
        pending = 0
        openIndex = -1
    }
}
