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
