import WerkCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The cookies a ``TestClient`` keeps between requests, following RFC 6265's storage model: Domain
/// (host-only unless set), Path, Expires and Max-Age, Secure.
public final class CookieJar: Sendable {
    /// A stored cookie.
    public struct Cookie: Sendable, Equatable {
        /// The name.
        public var name: String
        /// The value as the server sent it: a quoted value stays quoted, and is sent back that way.
        public var value: String
        /// The domain, lower-cased, without a leading dot.
        public var domain: String
        /// True when the cookie had no Domain attribute: it goes back only to the exact host.
        public var hostOnly: Bool
        /// The path.
        public var path: String
        /// When it expires (seconds since 1970), or nil for a session cookie.
        public var expires: Int?
        /// Sent over https only.
        public var secure: Bool
        /// The HttpOnly flag (kept for inspection; a test client has no scripts).
        public var httpOnly: Bool
        /// The SameSite attribute.
        public var sameSite: SetCookie.SameSite?
    }

    private let cookies = Mutex<[Cookie]>([])
    private let now: @Sendable () -> Int

    /// A jar; `now` gives the current time in seconds since 1970 (injectable for expiry tests).
    public init(now: @escaping @Sendable () -> Int = { Int(time(nil)) }) { self.now = now }

    /// Every cookie that has not expired.
    public var all: [Cookie] {
        let t = now()
        return cookies.withLock { $0.filter { $0.expires.map { $0 > t } ?? true } }
    }

    /// The cookie with this name, if stored and not expired; `domain` and `path`, when given, must
    /// match exactly (nil matches any). With several matches, the one with the longest path wins.
    public func cookie(named name: String, domain: String? = nil, path: String? = nil) -> Cookie? {
        let domain = domain.map(ASCII.lowercased)
        return all.filter { $0.name == name && (domain ?? $0.domain) == $0.domain && (path ?? $0.path) == $0.path }
            .max { $0.path.count < $1.path.count }
    }

    /// The cookies a request to `host` would carry (ignoring path and Secure), for lookups by host.
    func cookies(for host: String) -> [Cookie] {
        let host = ASCII.lowercased(host)
        return all.filter { $0.hostOnly ? $0.domain == host : Self.domainMatches(host: host, domain: $0.domain) }
    }

    /// Stores a cookie directly, as if the server at `domain` had set it.
    public func set(_ name: String, _ value: String, domain: String = "localhost", path: String = "/") {
        store(Cookie(name: name, value: value, domain: ASCII.lowercased(domain), hostOnly: true, path: path,
                     expires: nil, secure: false, httpOnly: false, sameSite: nil))
    }

    /// Removes a cookie.
    public func delete(_ name: String, domain: String = "localhost", path: String = "/") {
        cookies.withLock { $0.removeAll { $0.name == name && $0.domain == domain && $0.path == path } }
    }

    /// Removes every cookie.
    public func removeAll() { cookies.withLock { $0.removeAll() } }

    /// Stores the cookies that `headers` set, for a response to a request to `host` and `path`.
    /// Cookies whose Domain does not cover the host are ignored, as browsers do.
    public func receive(_ headers: Headers, host: String, path: String) {
        let host = ASCII.lowercased(host)
        for header in headers.values(for: "Set-Cookie") {
            guard let set = SetCookie.parse(header), !set.name.isEmpty else { continue }
            var domain = host
            var hostOnly = true
            if let attribute = set.domain, !attribute.isEmpty {
                let d = ASCII.lowercased(attribute.hasPrefix(".") ? String(attribute.dropFirst()) : attribute)
                guard Self.domainMatches(host: host, domain: d) else { continue }
                domain = d
                hostOnly = false
            }
            var cookiePath = set.path ?? ""
            if !cookiePath.hasPrefix("/") { cookiePath = Self.defaultPath(for: path) }
            var expires: Int? = nil
            if let maxAge = set.maxAge {
                expires = maxAge <= 0 ? Int.min : now() + maxAge
            } else if let date = set.expires {
                expires = date
            }
            store(Cookie(name: set.name, value: Self.rawValue(of: header), domain: domain, hostOnly: hostOnly, path: cookiePath,
                         expires: expires, secure: set.secure, httpOnly: set.httpOnly, sameSite: set.sameSite))
        }
    }

    /// The `Cookie` header value for a request, or nil when no cookie applies. Longer paths come first.
    public func header(host: String, path: String, secure: Bool) -> String? {
        let host = ASCII.lowercased(host)
        let matching = all.filter { cookie in
            (cookie.hostOnly ? cookie.domain == host : Self.domainMatches(host: host, domain: cookie.domain))
                && Self.pathMatches(requestPath: path, cookiePath: cookie.path)
                && (!cookie.secure || secure)
        }
        guard !matching.isEmpty else { return nil }
        return matching.sorted { $0.path.count > $1.path.count }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "; ")
    }

    private func store(_ cookie: Cookie) {
        let t = now()
        cookies.withLock { list in
            list.removeAll { $0.name == cookie.name && $0.domain == cookie.domain && $0.path == cookie.path }
            if cookie.expires.map({ $0 > t }) ?? true { list.append(cookie) }
        }
    }

    /// The value exactly as the `Set-Cookie` header carries it (still quoted if it was): what a client
    /// sends back, as Werkzeug's test client does. Sending the unquoted value would split `a;b` in two.
    static func rawValue(of header: String) -> String {
        let first = header.prefix { $0 != ";" }
        guard let eq = first.firstIndex(of: "=") else { return "" }
        return String(ASCII.trimmingWhitespace(first[first.index(after: eq)...]))
    }

    static func domainMatches(host: String, domain: String) -> Bool {
        host == domain || (host.hasSuffix("." + domain) && !domain.isEmpty)
    }

    static func pathMatches(requestPath: String, cookiePath: String) -> Bool {
        if requestPath == cookiePath { return true }
        guard requestPath.hasPrefix(cookiePath) else { return false }
        return cookiePath.hasSuffix("/") || requestPath.dropFirst(cookiePath.count).hasPrefix("/")
    }

    static func defaultPath(for requestPath: String) -> String {
        guard requestPath.hasPrefix("/"), let lastSlash = requestPath.lastIndex(of: "/"),
              lastSlash != requestPath.startIndex else { return "/" }
        return String(requestPath[..<lastSlash])
    }
}
