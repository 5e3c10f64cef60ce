#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Small files kept in memory, revalidated by `stat` on every request (nginx's `open_file_cache`
/// idea, one step further: the bytes, not just the descriptor). An entry is used only while the
/// file's identity (device, inode, size, modification time in nanoseconds) is unchanged, so an
/// edited file is read again on its next request. Bounded in entry size and in total bytes; when
/// full, the oldest entries go first.
final class SmallFileCache: Sendable {
    /// Files larger than this are always sent with `sendfile`.
    let maxFileSize: Int
    /// The most bytes kept in all.
    let capacity: Int

    private struct Entry {
        var identity: FileIdentity
        var bytes: [UInt8]
    }
    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var bytes = 0
    }
    private let state = Mutex(State())

    init(maxFileSize: Int, capacity: Int) {
        self.maxFileSize = maxFileSize
        self.capacity = capacity
    }

    /// The bytes held now (for tests and diagnostics).
    var residentBytes: Int { state.withLock { $0.bytes } }

    /// The bytes of the file at `path` if it is `identity` (read and kept when not cached yet);
    /// nil when it is too large or cannot be read as that version.
    func bytes(path: String, identity: FileIdentity) -> [UInt8]? {
        guard identity.size <= maxFileSize else { return nil }
        if let hit = state.withLock({ $0.entries[path] }), hit.identity == identity { return hit.bytes }
        guard let bytes = Self.read(path: path, identity: identity) else { return nil }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: path) {
                state.bytes -= old.bytes.count
                state.order.removeAll { $0 == path }
            }
            while state.bytes + bytes.count > capacity, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                if let gone = state.entries.removeValue(forKey: oldest) { state.bytes -= gone.bytes.count }
            }
            guard bytes.count <= capacity else { return }
            state.entries[path] = Entry(identity: identity, bytes: bytes)
            state.order.append(path)
            state.bytes += bytes.count
        }
        return bytes
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
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(done))
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
