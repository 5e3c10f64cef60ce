#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A value a converter took from the URL (`<int:id>` gives `.int`), or a rule default.
///
/// Literals work for defaults: `Route("/page/", defaults: ["n": 1])`.
public enum RouteValue: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
{
    /// Text (`string`, `path`, `any` and `default` converters).
    case string(String)
    /// An integer (`int`).
    case int(Int)
    /// A floating-point number (`float`).
    case double(Double)
    /// A UUID (`uuid`).
    case uuid(UUID)
    /// A Boolean (defaults only, unless a custom converter makes one).
    case bool(Bool)
    /// Anything a custom converter returns.
    case custom(any Sendable)

    /// A `.string` from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An `.int` from a literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A `.double` from a literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A `.bool` from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    /// A value from any Swift value: `Int`, `String`, `Double`, `UUID`, `Bool` get their own case.
    public init(_ value: any Sendable) {
        switch value {
        case let v as RouteValue: self = v
        case let v as String: self = .string(v)
        case let v as Substring: self = .string(String(v))
        case let v as Int: self = .int(v)
        case let v as Double: self = .double(v)
        case let v as UUID: self = .uuid(v)
        case let v as Bool: self = .bool(v)
        default: self = .custom(value)
        }
    }

    /// The value as Swift value (`Int`, `String`, `Double`, `UUID`, `Bool`, or the custom value).
    public var anyValue: any Sendable {
        switch self {
        case .string(let v): v
        case .int(let v): v
        case .double(let v): v
        case .uuid(let v): v
        case .bool(let v): v
        case .custom(let v): v
        }
    }

    /// The text Python's `str()` gives for the same value (a UUID in lower case).
    public var description: String {
        switch self {
        case .string(let v): v
        case .int(let v): String(v)
        case .double(let v): String(v)
        case .uuid(let v): v.uuidString.lowercased()
        case .bool(let v): v ? "True" : "False"
        case .custom(let v): String(describing: v)
        }
    }

    /// Equal when the same case holds equal values; custom values compare by their description.
    public static func == (lhs: RouteValue, rhs: RouteValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.double(a), .double(b)): a == b
        case let (.int(a), .double(b)), let (.double(b), .int(a)): Double(a) == b
        case let (.uuid(a), .uuid(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        case (.custom, _), (_, .custom): lhs.description == rhs.description
        default: false
        }
    }
}

/// Why a route value could not be read as the asked type.
public struct RouteValueError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}

/// The values of the matched route, in the order of the rule (`request.route`).
///
/// ```swift
/// Route("/users/<int:id>/<slug>") { request in
///     let id = request.route.int("id")!                   // Int
///     let slug = request.route["slug"]!                    // String
///     let same = try request.route.value("id", as: Int.self)
///     return "\(id) \(slug) \(same)"
/// }
/// ```
public struct RouteParameters: Sendable, Sequence, CustomStringConvertible {
    /// No value and one value (the common cases) are kept inline, so a match allocates nothing.
    private enum Storage: Sendable {
        case empty
        case one(String, RouteValue)
        case many([(name: String, value: RouteValue)])
    }
    private let storage: Storage

    /// The name and value pairs, rule variables first (in rule order), then defaults.
    public var pairs: [(name: String, value: RouteValue)] {
        switch storage {
        case .empty: []
        case .one(let name, let value): [(name, value)]
        case .many(let pairs): pairs
        }
    }

    /// Parameters holding these pairs.
    public init(_ pairs: [(name: String, value: RouteValue)] = []) {
        switch pairs.count {
        case 0: storage = .empty
        case 1: storage = .one(pairs[0].name, pairs[0].value)
        default: storage = .many(pairs)
        }
    }

    /// Parameters holding one pair.
    init(name: String, value: RouteValue) { storage = .one(name, value) }

    /// The typed value named `name`, or nil.
    public func routeValue(_ name: String) -> RouteValue? {
        switch storage {
        case .empty: return nil
        case .one(let key, let value): return key == name ? value : nil
        case .many(let pairs):
            for pair in pairs where pair.name == name { return pair.value }
            return nil
        }
    }

    /// The value named `name` as text (an `int` gives `"42"`), or nil.
    public subscript(name: String) -> String? { routeValue(name)?.description }

    /// The value named `name` as an `Int`, or nil when missing or not an integer.
    public func int(_ name: String) -> Int? {
        switch routeValue(name) {
        case .int(let v)?: v
        case .string(let s)?: Int(s)
        default: nil
        }
    }

    /// The value named `name` as a `Double`, or nil.
    public func double(_ name: String) -> Double? {
        switch routeValue(name) {
        case .double(let v)?: v
        case .int(let v)?: Double(v)
        case .string(let s)?: Double(s)
        default: nil
        }
    }

    /// The value named `name` as a `UUID`, or nil.
    public func uuid(_ name: String) -> UUID? {
        switch routeValue(name) {
        case .uuid(let v)?: v
        case .string(let s)?: UUID(uuidString: s)
        default: nil
        }
    }

    /// The value named `name` as `T`: the converted value when it is a `T`, otherwise the text form
    /// parsed with `T(_:)` when `T` is `LosslessStringConvertible`. Throws ``RouteValueError`` naming
    /// the value and the names that exist.
    public func value<T>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let value = routeValue(name) else {
            let known = pairs.map { "'\($0.name)'" }.joined(separator: ", ")
            throw RouteValueError(description: "The route has no value named '\(name)'"
                                  + (known.isEmpty ? "." : "; it has \(known)."))
        }
        if let typed = value.anyValue as? T { return typed }
        if let parsing = T.self as? any LosslessStringConvertible.Type,
           let parsed = parsing.init(value.description) as? T {
            return parsed
        }
        throw RouteValueError(description: "The route value '\(name)' (\(value.description)) is not a \(T.self).")
    }

    /// Whether a value named `name` exists.
    public func contains(_ name: String) -> Bool { routeValue(name) != nil }

    /// The number of values.
    public var count: Int {
        switch storage {
        case .empty: 0
        case .one: 1
        case .many(let pairs): pairs.count
        }
    }

    /// Iterates over the pairs in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: RouteValue)]> { pairs.makeIterator() }

    /// `[id: 42, slug: hello]`.
    public var description: String {
        "[" + pairs.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
