extension JSON {
    /// The deepest nesting of arrays and objects `parse` accepts.
    public static let maximumDepth = 512

    /// Parses one JSON text (RFC 8259) from UTF-8 bytes.
    ///
    /// Strict: no comments, trailing commas, `NaN`/`Infinity`, unescaped control characters, invalid
    /// UTF-8, lone surrogate escapes (`"\ud800"`, which a Swift `String` cannot hold), numbers too large
    /// for a `Double`, or anything after the value but whitespace. A leading UTF-8 byte-order mark is
    /// skipped, as RFC 8259 allows. Duplicate object keys: the last one wins, as in Python. Nesting is
    /// limited to `maximumDepth`. The error says what was wrong and at which byte.
    ///
    /// ```swift
    /// let value = try JSON.parse(Array(#"{"a":[1,2.5,null]}"#.utf8))
    /// ```
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSON {
        let result: Result<JSON, JSONError> = withContiguousBytes(bytes) { buffer in
            var parser = JSONParser<JSON>(buffer)
            do throws(JSONError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses one JSON text from the UTF-8 bytes of `text`; see `parse(_:)` for bytes.
    public static func parse(_ text: String) throws(JSONError) -> JSON {
        try parse(text.utf8)
    }
}

/// A tree that ``JSONParser`` can build: ``JSON`` itself, or a richer value type whose JSON subset
/// has the same shape (``FlaskTaggedJSON/Value``), built directly without an intermediate `JSON`.
package protocol JSONParsedTree {
    static var jsonNull: Self { get }
    static func jsonBool(_ value: Bool) -> Self
    static func jsonInt(_ value: Int) -> Self
    static func jsonDouble(_ value: Double) -> Self
    static func jsonString(_ value: String) -> Self
    static func jsonArray(_ value: [Self]) -> Self
    static func jsonObject(_ value: [String: Self]) -> Self
}

extension JSON: JSONParsedTree {
    package static var jsonNull: JSON { .null }
    package static func jsonBool(_ value: Bool) -> JSON { .bool(value) }
    package static func jsonInt(_ value: Int) -> JSON { .int(value) }
    package static func jsonDouble(_ value: Double) -> JSON { .double(value) }
    package static func jsonString(_ value: String) -> JSON { .string(value) }
    package static func jsonArray(_ value: [JSON]) -> JSON { .array(value) }
    package static func jsonObject(_ value: [String: JSON]) -> JSON { .object(value) }
}

/// A recursive-descent parser over a contiguous byte buffer.
package struct JSONParser<Tree: JSONParsedTree> {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    package mutating func parseDocument() throws(JSONError) -> Tree {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw JSONError("unexpected data after the JSON value", at: index) }
        return value
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONError) -> Tree {
        guard let c = peek() else { throw JSONError("expected a value but the input ended", at: index) }
        switch c {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .jsonString(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .jsonBool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .jsonBool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .jsonNull
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONError("unexpected character \(describe(c))", at: index)
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let start = index
        let n = word.utf8CodeUnitCount
        guard bytes.count - index >= n else { throw JSONError("invalid literal", at: start) }
        for i in 0..<n where bytes[index + i] != word.utf8Start[i] {
            throw JSONError("invalid literal", at: start)
        }
        index += n
    }

    private mutating func enter() throws(JSONError) {
        depth += 1
        if depth > JSON.maximumDepth {
            throw JSONError("nesting deeper than \(JSON.maximumDepth) levels", at: index)
        }
    }

    private mutating func parseArray() throws(JSONError) -> Tree {
        try enter()
        index += 1
        var elements: [Tree] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1; depth -= 1
            return .jsonArray(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; depth -= 1; return .jsonArray(elements)
            case nil: throw JSONError("unterminated array", at: index)
            case let c?: throw JSONError("expected ',' or ']' but found \(describe(c))", at: index)
            }
        }
    }

    private mutating func parseObject() throws(JSONError) -> Tree {
        try enter()
        index += 1
        var members: [String: Tree] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1; depth -= 1
            return .jsonObject(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                throw JSONError(peek() == nil ? "unterminated object" : "expected a string key", at: index)
            }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw JSONError("expected ':' after an object key", at: index) }
            index += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; depth -= 1; return .jsonObject(members)
            case nil: throw JSONError("unterminated object", at: index)
            case let c?: throw JSONError("expected ',' or '}' but found \(describe(c))", at: index)
            }
        }
    }

    private mutating func parseString() throws(JSONError) -> String {
        let start = index
        index += 1
        // Fast path: no escapes, so the bytes between the quotes are the string.
        var scan = index
        var highBits: UInt8 = 0
        while scan < bytes.count {
            let c = bytes[scan]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
            highBits |= c
            scan += 1
        }
        if scan < bytes.count, bytes[scan] == UInt8(ascii: "\"") {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[index..<scan])
            index = scan + 1
            if highBits < 0x80 { return String(decoding: raw, as: UTF8.self) }  // ASCII: nothing to validate
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw JSONError("invalid UTF-8 in string", at: start)
            }
            return s
        }
        var out: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[index..<min(scan, bytes.count)]))
        index = scan
        while true {
            guard index < bytes.count else { throw JSONError("unterminated string", at: start) }
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "\""):
                index += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw JSONError("invalid UTF-8 in string", at: start)
                }
                return s
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0..<0x20:
                throw JSONError("unescaped control character \(describe(c)) in string", at: index)
            default:
                out.append(c)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONError) {
        let start = index
        index += 1
        guard let e = peek() else { throw JSONError("unterminated escape", at: start) }
        index += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: start)
            if (0xD800...0xDBFF).contains(scalar) {
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw JSONError("lone surrogate \\u\(String(scalar, radix: 16)) in string", at: start) }
                let second = index
                index += 2
                let low = try parseHex4(escapeStart: second)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONError("lone surrogate \\u\(String(scalar, radix: 16)) in string", at: start)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw JSONError("lone surrogate \\u\(String(scalar, radix: 16)) in string", at: start)
            }
            out.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
        default:
            throw JSONError("invalid escape \\\(describe(e))", at: start)
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw JSONError("truncated \\u escape", at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw JSONError("invalid \\u escape", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONError) -> Tree {
        let start = index
        var negative = false
        if peek() == UInt8(ascii: "-") { negative = true; index += 1 }
        guard let first = peek(), isDigit(first) else { throw JSONError("invalid number", at: start) }
        // Accumulate the integer part as a negative number, so Int.min fits.
        var accumulator = 0
        var fitsInt = true
        if first == UInt8(ascii: "0") {
            index += 1
            if let c = peek(), isDigit(c) { throw JSONError("leading zeros are not allowed in numbers", at: start) }
        } else {
            while let c = peek(), isDigit(c) {
                if fitsInt {
                    let (m, o1) = accumulator.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.subtractingReportingOverflow(Int(c - UInt8(ascii: "0")))
                    if o1 || o2 { fitsInt = false } else { accumulator = s }
                }
                index += 1
            }
        }
        var integral = true
        if peek() == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard let c = peek(), isDigit(c) else { throw JSONError("expected a digit after '.'", at: index) }
            while let c = peek(), isDigit(c) { index += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            integral = false
            index += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
            guard let c = peek(), isDigit(c) else { throw JSONError("expected a digit in the exponent", at: index) }
            while let c = peek(), isDigit(c) { index += 1 }
        }
        if integral && fitsInt {
            if negative { return .jsonInt(accumulator) }
            if accumulator != Int.min { return .jsonInt(-accumulator) }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw JSONError("number \(text.prefix(40)) is out of range", at: start)
        }
        return .jsonDouble(d)
    }

    private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    private func describe(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
    }
}
