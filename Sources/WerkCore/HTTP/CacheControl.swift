/// The directives of a `Cache-Control` header, in order, shared by ``RequestCacheControl`` and
/// ``ResponseCacheControl``. Unknown extensions are kept and serialized unchanged.
public protocol CacheControlDirectives: Sendable, Equatable {
    /// The directives in order; names are lower-cased, a `nil` value is a bare directive.
    var directives: HeaderParameters { get set }
    /// An empty header.
    init()
}

extension CacheControlDirectives {
    /// Parses a header value like Werkzeug's `parse_cache_control_header` (a `parse_dict_header`),
    /// with directive names lower-cased (RFC 9111 §5.2: they are case-insensitive).
    public init(parsing header: some StringProtocol) {
        self.init()
        for p in HeaderValues.parseDict(header) { directives.set(ASCII.lowercased(p.name), p.value) }
    }

    /// The header value, e.g. `max-age=60, public`; values that are not tokens are quoted.
    public var headerValue: String { HeaderValues.dumpDict(directives) }

    /// Whether no directive is set.
    public var isEmpty: Bool { directives.isEmpty }

    /// The raw value of a directive: `nil` when absent, `.some(nil)` when present without a value.
    public func directive(_ name: String) -> String?? {
        directives.parameter(named: ASCII.lowercased(name)).map { $0.value }
    }

    /// Sets an extension directive; a `nil` value writes the bare name.
    public mutating func setDirective(_ name: String, _ value: String? = nil) {
        directives.set(ASCII.lowercased(name), value)
    }

    /// Removes a directive.
    public mutating func removeDirective(_ name: String) { directives[ASCII.lowercased(name)] = nil }

    func flag(_ name: String) -> Bool { directives.contains(name) }

    mutating func setFlag(_ name: String, _ on: Bool) {
        if on { directives.set(name, nil) } else { directives[name] = nil }
    }

    /// An integer directive: `nil` when absent, valueless or not an integer (Werkzeug 3.1).
    func seconds(_ name: String) -> Int? {
        guard let v = directives[name] else { return nil }
        return Int(HeaderValues.trimmedWhitespace(Substring(v)))
    }

    mutating func setSeconds(_ name: String, _ value: Int?) {
        if let value { directives.set(name, String(value)) } else { directives[name] = nil }
    }

    /// `max-age`: seconds the response stays fresh; `nil` when absent or without a valid number.
    public var maxAge: Int? {
        get { seconds("max-age") }
        set { setSeconds("max-age", newValue) }
    }
    /// `no-store`.
    public var noStore: Bool {
        get { flag("no-store") }
        set { setFlag("no-store", newValue) }
    }
    /// `no-transform`.
    public var noTransform: Bool {
        get { flag("no-transform") }
        set { setFlag("no-transform", newValue) }
    }
    /// `stale-if-error` seconds (RFC 5861).
    public var staleIfError: Int? {
        get { seconds("stale-if-error") }
        set { setSeconds("stale-if-error", newValue) }
    }
}

/// Request `Cache-Control` directives (RFC 9111 §5.2.1), like Werkzeug's `RequestCacheControl`.
///
/// ```swift
/// let cc = RequestCacheControl(parsing: "no-cache, max-stale, min-fresh=10")
/// cc.noCache      // true
/// cc.maxStale     // .any
/// cc.minFresh     // 10
/// ```
public struct RequestCacheControl: CacheControlDirectives {
    /// The `max-stale` directive: any staleness, or at most so many seconds.
    public enum MaxStale: Sendable, Equatable {
        /// `max-stale` without a value.
        case any
        /// `max-stale=N`.
        case seconds(Int)
    }

    /// The directives in order.
    public var directives: HeaderParameters

    /// No directives.
    public init() { directives = [:] }

    /// `no-cache`.
    public var noCache: Bool {
        get { flag("no-cache") }
        set { setFlag("no-cache", newValue) }
    }
    /// `max-stale`: `.any` when present without a value, `nil` when absent or invalid.
    public var maxStale: MaxStale? {
        get {
            guard let v = directive("max-stale") else { return nil }
            guard let v else { return .any }
            return Int(HeaderValues.trimmedWhitespace(Substring(v))).map { .seconds($0) }
        }
        set {
            switch newValue {
            case nil: directives["max-stale"] = nil
            case .any?: directives.set("max-stale", nil)
            case .seconds(let s)?: directives.set("max-stale", String(s))
            }
        }
    }
    /// `min-fresh` seconds.
    public var minFresh: Int? {
        get { seconds("min-fresh") }
        set { setSeconds("min-fresh", newValue) }
    }
    /// `only-if-cached`.
    public var onlyIfCached: Bool {
        get { flag("only-if-cached") }
        set { setFlag("only-if-cached", newValue) }
    }
}

/// Response `Cache-Control` directives (RFC 9111 §5.2.2 and extensions), like Werkzeug's
/// `ResponseCacheControl`.
///
/// ```swift
/// var cc = ResponseCacheControl()
/// cc.public = true
/// cc.maxAge = 3600
/// cc.immutable = true
/// cc.headerValue    // "public, max-age=3600, immutable"
/// ```
public struct ResponseCacheControl: CacheControlDirectives {
    /// The directives in order.
    public var directives: HeaderParameters

    /// No directives.
    public init() { directives = [:] }

    /// `no-cache` (with or without a field list; see ``noCacheFields``).
    public var noCache: Bool {
        get { flag("no-cache") }
        set { setFlag("no-cache", newValue) }
    }
    /// The field names of `no-cache="Set-Cookie"`, empty when unqualified or absent.
    public var noCacheFields: [String] {
        get { (directives["no-cache"]).map(HeaderValues.parseList) ?? [] }
        set { directives.set("no-cache", newValue.isEmpty ? nil : newValue.joined(separator: ", ")) }
    }
    /// `public`.
    public var `public`: Bool {
        get { flag("public") }
        set { setFlag("public", newValue) }
    }
    /// `private` (with or without a field list; see ``privateFields``).
    public var `private`: Bool {
        get { flag("private") }
        set { setFlag("private", newValue) }
    }
    /// The field names of `private="Set-Cookie"`, empty when unqualified or absent.
    public var privateFields: [String] {
        get { (directives["private"]).map(HeaderValues.parseList) ?? [] }
        set { directives.set("private", newValue.isEmpty ? nil : newValue.joined(separator: ", ")) }
    }
    /// `must-revalidate`.
    public var mustRevalidate: Bool {
        get { flag("must-revalidate") }
        set { setFlag("must-revalidate", newValue) }
    }
    /// `proxy-revalidate`.
    public var proxyRevalidate: Bool {
        get { flag("proxy-revalidate") }
        set { setFlag("proxy-revalidate", newValue) }
    }
    /// `s-maxage` seconds for shared caches.
    public var sMaxAge: Int? {
        get { seconds("s-maxage") }
        set { setSeconds("s-maxage", newValue) }
    }
    /// `immutable` (RFC 8246).
    public var immutable: Bool {
        get { flag("immutable") }
        set { setFlag("immutable", newValue) }
    }
    /// `must-understand`.
    public var mustUnderstand: Bool {
        get { flag("must-understand") }
        set { setFlag("must-understand", newValue) }
    }
    /// `stale-while-revalidate` seconds (RFC 5861).
    public var staleWhileRevalidate: Int? {
        get { seconds("stale-while-revalidate") }
        set { setSeconds("stale-while-revalidate", newValue) }
    }
}
