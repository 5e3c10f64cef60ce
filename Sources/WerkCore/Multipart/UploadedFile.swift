#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A file from a `multipart/form-data` body (Werkzeug's `FileStorage`).
///
/// Small files are kept in memory; one larger than ``MultipartLimits/spoolThreshold`` lives in an
/// unlinked temporary file that disappears when the last reference to it goes (at the end of the
/// request, unless the handler keeps the value). The name the client sent is ``filename``: it can be
/// a full Windows path, contain `../`, anything. Store files under ``secureFilename`` or a name of
/// your own.
///
/// ```swift
/// if let upload = try await request.files()["avatar"] {
///     try upload.save(to: "/srv/avatars/\(upload.secureFilename)")
/// }
/// ```
public final class UploadedFile: Sendable, CustomStringConvertible {
    enum Content: Sendable {
        case memory([UInt8])
        case disk(TemporaryFile)
    }

    /// The form field name.
    public let name: String
    /// The file name exactly as the client sent it (escapes decoded); may be empty when a browser sends
    /// an empty file input.
    public let filename: String
    /// The part's `Content-Type` header, as sent; nil when there was none.
    public let contentType: String?
    /// All the part's headers.
    public let headers: Headers
    /// The size in bytes.
    public let size: Int
    let content: Content

    init(head: MultipartPartHead, size: Int, content: Content) {
        name = head.name
        filename = head.filename ?? ""
        contentType = head.contentType
        headers = head.headers
        self.size = size
        self.content = content
    }

    /// A file held in memory (for tests and for handlers that build one).
    public convenience init(name: String, filename: String, contentType: String? = nil, bytes: [UInt8]) {
        self.init(head: MultipartPartHead(name: name, filename: filename, contentType: contentType),
                  size: bytes.count, content: .memory(bytes))
    }

    /// The lower-cased media type without parameters (`image/png`), `application/octet-stream` when
    /// the part had no Content-Type (RFC 7578 §4.4).
    public var mimeType: String {
        guard let contentType, let type = ContentType(parsing: contentType) else { return "application/octet-stream" }
        return type.mimeType
    }

    /// The last component of ``filename``, split at `/` and `\` (old Internet Explorer sent
    /// `C:\Users\me\photo.jpg`).
    public var basename: String {
        String(filename.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last ?? "")
    }

    /// ``basename`` made safe for a file system with `secureFilename(_:)`. May be empty.
    public var secureFilename: String { WerkCore.secureFilename(basename) }

    /// Whether the content is in a temporary file rather than in memory.
    public var isOnDisk: Bool { if case .disk = content { true } else { false } }

    /// The whole content.
    public func bytes() throws -> [UInt8] {
        switch content {
        case .memory(let bytes): return bytes
        case .disk(let file): return try file.read(at: 0, count: size)
        }
    }

    /// The content decoded as UTF-8 (invalid sequences become U+FFFD).
    public func text() throws -> String { String(decoding: try bytes(), as: UTF8.self) }

    /// The content as a stream of chunks of at most `chunkSize` bytes, read from disk as it is pulled.
    public func stream(chunkSize: Int = 64 * 1024) -> ByteStream {
        switch content {
        case .memory(let bytes):
            return ByteStream(chunks: bytes.isEmpty ? [] : [bytes])
        case .disk(let file):
            let size = self.size, step = max(1, chunkSize)
            let offset = Mutex(0)
            return ByteStream {
                let at = offset.withLock { value -> Int in defer { value = min(size, value + step) }; return value }
                guard at < size else { return nil }
                return try file.read(at: at, count: min(step, size - at))
            }
        }
    }

    /// Writes the file to `path`, replacing what is there, atomically: readers see the old file or the
    /// whole new one. A spooled file is given the name with `linkat` (no copy) when it is on the same
    /// file system; otherwise the bytes are written to a temporary name beside `path` and renamed.
    /// The file is created with mode 0600. Can be called more than once.
    public func save(to path: String) throws {
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let temporary = (directory.isEmpty ? "" : directory) + "/.werk-upload-" + Self.randomSuffix()
        if case .disk(let file) = content, file.linkable,
           linkat(AT_FDCWD, "/proc/self/fd/\(file.fd)", AT_FDCWD, temporary, AT_SYMLINK_FOLLOW) == 0 {
            return try Self.rename(temporary, to: path)
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HTTPError(.internalServerError, "Cannot create \(temporary) (errno \(errno)).") }
        do {
            switch content {
            case .memory(let bytes):
                try bytes.withUnsafeBytes { buffer in try TemporaryFile.writeAll(fd, buffer) }
            case .disk(let file):
                var offset = 0
                while offset < size {
                    let chunk = try file.read(at: offset, count: min(1 << 20, size - offset))
                    if chunk.isEmpty { break }
                    try chunk.withUnsafeBytes { buffer in try TemporaryFile.writeAll(fd, buffer) }
                    offset += chunk.count
                }
            }
            guard close(fd) == 0 else { throw HTTPError(.internalServerError, "Closing \(temporary) failed (errno \(errno)).") }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        try Self.rename(temporary, to: path)
    }

    private static func rename(_ from: String, to path: String) throws {
        guard Glibc.rename(from, path) == 0 else {
            let code = errno
            unlink(from)
            throw HTTPError(.internalServerError, "Cannot move the upload to \(path) (errno \(code)).")
        }
    }

    private static func randomSuffix() -> String {
        let bytes = (try? SecureRandom.bytes(8)) ?? (0..<8).map { _ in UInt8.random(in: 0...255) }
        return Hex.encode(bytes)
    }

    /// `UploadedFile(name: "avatar", filename: "me.png", contentType: "image/png", size: 1234)`.
    public var description: String {
        "UploadedFile(name: \"\(name)\", filename: \"\(filename)\", contentType: \(contentType.map { "\"\($0)\"" } ?? "nil"), size: \(size))"
    }
}
