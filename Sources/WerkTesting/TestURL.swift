import WerkCore

/// The small URL model the test client needs: scheme, authority, path and query, and RFC 3986
/// reference resolution for redirects.
struct TestURL: Sendable, CustomStringConvertible {
    var scheme: String
    var authority: String
    var path: String
    var query: String?

    init(scheme: String, authority: String, path: String, query: String?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
    }

    /// Parses an absolute `http(s)://authority/path?query` URL.
    init(_ text: String) throws {
        guard let schemeEnd = text.firstRange(of: "://") else { throw TestClientError.invalidURL(text) }
        scheme = ASCII.lowercased(text[..<schemeEnd.lowerBound])
        guard scheme == "http" || scheme == "https" else { throw TestClientError.invalidURL(text) }
        let rest: Substring = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { c in c == "/" || c == "?" || c == "#" } ?? rest.endIndex
        authority = String(rest[..<authorityEnd])
        (path, query) = TestURL.splitPathAndQuery(rest[authorityEnd...])
        if path.isEmpty { path = "/" }
    }

    var hostName: String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") { return String(authority[...close]) }
        return ASCII.lowercased(authority.split(separator: ":", maxSplits: 1).first ?? "")
    }

    var pathAndQuery: String { query.map { path + "?" + $0 } ?? path }

    var description: String { "\(scheme)://\(authority)\(pathAndQuery)" }

    /// The URL a reference (absolute, scheme-relative, absolute-path or relative) points to from here.
    func resolve(_ reference: String) throws -> TestURL {
        if reference.contains("://") { return try TestURL(reference) }
        if reference.hasPrefix("//") { return try TestURL(scheme + ":" + reference) }
        let (refPath, refQuery) = TestURL.splitPathAndQuery(Substring(reference))
        if refPath.isEmpty {
            return TestURL(scheme: scheme, authority: authority, path: path, query: refQuery ?? query)
        }
        let merged: String
        if refPath.hasPrefix("/") {
            merged = refPath
        } else {
            let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
            merged = directory + refPath
        }
        return TestURL(scheme: scheme, authority: authority, path: TestURL.removeDotSegments(merged), query: refQuery)
    }

    private static func splitPathAndQuery(_ text: Substring) -> (String, String?) {
        var text = text
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        guard let q = text.firstIndex(of: "?") else { return (String(text), nil) }
        return (String(text[..<q]), String(text[text.index(after: q)...]))
    }

    /// RFC 3986 §5.2.4.
    static func removeDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (i, segment) in segments.enumerated() {
            if segment == "." { if i == segments.count - 1 { output.append("") }; continue }
            if segment == ".." {
                if output.count > 1 { output.removeLast() }
                if i == segments.count - 1 { output.append("") }
                continue
            }
            output.append(segment)
        }
        let joined = output.joined(separator: "/")
        return joined.hasPrefix("/") ? joined : "/" + joined
    }
}
