#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads file regions for adapters that cannot use `sendfile` (the in-process test client).
enum FileReader {
    static func read(_ region: FileRegion) throws -> [UInt8] {
        let fd = open(region.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HTTPError(.notFound, "Cannot open '\(region.path)' (errno \(errno)).") }
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
        if done < region.count { result.removeLast(region.count - done) }
        return result
    }
}
