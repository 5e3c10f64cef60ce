#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A `multipart/byteranges` body (RFC 9110 §14.6) over ranges of a file, streamed from disk in
/// chunks of at most 64 KiB. The framing matches nginx's byte for byte (a 20-character boundary,
/// each part with `Content-Type` and `Content-Range`), so the two answer with the same length.
struct MultipartRanges: Sendable {
    /// The `Content-Type` of the whole response.
    let contentType: String
    /// The exact body length.
    let length: Int
    fileprivate let pieces: [Piece]

    fileprivate enum Piece: Sendable {
        case bytes([UInt8])
        case file(offset: Int, count: Int)
        var count: Int {
            switch self {
            case .bytes(let b): b.count
            case .file(_, let count): count
            }
        }
    }

    /// The framing for `ranges` of a file of `total` bytes whose parts are of type `partType`.
    init(ranges: [Range<Int>], total: Int, partType: String, boundary: String = MultipartRanges.makeBoundary()) {
        var pieces: [Piece] = []
        pieces.reserveCapacity(ranges.count * 2 + 1)
        for range in ranges {
            let head = "\r\n--\(boundary)\r\nContent-Type: \(partType)\r\nContent-Range: bytes \(range.lowerBound)-\(range.upperBound - 1)/\(total)\r\n\r\n"
            pieces.append(.bytes(Array(head.utf8)))
            pieces.append(.file(offset: range.lowerBound, count: range.count))
        }
        pieces.append(.bytes(Array("\r\n--\(boundary)--\r\n".utf8)))
        self.pieces = pieces
        self.length = pieces.reduce(0) { $0 + $1.count }
        self.contentType = "multipart/byteranges; boundary=\(boundary)"
    }

    /// A random boundary of 20 decimal digits.
    static func makeBoundary() -> String {
        let digits = String(UInt64.random(in: 0 ... 9_999_999_999_999_999_999))
        return String(repeating: "0", count: 20 - digits.utf8.count) + digits
    }

    /// The body as a stream reading the file at `path`, checking that it is still `identity`.
    /// A file that changed or ended early makes the stream fail, and the server then closes the
    /// connection instead of passing a short body off as complete.
    func stream(path: String, identity: FileIdentity) -> ByteStream {
        let reader = Reader(path: path, identity: identity, pieces: pieces)
        return ByteStream { try reader.next() }
    }

    /// The reading position; owns the open file and closes it when the stream is released.
    private final class Reader: Sendable {
        private struct State {
            var fd: Int32 = -1
            var piece = 0
            var offset = 0
        }
        private let path: String
        private let identity: FileIdentity
        private let pieces: [Piece]
        private let state = Mutex(State())
        private static let chunk = 64 * 1024

        init(path: String, identity: FileIdentity, pieces: [Piece]) {
            self.path = path
            self.identity = identity
            self.pieces = pieces
        }

        deinit {
            state.withLock { if $0.fd >= 0 { close($0.fd) } }
        }

        func next() throws -> [UInt8]? {
            try state.withLock { state -> [UInt8]? in
                guard state.piece < pieces.count else { return nil }
                switch pieces[state.piece] {
                case .bytes(let bytes):
                    state.piece += 1
                    return bytes
                case .file(let offset, let count):
                    if state.fd < 0 {
                        let fd = open(path, O_RDONLY | O_CLOEXEC)
                        guard fd >= 0 else { throw FileRegionError.changed(path: path) }
                        state.fd = fd
                        guard FileIdentity(fileDescriptor: fd) == identity else { throw FileRegionError.changed(path: path) }
                    }
                    let want = min(Self.chunk, count - state.offset)
                    let fd = state.fd, position = offset + state.offset
                    let bytes = try [UInt8](unsafeUninitializedCapacity: want) { buffer, initialized in
                        var done = 0
                        while done < want {
                            let n = pread(fd, buffer.baseAddress! + done, want - done, off_t(position + done))
                            if n < 0 && errno == EINTR { continue }
                            guard n > 0 else { break }
                            done += n
                        }
                        initialized = done
                        if done < want {
                            throw FileRegionError.truncated(path: path, expected: count, read: state.offset + done)
                        }
                    }
                    state.offset += want
                    if state.offset == count { state.piece += 1; state.offset = 0 }
                    return bytes
                }
            }
        }
    }
}
