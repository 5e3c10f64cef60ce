import Glibc

/// Turning records into text and JSON lines (see ``LineLogger``).
package enum LineFormat {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func parts(_ epochSeconds: Int) -> tm {
        var t = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return parts
    }

    private static func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `30/Nov/2026:06:01:28 +0000`, the Common Log Format time.
    package static func commonLogTime(_ epochSeconds: Int) -> String {
        let p = parts(epochSeconds)
        return "\(two(p.tm_mday))/\(months[Int(p.tm_mon)])/\(p.tm_year + 1900):"
            + "\(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec)) +0000"
    }

    /// `2026-11-30T06:01:28Z`.
    static func isoTime(_ epochSeconds: Int) -> String {
        let p = parts(epochSeconds)
        return "\(p.tm_year + 1900)-\(two(p.tm_mon + 1))-\(two(p.tm_mday))T"
            + "\(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec))Z"
    }

    // MARK: Text

    static func text(_ record: LogRecord, into out: inout [UInt8]) {
        if record.access != nil {
            appendEscaped(record.message, into: &out)
            return
        }
        out.append(contentsOf: isoTime(record.epochSeconds).utf8)
        out.append(32)
        out.append(contentsOf: record.level.description.uppercased().utf8)
        out.append(32)
        appendEscaped(record.label, into: &out)
        out.append(contentsOf: ": ".utf8)
        appendEscaped(record.message, into: &out)
        for field in record.fields {
            out.append(32)
            appendEscaped(field.key, into: &out)
            out.append(UInt8(ascii: "="))
            switch field.value {
            case .int(let number): out.append(contentsOf: String(number).utf8)
            case .string(let text): appendTextValue(text, into: &out)
            }
        }
    }

    /// A value bare when it is one plain word, otherwise in double quotes with `"` and `\` escaped.
    private static func appendTextValue(_ text: String, into out: inout [UInt8]) {
        let plain = !text.isEmpty && !text.utf8.contains { $0 <= 32 || $0 == 34 || $0 == 61 || $0 == 92 || $0 == 127 }
        if plain { return out.append(contentsOf: text.utf8) }
        out.append(34)
        for byte in text.utf8 {
            if byte == 34 || byte == 92 { out.append(92) }
            appendEscaped(byte, into: &out)
        }
        out.append(34)
    }

    /// The bytes of `text` with control characters written as `\n`, `\r`, `\t` or `\xNN`.
    private static func appendEscaped(_ text: String, into out: inout [UInt8]) {
        let clean = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            !bytes.contains { $0 < 32 || $0 == 127 }
        }
        if clean == true { return out.append(contentsOf: text.utf8) }
        for byte in text.utf8 { appendEscaped(byte, into: &out) }
    }

    private static func appendEscaped(_ byte: UInt8, into out: inout [UInt8]) {
        guard byte < 32 || byte == 127 else { return out.append(byte) }
        out.append(92)
        switch byte {
        case 10: out.append(UInt8(ascii: "n"))
        case 13: out.append(UInt8(ascii: "r"))
        case 9: out.append(UInt8(ascii: "t"))
        default:
            let hex = Array("0123456789abcdef".utf8)
            out.append(UInt8(ascii: "x"))
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
    }

    /// Cuts the line that starts at `start` to at most `limit` bytes, ending at a character
    /// boundary with ``LineLogger/truncationMarker``.
    static func cut(_ buffer: inout [UInt8], from start: Int, limit: Int) {
        let marker = Array(LineLogger.truncationMarker.utf8)
        var end = start + max(0, limit - marker.count)
        while end > start && buffer[end] & 0xC0 == 0x80 { end -= 1 }   // not inside a UTF-8 sequence
        buffer.removeSubrange(end...)
        buffer.append(contentsOf: marker)
    }

    // MARK: JSON

    /// The members of a record's JSON line, in order.
    private static func members(_ record: LogRecord) -> [(String, JSON)] {
        var members: [(String, JSON)] = [
            ("time", .string(isoTime(record.epochSeconds))),
            ("level", .string(record.level.description)),
            ("label", .string(record.label)),
        ]
        if let entry = record.access {
            members.append(("remote", .string(entry.remoteAddress)))
            members.append(("request", .string(entry.requestLine)))
            members.append(("status", .int(entry.status)))
            members.append(("bytes", entry.bytes.map(JSON.int) ?? .null))
        } else {
            members.append(("message", .string(record.message)))
        }
        for field in record.fields {
            switch field.value {
            case .int(let number): members.append((field.key, .int(number)))
            case .string(let text): members.append((field.key, .string(text)))
            }
        }
        return members
    }

    private static func write(_ members: [(String, JSON)], into out: inout [UInt8]) {
        let writer = JSONWriter(sortKeys: false, asciiOnly: false)
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writer.writeString(member.0, into: &out)
            out.append(UInt8(ascii: ":"))
            writer.write(member.1, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A JSON line of at most `limit` bytes: when too long, the longest string values are cut (and
    /// end with the marker), so the line stays valid JSON.
    static func json(_ record: LogRecord, into out: inout [UInt8], limit: Int) {
        var members = members(record)
        let start = out.count
        for _ in 0..<6 {
            write(members, into: &out)
            let excess = out.count - start - limit
            if excess <= 0 { return }
            out.removeSubrange(start...)
            var longest = -1, longestLength = 0
            for (index, member) in members.enumerated() {
                if case .string(let text) = member.1, text.utf8.count > longestLength {
                    longest = index
                    longestLength = text.utf8.count
                }
            }
            guard longest >= 0, case .string(let text) = members[longest].1 else { break }
            let keep = max(0, longestLength - excess - LineLogger.truncationMarker.utf8.count)
            members[longest].1 = .string(prefix(text, bytes: keep) + LineLogger.truncationMarker)
        }
        out.removeSubrange(start...)
        write([("time", .string(isoTime(record.epochSeconds))), ("level", .string(record.level.description)),
               ("message", .string(LineLogger.truncationMarker))], into: &out)
    }

    /// The longest prefix of `text` of at most `bytes` UTF-8 bytes that ends at a character boundary.
    private static func prefix(_ text: String, bytes: Int) -> String {
        var utf8 = Array(text.utf8.prefix(bytes))
        while let last = utf8.last, last & 0xC0 == 0x80 || last >= 0xC0 {
            // Drop a cut sequence: continuation bytes and the lead byte they belong to.
            let isLead = last >= 0xC0
            utf8.removeLast()
            if isLead { break }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}

extension AccessLogEntry {
    /// The Common Log Format line (without newline) at `epochSeconds`:
    /// `127.0.0.1 - - [30/Nov/2026:06:01:28 +0000] "GET / HTTP/1.1" 200 13`.
    public func commonLogLine(epochSeconds: Int) -> String {
        commonLogLine(formattedTime: LineFormat.commonLogTime(epochSeconds))
    }

    /// The same line with the time already formatted by `LineFormat.commonLogTime(_:)` (the event
    /// loops format it once per second).
    package func commonLogLine(formattedTime: String) -> String {
        let size = bytes.map { $0 == 0 ? "-" : String($0) } ?? "-"
        return "\(remoteAddress.isEmpty ? "-" : remoteAddress) - - [\(formattedTime)] \"\(requestLine)\" \(status) \(size)"
    }
}
