import Glibc
import WerkCore

/// The `Date: …\r\n` header line, formatted at most once per second per loop.
/// Loop-confined (a stored property of ``EventLoop``).
final class DateCache {
    @exclusivity(unchecked) private var second = -1
    @exclusivity(unchecked) private(set) var line: [UInt8] = []

    /// The current header line, including CRLF.
    func current() -> [UInt8] {
        let now = Int(time(nil))
        if now != second {
            second = now
            line = Array("Date: \(HTTPDate.format(now))\r\n".utf8)
        }
        return line
    }

    /// Seconds since 1970 for the last formatted line.
    var epochSeconds: Int { second }
}

/// Common Log Format: `127.0.0.1 - - [21/Nov/2026:20:32:12 +0000] "GET / HTTP/1.1" 200 5`.
enum AccessLogFormat {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// One log line (with newline) for a finished request.
    static func line(remote: String, epochSeconds: Int, requestLine: String, status: Int, bytes: Int?) -> String {
        var t = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = "\(two(parts.tm_mday))/\(months[Int(parts.tm_mon)])/\(parts.tm_year + 1900):"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
        let size = bytes.map { $0 == 0 ? "-" : String($0) } ?? "-"
        return "\(remote.isEmpty ? "-" : remote) - - [\(date)] \"\(requestLine)\" \(status) \(size)\n"
    }
}
