/// A key for ``Storage``: a type whose `Value` is what middleware keeps on a request.
///
/// ```swift
/// enum CurrentUser: StorageKey { typealias Value = String }
/// request.storage[CurrentUser.self] = "alice"
/// ```
public protocol StorageKey {
    /// The type of the stored value.
    associatedtype Value: Sendable
}

/// Typed per-request values that middleware add (the session, the route match, profiling data).
/// Keys are types, so two middleware cannot collide by picking the same string.
///
/// A request carries a handful of values at most, so they live in a small array searched linearly:
/// one allocation for the first value, no hashing (a dictionary costs about 5x more per request).
public struct Storage: Sendable {
    @usableFromInline
    var entries: [(key: ObjectIdentifier, value: any Sendable)] = []

    /// Empty storage. Costs nothing until a value is stored.
    @inlinable
    public init() {}

    /// The value stored under `key`, or nil. Setting nil removes it.
    @inlinable
    public subscript<Key: StorageKey>(key: Key.Type) -> Key.Value? {
        get {
            let id = ObjectIdentifier(key)
            for entry in entries where entry.key == id { return entry.value as? Key.Value }
            return nil
        }
        set {
            let id = ObjectIdentifier(key)
            if let index = entries.firstIndex(where: { $0.key == id }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key: id, value: newValue))
            }
        }
    }

    /// Whether a value is stored under `key`.
    @inlinable
    public func contains<Key: StorageKey>(_ key: Key.Type) -> Bool {
        let id = ObjectIdentifier(key)
        return entries.contains { $0.key == id }
    }

    /// Room for `count` values in all, so that storing several values costs one allocation.
    package mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    /// The number of stored values.
    public var count: Int { entries.count }
}
