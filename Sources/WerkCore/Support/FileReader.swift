#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``FileRegion`` that could not be sent as declared.
public enum FileRegionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened when the response was sent (`errno` given).
    case cannotOpen(path: String, errno: Int32)
    /// The file ended before the region did: it shrank after the response was made.
    case truncated(path: String, expected: Int, read: Int)

    /// What went wrong, in a sentence.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let code):
            "Cannot open '\(path)' for the response body: \(String(cString: strerror(code)))."
        case .truncated(let path, let expected, let read):
            "'\(path)' ended after \(read) of \(expected) bytes while it was being sent."
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
enum FileReader {
    /// The region's bytes; throws ``FileRegionError`` when the file cannot be opened or is shorter.
    static func read(_ region: FileRegion) throws(FileRegionError) -> [UInt8] {
        let fd = open(region.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: region.path, errno: errno) }
        defer { close(fd) }
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
    static func canOpen(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }
}
