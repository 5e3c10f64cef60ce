/// Helpers for comma-separated header values and quoted strings, like Werkzeug's
/// `parse_list_header`, `parse_dict_header`, `quote_header_value`, `unquote_header_value` and
/// `dump_header`.
///
/// ```swift
/// HeaderValues.parseList(#"a, "b,c", d"#)      // ["a", "b,c", "d"]
/// HeaderValues.parseDict(#"a=b, c="d, e", f"#) // a: "b", c: "d, e", f: nil
/// HeaderValues.quote("bar baz")               // "\"bar baz\""
/// ```
public enum HeaderValues {
    /// Splits a comma-separated list, respecting commas inside quoted strings. Items are trimmed,
    /// empty items are dropped and surrounding quotes are removed. An unclosed quoted string makes the
    /// whole value invalid: the result is empty.
    public static func parseList(_ value: some StringProtocol) -> [String] {
        var items: [String] = []
        let bytes = Array(value.utf8)
        var start = 0
        var quote = false
        var escape = false
        var i = 0
        func flush(_ end: Int) {
            let item = trimmed(bytes, start, end)
            if item.lowerBound < item.upperBound {
                items.append(unquote(String(decoding: bytes[item], as: UTF8.self)))
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            if escape {
                escape = false
            } else if quote {
                if c == UInt8(ascii: "\\") { escape = true } else if c == UInt8(ascii: "\"") { quote = false }
            } else if c == UInt8(ascii: ",") {
                flush(i)
                start = i + 1
            } else if c == UInt8(ascii: "\"") {
                quote = true
            }
            i += 1
        }
        if quote { return [] }
        flush(bytes.count)
        return items
    }

    /// Parses a list of `key=value` items (see ``parseList(_:)``). A key without `=` has a `nil`
    /// value; an item with an empty key is dropped; a repeated key keeps its first position and takes
    /// the last value. RFC 2231 `key*=UTF-8''percent%20encoded` items become `key` with the decoded
    /// value (charsets `ascii`, `us-ascii`, `utf-8` and `iso-8859-1` only).
    public static func parseDict(_ value: some StringProtocol) -> HeaderParameters {
        var result = HeaderParameters()
        for item in parseList(value) {
            let s = Substring(item)
            guard let eq = s.firstIndex(of: "=") else {
                let key = trimmedWhitespace(s)
                if !key.isEmpty { result.set(String(key), nil) }
                continue
            }
            var key = trimmedWhitespace(s[..<eq])
            if key.isEmpty { continue }
            var v = String(trimmedWhitespace(s[s.index(after: eq)...]))
            if key.hasSuffix("*") {
                key = key.dropLast()
                if let (charset, encoded) = RFC2231.splitCharset(v) {
                    if let decoded = RFC2231.decode(encoded, charset: charset) { v = decoded } else { v = encoded }
                }
            }
            result.set(String(key), unquote(v))
        }
        return result
    }

    /// Quotes a header value when needed: a non-empty token is returned unchanged (unless
    /// `allowToken` is false), anything else is wrapped in double quotes with `\` and `"` escaped.
    /// The empty string becomes `""`.
    ///
    /// Unlike Werkzeug, CR, LF and NUL are removed so a quoted value can never split a header.
    public static func quote(_ value: some StringProtocol, allowToken: Bool = true) -> String {
        if value.isEmpty { return "\"\"" }
        if allowToken && ASCII.isToken(value) { return String(value) }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(value.utf8.count + 4)
        for c in value.utf8 {
            switch c {
            case 0x0D, 0x0A, 0x00: continue
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// Removes surrounding double quotes and the backslash before any escaped character. A value
    /// that is not quoted is returned unchanged.
    public static func unquote(_ value: some StringProtocol) -> String {
        let u = Substring(value).utf8
        guard u.count >= 2, u.first == UInt8(ascii: "\""), u.last == UInt8(ascii: "\"") else { return String(value) }
        let inner = u.dropFirst().dropLast()
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(inner.count)
        var escape = false
        for c in inner {
            if escape { out.append(c); escape = false } else if c == UInt8(ascii: "\\") { escape = true } else { out.append(c) }
        }
        if escape { out.append(UInt8(ascii: "\\")) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Joins items with `", "`, quoting each one when needed (`dump_header` for a list).
    public static func dumpList(_ items: some Sequence<String>) -> String {
        items.map { quote($0) }.joined(separator: ", ")
    }

    /// Joins `key=value` items with `", "` (`dump_header` for a dict). A `nil` value writes the key
    /// alone; a key ending in `*` is assumed to be RFC 2231 encoded already and is not quoted.
    public static func dumpDict(_ parameters: HeaderParameters) -> String {
        parameters.map { p -> String in
            guard let v = p.value else { return p.name }
            return p.name.hasSuffix("*") ? "\(p.name)=\(v)" : "\(p.name)=\(quote(v))"
        }.joined(separator: ", ")
    }

    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C
    }

    static func trimmed(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Range<Int> {
        var s = start, e = end
        while s < e, isWhitespace(bytes[s]) { s += 1 }
        while e > s, isWhitespace(bytes[e - 1]) { e -= 1 }
        return s..<e
    }

    /// The substring without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF).
    static func trimmedWhitespace(_ s: Substring) -> Substring {
        let u = s.utf8
        var start = u.startIndex, end = u.endIndex
        while start < end, isWhitespace(u[start]) { start = u.index(after: start) }
        while end > start, isWhitespace(u[u.index(before: end)]) { end = u.index(before: end) }
        return Substring(u[start..<end])
    }
}

/// One `name=value` parameter of a header; `value` is `nil` for a bare name (`no-store`, `f`).
public struct HeaderParameter: Sendable, Hashable {
    /// The parameter name as it appeared (lower-cased by the options-header parser).
    public var name: String
    /// The unquoted value, or `nil` for a name without `=`.
    public var value: String?

    /// A parameter with this name and value.
    public init(name: String, value: String?) { self.name = name; self.value = value }
}

/// An ordered list of header parameters with unique names, like the `dict` Werkzeug returns from
/// `parse_options_header` and `parse_dict_header`.
///
/// ```swift
/// var p: HeaderParameters = ["charset": "utf-8"]
/// p["charset"]            // "utf-8"
/// p["boundary"] = "x"     // appended
/// ```
public struct HeaderParameters: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The parameters in order.
    public private(set) var elements: [HeaderParameter]

    /// No parameters.
    public init() { elements = [] }

    /// Parameters from a literal; a later duplicate replaces the earlier value.
    public init(dictionaryLiteral elements: (String, String?)...) {
        self.elements = []
        for (k, v) in elements { set(k, v) }
    }

    /// The value of `name` (exact match), or `nil` when absent or a bare name. Use ``contains(_:)``
    /// to tell the two apart. Setting a value replaces it in place or appends it; setting `nil`
    /// removes the parameter.
    public subscript(name: String) -> String? {
        get { elements.first { $0.name == name }?.value ?? nil }
        set {
            if let newValue { set(name, newValue) } else { elements.removeAll { $0.name == name } }
        }
    }

    /// Stores `value` for `name` (in place, or appended); a `nil` value stores a bare name.
    public mutating func set(_ name: String, _ value: String?) {
        if let i = elements.firstIndex(where: { $0.name == name }) {
            elements[i].value = value
        } else {
            elements.append(HeaderParameter(name: name, value: value))
        }
    }

    /// The stored parameter named `name`, or `nil` when absent.
    public func parameter(named name: String) -> HeaderParameter? { elements.first { $0.name == name } }

    /// Whether a parameter with this name exists (with or without a value).
    public func contains(_ name: String) -> Bool { elements.contains { $0.name == name } }

    /// The number of parameters.
    public var count: Int { elements.count }

    /// Whether there are no parameters.
    public var isEmpty: Bool { elements.isEmpty }

    /// The parameter names in order.
    public var names: [String] { elements.map(\.name) }

    /// Iterates over the parameters in order.
    public func makeIterator() -> IndexingIterator<[HeaderParameter]> { elements.makeIterator() }
}

/// A case-insensitive ordered set of header values, for `Vary`, `Allow`, `Content-Language` and
/// the like (Werkzeug's `HeaderSet`). The first spelling of a value is kept.
///
/// ```swift
/// var vary = HeaderSet(parsing: "Accept-Encoding")
/// vary.insert("cookie")
/// vary.contains("COOKIE")    // true
/// vary.headerValue           // "Accept-Encoding, cookie"
/// ```
public struct HeaderSet: Sendable, Equatable, Sequence, ExpressibleByArrayLiteral {
    /// The values in insertion order.
    public private(set) var values: [String]

    /// An empty set.
    public init() { values = [] }

    /// A set holding these values; case-insensitive duplicates after the first are dropped.
    public init(_ values: some Sequence<String>) {
        self.values = []
        for v in values { insert(v) }
    }

    /// A set from a literal.
    public init(arrayLiteral elements: String...) { self.init(elements) }

    /// Parses a comma-separated header value (see ``HeaderValues/parseList(_:)``).
    public init(parsing header: some StringProtocol) { self.init(HeaderValues.parseList(header)) }

    /// Whether the set contains `value`, ignoring ASCII case.
    public func contains(_ value: String) -> Bool {
        values.contains { ASCII.equalsIgnoringCase($0, value) }
    }

    /// Adds `value` at the end unless it is already present (ignoring case). Returns whether it was
    /// inserted.
    @discardableResult
    public mutating func insert(_ value: String) -> Bool {
        if contains(value) { return false }
        values.append(value)
        return true
    }

    /// Removes `value` (ignoring case). Returns whether it was present.
    @discardableResult
    public mutating func remove(_ value: String) -> Bool {
        guard let i = firstIndex(of: value) else { return false }
        values.remove(at: i)
        return true
    }

    /// The position of `value` (ignoring case), or `nil`.
    public func firstIndex(of value: String) -> Int? {
        values.firstIndex { ASCII.equalsIgnoringCase($0, value) }
    }

    /// The number of values.
    public var count: Int { values.count }

    /// Whether the set is empty.
    public var isEmpty: Bool { values.isEmpty }

    /// The header value: the items joined with `", "`, quoted where needed.
    public var headerValue: String { HeaderValues.dumpList(values) }

    /// Iterates in insertion order.
    public func makeIterator() -> IndexingIterator<[String]> { values.makeIterator() }

    /// Sets are equal when they hold the same values in the same order, ignoring case.
    public static func == (a: HeaderSet, b: HeaderSet) -> Bool {
        a.values.count == b.values.count && zip(a.values, b.values).allSatisfy { ASCII.equalsIgnoringCase($0, $1) }
    }
}
