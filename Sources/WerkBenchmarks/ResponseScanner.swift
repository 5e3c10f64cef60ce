// Finds where one HTTP/1.1 response ends in a byte buffer, for the load generator: the head, then a
// Content-Length body, a chunked body, or no body (HEAD, 1xx, 204, 304). Only what a benchmark needs:
// the server under test is trusted to speak HTTP.

/// The end of the first complete response in a buffer, and its status.
struct ResponseScanner {
    /// The offset just past the response that starts at `start` and its status code, or nil when
    /// the buffer does not yet hold all of it. `headRequest` says the response has no body.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, headRequest: Bool) -> (end: Int, status: Int)? {
        guard let headEnd = headEnd(bytes, from: start) else { return nil }
        let status = statusCode(bytes, from: start)
        if headRequest || (100..<200).contains(status) || status == 204 || status == 304 { return (headEnd, status) }
        var contentLength: Int? = nil
        var chunked = false
        var lineStart = start
        var index = start
        while index + 1 < headEnd {
            if bytes[index] == 13 && bytes[index + 1] == 10 {
                let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<index]), as: UTF8.self)
                if let colon = line.firstIndex(of: ":") {
                    let name = ASCII.lowercased(line[..<colon])
                    let value = line[line.index(after: colon)...].trimmingPrefix(while: { $0 == " " || $0 == "\t" })
                    if name == "content-length" { contentLength = Int(value.prefix { $0 != " " && $0 != "\t" }) }
                    if name == "transfer-encoding" { chunked = ASCII.lowercased(value).contains("chunked") }
                }
                lineStart = index + 2
                index += 2
            } else {
                index += 1
            }
        }
        if chunked { return chunkedEnd(bytes, from: headEnd).map { ($0, status) } }
        let end = headEnd + (contentLength ?? 0)
        return end <= bytes.count ? (end, status) : nil
    }

    private static func headEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index + 3] == 10 && bytes[index + 2] == 13 && bytes[index + 1] == 10 && bytes[index] == 13 { return index + 4 }
            index += 1
        }
        return nil
    }

    private static func statusCode(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        // "HTTP/1.1 200 ..." : the three digits after the first space.
        guard start + 12 <= bytes.count else { return 0 }
        var code = 0
        for index in (start + 9)..<(start + 12) {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else { return 0 }
            code = code * 10 + Int(byte - 48)
        }
        return code
    }

    /// The end of a chunked body starting at `start` (after the last chunk and an empty trailer).
    private static func chunkedEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while true {
            var size = 0
            var sawDigit = false
            while index < bytes.count, let digit = hexValue(bytes[index]) {
                size = size * 16 + digit
                sawDigit = true
                index += 1
                if size > 1 << 40 { return nil }
            }
            guard sawDigit else { return nil }
            while index + 1 < bytes.count, !(bytes[index] == 13 && bytes[index + 1] == 10) { index += 1 }   // extensions
            guard index + 1 < bytes.count else { return nil }
            index += 2
            if size == 0 {
                // Trailer fields, then an empty line.
                while true {
                    guard index + 1 < bytes.count else { return nil }
                    if bytes[index] == 13 && bytes[index + 1] == 10 { return index + 2 }
                    while index + 1 < bytes.count, !(bytes[index] == 13 && bytes[index + 1] == 10) { index += 1 }
                    guard index + 1 < bytes.count else { return nil }
                    index += 2
                }
            }
            index += size + 2
            guard index <= bytes.count else { return nil }
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 48...57: Int(byte - 48)
        case 65...70: Int(byte - 55)
        case 97...102: Int(byte - 87)
        default: nil
        }
    }
}
