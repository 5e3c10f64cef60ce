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
        var count = 0
        for part in Substring(raw).split(separator: "&", omittingEmptySubsequences: true) {
            count += 1
            if count > maxPairs {
                throw HTTPError(.contentTooLarge, "The query or form has more than \(maxPairs) fields.")
            }
            let key: Substring, value: Substring
            if let eq = part.firstIndex(of: "=") {
                key = part[..<eq]
                value = part[part.index(after: eq)...]
            } else {
                key = part[...]
                value = ""
            }
            guard let k = PercentEncoding.decodeStrictly(key, plusAsSpace: true),
                  let v = PercentEncoding.decodeStrictly(value, plusAsSpace: true) else {
                throw HTTPError(.badRequest, "Malformed percent-escape in the query or form field '\(part.prefix(64))'.")
            }
            result.append(k, v)
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
