import WerkCore

/// Flask's tagged JSON (`flask.json.tag.TaggedJSONSerializer`), the payload format of Flask session
/// cookies: Python types that JSON lacks travel as one-key objects whose key is a tag.
///
/// | Python | tagged JSON | `Value` |
/// |---|---|---|
/// | `tuple` | `{" t":[…]}` | `.tuple` |
/// | `bytes` | `{" b":"<standard base64>"}` | `.bytes` |
/// | `datetime` | `{" d":"Tue, 02 Jan 2024 03:04:05 GMT"}` | `.dateTime` (Unix seconds) |
/// | `UUID` | `{" u":"<32 hex>"}` | `.uuid` |
/// | `Markup` | `{" m":"…"}` | `.markup` |
/// | a one-key dict whose key is a tag | `{" di":{"<key>__":…}}` | `.object` |
///
/// ```swift
/// let flashes: FlaskTaggedJSON.Value = .array([.tuple([.string("message"), .string("Saved")])])
/// FlaskTaggedJSON.tag(.object(["_flashes": flashes])).serialized()
/// // {"_flashes":[{" t":["message","Saved"]}]}
/// let value = try FlaskTaggedJSON.untag(json)     // back to .tuple etc.
/// ```
public enum FlaskTaggedJSON {
    /// The tag names Flask registers, which are also the keys that get escaped with `" di"`.
    public static let tagNames: Set<String> = [" di", " t", " b", " m", " u", " d"]

    /// A value as a Flask app sees it: JSON plus the tagged Python types.
    public indirect enum Value: Sendable, Hashable {
        /// `None`.
        case null
        /// `bool`.
        case bool(Bool)
        /// `int` (that fits `Int`).
        case int(Int)
        /// `float`.
        case double(Double)
        /// `str`.
        case string(String)
        /// `list`.
        case array([Value])
        /// `dict` with string keys.
        case object([String: Value])
        /// `tuple`, e.g. Flask's flashed `(category, message)` pairs.
        case tuple([Value])
        /// `bytes`.
        case bytes([UInt8])
        /// `datetime`, in whole Unix seconds (Flask's HTTP-date form has no sub-second part or zone).
        case dateTime(Int)
        /// `uuid.UUID`, as lower-case hex in the 8-4-4-4-12 form.
        case uuid(String)
        /// `markupsafe.Markup`: HTML that is already safe.
        case markup(String)

        /// The same value without tagged types, for plain JSON: a JSON array stays `.array`, an
        /// object `.object`, and so on.
        public init(_ json: JSON) {
            switch json {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .int(let i): self = .int(i)
            case .double(let d): self = .double(d)
            case .string(let s): self = .string(s)
            case .array(let a): self = .array(a.map(Value.init))
            case .object(let o): self = .object(o.mapValues(Value.init))
            }
        }

        /// A plain-JSON view that drops the Python types: tuples become arrays, bytes standard base64
        /// strings, dates IMF-fixdate strings, UUIDs and markup their strings.
        public var plainJSON: JSON {
            switch self {
            case .null: .null
            case .bool(let b): .bool(b)
            case .int(let i): .int(i)
            case .double(let d): .double(d)
            case .string(let s): .string(s)
            case .array(let a), .tuple(let a): .array(a.map(\.plainJSON))
            case .object(let o): .object(o.mapValues(\.plainJSON))
            case .bytes(let b): .string(Base64.encode(b))
            case .dateTime(let t): .string(HTTPDate.format(t))
            case .uuid(let u), .markup(let u): .string(u)
            }
        }
    }

    /// Why `untag` refused a value.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// The tag whose content was invalid, e.g. `" b"`.
        public let tag: String
        /// What was wrong with it.
        public let reason: String

        /// `invalid Flask tag " b": …`.
        public var description: String { "invalid Flask tag \"\(tag)\": \(reason)" }
    }

    /// The tagged JSON Flask writes for `value`.
    public static func tag(_ value: Value) -> JSON {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(tag))
        case .object(let o):
            if o.count == 1, let (key, inner) = o.first, tagNames.contains(key) {
                return .object([" di": .object([key + "__": tag(inner)])])
            }
            return .object(o.mapValues(tag))
        case .tuple(let a): return .object([" t": .array(a.map(tag))])
        case .bytes(let b): return .object([" b": .string(Base64.encode(b))])
        case .dateTime(let t): return .object([" d": .string(HTTPDate.format(t))])
        case .uuid(let u):
            let hex = String((canonicalUUID(u) ?? u).unicodeScalars.filter { $0 != "-" })
            return .object([" u": .string(hex)])
        case .markup(let m): return .object([" m": .string(m)])
        }
    }

    /// The value of Flask's tagged JSON: every one-key object whose key is a tag is converted,
    /// innermost first, as Flask's `_untag_scan` does. Throws when a tag's content is invalid
    /// (e.g. `{" b": "%%%"}`).
    public static func untag(_ json: JSON) throws(FlaskTaggedJSON.Error) -> Value {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a):
            var out: [Value] = []
            out.reserveCapacity(a.count)
            for element in a { out.append(try untag(element)) }
            return .array(out)
        case .object(let o):
            var members: [String: Value] = [:]
            for (key, member) in o { members[key] = try untag(member) }
            guard members.count == 1, let (key, inner) = members.first, tagNames.contains(key) else {
                return .object(members)
            }
            return try untagOne(key, inner)
        }
    }

    /// The value of Flask's tagged JSON given as UTF-8 bytes: `untag(JSON.parse(bytes))`, or nil
    /// when either throws. When no object key can start with a space (every tag does), the bytes
    /// are parsed straight into a `Value`, skipping the intermediate `JSON` and the untag walk.
    public static func value(parsing bytes: [UInt8]) -> Value? {
        let direct: Value?? = bytes.withUnsafeBytes { buffer -> Value?? in
            guard !mayContainTag(buffer) else { return .none }
            var parser = JSONParser<Value>(buffer)
            return .some(try? parser.parseDocument())
        }
        if let direct { return direct }
        guard let json = try? JSON.parse(bytes) else { return nil }
        return try? untag(json)
    }

    /// Whether some string in the JSON text might start with a space, i.e. a `"` followed by a
    /// space or by `\u0020`. False positives are harmless (the slow path runs); a tag key can never
    /// be missed, since its opening quote is a literal `"` and its space is either literal or that
    /// escape.
    static func mayContainTag(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        var i = 0
        while i + 1 < n {
            if bytes[i] == UInt8(ascii: "\"") {
                let next = bytes[i + 1]
                if next == 0x20 { return true }
                if next == UInt8(ascii: "\\") && i + 6 < n && bytes[i + 2] == UInt8(ascii: "u") && bytes[i + 3] == UInt8(ascii: "0")
                    && bytes[i + 4] == UInt8(ascii: "0") && bytes[i + 5] == UInt8(ascii: "2") && bytes[i + 6] == UInt8(ascii: "0") {
                    return true
                }
            }
            i += 1
        }
        return false
    }

    private static func untagOne(_ tag: String, _ inner: Value) throws(FlaskTaggedJSON.Error) -> Value {
        func fail(_ reason: String) -> FlaskTaggedJSON.Error { FlaskTaggedJSON.Error(tag: tag, reason: reason) }
        switch (tag, inner) {
        case (" di", .object(let o)) where o.count == 1:
            let (key, value) = o.first!
            return .object([String(String.UnicodeScalarView(key.unicodeScalars.dropLast(2))): value])
        case (" t", .array(let a)), (" t", .tuple(let a)):
            return .tuple(a)
        case (" b", .string(let s)):
            guard let bytes = Base64.decode(s) else { throw fail("not valid base64") }
            return .bytes(bytes)
        case (" d", .string(let s)):
            guard let t = HTTPDate.parse(s) else { throw fail("not an HTTP date: \(s.prefix(40))") }
            return .dateTime(t)
        case (" u", .string(let s)):
            guard let u = canonicalUUID(s) else { throw fail("not a UUID: \(s.prefix(40))") }
            return .uuid(u)
        case (" m", .string(let s)):
            return .markup(s)
        default:
            throw fail("unexpected content")
        }
    }

    /// The 8-4-4-4-12 lower-case form of a UUID written as Python's `uuid.UUID()` accepts it:
    /// 32 hex digits, optionally with hyphens, braces and a `urn:uuid:` prefix.
    static func canonicalUUID(_ text: String) -> String? {
        var s = Substring(text)
        if s.hasPrefix("urn:") { s = s.dropFirst(4) }
        if s.hasPrefix("uuid:") { s = s.dropFirst(5) }
        while s.first == "{" { s = s.dropFirst() }
        while s.last == "}" { s = s.dropLast() }
        let hex = s.utf8.filter { $0 != UInt8(ascii: "-") }
        guard hex.count == 32, let bytes = Hex.decode(String(decoding: hex, as: UTF8.self)) else { return nil }
        let h = Hex.encode(bytes)
        let groups = [h.prefix(8), h.dropFirst(8).prefix(4), h.dropFirst(12).prefix(4), h.dropFirst(16).prefix(4),
                      h.dropFirst(20)]
        return groups.joined(separator: "-")
    }
}

extension FlaskTaggedJSON.Value: JSONParsedTree {
    package static var jsonNull: Self { .null }
    package static func jsonBool(_ value: Bool) -> Self { .bool(value) }
    package static func jsonInt(_ value: Int) -> Self { .int(value) }
    package static func jsonDouble(_ value: Double) -> Self { .double(value) }
    package static func jsonString(_ value: String) -> Self { .string(value) }
    package static func jsonArray(_ value: [Self]) -> Self { .array(value) }
    package static func jsonObject(_ value: [String: Self]) -> Self { .object(value) }
}
