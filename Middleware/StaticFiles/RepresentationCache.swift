#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What serving one version of a file needs beyond its `stat`: the validators already in header
/// form, the Content-Type, and (for a small file) the bytes.
struct FileRepresentation: Sendable {
    /// The version these were derived from (device, inode, size, modification time in ns).
    var identity: FileIdentity
    /// The entity tag, when the options send one.
    var etag: ETag?
    /// `etag` as a header value (`"…"`).
    var etagHeader: String?
    /// Last-Modified in seconds, when the options send it.
    var lastModified: Int?
    /// `lastModified` as an HTTP date.
    var lastModifiedHeader: String?
    /// The Content-Type of the whole file.
    var contentType: String
    /// The whole file, when it is small enough to keep (else it is sent with `sendfile`).
    var bytes: [UInt8]?
}

/// Representations of the files a `SharedData` serves, keyed by path and content coding, each used
/// only while the file's identity (device, inode, size, modification time in nanoseconds) is the one
/// `stat` reports on the current request: an edited file is derived again on its next request.
///
/// This is nginx's `open_file_cache` idea taken one step further: not the descriptor but the bytes
/// of small files, and the header values of every file, so a hit costs one `stat` (done anyway to
/// revalidate), one lock and one hash lookup, with no formatting. Bounded in total bytes (each
/// entry also counts a fixed overhead); when full, the oldest entries go first.
final class RepresentationCache: Sendable {
    /// Files larger than this are never kept in memory (always sent with `sendfile`); 0 keeps no bytes.
    let maxFileSize: Int
    /// The most bytes kept in all, entries' overhead included.
    let capacity: Int
    /// What one entry counts besides its bytes (strings, key, dictionary slot).
    static let entryOverhead = 256

    struct Key: Hashable, Sendable {
        var path: String
        var coding: ContentCoding?
    }
    private struct State {
        var entries: [Key: FileRepresentation] = [:]
        var order: [Key] = []
        var bytes = 0
    }
    private let state = Mutex(State())

    init(maxFileSize: Int, capacity: Int) {
        self.maxFileSize = maxFileSize
        self.capacity = capacity
    }

    /// The bytes held now, overhead included (for tests and diagnostics).
    var residentBytes: Int { state.withLock { $0.bytes } }

    /// The representation of `path` (served with `coding`) at version `identity`: the cached one
    /// when it is that version, else `derive()`'s, with the file's bytes read when small enough,
    /// and kept.
    func representation(path: String, coding: ContentCoding?, identity: FileIdentity,
                        derive: () -> FileRepresentation) -> FileRepresentation {
        let key = Key(path: path, coding: coding)
        if let hit = state.withLock({ $0.entries[key] }), hit.identity == identity { return hit }
        var fresh = derive()
        if identity.size <= maxFileSize { fresh.bytes = Self.read(path: path, identity: identity) }
        let cost = (fresh.bytes?.count ?? 0) + Self.entryOverhead
        guard cost <= capacity else { return fresh }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) {
                state.bytes -= (old.bytes?.count ?? 0) + Self.entryOverhead
                state.order.removeAll { $0 == key }
            }
            while state.bytes + cost > capacity, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                if let gone = state.entries.removeValue(forKey: oldest) {
                    state.bytes -= (gone.bytes?.count ?? 0) + Self.entryOverhead
                }
            }
            state.entries[key] = fresh
            state.order.append(key)
            state.bytes += cost
        }
        return fresh
    }

    /// Reads the whole file, checking after opening that it is the expected version.
    static func read(path: String, identity: FileIdentity) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard FileIdentity(fileDescriptor: fd) == identity else { return nil }
        let count = identity.size
        var ok = true
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count, let base = buffer.baseAddress {
                let n = pread(fd, base + done, count - done, off_t(done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                done += n
            }
            ok = done == count
            initialized = done
        }
        return ok ? bytes : nil
    }
}
