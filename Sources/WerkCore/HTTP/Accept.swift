/// How an ``Accept`` list compares values: the rules differ for media types, language tags and
/// charsets, as in Werkzeug's `Accept` subclasses.
public protocol AcceptRules: Sendable {
    /// How specific a client item is; more specific items sort first. Compared element by element,
    /// `false` < `true`, a shorter prefix < a longer list (Python tuple order).
    static func specificity(_ item: String) -> [Bool]
    /// Whether the server's `offer` is matched by the client's accept `item`.
    static func matches(offer: String, item: String) -> Bool
    /// The best of `offers` for this list, or `nil` when nothing matches.
    static func bestMatch(in accept: Accept<Self>, offers: [String]) -> String?
}

extension AcceptRules {
    /// `*` is less specific than anything else.
    public static func specificity(_ item: String) -> [Bool] { [item != "*"] }
    /// The quality-and-specificity best match (Werkzeug's `Accept.best_match`).
    public static func bestMatch(in accept: Accept<Self>, offers: [String]) -> String? {
        accept.standardBestMatch(offers)
    }
}

/// Plain values compared without ASCII case; `*` matches anything (`Accept-Encoding`).
public enum GenericAcceptRules: AcceptRules {
    /// `*` or a case-insensitive equal value.
    public static func matches(offer: String, item: String) -> Bool {
        item == "*" || ASCII.equalsIgnoringCase(item, offer)
    }
}

/// Media-type rules for `Accept`: `*/*` and `type/*` wildcards, parameters compared as a set, and
/// more specific items (`text/html;level=1` > `text/html` > `text/*` > `*/*`) ranked first.
public enum MIMEAcceptRules: AcceptRules {
    /// One element per `/`- or `;`-separated part, `true` when the part is not `*`.
    public static func specificity(_ item: String) -> [Bool] { split(item, lowercase: false).map { $0 != "*" } }

    /// Werkzeug's `MIMEAccept._value_matches`. An offer without `/`, or `*/x`, never matches
    /// (Werkzeug raises `ValueError` for those; here they simply do not match).
    public static func matches(offer: String, item: String) -> Bool {
        guard item.utf8.contains(UInt8(ascii: "/")), offer.utf8.contains(UInt8(ascii: "/")) else { return false }
        let v = split(offer, lowercase: true), i = split(item, lowercase: true)
        guard v.count >= 2, i.count >= 2 else { return false }
        if v[0] == "*" && v[1] != "*" { return false }
        if i[0] == "*" && i[1] != "*" { return false }
        if (i[0] == "*" && i[1] == "*") || (v[0] == "*" && v[1] == "*") { return true }
        guard i[0] == v[0] else { return false }
        return i[1] == "*" || v[1] == "*" || (i[1] == v[1] && v[2...].sorted() == i[2...].sorted())
    }

    /// Splits at `/` and at `;` with surrounding whitespace, like the regex `/|\s*;\s*`. Works on
    /// UTF-8 bytes (the separators are ASCII) and lower-cases only when there is something to lower.
    static func split(_ s: String, lowercase: Bool) -> [Substring] {
        let source = lowercase && s.utf8.contains(where: { $0 &- 65 < 26 }) ? ASCII.lowercased(s) : s
        let u = source.utf8
        var parts: [Substring] = []
        var start = u.startIndex
        var i = u.startIndex
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
        while i < u.endIndex {
            let c = u[i]
            if c == UInt8(ascii: "/") {
                parts.append(source[start..<i]); i = u.index(after: i); start = i
            } else if c == UInt8(ascii: ";") || isSpace(c) {
                // Whitespace counts only when it runs into a `;`.
                var j = i
                while j < u.endIndex, isSpace(u[j]) { j = u.index(after: j) }
                if j < u.endIndex, u[j] == UInt8(ascii: ";") {
                    parts.append(source[start..<i])
                    j = u.index(after: j)
                    while j < u.endIndex, isSpace(u[j]) { j = u.index(after: j) }
                    i = j; start = j
                } else {
                    i = j
                }
            } else {
                i = u.index(after: i)
            }
        }
        parts.append(source[start...])
        return parts
    }
}

/// Language-tag rules for `Accept-Language`: `-` and `_` are equivalent, case is ignored, and
/// ``bestMatch(in:offers:)`` falls back to primary tags only when nothing matches exactly.
public enum LanguageAcceptRules: AcceptRules {
    /// `*`, or equal tags once lower-cased and split at `-`/`_`.
    public static func matches(offer: String, item: String) -> Bool {
        item == "*" || normalize(offer) == normalize(item)
    }

    /// Werkzeug's `LanguageAccept.best_match`: an exact match first; then the client's primary tags
    /// against the offers (`en-US` accepts `en`); then the offers' primary tags against the client
    /// (`en` accepts `en-US`), returning the first offer with that prefix.
    public static func bestMatch(in accept: Accept<Self>, offers: [String]) -> String? {
        if let exact = accept.standardBestMatch(offers) { return exact }
        let primaries = GenericAccept(accept.items.map { .init(primary($0.value), quality: $0.quality) })
        if let r = primaries.bestMatch(offers) { return r }
        let offerPrimaries = offers.map(primary)
        if let r = accept.standardBestMatch(offerPrimaries) {
            return offers.first { $0.hasPrefix(r) }
        }
        return nil
    }

    static func normalize(_ tag: String) -> [Substring] {
        ASCII.lowercased(tag).split(omittingEmptySubsequences: false) { $0 == "-" || $0 == "_" }
    }

    static func primary(_ tag: String) -> String {
        String(tag.split(maxSplits: 1, omittingEmptySubsequences: false) { $0 == "-" || $0 == "_" }[0])
    }
}

/// Charset rules for `Accept-Charset`: names compared after normalising case, punctuation and a few
/// common aliases (`utf8` = `UTF-8`, `latin1` = `ISO-8859-1`, `us-ascii` = `ascii`).
public enum CharsetAcceptRules: AcceptRules {
    /// `*`, or the same charset after normalisation.
    public static func matches(offer: String, item: String) -> Bool {
        item == "*" || normalize(offer) == normalize(item)
    }

    static func normalize(_ name: String) -> String {
        let key = String(decoding: name.utf8.compactMap { c -> UInt8? in
            let l = ASCII.lowercase(c)
            return (l &- UInt8(ascii: "a") < 26 || l &- 48 < 10) ? l : nil
        }, as: UTF8.self)
        switch key {
        case "latin1", "latin", "l1", "iso88591", "iso885911987", "8859", "cp819", "ibm819": return "iso88591"
        case "usascii", "ascii", "646", "ansix3.41968": return "ascii"
        case "utf8", "utf", "u8", "cp65001": return "utf8"
        case "windows1252", "cp1252": return "cp1252"
        default: return key
        }
    }
}

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
    /// One accepted value and its quality.
    public struct Item: Sendable, Equatable {
        /// The value, with any parameters other than `q` (`text/html; level=1`).
        public var value: String
        /// The quality, 0…1.
        public var quality: Double
        /// An item.
        public init(_ value: String, quality: Double = 1) { self.value = value; self.quality = quality }
    }

    /// The items, most specific and highest quality first.
    public private(set) var items: [Item]
    /// Whether a header was given (Werkzeug's `provided`).
    public private(set) var isProvided: Bool

    /// An empty list, as for a missing header.
    public init() { items = []; isProvided = false }

    /// A list of these items, sorted by specificity and quality.
    public init(_ items: [Item]) {
        let keyed = items.enumerated().map { (offset: $0.offset, item: $0.element, spec: Rules.specificity($0.element.value)) }
        self.items = keyed.sorted { a, b in
            if a.spec != b.spec { return Self.less(b.spec, a.spec) }
            if a.item.quality != b.item.quality { return a.item.quality > b.item.quality }
            return a.offset < b.offset
        }.map(\.item)
        isProvided = true
    }

    /// Parses a header value; `nil` or empty gives an empty, not-provided list.
    public init(parsing header: (some StringProtocol)?) {
        guard let header, !header.isEmpty else { self.init(); return }
        var result: [Item] = []
        for entry in HeaderValues.parseList(header) {
            var options = OptionsHeader(parsing: entry)
            var q = 1.0
            if let qs = options.parameters["q"] {
                options.parameters["q"] = nil
                guard let v = Self.parseQuality(HeaderValues.trimmedWhitespace(Substring(qs))) else { continue }
                q = v
            }
            result.append(Item(options.parameters.isEmpty ? options.value : options.headerValue, quality: q))
        }
        self.init(result)
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
        var bestSpecificity: [Bool]? = nil
        for offer in offers {
            guard let item = items.first(where: { Rules.matches(offer: offer, item: $0.value) }) else { continue }
            let spec = Rules.specificity(item.value)
            if item.quality <= 0 || item.quality < bestQuality { continue }
            if item.quality > bestQuality || bestSpecificity.map({ Self.less($0, spec) }) ?? true {
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
