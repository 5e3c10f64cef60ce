#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Werkzeug's converters: `default`/`string`, `path`, `int`, `float`, `uuid`, `any`.
public enum RouteConverters {
    /// The converters every ``Router`` knows, by name; a router's own `converters` add to or replace them.
    public static let builtIn: [String: RouteConverterFactory] = [
        "default": { try StringConverter(arguments: $0) },
        "string": { try StringConverter(arguments: $0) },
        "path": { args in
            _ = try args.bind([])
            return PathConverter()
        },
        "int": { try IntConverter(arguments: $0) },
        "float": { try FloatConverter(arguments: $0) },
        "uuid": { args in
            _ = try args.bind([])
            return UUIDConverter()
        },
        "any": { try AnyConverter(arguments: $0) },
    ]
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

/// `<name>`, `<string(minlength=1, maxlength=None, length=None):name>`: one segment of at least
/// `minlength` characters (code points), at most `maxlength`, or exactly `length`.
public struct StringConverter: RouteConverter {
    /// The fewest characters accepted.
    public var minLength: Int
    /// The most characters accepted; nil: no limit.
    public var maxLength: Int?

    /// A converter accepting `minLength...maxLength` characters (`length` sets both).
    public init(minLength: Int = 1, maxLength: Int? = nil, length: Int? = nil) {
        self.minLength = length ?? minLength
        self.maxLength = length ?? maxLength
    }

    init(arguments: ConverterArguments) throws {
        let a = try arguments.bind(["minlength", "maxlength", "length"])
        self.init(minLength: try a.intArgument("minlength") ?? 1, maxLength: try a.intArgument("maxlength"),
                  length: try a.intArgument("length"))
    }

    /// Rules whose converters share this identity share a trie edge.
    public var identity: String { "string{\(minLength),\(maxLength.map(String.init) ?? "")}" }

    /// Whether the whole `text` is accepted.
    public func matches(_ text: Substring) -> Bool {
        var copy = String(text)
        return copy.withUTF8 { matches(utf8: $0) }
    }

    /// Whether the whole UTF-8 `text` is accepted, without allocating.
    public func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        var characters = 0
        for byte in text {
            if byte == UInt8(ascii: "/") { return false }
            if byte & 0xC0 != 0x80 { characters += 1 }
        }
        return characters >= minLength && characters <= (maxLength ?? .max)
    }

    /// The value for accepted UTF-8 text.
    public func convert(utf8 text: UnsafeBufferPointer<UInt8>) throws -> RouteValue {
        .string(String(decoding: text, as: UTF8.self))
    }
}

/// `<path:name>`: one or more segments, `/` included (Werkzeug's `[^/].*?`), weight 200.
public struct PathConverter: RouteConverter {
    /// The converter.
    public init() {}
    /// The weight ordering dynamic parts (lower first).
    public var weight: Int { 200 }
    /// False: the value may contain `/`.
    public var isPartIsolating: Bool { false }
    /// True: the shortest text is tried first, like the lazy regex `.*?`.
    public var prefersShortestMatch: Bool { true }
    /// Rules whose converters share this identity share a trie edge.
    public var identity: String { "path" }

    /// Whether the whole `text` is accepted.
    public func matches(_ text: Substring) -> Bool {
        var copy = String(text)
        return copy.withUTF8 { matches(utf8: $0) }
    }

    /// Whether the whole UTF-8 `text` is accepted, without allocating.
    public func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = text.first, first != UInt8(ascii: "/") else { return false }
        return !text.dropFirst().contains(UInt8(ascii: "\n"))
    }

    /// The value for accepted UTF-8 text.
    public func convert(utf8 text: UnsafeBufferPointer<UInt8>) throws -> RouteValue {
        .string(String(decoding: text, as: UTF8.self))
    }
}

/// `<int(fixed_digits=0, min=None, max=None, signed=False):name>`: ASCII digits (a leading `-` when
/// signed), weight 50. `fixed_digits` requires that many characters and pads when building.
public struct IntConverter: RouteConverter {
    /// The exact length of the text (0: any); building pads with zeros to it.
    public var fixedDigits: Int
    /// The smallest value accepted.
    public var min: Int?
    /// The largest value accepted.
    public var max: Int?
    /// Whether a leading `-` is accepted.
    public var signed: Bool

    /// A converter with Werkzeug's defaults.
    public init(fixedDigits: Int = 0, min: Int? = nil, max: Int? = nil, signed: Bool = false) {
        self.fixedDigits = fixedDigits
        self.min = min
        self.max = max
        self.signed = signed
    }

    init(arguments: ConverterArguments) throws {
        let a = try arguments.bind(["fixed_digits", "min", "max", "signed"])
        self.init(fixedDigits: try a.intArgument("fixed_digits") ?? 0, min: try a.intArgument("min"),
                  max: try a.intArgument("max"), signed: try a.boolArgument("signed") ?? false)
    }

    /// The weight ordering dynamic parts (lower first).
    public var weight: Int { 50 }
    /// Rules whose converters share this identity share a trie edge.
    public var identity: String { signed ? "int-signed" : "int" }

    /// Whether the whole `text` is accepted.
    public func matches(_ text: Substring) -> Bool {
        var copy = String(text)
        return copy.withUTF8 { matches(utf8: $0) }
    }

    /// Whether the whole UTF-8 `text` is accepted, without allocating.
    public func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = text[...]
        if signed, digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }

    /// The value for accepted UTF-8 text.
    public func convert(utf8 text: UnsafeBufferPointer<UInt8>) throws -> RouteValue {
        if fixedDigits != 0 && text.count != fixedDigits { throw RouteValidationError("expected \(fixedDigits) digits") }
        var negative = false
        var value = 0
        for byte in text {
            if byte == UInt8(ascii: "-") { negative = true; continue }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(byte &- 48))
            if o1 || o2 { throw RouteValidationError("integer too large") }
            value = sum
        }
        if negative { value = -value }
        if let min, value < min { throw RouteValidationError("below \(min)") }
        if let max, value > max { throw RouteValidationError("above \(max)") }
        return .int(value)
    }

    /// The value for accepted text.
    public func convert(_ text: Substring) throws -> RouteValue {
        var copy = String(text)
        return try copy.withUTF8 { try convert(utf8: $0) }
    }

    /// The URL text for `value`.
    public func toURL(_ value: RouteValue) throws -> String {
        let number: Int
        switch value {
        case .int(let v): number = v
        case .double(let v) where v.isFinite: number = Int(v)
        case .bool(let v): number = v ? 1 : 0
        default:
            guard let parsed = Int(value.description.trimmingSpaces) else {
                throw ConverterArgumentError("'\(value)' is not an integer")
            }
            number = parsed
        }
        var text = String(number.magnitude)
        if text.count < fixedDigits - (number < 0 ? 1 : 0) {
            text = String(repeating: "0", count: fixedDigits - (number < 0 ? 1 : 0) - text.count) + text
        }
        return number < 0 ? "-" + text : text
    }
}

/// `<float(min=None, max=None, signed=False):name>`: `digits.digits` (a leading `-` when signed),
/// weight 50.
public struct FloatConverter: RouteConverter {
    /// The smallest value accepted.
    public var min: Double?
    /// The largest value accepted.
    public var max: Double?
    /// Whether a leading `-` is accepted.
    public var signed: Bool

    /// A converter with Werkzeug's defaults.
    public init(min: Double? = nil, max: Double? = nil, signed: Bool = false) {
        self.min = min
        self.max = max
        self.signed = signed
    }

    init(arguments: ConverterArguments) throws {
        let a = try arguments.bind(["min", "max", "signed"])
        self.init(min: try a.doubleArgument("min"), max: try a.doubleArgument("max"),
                  signed: try a.boolArgument("signed") ?? false)
    }

    /// The weight ordering dynamic parts (lower first).
    public var weight: Int { 50 }
    /// Rules whose converters share this identity share a trie edge.
    public var identity: String { signed ? "float-signed" : "float" }

    /// Whether the whole `text` is accepted.
    public func matches(_ text: Substring) -> Bool {
        var copy = String(text)
        return copy.withUTF8 { matches(utf8: $0) }
    }

    /// Whether the whole UTF-8 `text` is accepted, without allocating.
    public func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        var rest = text[...]
        if signed, rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
        guard let dot = rest.firstIndex(of: UInt8(ascii: ".")) else { return false }
        let whole = rest[..<dot], fraction = rest[(dot + 1)...]
        return !whole.isEmpty && !fraction.isEmpty && whole.allSatisfy(isDigit) && fraction.allSatisfy(isDigit)
    }

    /// The value for accepted text.
    public func convert(_ text: Substring) throws -> RouteValue {
        guard let value = Double(text) else { throw RouteValidationError("not a number") }
        if let min, value < min { throw RouteValidationError("below \(min)") }
        if let max, value > max { throw RouteValidationError("above \(max)") }
        return .double(value)
    }

    /// The value for accepted UTF-8 text.
    public func convert(utf8 text: UnsafeBufferPointer<UInt8>) throws -> RouteValue {
        try convert(Substring(String(decoding: text, as: UTF8.self)))
    }

    /// The URL text for `value`.
    public func toURL(_ value: RouteValue) throws -> String {
        switch value {
        case .double(let v): return String(v)
        case .int(let v): return String(Double(v))
        default:
            guard let parsed = Double(value.description.trimmingSpaces) else {
                throw ConverterArgumentError("'\(value)' is not a number")
            }
            return String(parsed)
        }
    }
}

/// `<uuid:name>`: 8-4-4-4-12 hex digits, converted to `UUID`; built in lower case.
public struct UUIDConverter: RouteConverter {
    /// The converter.
    public init() {}
    /// Rules whose converters share this identity share a trie edge.
    public var identity: String { "uuid" }

    /// Whether the whole `text` is accepted.
    public func matches(_ text: Substring) -> Bool {
        var copy = String(text)
        return copy.withUTF8 { matches(utf8: $0) }
    }

    /// Whether the whole UTF-8 `text` is accepted, without allocating.
    public func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == 36 else { return false }
        for (i, c) in text.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !(isDigit(c) || (ASCII.lowercase(c) &- 97 < 6)) {
                return false
            }
        }
        return true
    }

    /// The value for accepted text.
    public func convert(_ text: Substring) throws -> RouteValue {
        guard let uuid = UUID(uuidString: String(text)) else { throw RouteValidationError("not a UUID") }
        return .uuid(uuid)
    }

    /// The value for accepted UTF-8 text.
    public func convert(utf8 text: UnsafeBufferPointer<UInt8>) throws -> RouteValue {
        try convert(Substring(String(decoding: text, as: UTF8.self)))
    }

    /// The URL text for `value`.
    public func toURL(_ value: RouteValue) throws -> String {
        if case .uuid(let u) = value { return u.uuidString.lowercased() }
        return PercentEncoding.encode(value.description, safe: PercentEncoding.pathSafe)
    }
}

/// `<any(about, help, "foo,bar"):name>`: exactly one of the items. Building refuses other values.
public struct AnyConverter: RouteConverter {
    /// The accepted values.
    public var items: [String]

    /// A converter accepting `items`.
    public init(_ items: [String]) { self.items = items }

    init(arguments: ConverterArguments) throws {
        guard arguments.keyword.isEmpty else { throw ConverterArgumentError("takes only positional items") }
        self.init(arguments.positional.map { $0?.description ?? "None" })
    }

    /// Rules whose converters share this identity share a trie edge.
    public var identity: String { "any(" + items.joined(separator: "|") + ")" }

    /// Whether the whole `text` is accepted.
    public func matches(_ text: Substring) -> Bool { items.contains { $0.utf8.elementsEqual(text.utf8) } }

    /// Whether the whole UTF-8 `text` is accepted, without allocating.
    public func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        items.contains { $0.utf8.elementsEqual(text) }
    }

    /// The value for accepted UTF-8 text.
    public func convert(utf8 text: UnsafeBufferPointer<UInt8>) throws -> RouteValue {
        .string(String(decoding: text, as: UTF8.self))
    }

    /// The URL text for `value`.
    public func toURL(_ value: RouteValue) throws -> String {
        let text = value.description
        if items.contains(text) { return text }
        throw ConverterArgumentError("'\(text)' is not one of " + items.sorted().map { "'\($0)'" }.joined(separator: ", "))
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let scalars = unicodeScalars
        let start = scalars.firstIndex { $0 != " " } ?? scalars.endIndex
        let end = scalars.lastIndex { $0 != " " }.map { scalars.index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
