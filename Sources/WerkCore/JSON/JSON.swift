/// A JSON value: what `request.json` gives and `Response.json` takes.
///
/// Parse with `JSON.parse(bytes)`, write with `serialized()` (byte-identical to Python's
/// `json.dumps(v, separators=(",", ":"), sort_keys=True)`), build with literals:
///
/// ```swift
/// let value: JSON = ["user_id": 42, "tags": ["a", "b"], "admin": false, "note": nil]
/// value["user_id"]?.intValue          // 42
/// value["tags"]?[1]?.stringValue      // "b"
/// value.serialized()                  // {"admin":false,"note":null,"tags":["a","b"],"user_id":42}
/// ```
///
/// Numbers: integers that fit `Int` are `.int`; anything with a fraction or exponent, or too large
/// for `Int`, is `.double`. `.int(1)` and `.double(1)` are different values.
public enum JSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer that fits in `Int`.
    case int(Int)
    /// A floating-point number. Non-finite values serialize as `null` (see `serialized`).
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object. Keys are unordered here; serialization sorts them by default.
    case object([String: JSON])
}

extension JSON {
    /// The member named `key` of an object; `nil` if this is not an object or has no such member.
    /// Setting on an object adds, replaces or (with `nil`) removes the member; setting on anything
    /// else has no effect.
    public subscript(key: String) -> JSON? {
        get {
            guard case .object(let members) = self else { return nil }
            return members[key]
        }
        set {
            guard case .object(var members) = self else { return }
            self = .null  // drop the reference so the dictionary is mutated in place
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The element at `index` of an array; `nil` if this is not an array or the index is out of range.
    public subscript(index: Int) -> JSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// The Boolean, if this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The integer, if this is `.int`, or a `.double` with an exact `Int` value (`2.0` gives 2).
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d): return Int(exactly: d)
        default: return nil
        }
    }

    /// The number as a `Double`, if this is `.double` or `.int`.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The string, if this is `.string`.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, if this is `.array`.
    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, if this is `.object`.
    public var objectValue: [String: JSON]? {
        if case .object(let o) = self { return o }
        return nil
    }
}

extension JSON: CustomStringConvertible {
    /// The compact serialization with sorted keys, as `serialized()` writes it.
    public var description: String { serialized() }
}

extension JSON: ExpressibleByNilLiteral {
    /// `nil` is `null`.
    public init(nilLiteral: ()) { self = .null }
}

extension JSON: ExpressibleByBooleanLiteral {
    /// `true` / `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSON: ExpressibleByIntegerLiteral {
    /// An integer literal is `.int`.
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension JSON: ExpressibleByFloatLiteral {
    /// A float literal is `.double`.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSON: ExpressibleByStringLiteral {
    /// A string literal is `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSON: ExpressibleByArrayLiteral {
    /// An array literal is `.array`.
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON: ExpressibleByDictionaryLiteral {
    /// A dictionary literal is `.object`; for a repeated key the last value wins.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// Why `JSON.parse` rejected its input, and where.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, e.g. `unterminated string` or `nesting deeper than 512 levels`.
    public let reason: String
    /// The offset, in bytes from the start of the input, where the problem was found.
    public let offset: Int

    /// Creates an error.
    public init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// `invalid JSON at byte N: reason`.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
