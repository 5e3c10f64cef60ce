/// Base64 in the standard (`+/`) and URL-safe (`-_`) alphabets, as RFC 4648 defines them.
///
/// Encoding can omit the `=` padding (itsdangerous and Flask strip it); decoding accepts input with or
/// without padding and rejects any character outside the chosen alphabet.
///
/// ```swift
/// Base64.encode(Array("hello".utf8), urlSafe: true, padding: false)   // "aGVsbG8"
/// Base64.decode("aGVsbG8", urlSafe: true)                              // [104, 101, 108, 108, 111]
/// ```
public enum Base64 {
    private static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlSafe = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes bytes; `urlSafe` picks the `-_` alphabet and `padding` adds trailing `=`.
    public static func encode(_ bytes: some Collection<UInt8>, urlSafe: Bool = false, padding: Bool = true) -> String {
        withContiguousBytes(bytes) { input in
            let outputCount = encodedCount(input.count, padding: padding)
            return String(unsafeUninitializedCapacity: outputCount) { out in
                encode(input, urlSafe: urlSafe, padding: padding, into: out.baseAddress!)
            }
        }
    }

    /// The length of the encoding of `count` bytes.
    @inline(__always)
    package static func encodedCount(_ count: Int, padding: Bool) -> Int {
        padding ? (count + 2) / 3 * 4 : (count * 4 + 2) / 3
    }

    /// Encodes `input` into `out`, which has room for ``encodedCount(_:padding:)`` bytes; returns
    /// the number of bytes written.
    package static func encode(
        _ input: UnsafeRawBufferPointer, urlSafe: Bool, padding: Bool, into out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let table = urlSafe ? Self.urlSafe : Self.standard
        return table.withUnsafeBufferPointer { table in
            var o = 0
            var i = 0
            while i + 3 <= input.count {
                let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                out[o] = table[Int(n >> 18)]; out[o + 1] = table[Int(n >> 12 & 63)]
                out[o + 2] = table[Int(n >> 6 & 63)]; out[o + 3] = table[Int(n & 63)]
                o += 4; i += 3
            }
            let rest = input.count - i
            if rest > 0 {
                let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                out[o] = table[Int(n >> 18)]; out[o + 1] = table[Int(n >> 12 & 63)]; o += 2
                if rest == 2 { out[o] = table[Int(n >> 6 & 63)]; o += 1 }
                if padding {
                    for _ in 0..<(3 - rest) { out[o] = UInt8(ascii: "="); o += 1 }
                }
            }
            return o
        }
    }

    /// Decodes text in the chosen alphabet. Padding is optional; returns `nil` for any other character,
    /// for misplaced padding, or for a length that no encoding produces.
    public static func decode(_ text: some StringProtocol, urlSafe: Bool = false) -> [UInt8]? {
        var out: [UInt8] = []
        let ok = withContiguousBytes(text.utf8) { decode($0, urlSafe: urlSafe, appendingTo: &out) }
        return ok ? out : nil
    }

    /// Decodes base64 text given as bytes, appending to `out`, with the rules of
    /// ``decode(_:urlSafe:)``. Returns false (leaving `out` partly written) when the text is invalid.
    package static func decode(_ text: UnsafeRawBufferPointer, urlSafe: Bool, appendingTo out: inout [UInt8]) -> Bool {
        var count = text.count
        while count > 0 && text[count - 1] == UInt8(ascii: "=") { count -= 1 }
        if count % 4 == 1 { return false }
        let padding = text.count - count
        // Padding, when present, must complete the last 4-character group ("Zg==", not "Zg=" or "Zm8==").
        if padding > 2 || (padding > 0 && (count + padding) % 4 != 0) { return false }
        // Every 6 bits in, whole bytes out: exactly count * 3 / 4 bytes, written in place.
        let decodedCount = count * 3 / 4
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: decodedCount))
        let valid = (urlSafe ? Base64.urlSafeValues : Base64.standardValues).withUnsafeBufferPointer { values in
            out.withUnsafeMutableBufferPointer { buffer -> Bool in
                let o = buffer.baseAddress! + start
                var acc: UInt32 = 0
                var bits: UInt32 = 0
                var written = 0
                var bad: UInt8 = 0
                for i in 0..<count {
                    let v = values[Int(text[i])]
                    bad |= v
                    acc = acc << 6 | UInt32(v & 63)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        o[written] = UInt8(truncatingIfNeeded: acc >> bits)
                        written += 1
                    }
                }
                return bad & 0x80 == 0
            }
        }
        return valid
    }

    /// Each byte's 6-bit value in an alphabet, or 0xFF for a byte outside it.
    private static let standardValues: [UInt8] = (0..<256).map { value(of: UInt8($0), urlSafe: false) ?? 0xFF }
    private static let urlSafeValues: [UInt8] = (0..<256).map { value(of: UInt8($0), urlSafe: true) ?? 0xFF }

    /// The 6-bit value of one base64 character, or nil outside the alphabet.
    @inline(__always)
    package static func value(of c: UInt8, urlSafe: Bool) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+") where !urlSafe, UInt8(ascii: "-") where urlSafe: return 62
        case UInt8(ascii: "/") where !urlSafe, UInt8(ascii: "_") where urlSafe: return 63
        default: return nil
        }
    }
}
