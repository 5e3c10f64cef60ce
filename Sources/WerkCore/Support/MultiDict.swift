/// An ordered dictionary that keeps every value of a repeated key, like Werkzeug's `MultiDict`.
///
/// Query strings, urlencoded forms and `Cookie` headers all parse into one. Subscripting returns the
/// **first** value of a key; ``values(for:)`` returns all of them in order.
///
/// ```swift
/// var d = MultiDict([("a", "1"), ("b", "2"), ("a", "3")])
/// d["a"]                 // "1"
/// d.values(for: "a")     // ["1", "3"]
/// d.append("c", "4")
/// ```
public struct MultiDict: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// The pairs in the order they were added, duplicates included.
    public private(set) var pairs: [(key: String, value: String)]

    /// An empty multi-dict.
    public init() { pairs = [] }

    /// A multi-dict holding these pairs in this order.
    public init(_ pairs: [(String, String)]) { self.pairs = pairs.map { (key: $0.0, value: $0.1) } }

    /// A multi-dict from a literal; repeated keys are kept.
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// The first value for `key`, or `nil`. Setting replaces every value of `key` with one value
    /// (at the position of the first), and setting `nil` removes the key.
    public subscript(key: String) -> String? {
        get { pairs.first(where: { $0.key == key })?.value }
        set {
            guard let newValue else { removeAll(key); return }
            if let first = pairs.firstIndex(where: { $0.key == key }) {
                pairs[first].value = newValue
                var index = pairs.index(after: first)
                while index < pairs.endIndex {
                    if pairs[index].key == key { pairs.remove(at: index) } else { index += 1 }
                }
            } else {
                pairs.append((key: key, value: newValue))
            }
        }
    }

    /// The first value for `key` converted with `transform`, or `nil` when the key is missing or the
    /// conversion fails (like Werkzeug's `get(key, type=int)`).
    public func get<T>(_ key: String, as transform: (String) -> T?) -> T? {
        self[key].flatMap(transform)
    }

    /// Every value for `key`, in order; empty when the key is missing.
    public func values(for key: String) -> [String] {
        pairs.compactMap { $0.key == key ? $0.value : nil }
    }

    /// Whether any pair has this key.
    public func contains(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    /// The distinct keys in first-seen order.
    public var keys: [String] {
        var seen = Set<String>()
        return pairs.compactMap { seen.insert($0.key).inserted ? $0.key : nil }
    }

    /// The number of pairs, duplicates included.
    public var count: Int { pairs.count }

    /// Whether there are no pairs.
    public var isEmpty: Bool { pairs.isEmpty }

    /// Adds a value after the existing ones.
    public mutating func append(_ key: String, _ value: String) { pairs.append((key: key, value: value)) }

    /// Removes every value of `key`.
    public mutating func removeAll(_ key: String) { pairs.removeAll { $0.key == key } }

    /// A plain dictionary holding the first value of each key (`to_dict(flat=True)`).
    public var firstValues: [String: String] {
        var d: [String: String] = [:]
        for p in pairs where d[p.key] == nil { d[p.key] = p.value }
        return d
    }

    /// Iterates over the pairs in order, duplicates included.
    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> { pairs.makeIterator() }

    /// Equal when the same pairs come in the same order.
    public static func == (a: MultiDict, b: MultiDict) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// `MultiDict([("a", "1"), ...])`.
    public var description: String {
        "MultiDict([" + pairs.map { "(\"\($0.key)\", \"\($0.value)\")" }.joined(separator: ", ") + "])"
    }
}
