extension Session: CustomReflectable {
    /// The session's values, one child per key (sorted), as plain JSON: what the Debugger's
    /// inspector (`session["cart"][0]`) and `dump(session)` show. Reading it loads the session.
    public var customMirror: Mirror {
        let children = dictionary.sorted { $0.key < $1.key }.map { (label: Optional($0.key), value: $0.value as Any) }
        return Mirror(self, children: children, displayStyle: .class)
    }
}
