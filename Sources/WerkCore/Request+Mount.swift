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
        let prefix = Self.normalizedMountPrefix(prefix)
        if prefix.isEmpty { return self }
        guard pathInfo.hasPrefix(prefix) else { return nil }
        let rest = pathInfo.utf8.dropFirst(prefix.utf8.count)
        guard rest.isEmpty || rest.first == UInt8(ascii: "/") else { return nil }
        var copy = self
        copy.scriptName = scriptName + prefix
        copy.pathInfo = String(Substring(rest))
        return copy
    }

    /// A mount prefix in its one canonical form: a leading `/`, no trailing `/`, and `""` for the
    /// root (`"api/"` → `"/api"`, `"/"` → `""`). `Mount`, `Dispatcher` and ``mounted(at:)`` use it.
    public static func normalizedMountPrefix(_ prefix: String) -> String {
        var trimmed = Substring(prefix)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty { return "" }
        return trimmed.hasPrefix("/") ? String(trimmed) : "/" + trimmed
    }
}
