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
        if let fast = fastMatches(offer: offer, item: item) { return fast }
        guard item.utf8.contains(UInt8(ascii: "/")), offer.utf8.contains(UInt8(ascii: "/")) else { return false }
        let v = split(offer, lowercase: true), i = split(item, lowercase: true)
        guard v.count >= 2, i.count >= 2 else { return false }
        if v[0] == "*" && v[1] != "*" { return false }
        if i[0] == "*" && i[1] != "*" { return false }
        if (i[0] == "*" && i[1] == "*") || (v[0] == "*" && v[1] == "*") { return true }
        guard i[0] == v[0] else { return false }
        return i[1] == "*" || v[1] == "*" || (i[1] == v[1] && v[2...].sorted() == i[2...].sorted())
    }

    /// The position of the only `/` in a value without `;`, or `nil` when the value has parameters,
    /// no `/` or several (those take the general path).
    @inline(__always)
    static func simpleSlash(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var slash = -1
        for i in 0..<b.count {
            let c = b[i]
            if c == UInt8(ascii: "/") {
                if slash >= 0 { return nil }
                slash = i
            } else if c == UInt8(ascii: ";") {
                return nil
            }
        }
        return slash >= 0 ? slash : nil
    }

    /// ``matches(offer:item:)`` without allocating, for the common `type/subtype` on both sides
    /// (exactly one `/`, no `;`); `nil` when either side needs the general path.
    static func fastMatches(offer: String, item: String) -> Bool? {
        let r = offer.utf8.withContiguousStorageIfAvailable { v in
            item.utf8.withContiguousStorageIfAvailable { i -> Bool? in
                guard let vs = simpleSlash(v), let isl = simpleSlash(i) else { return nil }
                @inline(__always) func star(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
                    e - s == 1 && b[s] == UInt8(ascii: "*")
                }
                @inline(__always) func equal(_ s1: Int, _ e1: Int, _ s2: Int, _ e2: Int) -> Bool {
                    guard e1 - s1 == e2 - s2 else { return false }
                    for k in 0..<(e1 - s1) {
                        let x = i[s1 + k], y = v[s2 + k]
                        if x != y && ASCII.lowercase(x) != ASCII.lowercase(y) { return false }
                    }
                    return true
                }
                let v0s = star(v, 0, vs), v1s = star(v, vs + 1, v.count)
                let i0s = star(i, 0, isl), i1s = star(i, isl + 1, i.count)
                if v0s && !v1s { return false }
                if i0s && !i1s { return false }
                if (i0s && i1s) || (v0s && v1s) { return true }
                guard equal(0, isl, 0, vs) else { return false }
                return i1s || v1s || equal(isl + 1, i.count, vs + 1, v.count)
            }
        }
        if let r, let r { return r }
        return nil
    }

    /// ``specificity(_:)`` packed, without allocating: the parts of ``split(_:lowercase:)``, each
    /// `*` or not.
    static func specificityKey(_ s: String) -> AcceptSpecificity {
        let r = s.utf8.withContiguousStorageIfAvailable { u in
            var key = AcceptSpecificity()
            let n = u.count
            var start = 0
            var i = 0
            @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
            while i < n {
                let c = u[i]
                if c == UInt8(ascii: "/") {
                    key.append(!(i - start == 1 && u[start] == UInt8(ascii: "*"))); i += 1; start = i
                } else if c == UInt8(ascii: ";") || isSpace(c) {
                    var j = i
                    while j < n, isSpace(u[j]) { j += 1 }
                    if j < n, u[j] == UInt8(ascii: ";") {
                        key.append(!(i - start == 1 && u[start] == UInt8(ascii: "*")))
                        j += 1
                        while j < n, isSpace(u[j]) { j += 1 }
                        i = j; start = j
                    } else {
                        i = j
                    }
                } else {
                    i += 1
                }
            }
            key.append(!(n - start == 1 && u[start] == UInt8(ascii: "*")))
            return key
        }
        return r ?? AcceptSpecificity(specificity(s))
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

/// A specificity (``AcceptRules/specificity(_:)``) packed into an integer: two bits per element
/// (`false` = 1, `true` = 2, end = 0), so integer order is Python tuple order. Lists longer than
/// 31 elements keep the full list as well.
@usableFromInline
struct AcceptSpecificity: Sendable {
    @usableFromInline var packed: UInt64 = 0
    @usableFromInline var count = 0
    @usableFromInline var overflow: [Bool]? = nil

    @usableFromInline init() {}

    @usableFromInline init(_ bools: [Bool]) {
        for b in bools { append(b) }
    }

    @inline(__always) @usableFromInline
    mutating func append(_ b: Bool) {
        if count < 31 {
            packed |= UInt64(b ? 2 : 1) << UInt64(62 - 2 * count)
        } else {
            if overflow == nil { overflow = bools }
            overflow!.append(b)
        }
        count += 1
    }

    /// The elements as a list.
    @usableFromInline var bools: [Bool] {
        if let overflow { return overflow }
        return (0..<count).map { (packed >> UInt64(62 - 2 * $0)) & 3 == 2 }
    }

    /// Python tuple order.
    @inline(__always) @usableFromInline
    static func < (a: Self, b: Self) -> Bool {
        if a.packed != b.packed || (a.count <= 31 && b.count <= 31) { return a.packed < b.packed }
        return Accept<GenericAcceptRules>.less(a.bools, b.bools)
    }
}

/// One accepted value of an ``Accept`` list and its quality (``Accept/Item``).
public struct AcceptItem: Sendable, Equatable {
    /// The value, with any parameters other than `q` (`text/html; level=1`).
    public var value: String
    /// The quality, 0…1.
    public var quality: Double
    /// An item.
    public init(_ value: String, quality: Double = 1) { self.value = value; self.quality = quality }
}

/// The non-generic parts of ``Accept`` parsing and ranking, so they run specialised whatever the
/// rules type.
enum AcceptCore {
    /// `items` sorted by specificity (descending), then quality (descending), then position: a
    /// stable insertion sort (lists are short).
    static func sorted(_ items: [AcceptItem], keys: [AcceptSpecificity]) -> [AcceptItem] {
        var order = Array(items.indices)
        @inline(__always) func before(_ a: Int, _ b: Int) -> Bool {
            let ka = keys[a], kb = keys[b]
            if ka.packed != kb.packed || ka.count > 31 || kb.count > 31 {
                if kb < ka { return true }
                if ka < kb { return false }
            }
            return items[a].quality > items[b].quality
        }
        if order.count > 1 {
            for i in 1..<order.count {
                let x = order[i]
                var j = i
                while j > 0, before(x, order[j - 1]) { order[j] = order[j - 1]; j -= 1 }
                order[j] = x
            }
        }
        return order.map { items[$0] }
    }

    /// The items of a header value, in header order (Werkzeug's `parse_accept_header` before
    /// sorting). A value without `"` is split at `,` in place (what ``HeaderValues/parseList(_:)``
    /// does for it); others go through `parseList`.
    static func parse(_ header: String) -> [AcceptItem] {
        let fast = header.utf8.withContiguousStorageIfAvailable { b -> [AcceptItem]? in
            if b.contains(UInt8(ascii: "\"")) { return nil }
            var result: [AcceptItem] = []
            let n = b.count
            var start = 0
            for i in 0...n where i == n || b[i] == UInt8(ascii: ",") {
                var s = start, e = i
                start = i + 1
                while s < e, HeaderValues.isWhitespace(b[s]) { s += 1 }
                while e > s, HeaderValues.isWhitespace(b[e - 1]) { e -= 1 }
                guard s < e else { continue }
                let slice = UnsafeBufferPointer(rebasing: b[s..<e])
                switch parseSimpleEntry(slice) {
                case .item(let item): result.append(item)
                case .invalid: break
                case .general:
                    if let item = parseGeneral(String(decoding: slice, as: UTF8.self)) { result.append(item) }
                }
            }
            return result
        }
        if let fast, let fast { return fast }
        var result: [AcceptItem] = []
        for entry in HeaderValues.parseList(header) {
            var entry = entry
            switch entry.withUTF8({ parseSimpleEntry($0) }) {
            case .item(let item): result.append(item)
            case .invalid: break
            case .general: if let item = parseGeneral(entry) { result.append(item) }
            }
        }
        return result
    }

    /// Any entry, through ``OptionsHeader``; `nil` when its `q` is invalid.
    static func parseGeneral(_ entry: String) -> AcceptItem? {
        var options = OptionsHeader(parsing: entry)
        var q = 1.0
        if let qs = options.parameters["q"] {
            options.parameters["q"] = nil
            guard let v = Accept<GenericAcceptRules>.parseQuality(HeaderValues.trimmedWhitespace(Substring(qs))) else {
                return nil
            }
            q = v
        }
        return AcceptItem(options.parameters.isEmpty ? options.value : options.headerValue, quality: q)
    }

    enum SimpleEntry { case item(AcceptItem), invalid, general }

    /// An ASCII entry with no parameters or only a token `q` parameter, parsed as
    /// ``OptionsHeader/init(parsing:)`` would but without building it; `.general` otherwise.
    static func parseSimpleEntry(_ b: UnsafeBufferPointer<UInt8>) -> SimpleEntry {
        do {
            let n = b.count
            var semi = -1
            for i in 0..<n {
                let c = b[i]
                if c >= 0x80 { return .general }
                if c == UInt8(ascii: ";") {
                    if semi >= 0 { return .general }
                    semi = i
                }
            }
            @inline(__always) func trim(_ s: Int, _ e: Int) -> (Int, Int) {
                var s = s, e = e
                while s < e, HeaderValues.isWhitespace(b[s]) { s += 1 }
                while e > s, HeaderValues.isWhitespace(b[e - 1]) { e -= 1 }
                return (s, e)
            }
            @inline(__always) func string(_ r: (Int, Int)) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: b[r.0..<r.1]), as: UTF8.self)
            }
            guard semi >= 0 else { return .item(AcceptItem(string(trim(0, n)))) }
            let value = trim(0, semi)
            let rest = trim(semi + 1, n)
            if value.0 == value.1 || rest.0 == rest.1 { return .item(AcceptItem(string(value))) }
            // `q=token` and nothing else.
            var r = rest.0
            guard b[r] | 0x20 == UInt8(ascii: "q") else { return .general }
            r += 1
            guard r < rest.1, b[r] == UInt8(ascii: "=") else { return .general }
            r += 1
            let tokenStart = r
            while r < rest.1, ASCII.isTokenByte(b[r]) { r += 1 }
            guard r == rest.1, tokenStart < r else { return .general }
            guard let q = parseQuality(UnsafeBufferPointer(rebasing: b[tokenStart..<r])) else { return .invalid }
            return .item(AcceptItem(string(value), quality: q))
        }
    }

    /// A `q` value: `-?\d+(\.\d+)?` within 0…1, from bytes.
    static func parseQuality(_ u: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let n = u.count
        if i < n, u[i] == UInt8(ascii: "-") { i += 1 }
        let digitsStart = i
        while i < n, u[i] &- 48 < 10 { i += 1 }
        guard i > digitsStart else { return nil }
        if i < n {
            guard u[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            let fracStart = i
            while i < n, u[i] &- 48 < 10 { i += 1 }
            guard i > fracStart, i == n else { return nil }
        }
        // Common exact values without going through Double parsing.
        if n == 1, u[0] == UInt8(ascii: "1") { return 1 }
        if n == 1, u[0] == UInt8(ascii: "0") { return 0 }
        if n == 3, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: ".") { return Double(u[2] - 48) / 10 }
        guard let v = Double(String(decoding: u, as: UTF8.self)), v >= 0, v <= 1 else { return nil }
        return v
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
