import Glibc
import Synchronization

/// A ``Logger`` writing one line per record, as text or JSON, to standard error, standard output, a
/// file or a closure. Lines longer than ``maxLineLength`` bytes are cut and marked, so one huge
/// request target cannot flood the log.
///
/// Text lines: an access record is its Common Log Format line
/// (`127.0.0.1 - - [30/Nov/2026:06:01:28 +0000] "GET / HTTP/1.1" 200 13`); any other record is
/// `2026-11-30T06:01:28Z ERROR werk: message key=value key="two words"`. Control characters are
/// escaped (`\n`), so one record is always one line. JSON lines are objects with `time`, `level`,
/// `label`, `message` and the fields (access records: `remote`, `request`, `status`, `bytes`).
///
/// ```swift
/// var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
/// configuration.accessLogger = LineLogger(.standardOutput, format: .json)
/// configuration.errorLogger = try LineLogger(file: "/tmp/werk-errors.log", level: .warning)
/// ```
public final class LineLogger: Logger {
    /// Where lines go.
    public enum Destination: Sendable {
        /// File descriptor 2.
        case standardError
        /// File descriptor 1.
        case standardOutput
        /// A closure called with each line (without its newline), from any thread.
        case lines(@Sendable (String) -> Void)
    }

    /// How records become lines.
    public enum Format: String, Sendable, CaseIterable {
        /// Human-readable text (Common Log Format for access records).
        case text
        /// One JSON object per line.
        case json
    }

    /// The format of the lines.
    public let format: Format
    /// The least important level written.
    public let level: LogLevel
    /// The longest line in bytes, newline excluded (at least 64); longer lines are cut and end
    /// with ``truncationMarker``.
    public let maxLineLength: Int
    /// What ends a cut line (inside the `message` string of a JSON line).
    public static let truncationMarker = "…[truncated]"

    private enum Sink {
        case descriptor(Int32, owned: Bool)
        case closure(@Sendable (String) -> Void)
    }
    private let sink: Sink
    /// Serializes writes, so lines from several event loops never interleave.
    private let writing = Mutex(())

    /// A logger writing to `destination`. Default: text lines on standard error, `info` and above,
    /// at most 4 096 bytes per line.
    public init(_ destination: Destination = .standardError, format: Format = .text, level: LogLevel = .info,
                maxLineLength: Int = 4096) {
        switch destination {
        case .standardError: sink = .descriptor(2, owned: false)
        case .standardOutput: sink = .descriptor(1, owned: false)
        case .lines(let body): sink = .closure(body)
        }
        self.format = format
        self.level = level
        self.maxLineLength = max(64, maxLineLength)
    }

    /// Text lines on standard error, `info` and above: the server's default access and error log.
    public static let standardError = LineLogger(.standardError)

    /// A logger appending to the file at `path` (created with mode 0644 when missing). Throws
    /// ``LogFileError`` when the file cannot be opened.
    public init(file path: String, format: Format = .text, level: LogLevel = .info,
                maxLineLength: Int = 4096) throws(LogFileError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LogFileError(path: path, code: errno) }
        sink = .descriptor(fd, owned: true)
        self.format = format
        self.level = level
        self.maxLineLength = max(64, maxLineLength)
    }

    deinit {
        if case .descriptor(let fd, owned: true) = sink { close(fd) }
    }

    /// Whether `level` reaches ``level``.
    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Formats and writes one line.
    public func log(_ record: LogRecord) {
        guard isEnabled(record.level) else { return }
        switch sink {
        case .closure(let body):
            body(line(for: record))
        case .descriptor:
            var bytes: [UInt8] = []
            append(record, to: &bytes)
            write(bytes)
        }
    }

    /// The line for `record`, without its newline.
    public func line(for record: LogRecord) -> String {
        var bytes: [UInt8] = []
        append(record, to: &bytes)
        if bytes.last == 10 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Batching (the server's event loops)

    /// Whether lines go to a file descriptor, so a caller may collect several and write them at
    /// once with ``write(_:)``.
    package var writesToDescriptor: Bool {
        if case .descriptor = sink { return true }
        return false
    }

    /// Appends the line for `record` and its newline to `buffer`.
    package func append(_ record: LogRecord, to buffer: inout [UInt8]) {
        let start = buffer.count
        switch format {
        case .text: LineFormat.text(record, into: &buffer)
        case .json: LineFormat.json(record, into: &buffer, limit: maxLineLength)
        }
        if buffer.count - start > maxLineLength {
            LineFormat.cut(&buffer, from: start, limit: maxLineLength)
        }
        buffer.append(10)
    }

    /// Writes complete lines (for a descriptor destination; a closure destination gets them one
    /// by one).
    package func write(_ bytes: [UInt8]) {
        switch sink {
        case .closure(let body):
            for line in bytes.split(separator: 10) { body(String(decoding: line, as: UTF8.self)) }
        case .descriptor(let fd, _):
            writing.withLock { _ in
                bytes.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 { break }
                        offset += n
                    }
                }
            }
        }
    }
}

/// Why a log file could not be opened.
public struct LogFileError: Error, Sendable, CustomStringConvertible {
    /// The path.
    public var path: String
    /// The errno of `open(2)`.
    public var code: Int32

    /// `Cannot open the log file /x: Permission denied.`
    public var description: String { "Cannot open the log file \(path): \(String(cString: strerror(code)))." }
}
