/// A `Range` request header (RFC 9110 §14.2), like Werkzeug's `Range`.
///
/// Each range is `(start, end)` with an **exclusive** end, as Werkzeug stores them: `bytes=0-99`
/// is `(0, 100)`, the open range `bytes=9500-` is `(9500, nil)` and the suffix `bytes=-500` is
/// `(-500, nil)`.
///
/// ```swift
/// let r = RangeHeader(parsing: "bytes=0-99")!
/// r.ranges                         // [ByteRange(start: 0, end: 100)]
/// r.rangeFor(length: 1000)         // 0..<100
/// RangeHeader(parsing: "bytes=-500")!.rangeFor(length: 1000)   // 500..<1000
/// RangeHeader(parsing: "bytes=5-2")                            // nil
/// ```
public struct RangeHeader: Sendable, Equatable, CustomStringConvertible {
    /// One range: `start` and the exclusive `end`; `end` is `nil` for an open range, and a negative
    /// `start` with a `nil` end is a suffix (the last `-start` bytes).
    public struct ByteRange: Sendable, Equatable {
        /// The first byte, or minus the suffix length.
        public var start: Int
        /// One past the last byte, or `nil` for "to the end".
        public var end: Int?
        /// A range.
        public init(start: Int, end: Int?) { self.start = start; self.end = end }
    }

    /// The unit, lower-cased; usually `bytes`.
    public var units: String
    /// The ranges in header order.
    public var ranges: [ByteRange]

    /// A header with these ranges.
    public init(units: String = "bytes", ranges: [ByteRange]) {
        self.units = units
        self.ranges = ranges
    }

    /// Parses a `Range` header like Werkzeug's `parse_range_header`; `nil` when missing or malformed.
    /// Ranges must be in ascending, non-overlapping order, a suffix range must be last, numbers are
    /// plain ASCII digits, and a number too large for `Int` makes the header invalid.
    public init?(parsing header: (some StringProtocol)?) {
        guard let header, let eq = header.firstIndex(of: "=") else { return nil }
        let units = ASCII.lowercased(HeaderValues.trimmedWhitespace(Substring(header[..<eq])))
        var ranges: [ByteRange] = []
        var lastEnd = 0
        for rawItem in header[header.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false) {
            let item = HeaderValues.trimmedWhitespace(Substring(rawItem))
            guard let dash = item.firstIndex(of: "-") else { return nil }
            if dash == item.startIndex {
                guard lastEnd >= 0, let begin = Self.plainInt(item) else { return nil }
                ranges.append(ByteRange(start: begin, end: nil))
                lastEnd = -1
            } else {
                guard let begin = Self.plainInt(item[..<dash]), begin >= lastEnd, lastEnd >= 0 else { return nil }
                let endText = HeaderValues.trimmedWhitespace(item[item.index(after: dash)...])
                if endText.isEmpty {
                    ranges.append(ByteRange(start: begin, end: nil))
                    lastEnd = -1
                } else {
                    guard let last = Self.plainInt(endText), last < Int.max, begin < last + 1 else { return nil }
                    ranges.append(ByteRange(start: begin, end: last + 1))
                    lastEnd = last + 1
                }
            }
        }
        self.init(units: units, ranges: ranges)
    }

    /// Werkzeug's `_plain_int`: optional whitespace, an optional `-`, ASCII digits.
    static func plainInt(_ s: some StringProtocol) -> Int? {
        let t = HeaderValues.trimmedWhitespace(Substring(s))
        var digits = t.utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        return Int(t)
    }

    /// The satisfiable byte range for a representation of `length` bytes, or `nil` when the unit is
    /// not `bytes`, there is more than one range, or the range is not satisfiable (Werkzeug's
    /// `range_for_length`). An end past the length is clamped, and so is a suffix longer than the
    /// representation (`bytes=-500` of 100 bytes is `0..<100`, as RFC 9110 requires; Werkzeug
    /// returns `nil` there).
    public func rangeFor(length: Int) -> Swift.Range<Int>? {
        guard units == "bytes", ranges.count == 1 else { return nil }
        var start = ranges[0].start
        var end: Int
        if let e = ranges[0].end { end = e } else {
            end = length
            // RFC 9110 §14.1.2: a suffix longer than the representation selects all of it
            // (Werkzeug answers None here, which would turn into a 416).
            if start < 0 { start = max(0, start + length) }
        }
        guard start >= 0, start < end, start < length else { return nil }
        end = min(end, length)
        return start..<end
    }

    /// Every range resolved against `length` (for `multipart/byteranges`), skipping unsatisfiable
    /// ones; empty when none is satisfiable or the unit is not `bytes`.
    public func satisfiableRanges(length: Int) -> [Swift.Range<Int>] {
        guard units == "bytes" else { return [] }
        return ranges.compactMap { RangeHeader(units: units, ranges: [$0]).rangeFor(length: length) }
    }

    /// The `Content-Range` for a representation of `length` bytes, or `nil` (see ``rangeFor(length:)``).
    public func contentRange(length: Int) -> ContentRange? {
        rangeFor(length: length).map { ContentRange(units: units, range: $0, length: length) }
    }

    /// The header value, e.g. `bytes=0-99,-500`.
    public var headerValue: String {
        units + "=" + ranges.map { r in
            if let end = r.end { return "\(r.start)-\(end - 1)" }
            return r.start >= 0 ? "\(r.start)-" : String(r.start)
        }.joined(separator: ",")
    }

    /// The header value.
    public var description: String { headerValue }
}

/// A `Content-Range` header (RFC 9110 §14.4), like Werkzeug's `ContentRange`; `stop` is exclusive.
///
/// ```swift
/// ContentRange(parsing: "bytes 0-9/100")   // start 0, stop 10, length 100
/// ContentRange(unsatisfiedLength: 100).headerValue   // "bytes */100"
/// ```
public struct ContentRange: Sendable, Equatable, CustomStringConvertible {
    /// The unit, usually `bytes`.
    public var units: String
    /// The range sent, or `nil` for `*` (an unsatisfied range, with 416).
    public var range: Swift.Range<Int>?
    /// The complete length, or `nil` when unknown (`/*`).
    public var length: Int?

    /// A content range.
    public init(units: String = "bytes", range: Swift.Range<Int>?, length: Int?) {
        self.units = units
        self.range = range
        self.length = length
    }

    /// `bytes */length`, for a `416 Range Not Satisfiable` response.
    public init(unsatisfiedLength length: Int) { self.init(range: nil, length: length) }

    /// The first byte, or `nil` for `*`.
    public var start: Int? { range?.lowerBound }
    /// One past the last byte, or `nil` for `*`.
    public var stop: Int? { range?.upperBound }

    /// Parses like Werkzeug's `parse_content_range_header`; `nil` when malformed or inconsistent
    /// (an empty range, a start at or past the length).
    public init?(parsing header: some StringProtocol) {
        let t = HeaderValues.trimmedWhitespace(Substring(header))
        guard let space = t.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        let units = String(t[..<space])
        let def = HeaderValues.trimmedWhitespace(t[space...])
        guard let slash = def.firstIndex(of: "/") else { return nil }
        let rng = def[..<slash], lengthText = def[def.index(after: slash)...]
        var length: Int? = nil
        if lengthText != "*" {
            guard let l = RangeHeader.plainInt(lengthText) else { return nil }
            length = l
        }
        if rng == "*" {
            if let length, length < 0 { return nil }
            self.init(units: units, range: nil, length: length)
            return
        }
        guard let dash = rng.firstIndex(of: "-"),
              let start = RangeHeader.plainInt(rng[..<dash]),
              let last = RangeHeader.plainInt(rng[rng.index(after: dash)...]), last < Int.max else { return nil }
        let stop = last + 1
        guard start >= 0, start < stop else { return nil }
        if let length, start >= length { return nil }
        self.init(units: units, range: start..<stop, length: length)
    }

    /// The header value: `bytes 0-9/100`, `bytes */100`, `bytes 0-9/*`.
    public var headerValue: String {
        let l = length.map(String.init) ?? "*"
        guard let range else { return "\(units) */\(l)" }
        return "\(units) \(range.lowerBound)-\(range.upperBound - 1)/\(l)"
    }

    /// The header value.
    public var description: String { headerValue }
}

/// An `If-Range` header: an entity tag or a date (RFC 9110 §13.1.5).
///
/// ```swift
/// IfRange(parsing: #""v2""#)                           // .etag(ETag("v2"))
/// IfRange(parsing: "Sun, 06 Nov 1994 08:49:37 GMT")    // .date(784111777)
/// ```
public enum IfRange: Sendable, Equatable, CustomStringConvertible {
    /// An entity tag (`If-Range` needs a strong one to match).
    case etag(ETag)
    /// A date, in epoch seconds.
    case date(Int)

    /// Parses a value: a valid HTTP date, otherwise an entity tag; `nil` for an empty value.
    /// Unlike Werkzeug, which drops it, the weakness of the tag is kept so the caller can refuse it.
    public init?(parsing header: some StringProtocol) {
        guard !header.isEmpty else { return nil }
        if let d = HTTPDate.parse(header) { self = .date(d); return }
        guard let tag = ETag(parsing: header) else { return nil }
        self = .etag(tag)
    }

    /// The header value: the quoted tag or the IMF-fixdate.
    public var headerValue: String {
        switch self {
        case .etag(let tag): return tag.headerValue
        case .date(let d): return HTTPDate.format(d)
        }
    }

    /// The header value.
    public var description: String { headerValue }
}
