/// Query strings and `application/x-www-form-urlencoded` bodies.
///
/// ```swift
/// try URLQuery.parse("a=1&b=x+y&a=2")        // [("a","1"), ("b","x y"), ("a","2")]
/// URLQuery.encode([("q", "a b"), ("x", "1")])  // "q=a+b&x=1"
/// ```
public enum URLQuery {
    /// Parses `key=value` pairs separated by `&`, decoding `%XX` and `+`. Empty pairs are skipped and a
    /// key without `=` gets the empty value, as Werkzeug does. A malformed escape (`%zz`) throws
    /// ``HTTPError`` 400 naming the offending pair; more than `maxPairs` pairs throws 413.
    public static func parse(_ raw: some StringProtocol, maxPairs: Int = 10_000) throws -> MultiDict {
        var result = MultiDict()
        guard !raw.isEmpty else { return result }
        var text = String(raw)
        try text.withUTF8 { bytes in
            var count = 0
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
                if end > start {
                    count += 1
                    if count > maxPairs {
                        throw HTTPError(.contentTooLarge, "The query or form has more than \(maxPairs) fields.")
                    }
                    var eq = start
                    while eq < end, bytes[eq] != UInt8(ascii: "=") { eq += 1 }
                    let key = UnsafeBufferPointer(rebasing: bytes[start..<eq])
                    let value = eq < end ? UnsafeBufferPointer(rebasing: bytes[(eq + 1)..<end]) : UnsafeBufferPointer(rebasing: bytes[end..<end])
                    guard let k = PercentEncoding.decodeFormComponent(key),
                          let v = PercentEncoding.decodeFormComponent(value) else {
                        let part = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]).prefix(64), as: UTF8.self)
                        throw HTTPError(.badRequest, "Malformed percent-escape in the query or form field '\(part)'.")
                    }
                    result.append(k, v)
                }
                start = end + 1
            }
        }
        return result
    }

    /// Encodes pairs as `k=v&k2=v2`, with spaces as `+` and everything else outside the unreserved
    /// set percent-escaped.
    public static func encode(_ pairs: some Sequence<(String, String)>) -> String {
        pairs.map { PercentEncoding.encode($0.0, spaceAsPlus: true) + "=" + PercentEncoding.encode($0.1, spaceAsPlus: true) }
            .joined(separator: "&")
    }

    /// Encodes a ``MultiDict`` in order, duplicates included.
    public static func encode(_ dict: MultiDict) -> String {
        encode(dict.pairs.map { ($0.key, $0.value) })
    }
}
