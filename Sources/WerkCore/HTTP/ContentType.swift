/// A header made of a value and `; key=value` parameters, such as `Content-Type` or
/// `Content-Disposition` (Werkzeug's `parse_options_header` / `dump_options_header`).
///
/// ```swift
/// let h = OptionsHeader(parsing: #"form-data; name="f"; filename*=UTF-8''%C3%A9.txt"#)
/// h.value                    // "form-data"
/// h.parameters["filename"]   // "é.txt"
/// OptionsHeader("text/html", ["charset": "utf-8"]).headerValue   // "text/html; charset=utf-8"
/// ```
///
/// Parsing follows RFC 9110 parameters: names are lower-cased, values are tokens or quoted strings
/// (`\"`, `\\` and multipart's `%22` decode to the character), invalid parts are skipped. RFC 2231
/// `key*=charset'lang'percent-encoded` values are decoded for `ascii`, `us-ascii`, `utf-8` and
/// `iso-8859-1`, and continuations `key*0=…; key*1=…` are joined.
public struct OptionsHeader: Sendable, Equatable {
    /// The main value, trimmed (`text/html`).
    public var value: String
    /// The parameters in order, names lower-cased.
    public var parameters: HeaderParameters

    /// A value with parameters.
    public init(_ value: String, _ parameters: HeaderParameters = [:]) {
        self.value = value
        self.parameters = parameters
    }

    /// Parses a header value. An empty value, or one without parameters, has no parameters.
    public init(parsing header: some StringProtocol) {
        let s = Substring(header)
        guard let semi = s.firstIndex(of: ";") else {
            self.init(String(HeaderValues.trimmedWhitespace(s)))
            return
        }
        let value = String(HeaderValues.trimmedWhitespace(s[..<semi]))
        let rest = HeaderValues.trimmedWhitespace(s[s.index(after: semi)...])
        guard !value.isEmpty, !rest.isEmpty else { self.init(value); return }
        self.init(value, Self.parseParameters(Array(rest.utf8)))
    }

    /// The header value: `value; key=value`, quoting values that are not tokens. A parameter with a
    /// `nil` value is skipped; a name ending in `*` is written as is (already RFC 2231 encoded).
    public var headerValue: String {
        var out = value
        for p in parameters {
            guard let v = p.value else { continue }
            out += "; "
            out += p.name
            out += "="
            out += p.name.hasSuffix("*") ? v : HeaderValues.quote(v)
        }
        return out
    }

    private static func parseParameters(_ b: [UInt8]) -> HeaderParameters {
        var parts: [(String, [UInt8])] = []
        var p = 0
        let n = b.count
        while true {
            // key=
            var k = p
            while k < n, ASCII.isTokenByte(b[k]) { k += 1 }
            if k > p, k < n, b[k] == UInt8(ascii: "=") {
                let key = ASCII.lowercased(String(decoding: b[p..<k], as: UTF8.self))
                p = k + 1
                var t = p
                while t < n, ASCII.isTokenByte(b[t]) { t += 1 }
                if t > p {
                    parts.append((key, Array(b[p..<t])))
                    p = t
                } else if p < n, b[p] == UInt8(ascii: "\"") {
                    var i = p + 1
                    while i < n {
                        if b[i] == UInt8(ascii: "\\"), i + 1 < n, b[i + 1] == UInt8(ascii: "\\") || b[i + 1] == UInt8(ascii: "\"") {
                            i += 2
                        } else if b[i] == UInt8(ascii: "\"") {
                            parts.append((key, Array(b[p...i])))
                            p = i + 1
                            break
                        } else {
                            i += 1
                        }
                    }
                }
            }
            guard let semi = b[p...].firstIndex(of: UInt8(ascii: ";")) else { break }
            p = semi + 1
            while p < n, HeaderValues.isWhitespace(b[p]) { p += 1 }
        }

        var options = HeaderParameters()
        var continued: String? = nil
        for (rawKey, rawValue) in parts {
            var key = rawKey
            var v = String(decoding: rawValue, as: UTF8.self)
            if key.hasSuffix("*") {
                key.removeLast()
                var charset: String? = nil
                if let (cs, encoded) = RFC2231.splitCharset(v) {
                    charset = cs
                    v = encoded
                }
                if charset == nil || charset!.isEmpty { charset = continued }
                if let cs = charset, let decoded = RFC2231.decode(v, charset: cs) {
                    continued = cs
                    v = decoded
                }
            }
            if v.utf8.count >= 2, v.utf8.first == UInt8(ascii: "\""), v.utf8.last == UInt8(ascii: "\"") {
                v = String(v.dropFirst().dropLast())
                if v.utf8.contains(UInt8(ascii: "\\")) || v.utf8.contains(UInt8(ascii: "%")) {
                    v = v.replacing("\\\\", with: "\\").replacing("\\\"", with: "\"").replacing("%22", with: "\"")
                }
            }
            if let star = key.lastIndex(of: "*"), star < key.endIndex,
               key[key.index(after: star)...].allSatisfy({ $0.isASCII && $0.isNumber }),
               key.index(after: star) < key.endIndex {
                let base = String(key[..<star])
                options[base] = (options[base] ?? "") + v
            } else {
                options[key] = v
            }
        }
        return options
    }
}

/// RFC 2231 / RFC 8187 extended parameter values (`UTF-8''na%C3%AFve`).
enum RFC2231 {
    /// Splits `charset'lang'value` into the lower-cased charset and the encoded value, or `nil` when
    /// the text does not have that shape. Trailing characters after the value token are dropped.
    static func splitCharset(_ s: String) -> (String, String)? {
        let b = Array(s.utf8)
        func tokenNoQuote(_ c: UInt8) -> Bool { c != UInt8(ascii: "'") && ASCII.isTokenByte(c) }
        var i = 0
        while i < b.count, tokenNoQuote(b[i]) { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "'") else { return nil }
        let charset = ASCII.lowercased(String(decoding: b[0..<i], as: UTF8.self))
        i += 1
        while i < b.count, tokenNoQuote(b[i]) { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "'") else { return nil }
        i += 1
        let start = i
        while i < b.count, ASCII.isTokenByte(b[i]) { i += 1 }
        guard i > start else { return nil }
        return (charset, String(decoding: b[start..<i], as: UTF8.self))
    }

    /// Percent-decodes `s` with one of the safe charsets; `nil` for any other charset. Invalid
    /// bytes become U+FFFD.
    static func decode(_ s: String, charset: String) -> String? {
        switch charset {
        case "utf-8": return PercentEncoding.decode(s)
        case "ascii", "us-ascii", "iso-8859-1":
            var scalars = String.UnicodeScalarView()
            var u = s.unicodeScalars[...]
            while let c = u.first {
                if c == "%", u.count >= 3,
                   let hi = hex(u[u.index(after: u.startIndex)]), let lo = hex(u[u.index(u.startIndex, offsetBy: 2)]) {
                    let byte = hi << 4 | lo
                    scalars.append(charset != "iso-8859-1" && byte > 127 ? "\u{FFFD}" : Unicode.Scalar(byte))
                    u = u.dropFirst(3)
                } else {
                    scalars.append(c)
                    u = u.dropFirst()
                }
            }
            return String(scalars)
        default: return nil
        }
    }

    private static func hex(_ c: Unicode.Scalar) -> UInt8? {
        guard c.isASCII else { return nil }
        return PercentEncoding.hexValue(UInt8(c.value))
    }
}

/// A parsed `Content-Type`: media type, subtype and parameters.
///
/// ```swift
/// let ct = ContentType(parsing: "Application/JSON; charset=UTF-8")!
/// ct.mimeType    // "application/json"
/// ct.charset     // "UTF-8"
/// ct.isJSON      // true
/// ContentType("text/html", charset: "utf-8").headerValue   // "text/html; charset=utf-8"
/// ```
public struct ContentType: Sendable, Equatable {
    /// The top-level type, lower-cased (`text`).
    public var type: String
    /// The subtype, lower-cased (`html`, `vnd.api+json`).
    public var subtype: String
    /// The parameters, names lower-cased, values as sent.
    public var parameters: HeaderParameters

    /// A content type from `type/subtype`, with an optional charset parameter.
    public init(_ mimeType: String, charset: String? = nil) {
        let lower = ASCII.lowercased(mimeType)
        let slash = lower.firstIndex(of: "/")
        type = slash.map { String(lower[..<$0]) } ?? lower
        subtype = slash.map { String(lower[lower.index(after: $0)...]) } ?? ""
        parameters = [:]
        if let charset { parameters["charset"] = charset }
    }

    /// Parses a `Content-Type` value; `nil` when there is no `type/subtype`.
    public init?(parsing header: some StringProtocol) {
        let options = OptionsHeader(parsing: header)
        let lower = ASCII.lowercased(options.value)
        guard let slash = lower.firstIndex(of: "/"), slash != lower.startIndex,
              lower.index(after: slash) != lower.endIndex else { return nil }
        type = String(lower[..<slash])
        subtype = String(lower[lower.index(after: slash)...])
        parameters = options.parameters
    }

    /// `type/subtype`, lower-cased (Werkzeug's `mimetype`).
    public var mimeType: String { "\(type)/\(subtype)" }

    /// The `charset` parameter, if any.
    public var charset: String? {
        get { parameters["charset"] }
        set { parameters["charset"] = newValue }
    }

    /// Whether this is JSON: `application/json` or `application/*+json` (Werkzeug's `is_json`).
    public var isJSON: Bool { type == "application" && (subtype == "json" || subtype.hasSuffix("+json")) }

    /// The header value, quoting parameter values only when they are not tokens.
    public var headerValue: String { OptionsHeader(mimeType, parameters).headerValue }
}

/// A `Content-Disposition` header (`inline` or `attachment` with a file name).
///
/// ```swift
/// ContentDisposition.attachment(filename: "naïve file.txt").headerValue
/// // attachment; filename="naive file.txt"; filename*=UTF-8''na%C3%AFve%20file.txt
/// ```
///
/// A non-ASCII name is sent twice, as Werkzeug's `send_file` does: an ASCII approximation in
/// `filename` (accents removed) and the exact UTF-8 name in `filename*`.
public struct ContentDisposition: Sendable, Equatable {
    /// `attachment`, `inline`, `form-data`, … lower-cased.
    public var type: String
    /// The other parameters (without the file name).
    public var parameters: HeaderParameters
    /// The file name; when parsing, `filename*` wins over `filename`.
    public var filename: String?

    /// A disposition with an optional file name.
    public init(type: String, filename: String? = nil, parameters: HeaderParameters = [:]) {
        self.type = ASCII.lowercased(type)
        self.filename = filename
        self.parameters = parameters
    }

    /// `attachment; filename=…`.
    public static func attachment(filename: String? = nil) -> ContentDisposition {
        ContentDisposition(type: "attachment", filename: filename)
    }

    /// `inline; filename=…`.
    public static func inline(filename: String? = nil) -> ContentDisposition {
        ContentDisposition(type: "inline", filename: filename)
    }

    /// Parses a header value; `nil` when the disposition type is empty.
    public init?(parsing header: some StringProtocol) {
        var options = OptionsHeader(parsing: header)
        guard !options.value.isEmpty else { return nil }
        type = ASCII.lowercased(options.value)
        filename = options.parameters["filename"]
        options.parameters["filename"] = nil
        parameters = options.parameters
    }

    /// The `name` parameter (multipart form fields).
    public var name: String? { parameters["name"] }

    /// The header value. An ASCII file name is sent as `filename`; a non-ASCII one as an ASCII
    /// fallback plus `filename*=UTF-8''…`.
    public var headerValue: String {
        var options = OptionsHeader(type, [:])
        if let filename {
            if filename.utf8.allSatisfy({ $0 < 0x80 }) {
                options.parameters["filename"] = filename
            } else {
                options.parameters["filename"] = Self.asciiFallback(filename)
                options.parameters["filename*"] = "UTF-8''" + PercentEncoding.encode(filename, safe: "!#$&+-.^_`|~")
            }
        }
        for p in parameters { options.parameters.set(p.name, p.value) }
        return options.headerValue
    }

    /// An ASCII approximation of `name`, like `NFKD` then dropping non-ASCII: Latin letters with
    /// diacritics keep their base letter (read from the Unicode name, so no tables are needed);
    /// other characters are dropped.
    static func asciiFallback(_ name: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if scalar.isASCII { out.append(scalar); continue }
            guard let uname = scalar.properties.name else { continue }
            for prefix in ["LATIN SMALL LETTER ", "LATIN CAPITAL LETTER "] where uname.hasPrefix(prefix) {
                let rest = uname.dropFirst(prefix.count)
                let letter = rest.prefix { $0 != " " }
                guard letter.count == 1, rest.dropFirst(letter.count).isEmpty || rest.dropFirst(letter.count).hasPrefix(" WITH "),
                      let c = letter.unicodeScalars.first, c.isASCII else { break }
                out.append(prefix.hasPrefix("LATIN SMALL") ? Unicode.Scalar(UInt8(c.value) | 0x20) : c)
                break
            }
        }
        return String(out)
    }
}
