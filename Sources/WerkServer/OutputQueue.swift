import Glibc

/// Bytes and file regions waiting to be written to a socket, in order.
///
/// Small writes (heads, small bodies, chunk framing) are copied into one raw staging buffer, so a
/// typical response is one `memcpy` per piece and one `write(2)`. The staging memory is borrowed
/// from the loop's ``BufferPool`` and given back as soon as everything is written, so an idle
/// connection holds none.
/// Large bodies (over 32 KiB) are queued as their arrays, file regions as descriptors for
/// `sendfile(2)`; only then does the queue keep a segment list to preserve the order.
struct OutputQueue {
    private enum Segment {
        /// `staging[start..<end]`.
        case staged(start: Int, end: Int)
        case bytes([UInt8])
        case file(fd: Int32, offset: Int, remaining: Int)

        var length: Int {
            switch self {
            case .staged(let start, let end): end - start
            case .bytes(let bytes): bytes.count
            case .file(_, _, let remaining): remaining
            }
        }
    }

    enum WriteResult { case done, wouldBlock, failed }

    /// Bodies larger than this are queued without copying.
    static let copyLimit = 32 * 1024

    let pool: BufferPool
    private var staging: UnsafeMutablePointer<UInt8>? = nil
    private var stagingCapacity = 0
    private var stagingCount = 0
    /// The queue in order; empty while everything queued is `staging[written..<stagingCount]`.
    private var segments: [Segment] = []
    private var first = 0
    /// Bytes of the first unsent piece (the staging or `segments[first]`) already written.
    private var written = 0
    /// Bytes (and file bytes) not yet written.
    private(set) var pending = 0

    var isEmpty: Bool { pending == 0 }

    init(pool: BufferPool) {
        self.pool = pool
    }

    // MARK: Appending

    /// Copies `count` bytes at `source` into the staging buffer.
    private mutating func stage(_ source: UnsafeRawPointer, _ count: Int) {
        guard count > 0 else { return }
        if stagingCapacity - stagingCount < count { growStaging(count) }
        (staging! + stagingCount).update(from: source.assumingMemoryBound(to: UInt8.self), count: count)
        if !segments.isEmpty {
            if case .staged(let start, let end)? = segments.last, end == stagingCount {
                segments[segments.count - 1] = .staged(start: start, end: end + count)
            } else {
                segments.append(.staged(start: stagingCount, end: stagingCount + count))
            }
        }
        stagingCount += count
        pending += count
    }

    private mutating func growStaging(_ needed: Int) {
        if staging == nil && needed <= pool.blockSize {
            staging = pool.take()
            stagingCapacity = pool.blockSize
            return
        }
        var capacity = max(stagingCapacity * 2, pool.blockSize)
        while capacity - stagingCount < needed { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        if let staging {
            grown.update(from: staging, count: stagingCount)
            pool.give(staging, capacity: stagingCapacity)
        }
        staging = grown
        stagingCapacity = capacity
    }

    /// Starts the segment list (with what is staged so far) before a segment that is not staged.
    private mutating func appendSegment(_ segment: Segment) {
        if segments.isEmpty, stagingCount > written {
            segments.append(.staged(start: written, end: stagingCount))
            written = 0
        } else if segments.isEmpty {
            written = 0
        }
        segments.append(segment)
        pending += segment.length
    }

    mutating func append(_ bytes: [UInt8]) {
        if bytes.count > Self.copyLimit {
            appendSegment(.bytes(bytes))
        } else {
            bytes.withUnsafeBytes { if let base = $0.baseAddress { stage(base, $0.count) } }
        }
    }

    mutating func append(_ text: StaticString) {
        stage(text.utf8Start, text.utf8CodeUnitCount)
    }

    mutating func append(string: String) {
        var string = string
        string.withUTF8 { if let base = $0.baseAddress { stage(base, $0.count) } }
    }

    mutating func append(decimal value: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var v = UInt(max(value, 0)), n = 0
            repeat { digits[19 - n] = UInt8(48 + v % 10); v /= 10; n += 1 } while v > 0
            stage(digits.baseAddress! + (20 - n), n)
        }
    }

    mutating func append(hex value: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { digits in
            var v = UInt(max(value, 0)), n = 0
            repeat {
                let d = UInt8(v & 15)
                digits[15 - n] = d < 10 ? 48 + d : 87 + d
                v >>= 4
                n += 1
            } while v > 0
            stage(digits.baseAddress! + (16 - n), n)
        }
    }

    /// Queues `count` bytes of the open file `fd` from `offset`; the queue closes `fd` when done.
    mutating func appendFile(fd: Int32, offset: Int, count: Int) {
        if count <= 0 { close(fd); return }
        appendSegment(.file(fd: fd, offset: offset, remaining: count))
    }

    // MARK: Writing

    /// Writes as much as the socket takes.
    mutating func write(to fd: Int32) -> WriteResult {
        while pending > 0 {
            let n: Int
            if segments.isEmpty {
                n = Glibc.write(fd, staging! + written, stagingCount - written)
            } else if case .file(let file, let offset, let remaining) = segments[first] {
                var position = off_t(offset + written)
                n = sendfile(fd, file, &position, min(remaining - written, 1 << 20))
                if n == 0 { return .failed }  // the file shrank: the promised length cannot be sent
            } else {
                n = writeGathered(to: fd)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN ? .wouldBlock : .failed
            }
            advance(by: n)
        }
        recycle()
        return .done
    }

    /// `writev(2)` of the memory segments from `first` on (up to one array body and 16 pieces).
    /// When a file segment comes next (a head before its sendfile body), the bytes go with
    /// `MSG_MORE`, so the kernel sends head and body in the same packets instead of the head alone.
    private func writeGathered(to fd: Int32) -> Int {
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: 16) { iov in
            var count = 0
            var arrayIndex = -1, arraySlot = -1
            var index = first
            loop: while index < segments.count && count < 16 {
                let skip = index == first ? written : 0
                switch segments[index] {
                case .staged(let start, let end):
                    iov[count] = iovec(iov_base: UnsafeMutableRawPointer(staging! + start + skip), iov_len: end - start - skip)
                case .bytes:
                    if arrayIndex >= 0 { break loop }
                    arrayIndex = index
                    arraySlot = count
                case .file:
                    break loop
                }
                count += 1
                index += 1
            }
            var fileFollows = false
            if index < segments.count, case .file = segments[index] { fileFollows = true }
            func send() -> Int {
                guard fileFollows else { return writev(fd, iov.baseAddress, Int32(count)) }
                var message = msghdr()
                message.msg_iov = iov.baseAddress
                message.msg_iovlen = count
                return sendmsg(fd, &message, Int32(MSG_MORE))
            }
            guard arrayIndex >= 0, case .bytes(let bytes) = segments[arrayIndex] else {
                return send()
            }
            return bytes.withUnsafeBytes { raw in
                let skip = arrayIndex == first ? written : 0
                iov[arraySlot] = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + skip), iov_len: raw.count - skip)
                return send()
            }
        }
    }

    /// Marks `n` more bytes as written, closing the files that are done.
    private mutating func advance(by n: Int) {
        pending -= n
        if segments.isEmpty {
            written += n
            return
        }
        var left = n
        while first < segments.count {
            let rest = segments[first].length - written
            if left < rest {
                written += left
                return
            }
            left -= rest
            if case .file(let fd, _, _) = segments[first] { close(fd) }
            segments[first] = .staged(start: 0, end: 0)   // drop an array body now
            first += 1
            written = 0
        }
    }

    /// Resets the queue once everything is written, giving the staging memory back to the pool.
    private mutating func recycle() {
        releaseStaging()
        stagingCount = 0
        written = 0
        segments.removeAll()
        first = 0
        pending = 0
    }

    private mutating func releaseStaging() {
        if let staging { pool.give(staging, capacity: stagingCapacity) }
        staging = nil
        stagingCapacity = 0
    }

    /// Closes the files of unsent file segments and forgets the output (when the connection closes).
    mutating func discard() {
        for segment in segments[first...] {
            if case .file(let fd, _, _) = segment { close(fd) }
        }
        segments = []
        releaseStaging()
        stagingCount = 0
        written = 0
        first = 0
        pending = 0
    }

    /// Frees the staging memory (the owner's `deinit`).
    mutating func deallocate() {
        discard()
        releaseStaging()
    }
}
