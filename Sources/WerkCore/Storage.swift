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
public struct Storage: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    /// Empty storage. Costs nothing until a value is stored.
    public init() {}

    /// The value stored under `key`, or nil.
    public subscript<Key: StorageKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }

    /// Whether a value is stored under `key`.
    public func contains<Key: StorageKey>(_ key: Key.Type) -> Bool { values[ObjectIdentifier(key)] != nil }

    /// The number of stored values.
    public var count: Int { values.count }
}
