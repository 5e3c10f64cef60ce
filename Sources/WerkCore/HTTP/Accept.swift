/// Any `Accept*` header value.
public typealias GenericAccept = Accept<GenericAcceptRules>
/// An `Accept` header (media types).
public typealias MIMEAccept = Accept<MIMEAcceptRules>
/// An `Accept-Language` header.
public typealias LanguageAccept = Accept<LanguageAcceptRules>
/// An `Accept-Charset` header.
public typealias CharsetAccept = Accept<CharsetAcceptRules>
/// An `Accept-Encoding` header (plain values, as Werkzeug's `accept_encodings`).
public typealias EncodingAccept = Accept<GenericAcceptRules>

/// A parsed `Accept*` header: values with their quality, sorted by specificity then quality
/// (stable for ties), like Werkzeug's `Accept` classes.
///
/// ```swift
/// let a = MIMEAccept(parsing: "text/html;q=0.9, application/json")
/// a.bestMatch(["text/html", "application/json"])   // "application/json"
/// a.quality(for: "text/html")                      // 0.9
/// a.acceptsJSON                                    // true
/// LanguageAccept(parsing: "en-US, de;q=0.5").bestMatch(["en", "de"])  // "de"
/// ```
///
/// An item whose `q` is not a plain decimal in 0…1 is ignored. A missing header accepts nothing:
/// ``bestMatch(_:default:)`` then gives the default.
public struct Accept<Rules: AcceptRules>: Sendable, Equatable, Sequence {
    /// One accepted value and its quality (the same type for every kind of list).
    public typealias Item = AcceptItem

    /// The items, most specific and highest quality first.
    public private(set) var items: [Item]
    /// Whether a header was given (Werkzeug's `provided`).
    public private(set) var isProvided: Bool

    /// An empty list, as for a missing header.
    public init() { items = []; isProvided = false }

    /// A list of these items, sorted by specificity and quality.
    public init(_ items: [Item]) {
        self.items = AcceptCore.sorted(items, keys: items.map { Self.specificityKey($0.value) })
        isProvided = true
    }

    /// Parses a header value; `nil` or empty gives an empty, not-provided list.
    public init(parsing header: (some StringProtocol)?) {
        guard let header, !header.isEmpty else { self.init(); return }
        self.init(AcceptCore.parse(String(header)))
    }

    /// A `q` value: `-?\d+(\.\d+)?` within 0…1.
    static func parseQuality(_ s: Substring) -> Double? {
        var u = s.utf8[...]
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        let digits = { (c: UInt8) in c &- 48 < 10 }
        guard let first = u.first, digits(first) else { return nil }
        if let dot = u.firstIndex(of: UInt8(ascii: ".")) {
            let whole = u[..<dot], frac = u[u.index(after: dot)...]
            guard whole.allSatisfy(digits), !frac.isEmpty, frac.allSatisfy(digits) else { return nil }
        } else {
            guard u.allSatisfy(digits) else { return nil }
        }
        guard let v = Double(s), v >= 0, v <= 1 else { return nil }
        return v
    }

    /// `Rules.specificity(value)`, packed; computed without allocating for the rules in this file.
    @inline(__always)
    static func specificityKey(_ value: String) -> AcceptSpecificity {
        if Rules.self == MIMEAcceptRules.self { return MIMEAcceptRules.specificityKey(value) }
        if Rules.self == GenericAcceptRules.self || Rules.self == LanguageAcceptRules.self
            || Rules.self == CharsetAcceptRules.self {
            var key = AcceptSpecificity()
            key.append(value != "*")
            return key
        }
        return AcceptSpecificity(Rules.specificity(value))
    }

    /// Python tuple order on `[Bool]`.
    static func less(_ a: [Bool], _ b: [Bool]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return !x && y }
        return a.count < b.count
    }

    /// The quality the client gives `value` (the first matching item), or 0.
    public func quality(for value: String) -> Double {
        items.first { Rules.matches(offer: value, item: $0.value) }?.quality ?? 0
    }

    /// Whether any item matches `value` (even with quality 0).
    public func contains(_ value: String) -> Bool { items.contains { Rules.matches(offer: value, item: $0.value) } }

    /// The position of the first item matching `value`, or `nil` (Werkzeug's `find`).
    public func firstIndex(matching value: String) -> Int? {
        items.firstIndex { Rules.matches(offer: value, item: $0.value) }
    }

    /// The value of the first item, or `nil` when empty.
    public var best: String? { items.first?.value }

    /// The accepted values in order.
    public var values: [String] { items.map(\.value) }

    /// Whether there are no items.
    public var isEmpty: Bool { items.isEmpty }

    /// The best of the server's `offers` for this client, or `default`. Higher quality wins; at
    /// equal quality the offer matched by a more specific item wins; then the earlier offer.
    /// Offers matched only with quality 0 are never chosen.
    public func bestMatch(_ offers: [String], default: String? = nil) -> String? {
        Rules.bestMatch(in: self, offers: offers) ?? `default`
    }

    /// Werkzeug's `Accept.best_match` without the default.
    func standardBestMatch(_ offers: [String]) -> String? {
        var result: String? = nil
        var bestQuality = -1.0
        var bestSpecificity: AcceptSpecificity? = nil
        for offer in offers {
            guard let item = items.first(where: { Rules.matches(offer: offer, item: $0.value) }) else { continue }
            if item.quality <= 0 || item.quality < bestQuality { continue }
            let spec = Self.specificityKey(item.value)
            if item.quality > bestQuality || bestSpecificity.map({ $0 < spec }) ?? true {
                result = offer
                bestQuality = item.quality
                bestSpecificity = spec
            }
        }
        return result
    }

    /// The header value: items joined by `,`, with `;q=` when the quality is not 1.
    public var headerValue: String {
        items.map { $0.quality == 1 ? $0.value : "\($0.value);q=\($0.quality)" }.joined(separator: ",")
    }

    /// Iterates over the items in order.
    public func makeIterator() -> IndexingIterator<[Item]> { items.makeIterator() }
}

extension Accept where Rules == MIMEAcceptRules {
    /// Whether `text/html` or XHTML is accepted.
    public var acceptsHTML: Bool { contains("text/html") || acceptsXHTML }
    /// Whether `application/xhtml+xml` or `application/xml` is accepted.
    public var acceptsXHTML: Bool { contains("application/xhtml+xml") || contains("application/xml") }
    /// Whether `application/json` is accepted.
    public var acceptsJSON: Bool { contains("application/json") }
}
