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
