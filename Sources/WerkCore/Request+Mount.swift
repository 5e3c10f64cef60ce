extension Request {
    /// A copy with `prefix` moved from ``pathInfo`` to the end of ``scriptName``, as WSGI mounts do;
    /// nil when ``pathInfo`` does not start with `prefix` at a segment boundary (`/api` matches
    /// `/api` and `/api/x`, not `/apiary`). A trailing `/` on `prefix` is ignored; an empty prefix
    /// (or `/`) returns the request unchanged.
    ///
    /// ```swift
    /// let r = Request(target: "/api/users")
    /// r.mounted(at: "/api")?.scriptName   // "/api"
    /// r.mounted(at: "/api")?.pathInfo     // "/users"
    /// ```
    ///
    /// Used by `Mount`, `Dispatcher` and any middleware that hands a subtree to another handler.
    public func mounted(at prefix: String) -> Request? {
        var prefix = Substring(prefix)
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        if prefix.isEmpty { return self }
        if !prefix.hasPrefix("/") { return mounted(at: "/" + prefix) }
        guard pathInfo.hasPrefix(prefix) else { return nil }
        let rest = pathInfo.utf8.dropFirst(prefix.utf8.count)
        guard rest.isEmpty || rest.first == UInt8(ascii: "/") else { return nil }
        var copy = self
        copy.scriptName = scriptName + prefix
        copy.pathInfo = String(Substring(rest))
        return copy
    }
}
