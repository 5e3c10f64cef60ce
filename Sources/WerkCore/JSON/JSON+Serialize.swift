extension JSON {
    /// The value as compact JSON text, byte-identical to Python's
    /// `json.dumps(value, separators=(",", ":"), sort_keys=sortKeys, ensure_ascii=asciiOnly)`.
    ///
    /// - Keys are sorted by Unicode code point, as Python sorts `str`. With `sortKeys: false` the order
    ///   is the dictionary's (unspecified and not stable between runs): only use it where order does
    ///   not matter.
    /// - `asciiOnly` writes every non-ASCII character (and DEL) as `\uXXXX`, with surrogate pairs
    ///   above U+FFFF, in lower-case hex like Python. Otherwise only `"`, `\` and control characters
    ///   are escaped.
    /// - Doubles use Python's `repr`: `2.5`, `1.0`, `1e+16`, `1e-05`, `-0.0`.
    /// - Non-finite doubles (NaN, ±infinity) are written as `null`. Python writes `NaN`/`Infinity`,
    ///   which is not JSON and which no strict parser (this one included) reads back.
    ///
    /// ```swift
    /// JSON.object(["b": 1, "a": "ü"]).serialized(asciiOnly: true)   // {"a":"\u00fc","b":1}
    /// ```
    public func serialized(sortKeys: Bool = true, asciiOnly: Bool = false) -> String {
        String(decoding: serializedBytes(sortKeys: sortKeys, asciiOnly: asciiOnly), as: UTF8.self)
    }

    /// The UTF-8 bytes of `serialized(sortKeys:asciiOnly:)`.
    public func serializedBytes(sortKeys: Bool = true, asciiOnly: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        JSONWriter(sortKeys: sortKeys, asciiOnly: asciiOnly).write(self, into: &out)
        return out
    }
}

struct JSONWriter {
    let sortKeys: Bool
    let asciiOnly: Bool
    private static let hex = Array("0123456789abcdef".utf8)

    func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: JSONWriter.pythonRepr(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            let keys = sortKeys
                ? members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                : Array(members.keys)
            for key in keys {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    func writeString(_ s: String, into out: inout [UInt8]) {
        // Fast path: nothing to escape, so the string's bytes go out in one copy.
        let asciiOnly = self.asciiOnly
        let copied = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for b in bytes where b == 0x22 || b == 0x5C || b < 0x20 || (asciiOnly && b >= 0x7F) { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if copied == true { return }
        out.append(UInt8(ascii: "\""))
        if asciiOnly && !s.utf8.allSatisfy({ $0 < 0x80 }) {
            for scalar in s.unicodeScalars {
                let v = scalar.value
                if v >= 0x20 && v <= 0x7E {
                    if v == 0x22 || v == 0x5C { out.append(0x5C) }
                    out.append(UInt8(v))
                } else if let short = shortEscape(v) {
                    out.append(0x5C); out.append(short)
                } else if v > 0xFFFF {
                    let n = v - 0x10000
                    writeUnicodeEscape(0xD800 | (n >> 10), into: &out)
                    writeUnicodeEscape(0xDC00 | (n & 0x3FF), into: &out)
                } else {
                    writeUnicodeEscape(v, into: &out)
                }
            }
        } else {
            for byte in s.utf8 {
                if byte == 0x22 || byte == 0x5C {
                    out.append(0x5C); out.append(byte)
                } else if byte < 0x20 || (byte == 0x7F && asciiOnly) {
                    if let short = shortEscape(UInt32(byte)) {
                        out.append(0x5C); out.append(short)
                    } else {
                        writeUnicodeEscape(UInt32(byte), into: &out)
                    }
                } else {
                    out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private func shortEscape(_ v: UInt32) -> UInt8? {
        switch v {
        case 0x08: UInt8(ascii: "b")
        case 0x09: UInt8(ascii: "t")
        case 0x0A: UInt8(ascii: "n")
        case 0x0C: UInt8(ascii: "f")
        case 0x0D: UInt8(ascii: "r")
        default: nil
        }
    }

    private func writeUnicodeEscape(_ v: UInt32, into out: inout [UInt8]) {
        out.append(0x5C); out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(JSONWriter.hex[Int((v >> UInt32(shift)) & 0xF)])
        }
    }

    /// Python's `repr(float)`: the shortest digits that round-trip (Swift's `description` computes
    /// the same digits), laid out with Python's rules: scientific when the decimal exponent is below
    /// -4 or at least 16, otherwise positional with at least one fractional digit.
    static func pythonRepr(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let text = d.magnitude.description
        var digits: [UInt8] = []
        var decimalPoint = 0  // value = 0.DIGITS × 10^decimalPoint
        let parts = text.utf8.split(separator: UInt8(ascii: "e"), maxSplits: 1, omittingEmptySubsequences: false)
        let mantissa = parts[0]
        var seenPoint = false
        for c in mantissa {
            if c == UInt8(ascii: ".") { seenPoint = true; continue }
            if !seenPoint { decimalPoint += 1 }
            digits.append(c)
        }
        if parts.count == 2 { decimalPoint += Int(String(decoding: parts[1], as: UTF8.self)) ?? 0 }
        while digits.first == UInt8(ascii: "0") { digits.removeFirst(); decimalPoint -= 1 }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        var out = d.sign == .minus ? "-" : ""
        let digitText = String(decoding: digits, as: UTF8.self)
        if decimalPoint <= -4 || decimalPoint > 16 {
            let exponent = decimalPoint - 1
            out += String(digitText.prefix(1))
            if digits.count > 1 { out += "." + digitText.dropFirst() }
            out += exponent < 0 ? "e-" : "e+"
            let magnitude = String(abs(exponent))
            out += (magnitude.count < 2 ? "0" : "") + magnitude
        } else if decimalPoint <= 0 {
            out += "0." + String(repeating: "0", count: -decimalPoint) + digitText
        } else if decimalPoint >= digits.count {
            out += digitText + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
        } else {
            out += digitText.prefix(decimalPoint) + "." + digitText.dropFirst(decimalPoint)
        }
        return out
    }
}
