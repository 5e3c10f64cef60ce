/// An ordered list of HTTP header fields with case-insensitive lookup. Duplicates are kept in order,
/// as HTTP requires for fields such as `Set-Cookie`.
///
/// ```swift
/// var h: Headers = ["Content-Type": "text/plain"]
/// h.add("Set-Cookie", "a=1")
/// h.add("Set-Cookie", "b=2")
/// h["content-type"]              // "text/plain"
/// h.values(for: "set-cookie")    // ["a=1", "b=2"]
/// ```
public struct Headers: Sendable, Sequence, ExpressibleByDictionaryLiteral, Equatable, CustomStringConvertible {
    /// One header field.
    public struct Field: Sendable, Equatable {
        /// The name as it was given (case kept).
        public var name: String
        /// The value, without surrounding whitespace.
        public var value: String
        /// A field.
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    /// The fields in order.
    public private(set) var fields: [Field]

    /// No fields.
    public init() { fields = [] }

    /// Makes room for `count` fields, so adding that many does not reallocate (parsers use it).
    public mutating func reserveCapacity(_ count: Int) { fields.reserveCapacity(count) }
    /// These fields in this order.
    public init(_ pairs: [(String, String)]) { fields = pairs.map { Field(name: $0.0, value: $0.1) } }
    /// Fields from a literal; order is kept.
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// The number of fields, duplicates included.
    public var count: Int { fields.count }
    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// The first value of `name`, or nil. Setting replaces every field of that name with one field
    /// (at the end); setting nil removes them.
    public subscript(name: String) -> String? {
        get {
            for index in fields.indices where ASCII.equalsIgnoringCase(fields[index].name, name) {
                return fields[index].value
            }
            return nil
        }
        set {
            if let newValue { set(name, newValue) } else { remove(name) }
        }
    }

    /// Every value of `name` in order.
    public func values(for name: String) -> [String] {
        fields.compactMap { ASCII.equalsIgnoringCase($0.name, name) ? $0.value : nil }
    }

    /// The values of `name` joined as one comma-separated list, as RFC 9110 §5.3 allows for list
    /// fields (not for `Set-Cookie`). Nil when absent.
    public func combinedValue(for name: String) -> String? {
        let all = values(for: name)
        return all.isEmpty ? nil : all.joined(separator: ", ")
    }

    /// Whether any field has this name.
    public func contains(_ name: String) -> Bool {
        fields.contains { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field of `name` with one field holding `value`. The field keeps the position of
    /// the first existing one, or goes at the end.
    public mutating func set(_ name: String, _ value: String) {
        if let first = fields.firstIndex(where: { ASCII.equalsIgnoringCase($0.name, name) }) {
            fields[first].value = value
            var index = first + 1
            while index < fields.count {
                if ASCII.equalsIgnoringCase(fields[index].name, name) { fields.remove(at: index) } else { index += 1 }
            }
        } else {
            fields.append(Field(name: name, value: value))
        }
    }

    /// Adds the field only when no field of that name exists.
    public mutating func setIfAbsent(_ name: String, _ value: String) {
        if !contains(name) { fields.append(Field(name: name, value: value)) }
    }

    /// Removes every field of `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Appends every field of `other`.
    public mutating func add(contentsOf other: Headers) { fields.append(contentsOf: other.fields) }

    /// Iterates over the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first field whose name or value cannot be sent as is: a name that is not a token, or a value
    /// containing CR, LF or NUL (header injection). Nil when every field is safe to serialize.
    public var firstInvalidField: Field? {
        fields.first { field in
            !ASCII.isToken(field.name)
                || field.value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
        }
    }

    /// `Name: value` lines, in order.
    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }
}
