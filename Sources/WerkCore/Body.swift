/// A part of a file to send as a response body. The server sends it with `sendfile(2)`; the
/// in-process test client reads it.
public struct FileRegion: Sendable, Equatable {
    /// The file's path.
    public var path: String
    /// The first byte to send.
    public var offset: Int
    /// How many bytes to send.
    public var count: Int

    /// A region of the file at `path`.
    public init(path: String, offset: Int = 0, count: Int) {
        self.path = path
        self.offset = offset
        self.count = count
    }
}

/// The body of a ``Response``.
public enum Body: Sendable {
    /// No body.
    case empty
    /// A complete body in memory.
    case bytes([UInt8])
    /// A body produced chunk by chunk; `length`, when known, becomes the Content-Length and otherwise
    /// the server uses chunked transfer coding.
    case stream(ByteStream, length: Int?)
    /// A region of a file, sent without copying through user space.
    case file(FileRegion)

    /// The length when it is known without reading the body.
    public var knownLength: Int? {
        switch self {
        case .empty: 0
        case .bytes(let b): b.count
        case .stream(_, let length): length
        case .file(let region): region.count
        }
    }
}
