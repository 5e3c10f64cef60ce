/// Turns one variable of a rule (`<int:id>`) into a value and back, like Werkzeug's `BaseConverter`.
///
/// A converter says which text it accepts (``matches(_:)``, the job of Werkzeug's `regex`), turns it
/// into a value (``convert(_:)``; throw ``RouteValidationError`` to reject, which gives 404), and
/// writes a value back into a URL (``toURL(_:)``). ``weight`` orders dynamic parts (lower first);
/// ``isPartIsolating`` false lets the converter span `/` (like `path`).
///
/// ```swift
/// struct LowercaseConverter: RouteConverter {
///     func matches(_ text: Substring) -> Bool { text.allSatisfy { $0.isLowercase } }
/// }
/// let router = Router(converters: ["lower": { _ in LowercaseConverter() }]) {
///     Route("/tags/<lower:tag>") { request in request.route["tag"]! }
/// }
/// ```
public protocol RouteConverter: Sendable {
    /// Orders dynamic parts of a segment: lower weights are tried first (int 50, string 100, path 200).
    var weight: Int { get }
    /// Whether the value stays inside one path segment. False: it may contain `/` (then the rest of
    /// the rule is matched against the rest of the path).
    var isPartIsolating: Bool { get }
    /// Whether, next to literal text in the same part, the shortest accepted text is tried first
    /// (like a lazy regex `.*?`); the default tries the longest first.
    var prefersShortestMatch: Bool { get }
    /// Two converters with the same identity accept the same text, so rules may share a trie edge.
    var identity: String { get }
    /// Whether the whole `text` is accepted (Werkzeug's regex matching the text entirely).
    func matches(_ text: Substring) -> Bool
    /// ``matches(_:)`` on UTF-8 bytes; built-in converters implement it without allocating.
    func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool
    /// The value for accepted text; throw ``RouteValidationError`` to reject it (404).
    func convert(_ text: Substring) throws -> RouteValue
    /// ``convert(_:)`` on UTF-8 bytes.
    func convert(utf8 text: UnsafeBufferPointer<UInt8>) throws -> RouteValue
    /// The URL text for `value` (percent-encoded as needed). Throw to refuse a value when building.
    func toURL(_ value: RouteValue) throws -> String
}

extension RouteConverter {
    /// 100, Werkzeug's default.
    public var weight: Int { 100 }
    /// True.
    public var isPartIsolating: Bool { true }
    /// False.
    public var prefersShortestMatch: Bool { false }
    /// The type's name.
    public var identity: String { String(describing: Self.self) }
    /// Decodes the bytes and calls ``matches(_:)``.
    public func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        matches(Substring(String(decoding: text, as: UTF8.self)))
    }
    /// The text as a `.string`.
    public func convert(_ text: Substring) throws -> RouteValue { .string(String(text)) }
    /// Decodes the bytes and calls ``convert(_:)``.
    public func convert(utf8 text: UnsafeBufferPointer<UInt8>) throws -> RouteValue {
        try convert(Substring(String(decoding: text, as: UTF8.self)))
    }
    /// The value's text, percent-encoded with the path-safe set (Werkzeug's default `to_url`).
    public func toURL(_ value: RouteValue) throws -> String {
        PercentEncoding.encode(value.description, safe: PercentEncoding.pathSafe)
    }
}

/// Thrown by ``RouteConverter/convert(_:)`` to reject matched text: the request gets 404.
public struct RouteValidationError: Error, Sendable {
    /// Why (for logs).
    public var reason: String
    /// A rejection.
    public init(_ reason: String = "rejected by the converter") { self.reason = reason }
}

/// Makes a converter from the arguments written in the rule (`<int(min=1):id>`).
public typealias RouteConverterFactory = @Sendable (ConverterArguments) throws -> any RouteConverter

/// The arguments of a converter in a rule, parsed from Werkzeug's Python-literal syntax:
/// `True`/`False`/`None`, integers, floats, quoted strings and bare words.
public struct ConverterArguments: Sendable {
    /// Positional arguments in order; nil is `None`.
    public var positional: [RouteValue?]
    /// Keyword arguments in order; nil is `None`.
    public var keyword: [(name: String, value: RouteValue?)]

    /// Arguments.
    public init(positional: [RouteValue?] = [], keyword: [(name: String, value: RouteValue?)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// Whether there are no arguments.
    public var isEmpty: Bool { positional.isEmpty && keyword.isEmpty }

    /// Binds the arguments to parameter names the way Python binds a call: positionals first, then
    /// keywords. Throws on too many arguments, an unknown keyword or a parameter given twice.
    public func bind(_ parameters: [String]) throws -> [String: RouteValue?] {
        guard positional.count <= parameters.count else {
            throw ConverterArgumentError("takes at most \(parameters.count) arguments (\(parameters.joined(separator: ", "))), got \(positional.count)")
        }
        var bound: [String: RouteValue?] = [:]
        for (index, value) in positional.enumerated() { bound[parameters[index]] = .some(value) }
        for (name, value) in keyword {
            guard parameters.contains(name) else {
                let list = parameters.isEmpty ? "no arguments" : parameters.joined(separator: ", ")
                throw ConverterArgumentError("got an unexpected argument '\(name)' (it takes \(list))")
            }
            guard bound[name] == nil else { throw ConverterArgumentError("got '\(name)' twice") }
            bound[name] = .some(value)
        }
        return bound
    }
}

/// A converter's arguments did not fit it.
public struct ConverterArgumentError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

extension Dictionary where Key == String, Value == RouteValue? {
    /// The integer argument `name`, nil when absent or None; throws when it is not an integer.
    func intArgument(_ name: String) throws -> Int? {
        guard let entry = self[name], let value = entry else { return nil }
        guard case .int(let v) = value else { throw ConverterArgumentError("'\(name)' must be an integer, not \(value)") }
        return v
    }

    /// The number argument `name` (int or float) as a Double.
    func doubleArgument(_ name: String) throws -> Double? {
        guard let entry = self[name], let value = entry else { return nil }
        switch value {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: throw ConverterArgumentError("'\(name)' must be a number, not \(value)")
        }
    }

    /// The Boolean argument `name` (Python truthiness for numbers).
    func boolArgument(_ name: String) throws -> Bool? {
        guard let entry = self[name], let value = entry else { return nil }
        switch value {
        case .bool(let v): return v
        case .int(let v): return v != 0
        default: throw ConverterArgumentError("'\(name)' must be True or False, not \(value)")
        }
    }
}
