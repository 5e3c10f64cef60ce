/// How a `Range` header applies to a representation of a known length (RFC 9110 §14).
///
/// The rules, chosen so that a client cannot make the server send more than about the file once
/// (no range amplification) and so that nginx's answers are kept where they are sound:
/// - a header that is not `bytes=…` or is not well-formed is ignored: the whole representation, 200
///   (nginx answers 416 to a malformed one; RFC 9110 §14.2 lets a server ignore it, and a client
///   that sent garbage is better served by the whole file than by an error);
/// - an empty representation ignores every range (200 with no body), as nginx and Go do: some
///   clients send a Range with every request, and a 416 for an empty file helps none of them;
/// - `a-b` (the end clamped to the last byte), `a-` (to the end) and `-n` (the last `n` bytes, all
///   of them when `n` is larger) are satisfiable when they start before the end; the others are
///   dropped, and when none is left the answer is 416 with `Content-Range: bytes */length`;
/// - ranges that overlap or touch are coalesced (sorted, then merged), as RFC 9110 §14.3 allows;
///   ranges that do not are kept in the order asked;
/// - more than `maxRanges` ranges after coalescing, or more than 4 × `maxRanges` in the header,
///   are answered with the whole representation (200), as nginx does beyond its `max_ranges`.
enum RangeResolution: Equatable, Sendable {
    /// Send the whole representation (no usable Range header).
    case whole
    /// One range: 206 with `Content-Range`.
    case single(Range<Int>)
    /// Several ranges: 206 with `multipart/byteranges`.
    case multiple([Range<Int>])
    /// None is satisfiable: 416.
    case unsatisfiable

    /// Resolves `header` for a representation of `length` bytes.
    static func resolve(_ header: some StringProtocol, length: Int, maxRanges: Int) -> RangeResolution {
        if length == 0 { return .whole }
        let bytes = Array(header.utf8)
        var index = 0
        func skipWhitespace() { while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 { index += 1 } }
        skipWhitespace()
        // The unit: "bytes", case-insensitively, then "=".
        let unit: [UInt8] = Array("bytes".utf8)
        guard bytes.count - index > unit.count else { return .whole }
        for (offset, byte) in unit.enumerated() where ASCII.lowercase(bytes[index + offset]) != byte { return .whole }
        index += unit.count
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return .whole }
        index += 1

        /// Digits as a number; saturates at Int.max (a huge position is still a position).
        func number() -> Int? {
            let start = index
            var value = 0
            while index < bytes.count, bytes[index] &- 48 < 10 {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int(bytes[index] - 48))
                value = o1 || o2 ? .max : plus
                index += 1
            }
            return index > start ? value : nil
        }

        var ranges: [Range<Int>] = []
        var specs = 0
        let hardLimit = max(maxRanges, 1) * 4
        while true {
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") { index += 1; continue }  // empty element
            if index >= bytes.count { break }
            specs += 1
            if specs > hardLimit { return .whole }
            if bytes[index] == UInt8(ascii: "-") {
                index += 1
                guard let suffix = number() else { return .whole }
                if suffix > 0 && length > 0 { ranges.append(max(0, length - suffix)..<length) }
            } else {
                guard let first = number() else { return .whole }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return .whole }
                index += 1
                skipWhitespace()
                let last = number()
                if let last, last < first { return .whole }   // "5-2" is invalid: ignore the header
                if first < length {
                    let end = last.map { $0 >= length - 1 ? length : $0 + 1 } ?? length
                    ranges.append(first..<end)
                }
            }
            skipWhitespace()
            if index < bytes.count {
                guard bytes[index] == UInt8(ascii: ",") else { return .whole }
                index += 1
            }
        }
        if specs == 0 { return .whole }
        if ranges.isEmpty { return .unsatisfiable }
        let merged = coalesce(ranges)
        if merged.count > maxRanges { return .whole }
        return merged.count == 1 ? .single(merged[0]) : .multiple(merged)
    }

    /// The ranges in the order asked when none overlaps or touches another; otherwise sorted and
    /// merged.
    static func coalesce(_ ranges: [Range<Int>]) -> [Range<Int>] {
        guard ranges.count > 1 else { return ranges }
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var needsMerge = false
        for i in 1..<sorted.count where sorted[i].lowerBound <= sorted[i - 1].upperBound { needsMerge = true; break }
        guard needsMerge else { return ranges }
        var merged: [Range<Int>] = [sorted[0]]
        for range in sorted.dropFirst() {
            let last = merged[merged.count - 1]
            if range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
