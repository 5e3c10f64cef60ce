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
