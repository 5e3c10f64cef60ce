#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The session of one request: a dictionary of JSON values kept in a signed cookie by ``Sessions``.
///
/// ```swift
/// Handler { request in
///     let session = request.session
///     let visits = (session.int("visits") ?? 0) + 1
///     session["visits"] = .int(visits)
///     session.permanent = true                 // keep it for the configured lifetime
///     return "Visit number \(visits)"
/// }
/// ```
///
/// **Lazy.** The cookie is verified and decoded the first time the handler touches the session
/// (any read or write), not before; a request whose handler never touches it costs no crypto.
///
/// **Tracking.** Every read or write sets ``isAccessed`` (the response then gets `Vary: Cookie`);
/// every write sets ``isModified`` (the cookie is then written back). Writing a key, even with the
/// value it already had, counts as a modification, as in Flask. Values are copies: to change a nested
/// value, read it, change it and assign it back.
///
/// **Concurrency.** A `Session` is a reference shared by everything handling the request, and every
/// member is guarded by a mutex, so the handler may pass it to child tasks. Use
/// ``update(_:)`` for a read-modify-write that must not interleave with other tasks.
///
/// **Flask types.** Values are stored as ``FlaskTaggedJSON/Value``, so tuples, bytes, dates, UUIDs
/// and markup written by a Flask app survive a round trip through Werk. The `JSON` accessors show
/// them as plain JSON; ``subscript(tagged:)`` gives and takes them as they are.
public final class Session: Sendable {
    /// What the mutex guards.
    struct State: Sendable {
        var values: [String: FlaskTaggedJSON.Value] = [:]
        var loaded = false
        var accessed = false
        var modified = false
        /// Whether the request carried a cookie with the session's name.
        var cookiePresent = false
    }

    /// Where the values come from when first touched: the request's `Cookie` headers.
    struct Source: Sendable {
        /// What every request's source shares, boxed once so that a request copies one reference.
        final class Shared: Sendable {
            let cookieName: String
            let serializer: SessionSerializer

            init(cookieName: String, serializer: SessionSerializer) {
                self.cookieName = cookieName
                self.serializer = serializer
            }
        }

        let headers: Headers
        let shared: Shared
        var cookieName: String { shared.cookieName }
        var serializer: SessionSerializer { shared.serializer }

        /// The first cookie with the session's name, if any. Headers that do not mention the name
        /// are not parsed.
        func cookieValue() -> String? {
            for field in headers where ASCII.equalsIgnoringCase(field.name, "Cookie")
                && Source.mentions(field.value, cookieName) {
                if let value = Cookies.value(named: cookieName, in: field.value) { return value }
            }
            return nil
        }

        /// Whether `name` occurs in `header`, comparing bytes.
        static func mentions(_ header: String, _ name: String) -> Bool {
            var header = header, name = name
            return header.withUTF8 { text in
                name.withUTF8 { pattern in
                    guard let first = pattern.first, text.count >= pattern.count else { return pattern.isEmpty }
                    var i = 0
                    let last = text.count - pattern.count
                    while i <= last {
                        if text[i] == first && memcmp(text.baseAddress! + i, pattern.baseAddress!, pattern.count) == 0 {
                            return true
                        }
                        i += 1
                    }
                    return false
                }
            }
        }
    }

    /// The key Flask stores `session.permanent` under.
    public static let permanentKey = "_permanent"

    let state: Mutex<State>
    private let source: Source?

    /// A session read lazily from a request's cookie (used by ``Sessions``).
    init(source: Source) {
        self.source = source
        self.state = Mutex(State())
    }

    /// A session holding `values`, attached to no request: for tests of handlers that use a session,
    /// with `request.storage` set by ``Request/session``'s setter.
    public init(_ values: [String: JSON] = [:]) {
        self.source = nil
        self.state = Mutex(State(values: values.mapValues(FlaskTaggedJSON.Value.init), loaded: true))
    }

    /// Verifies and decodes the cookie if that has not happened yet. Runs under the lock.
    private func load(_ state: inout State) {
        guard !state.loaded else { return }
        state.loaded = true
        guard let source, let cookie = source.cookieValue() else { return }
        state.cookiePresent = true
        state.values = source.serializer.decode(cookie) ?? [:]
    }

    /// Runs `body` on the loaded state, marking the session accessed (and modified when asked).
    private func access<R: Sendable>(modifying: Bool, _ body: (inout State) -> R) -> R {
        state.withLock { state in
            load(&state)
            state.accessed = true
            if modifying { state.modified = true }
            return body(&state)
        }
    }

    // MARK: - Values

    /// The value stored under `key` as plain JSON, or nil. Setting nil removes the key.
    public subscript(key: String) -> JSON? {
        get { access(modifying: false) { $0.values[key]?.plainJSON } }
        set {
            let value = newValue.map(FlaskTaggedJSON.Value.init)
            access(modifying: true) { $0.values[key] = value }
        }
    }

    /// The value stored under `key` with Flask's types (tuples, bytes, dates, UUIDs, markup) kept.
    /// Setting nil removes the key.
    public subscript(tagged key: String) -> FlaskTaggedJSON.Value? {
        get { access(modifying: false) { $0.values[key] } }
        set { access(modifying: true) { $0.values[key] = newValue } }
    }

    /// Removes `key` and returns the value it had (as plain JSON). Marks the session modified, as
    /// Flask's `session.pop` does, even when the key was absent.
    @discardableResult
    public func removeValue(forKey key: String) -> JSON? {
        access(modifying: true) { $0.values.removeValue(forKey: key)?.plainJSON }
    }

    /// Removes every key (``permanent`` too). When the request carried a session cookie, the
    /// response deletes it. Does not verify the old cookie.
    public func clear() {
        state.withLock { state in
            if !state.loaded {
                state.loaded = true
                state.cookiePresent = source?.cookieValue() != nil
            }
            state.values = [:]
            state.accessed = true
            state.modified = true
        }
    }

    /// Reads and changes the values in one step under the session's lock, so that concurrent tasks
    /// cannot interleave (e.g. two increments of a counter). Marks the session modified.
    ///
    /// ```swift
    /// session.update { values in
    ///     let n = if case .int(let n)? = values["n"] { n } else { 0 }
    ///     values["n"] = .int(n + 1)
    /// }
    /// ```
    @discardableResult
    public func update<R: Sendable>(_ body: (inout [String: FlaskTaggedJSON.Value]) -> R) -> R {
        access(modifying: true) { body(&$0.values) }
    }

    /// A copy of every value as plain JSON.
    public var dictionary: [String: JSON] { access(modifying: false) { $0.values.mapValues(\.plainJSON) } }

    /// A copy of every value with Flask's types kept.
    public var taggedDictionary: [String: FlaskTaggedJSON.Value] { access(modifying: false) { $0.values } }

    /// The keys, sorted.
    public var keys: [String] { access(modifying: false) { $0.values.keys.sorted() } }

    /// The number of keys (``permanent``'s `_permanent` key included when set).
    public var count: Int { access(modifying: false) { $0.values.count } }

    /// Whether there are no keys. An empty session is never written; emptying one deletes the cookie.
    public var isEmpty: Bool { access(modifying: false) { $0.values.isEmpty } }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { access(modifying: false) { $0.values[key] != nil } }

    // MARK: - Typed reads

    /// The integer under `key` (also a float with an exact integer value), or nil.
    public func int(_ key: String) -> Int? { self[key]?.intValue }
    /// The number under `key` as a `Double`, or nil.
    public func double(_ key: String) -> Double? { self[key]?.doubleValue }
    /// The string under `key`, or nil.
    public func string(_ key: String) -> String? { self[key]?.stringValue }
    /// The Boolean under `key`, or nil.
    public func bool(_ key: String) -> Bool? { self[key]?.boolValue }
    /// The array under `key` (a Flask tuple too), or nil.
    public func array(_ key: String) -> [JSON]? { self[key]?.arrayValue }
    /// The object under `key`, or nil.
    public func object(_ key: String) -> [String: JSON]? { self[key]?.objectValue }

    // MARK: - Flags

    /// Whether the cookie lives for the configured lifetime (`Expires`) rather than until the
    /// browser closes. Stored as the `_permanent` key, like Flask's `session.permanent`, so it
    /// travels in the cookie. Setting it marks the session modified.
    public var permanent: Bool {
        get { access(modifying: false) { $0.values[Session.permanentKey] == .bool(true) } }
        set { access(modifying: true) { $0.values[Session.permanentKey] = .bool(newValue) } }
    }

    /// Whether anything was written: the cookie is written back (or deleted when now empty). Reading
    /// this does not count as an access.
    public var isModified: Bool { state.withLock { $0.modified } }

    /// Whether anything was read or written: the response then varies on `Cookie`. Reading this does
    /// not count as an access.
    public var isAccessed: Bool { state.withLock { $0.accessed } }

    /// Forces the cookie to be written back even though no key was assigned (Flask's
    /// `session.modified = True`).
    public func markModified() {
        state.withLock { state in
            load(&state)
            state.accessed = true
            state.modified = true
        }
    }

    /// The state for saving; loads the cookie first when `load` is true (refresh of untouched
    /// sessions), without marking the session accessed.
    func snapshotForSaving(load shouldLoad: Bool) -> State {
        state.withLock { state in
            if shouldLoad { load(&state) }
            return state
        }
    }
}
