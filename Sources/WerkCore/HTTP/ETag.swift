/// An entity tag (RFC 9110 §8.8.3): an opaque value, strong or weak.
///
/// ```swift
/// ETag("abc").headerValue               // "\"abc\""
/// ETag("abc", weak: true).headerValue   // "W/\"abc\""
/// ETag(parsing: #"W/"abc""#)            // ETag("abc", weak: true)
/// ```
public struct ETag: Sendable, Hashable, CustomStringConvertible {
    /// The unquoted tag.
    public var value: String
    /// Whether it is a weak tag (`W/"…"`).
    public var isWeak: Bool

    /// A tag with this unquoted value.
    public init(_ value: String, weak: Bool = false) {
        self.value = value
        self.isWeak = weak
    }

    /// Unquotes a tag like Werkzeug's `unquote_etag`: trims, reads a `W/` or `w/` prefix, then
    /// removes surrounding quotes when both are there. `nil` for an empty string.
    public init?(parsing text: some StringProtocol) {
        var s = HeaderValues.trimmedWhitespace(Substring(text))
        guard !text.isEmpty else { return nil }
        var weak = false
        if s.hasPrefix("W/") || s.hasPrefix("w/") { weak = true; s = s.dropFirst(2) }
        if s.utf8.count >= 1, s.first == "\"", s.last == "\"" {
            s = s.utf8.count >= 2 ? s.dropFirst().dropLast() : s.dropFirst()
        }
        self.init(String(s), weak: weak)
    }

    /// Quotes a tag like Werkzeug's `quote_etag`; `nil` when the value contains `"` (Werkzeug raises)
    /// or a control character (which would break the header).
    public static func quote(_ value: some StringProtocol, weak: Bool = false) -> String? {
        guard value.utf8.allSatisfy({ $0 != UInt8(ascii: "\"") && $0 >= 0x20 && $0 != 0x7F }) else { return nil }
        return (weak ? "W/\"" : "\"") + value + "\""
    }

    /// The header form, `"value"` or `W/"value"`. Characters that cannot appear in a tag (`"` and
    /// control characters) are removed.
    public var headerValue: String {
        if let q = Self.quote(value, weak: isWeak) { return q }
        let cleaned = String(decoding: value.utf8.filter { $0 != UInt8(ascii: "\"") && $0 >= 0x20 && $0 != 0x7F },
                             as: UTF8.self)
        return Self.quote(cleaned, weak: isWeak)!
    }

    /// The header form.
    public var description: String { headerValue }

    /// Strong comparison (RFC 9110 §8.8.3.2): both strong and equal.
    public func strongMatches(_ other: ETag) -> Bool { !isWeak && !other.isWeak && value == other.value }

    /// Weak comparison: equal values, weakness ignored.
    public func weakMatches(_ other: ETag) -> Bool { value == other.value }
}

/// The tags of an `If-Match` or `If-None-Match` header, like Werkzeug's `ETags`.
///
/// ```swift
/// let tags = ETags(parsing: #""a", W/"b""#)
/// tags.contains("a")        // true  (strong tags only; used for If-Match)
/// tags.containsWeak("b")    // true  (weak comparison; used for If-None-Match)
/// ETags(parsing: "*").isStar  // true
/// ```
public struct ETags: Sendable, Equatable {
    /// The strong tags (unquoted), in header order without duplicates.
    public private(set) var strong: [String]
    /// The weak tags (unquoted), in header order without duplicates.
    public private(set) var weak: [String]
    /// Whether the header was `*` (matches any current representation).
    public private(set) var isStar: Bool

    /// A set of tags; with `star`, the tag lists are ignored.
    public init(strong: [String] = [], weak: [String] = [], star: Bool = false) {
        self.strong = []
        self.weak = []
        isStar = star
        if !star { for t in strong where !self.strong.contains(t) { self.strong.append(t) } }
        for t in weak where !self.weak.contains(t) { self.weak.append(t) }
    }

    /// The set that matches anything (`*`).
    public static let star = ETags(star: true)

    /// Parses a comma-separated list of tags like Werkzeug's `parse_etags`: `W/` marks a weak tag,
    /// quotes are optional, and a bare `*` anywhere makes the whole set `*`.
    public init(parsing header: (some StringProtocol)?) {
        guard let header, !header.isEmpty else { self.init(); return }
        let b = Array(header.utf8)
        let n = b.count
        var strong: [String] = [], weak: [String] = []
        var pos = 0
        /// The end of a `\s*,\s*` separator starting at `i`, or `nil`; `n` at the end of input.
        func separatorEnd(_ i: Int) -> Int? {
            if i == n { return n }
            var j = i
            while j < n, HeaderValues.isWhitespace(b[j]) { j += 1 }
            guard j < n, b[j] == UInt8(ascii: ",") else { return nil }
            j += 1
            while j < n, HeaderValues.isWhitespace(b[j]) { j += 1 }
            return j
        }
        while pos < n {
            var isWeak = false
            var p = pos
            if p + 1 < n, b[p] == UInt8(ascii: "W") || b[p] == UInt8(ascii: "w"), b[p + 1] == UInt8(ascii: "/") {
                isWeak = true
                p += 2
            }
            var tag: String? = nil
            var next = n
            if p < n, b[p] == UInt8(ascii: "\"") {
                var q = p + 1
                while q < n {
                    if b[q] == UInt8(ascii: "\""), let end = separatorEnd(q + 1) {
                        tag = String(decoding: b[(p + 1)..<q], as: UTF8.self)
                        next = end
                        break
                    }
                    q += 1
                }
            }
            if tag == nil {
                var e = p
                while e < n, separatorEnd(e) == nil { e += 1 }
                let raw = String(decoding: b[p..<e], as: UTF8.self)
                if raw == "*" { self.init(star: true); return }
                tag = raw
                next = separatorEnd(e) ?? n
            }
            if isWeak { weak.append(tag!) } else { strong.append(tag!) }
            if next <= pos { break }
            pos = next
        }
        self.init(strong: strong, weak: weak)
    }

    /// Whether there are no tags and no `*` (the header was absent or empty).
    public var isEmpty: Bool { !isStar && strong.isEmpty && weak.isEmpty }

    /// Whether `etag` (unquoted) is one of the strong tags, or the set is `*`.
    public func contains(_ etag: String) -> Bool { isStar || strong.contains(etag) }

    /// Weak comparison: whether `etag` (unquoted) is among the weak or strong tags, or the set is `*`.
    public func containsWeak(_ etag: String) -> Bool { weak.contains(etag) || contains(etag) }

    /// Whether the quoted tag `etag` is in the set: a weak tag with weak comparison, a strong one with
    /// ``contains(_:)``.
    public func containsRaw(_ etag: String) -> Bool {
        guard let t = ETag(parsing: etag) else { return false }
        return t.isWeak ? containsWeak(t.value) : contains(t.value)
    }

    /// Whether `etag` is one of the strong tags (`*` not considered).
    public func isStrong(_ etag: String) -> Bool { strong.contains(etag) }

    /// Whether `etag` is one of the weak tags.
    public func isWeak(_ etag: String) -> Bool { weak.contains(etag) }

    /// The header value: `*`, or the strong then the weak tags, quoted, joined with `", "`.
    public var headerValue: String {
        if isStar { return "*" }
        return (strong.map { ETag($0).headerValue } + weak.map { ETag($0, weak: true).headerValue })
            .joined(separator: ", ")
    }
}
