#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileIdentity {
    /// The identity of the open file `fd` (`fstat`), or nil when `fstat` fails.
    public init?(fileDescriptor fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        self.init(status: info)
    }

    /// The identity of the file at `path` (`stat`, following symbolic links), or nil.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(status: info)
    }

    /// The identity in a `stat` result.
    public init(status info: stat) {
        #if canImport(Darwin)
        let nanoseconds = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size),
                  modificationNanoseconds: nanoseconds)
    }
}

/// A ``FileRegion`` that could not be sent as declared.
public enum FileRegionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened when the response was sent (`errno` given).
    case cannotOpen(path: String, errno: Int32)
    /// The file is no longer the one the response was made for (see ``FileRegion/identity``).
    case changed(path: String)
    /// The file ended before the region did (it shrank): the declared length cannot be honoured.
    case truncated(path: String, expected: Int, read: Int)

    /// What went wrong, in a sentence.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let code):
            "Cannot open '\(path)' for the response body: \(String(cString: strerror(code)))."
        case .changed(let path): "The file '\(path)' changed after the response was prepared."
        case .truncated(let path, let expected, let read):
            "The file '\(path)' ended after \(read) of the \(expected) bytes the response declared."
        }
    }

    /// What every adapter answers when a response's file cannot be opened at send time: a 500 (the
    /// handler promised a file that is not there; handlers that serve files check first and answer
    /// 404 themselves). The server and the in-process transport both use this.
    public static func unopenedFileError() -> HTTPError {
        HTTPError(.internalServerError, "The file for this response could not be opened.")
    }
}

/// Reads file regions for adapters that cannot use `sendfile` (the in-process test client).
package enum FileReader {
    /// The region's bytes. Throws ``FileRegionError``: `cannotOpen` when the file cannot be opened,
    /// `changed` when it is not the file of the region's identity, and `truncated` when it ends early
    /// (the server closes the connection in that case, so a short body is never passed off as complete).
    package static func read(_ region: FileRegion) throws(FileRegionError) -> [UInt8] {
        let fd = open(region.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: region.path, errno: errno) }
        defer { close(fd) }
        if let expected = region.identity, FileIdentity(fileDescriptor: fd) != expected {
            throw .changed(path: region.path)
        }
        var result = [UInt8](repeating: 0, count: region.count)
        var done = 0
        while done < region.count {
            let n = result.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + done, region.count - done, off_t(region.offset + done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        guard done == region.count else { throw .truncated(path: region.path, expected: region.count, read: done) }
        return result
    }

    /// Whether the file can be opened for reading now.
    package static func canOpen(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }
}
