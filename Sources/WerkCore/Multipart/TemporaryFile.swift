#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous file for a spooled upload: created with `O_TMPFILE` where the kernel and file system
/// allow it (it never has a name, so nothing is left behind whatever happens to the process), else
/// created with `mkstemp` and unlinked at once. Closed, and so gone, when the last reference goes.
final class TemporaryFile: Sendable {
    let fd: Int32
    /// Whether the file was made with `O_TMPFILE` and can still be given a name with `linkat`.
    let linkable: Bool

    private init(fd: Int32, linkable: Bool) {
        self.fd = fd
        self.linkable = linkable
    }

    deinit { close(fd) }

    /// A new empty file in `directory` (nil: `$TMPDIR` or `/tmp`).
    static func create(in directory: String?) throws(HTTPError) -> TemporaryFile {
        let dir = directory ?? getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        #if os(Linux) && (arch(x86_64) || arch(arm64))
        // O_TMPFILE is __O_TMPFILE | O_DIRECTORY; Swift does not import the macro. 0o20000000 is
        // __O_TMPFILE on these architectures (asm-generic/fcntl.h).
        let fd = open(dir, 0o20000000 | O_DIRECTORY | O_RDWR | O_CLOEXEC, 0o600)
        if fd >= 0 { return TemporaryFile(fd: fd, linkable: true) }
        #endif
        var template = Array((dir + "/werk-upload-XXXXXX").utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else {
            throw HTTPError(.internalServerError, "Cannot create a temporary file for an upload in \(dir) (errno \(errno)).")
        }
        _ = fcntl(named, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return TemporaryFile(fd: named, linkable: false)
    }

    /// Appends `bytes` at the end of the file.
    func append(_ bytes: UnsafeRawBufferPointer) throws(HTTPError) {
        try Self.writeAll(fd, bytes)
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(HTTPError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = write(fd, base + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw HTTPError(.internalServerError, "Writing an uploaded file to disk failed (errno \(errno)).")
            }
            done += n
        }
    }

    /// Reads up to `count` bytes at `offset`.
    func read(at offset: Int, count: Int) throws(HTTPError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = result.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw HTTPError(.internalServerError, "Reading an uploaded file failed (errno \(errno)).") }
            if n == 0 { break }
            done += n
        }
        if done < count { result.removeLast(count - done) }
        return result
    }
}
