/// A part of a file to send as a response body. The server sends it with `sendfile(2)`; the
/// in-process test client reads it.
///
/// With an ``identity``, the adapter checks that the file it opens is still the one the response
/// was made for (same device, inode, size and modification time); when it is not (the file was
/// replaced or changed after its headers were computed), the adapter sends no stale body: it answers
/// 503 instead. A file that shrinks while it is being sent makes the server close the connection
/// rather than send fewer bytes than the declared length.
public struct FileRegion: Sendable, Equatable {
    /// The file's path.
    public var path: String
    /// The first byte to send.
    public var offset: Int
    /// How many bytes to send.
    public var count: Int
    /// The file the response was computed for, checked when the file is opened (nil: not checked).
    public var identity: FileIdentity?

    /// A region of the file at `path`.
    public init(path: String, offset: Int = 0, count: Int, identity: FileIdentity? = nil) {
        self.path = path
        self.offset = offset
        self.count = count
        self.identity = identity
    }
}

/// What identifies one version of a file: where it lives (device and inode), its size and its
/// modification time in nanoseconds. Two `stat` results with equal identities are the same bytes,
/// unless the file was rewritten in place within the file system's timestamp granularity.
public struct FileIdentity: Sendable, Hashable {
    /// The device number.
    public var device: UInt64
    /// The inode number.
    public var inode: UInt64
    /// The size in bytes.
    public var size: Int
    /// The modification time in nanoseconds since the epoch.
    public var modificationNanoseconds: Int64

    /// An identity from `stat` fields.
    public init(device: UInt64, inode: UInt64, size: Int, modificationNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationNanoseconds = modificationNanoseconds
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
