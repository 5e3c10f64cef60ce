#if canImport(Glibc)
import Glibc
#endif

/// A few lines of a source file around one line, read from disk when a page is rendered (the
/// paths come from the binary's debug info or the crash report, never from a client).
public struct SourceExcerpt: Sendable, Hashable {
    /// The number of the first line in ``lines`` (1-based).
    public var firstLineNumber: Int
    /// The lines, without their line breaks.
    public var lines: [String]
    /// The number of the line the frame points at.
    public var markedLineNumber: Int

    /// An excerpt.
    public init(firstLineNumber: Int, lines: [String], markedLineNumber: Int) {
        self.firstLineNumber = firstLineNumber
        self.lines = lines
        self.markedLineNumber = markedLineNumber
    }

    /// Files larger than this are not read (2 MiB).
    public static let maximumFileSize = 2 << 20

    /// Lines longer than this are cut (with `…`) in an excerpt.
    public static let maximumLineLength = 400

    /// `radius` lines either side of `line` of the regular file at `path`, or nil when the file
    /// cannot be read, is not a regular file, is larger than ``maximumFileSize`` or is shorter than
    /// `line`.
    public static func read(path: String, line: Int, radius: Int = 5) -> SourceExcerpt? {
        guard line > 0, radius >= 0, let bytes = readSmallFile(path) else { return nil }
        let first = max(1, line - radius), last = line + radius
        var lines: [String] = []
        var number = 1, start = 0
        var index = 0
        while index <= bytes.count, number <= last {
            if index == bytes.count || bytes[index] == UInt8(ascii: "\n") {
                if number >= first {
                    var text = String(decoding: bytes[start..<index], as: UTF8.self)
                    if text.hasSuffix("\r") { text.removeLast() }
                    if text.count > maximumLineLength { text = String(text.prefix(maximumLineLength)) + "…" }
                    lines.append(text)
                }
                number += 1
                start = index + 1
            }
            index += 1
        }
        guard line < first + lines.count else { return nil }
        return SourceExcerpt(firstLineNumber: first, lines: lines, markedLineNumber: line)
    }

    private static func readSmallFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= maximumFileSize else { return nil }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress! + filled, size - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        return filled == size ? bytes : Array(bytes[..<filled])
    }
}
