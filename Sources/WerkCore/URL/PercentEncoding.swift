/// Percent-encoding (RFC 3986 §2.1) for paths, query strings and forms.
///
/// ```swift
/// PercentEncoding.encode("a b/ü", safe: "/")              // "a%20b/%C3%BC"
/// PercentEncoding.decode("a%20b+c", plusAsSpace: true)   // "a b c"
/// ```
public enum PercentEncoding {
    /// Characters a URL path keeps unescaped besides the unreserved ones (the WHATWG path set, as
    /// Werkzeug uses for `Request.url`).
    public static let pathSafe = "!$&'()*+,/:;=@"
    /// Characters a query string keeps unescaped besides the unreserved ones.
    public static let querySafe = "!$&'()*+,/:;=?@"

    /// Escapes every byte of the UTF-8 form of `text` that is not an RFC 3986 unreserved character
    /// (`A-Z a-z 0-9 - . _ ~`) and not in `safe`. With `spaceAsPlus`, a space becomes `+` (forms).
    public static func encode(_ text: some StringProtocol, safe: String = "", spaceAsPlus: Bool = false) -> String {
        let safeBytes = Array(safe.utf8)
        if text.utf8.allSatisfy({ isUnreserved($0) || safeBytes.contains($0) }) { return String(text) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            if isUnreserved(byte) || safeBytes.contains(byte) {
                out.append(byte)
            } else if byte == 0x20 && spaceAsPlus {
                out.append(UInt8(ascii: "+"))
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Makes an IRI (or any URL text) safe to send in a header, as Werkzeug's `iri_to_uri` does for
    /// `Location`: escapes non-ASCII bytes, controls, space and `"<>\\^`{|}`, and keeps everything else
    /// (reserved characters and existing `%XX` escapes) as it is.
    public static func encodeIRI(_ text: some StringProtocol) -> String {
        func needsEscape(_ b: UInt8) -> Bool {
            b <= 0x20 || b >= 0x7F || b == UInt8(ascii: "\"") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
                || b == UInt8(ascii: "\\") || b == UInt8(ascii: "^") || b == UInt8(ascii: "`") || b == UInt8(ascii: "{")
                || b == UInt8(ascii: "|") || b == UInt8(ascii: "}")
        }
        guard text.utf8.contains(where: needsEscape) else { return String(text) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            if needsEscape(byte) {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 15)])
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes (and `+` as space when asked). A malformed escape (`%zz`, a `%` near the
    /// end) is kept literally, as browsers and WSGI servers do; invalid UTF-8 becomes U+FFFD.
    public static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String {
        decode(text, plusAsSpace: plusAsSpace, strict: false)!
    }

    /// Decodes like ``decode(_:plusAsSpace:)`` but returns nil on a malformed escape.
    public static func decodeStrictly(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String? {
        decode(text, plusAsSpace: plusAsSpace, strict: true)
    }

    /// Decodes one form/query component (`+` as space, strict escapes) straight from bytes; nil on a
    /// malformed escape. Components without `%` or `+` are copied without a second pass.
    static func decodeFormComponent(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var needsWork = false
        for byte in bytes where byte == UInt8(ascii: "%") || byte == UInt8(ascii: "+") { needsWork = true; break }
        if !needsWork { return String(decoding: bytes, as: UTF8.self) }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
                continue
            }
            out.append(byte == UInt8(ascii: "+") ? 0x20 : byte)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decode(_ text: some StringProtocol, plusAsSpace: Bool, strict: Bool) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) {
            return String(text)
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                let h1 = utf8.index(after: i)
                if h1 != utf8.endIndex, utf8.index(after: h1) != utf8.endIndex,
                   let hi = hexValue(utf8[h1]), let lo = hexValue(utf8[utf8.index(after: h1)]) {
                    out.append(hi << 4 | lo)
                    i = utf8.index(i, offsetBy: 3)
                    continue
                }
                if strict { return nil }
                out.append(byte)
            } else if byte == UInt8(ascii: "+") && plusAsSpace {
                out.append(0x20)
            } else {
                out.append(byte)
            }
            i = utf8.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func isUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
