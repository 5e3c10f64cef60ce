/// Small ASCII helpers shared by the header, cookie and URL code. HTTP names and tokens are ASCII,
/// so comparing them byte by byte avoids Unicode-aware (and allocating) string work.
public enum ASCII {
    /// Whether two strings are equal when ASCII letters are compared without case (`Content-Type` ==
    /// `content-type`). Non-ASCII bytes must match exactly.
    @inlinable
    public static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        // Native strings know their UTF-8 length in O(1): most mismatches stop here.
        guard a.utf8.count == b.utf8.count else { return false }
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                for i in 0..<x.count where x[i] != y[i] && lowercase(x[i]) != lowercase(y[i]) { return false }
                return true
            }
        }
        if let fast, let result = fast { return result }
        return zip(a.utf8, b.utf8).allSatisfy { $0 == $1 || lowercase($0) == lowercase($1) }
    }

    /// Whether two strings are equal when ASCII letters are compared without case (any string types).
    @inlinable
    public static func equalsIgnoringCase(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        var ia = a.utf8.makeIterator()
        var ib = b.utf8.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return true
            case let (x?, y?):
                if x != y && lowercase(x) != lowercase(y) { return false }
            default: return false
            }
        }
    }

    /// The byte with ASCII `A`–`Z` mapped to `a`–`z`.
    @inlinable @inline(__always)
    public static func lowercase(_ byte: UInt8) -> UInt8 {
        byte &- 65 < 26 ? byte | 0x20 : byte
    }

    /// The string with ASCII letters lower-cased; other characters are kept.
    public static func lowercased(_ s: some StringProtocol) -> String {
        String(decoding: s.utf8.map(lowercase), as: UTF8.self)
    }

    /// Whether the byte is an RFC 9110 `tchar` (allowed in tokens such as methods and header names).
    @inlinable
    public static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether the string is a non-empty RFC 9110 token.
    public static func isToken(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy(isTokenByte)
    }

    /// The string without leading and trailing spaces and horizontal tabs (HTTP's optional whitespace).
    public static func trimmingWhitespace(_ s: Substring) -> Substring {
        var start = s.startIndex, end = s.endIndex
        while start < end, s[start] == " " || s[start] == "\t" { start = s.index(after: start) }
        while end > start {
            let before = s.index(before: end)
            guard s[before] == " " || s[before] == "\t" else { break }
            end = before
        }
        return s[start..<end]
    }
}
