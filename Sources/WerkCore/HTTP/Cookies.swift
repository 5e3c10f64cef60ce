#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parsing of the request `Cookie` header, like Werkzeug's `parse_cookie`.
///
/// ```swift
/// let c = Cookies.parse(#"a=1; b="x y"; a=2; =bad; c"#)
/// c.values(for: "a")   // ["1", "2"]
/// c["b"]               // "x y"
/// c["c"]               // ""
/// ```
public enum Cookies {
    /// Parses a `Cookie` header into a multi-dict, keeping repeated names in order.
    ///
    /// - Values in double quotes are unquoted and their backslash escapes decoded (`\"`, `\\` and
    ///   three-digit octal escapes such as `\073` for `;`), invalid UTF-8 becoming U+FFFD.
    /// - Names are trimmed but never unquoted (unquoting let `__Secure-` names be spoofed).
    /// - A cookie with an empty name, such as `=__Host-x=bad`, is dropped (CVE-2023-23934).
    /// - A name without `=` has the empty value.
    public static func parse(_ header: some StringProtocol) -> MultiDict {
        var out = MultiDict()
        let b = Array(header.utf8)
        b.withUnsafeBytes { raw in
            scan(raw) { nameRange, valueRange in
                out.append(String(decoding: b[nameRange], as: UTF8.self), unquoteValue(b[valueRange]))
                return true
            }
        }
        return out
    }

    /// The first value of the cookie called `name` in a `Cookie` header: `parse(header)[name]`,
    /// without building the multi-dict or a string for any other cookie.
    ///
    /// ```swift
    /// Cookies.value(named: "session", in: "theme=dark; session=abc")   // "abc"
    /// ```
    public static func value(named name: String, in header: some StringProtocol) -> String? {
        var name = name
        let nameIsASCII = name.utf8.allSatisfy { $0 < 0x80 }
        var found: String? = nil
        name.withUTF8 { wanted in
            withContiguousBytes(header.utf8) { b in
                scan(b) { nameRange, valueRange in
                    let candidate = UnsafeRawBufferPointer(rebasing: b[nameRange])
                    let matches: Bool
                    if nameIsASCII && candidate.allSatisfy({ $0 < 0x80 }) {
                        matches = candidate.count == wanted.count && candidate.elementsEqual(wanted)
                    } else {
                        // Non-ASCII: compare as strings, as the multi-dict does (canonical equivalence).
                        matches = String(decoding: candidate, as: UTF8.self) == String(decoding: wanted, as: UTF8.self)
                    }
                    guard matches else { return true }
                    found = unquoteValue(Array(UnsafeRawBufferPointer(rebasing: b[valueRange]))[...])
                    return false
                }
            }
        }
        return found
    }

    /// Walks the cookies of a `Cookie` header in order, calling `body` with the byte ranges of each
    /// non-empty name and its (still quoted) value until it returns false.
    private static func scan(_ b: UnsafeRawBufferPointer, _ body: (Range<Int>, Range<Int>) -> Bool) {
        let n = b.count
        var p = 0
        while p < n {
            // The name: everything up to `=` or `;`.
            var k = p
            while k < n, b[k] != UInt8(ascii: "="), b[k] != UInt8(ascii: ";") { k += 1 }
            let nameRange = trimmed(b, p, k)
            var valueRange = k..<k
            var next: Int
            if k < n, b[k] == UInt8(ascii: "=") {
                var v = k + 1
                while v < n, HeaderValues.isWhitespace(b[v]) { v += 1 }
                var quotedEnd: Int? = nil
                if v < n, b[v] == UInt8(ascii: "\"") {
                    // A quoted string counts only when it is followed by optional space and `;`.
                    var i = v + 1
                    while i < n {
                        if b[i] == UInt8(ascii: "\\") && i + 1 < n { i += 2; continue }
                        if b[i] == UInt8(ascii: "\"") { break }
                        i += 1
                    }
                    if i < n {
                        var j = i + 1
                        while j < n, HeaderValues.isWhitespace(b[j]) { j += 1 }
                        if j == n || b[j] == UInt8(ascii: ";") { quotedEnd = i + 1; next = j }
                    }
                }
                if let quotedEnd {
                    valueRange = v..<quotedEnd
                    next = valueRange.upperBound
                    while next < n, b[next] != UInt8(ascii: ";") { next += 1 }
                } else {
                    var s = v
                    while s < n, b[s] != UInt8(ascii: ";") { s += 1 }
                    valueRange = trimmed(b, v, s)
                    next = s
                }
            } else {
                next = k
            }
            // Skip the `;` and the space after it.
            if next < n { next += 1 }
            while next < n, HeaderValues.isWhitespace(b[next]) { next += 1 }
            p = next
            guard nameRange.lowerBound < nameRange.upperBound else { continue }
            if !body(nameRange, valueRange) { return }
        }
    }

    /// `HeaderValues.trimmed` over raw bytes.
    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Range<Int> {
        var s = start, e = end
        while s < e, HeaderValues.isWhitespace(bytes[s]) { s += 1 }
        while e > s, HeaderValues.isWhitespace(bytes[e - 1]) { e -= 1 }
        return s..<e
    }

    /// Decodes a cookie value: when it is wrapped in double quotes, the quotes are removed and the
    /// backslash escapes decoded (`\ooo` octal for a byte, `\x` for any other character).
    static func unquoteValue(_ v: ArraySlice<UInt8>) -> String {
        guard v.count >= 2, v.first == UInt8(ascii: "\""), v.last == UInt8(ascii: "\"") else {
            return String(decoding: v, as: UTF8.self)
        }
        let inner = v.dropFirst().dropLast()
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(inner.count)
        var i = inner.startIndex
        while i < inner.endIndex {
            let c = inner[i]
            guard c == UInt8(ascii: "\\"), i + 1 < inner.endIndex else { out.append(c); i += 1; continue }
            let d0 = inner[i + 1]
            if d0 >= UInt8(ascii: "0"), d0 <= UInt8(ascii: "3"), i + 3 < inner.endIndex,
               isOctal(inner[i + 2]), isOctal(inner[i + 3]) {
                out.append((d0 - 48) << 6 | (inner[i + 2] - 48) << 3 | (inner[i + 3] - 48))
                i += 4
            } else {
                out.append(d0)
                i += 2
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isOctal(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "7") }

    /// The current time in epoch seconds (wall clock).
    static func now() -> Int { Int(time(nil)) }
}

/// One `Set-Cookie` header: building it for a response (like Werkzeug's `dump_cookie`) and reading
/// it back for a client cookie jar.
///
/// ```swift
/// var c = SetCookie(name: "session", value: "abc")
/// c.headerValue                                // "session=abc; Path=/"
/// c = SetCookie(name: "s", value: "v w", path: "/app", secure: true, httpOnly: true, sameSite: .lax)
/// c.headerValue                                // "s=\"v w\"; Secure; HttpOnly; Path=/app; SameSite=Lax"
/// SetCookie.parse("id=1; Max-Age=60; secure")  // name "id", value "1", maxAge 60, secure
/// ```
///
/// **Header injection.** The serializer never lets a name, value or attribute break out of its
/// place: a value outside RFC 6265's cookie-octets is quoted with `\"`, `\\` and three-digit octal
/// escapes (CR, LF and `;` included), the path is percent-encoded like Werkzeug does, and a domain
/// containing anything but letters, digits, `-`, `.` and `_` is left out (the cookie becomes
/// host-only, the safer choice). Werkzeug does not validate names; here a name byte that is not an
/// RFC 9110 token character is percent-encoded (`a b` → `a%20b`). Use ``isValidName(_:)`` to
/// reject such names up front instead.
public struct SetCookie: Sendable, Equatable {
    /// The `SameSite` attribute.
    public enum SameSite: String, Sendable, Equatable, CaseIterable {
        /// Sent only with same-site requests.
        case strict = "Strict"
        /// Sent with same-site requests and top-level cross-site navigations.
        case lax = "Lax"
        /// Sent with all requests (browsers require `Secure`).
        case none = "None"
    }

    /// The cookie name.
    public var name: String
    /// The cookie value (unquoted).
    public var value: String
    /// `Max-Age` in seconds, or `nil` for a session cookie.
    public var maxAge: Int?
    /// `Expires` as epoch seconds. When `nil` and ``maxAge`` is set, the serializer writes
    /// `now + maxAge`, as Werkzeug does.
    public var expires: Int?
    /// `Path`, `/` by default; `nil` leaves the attribute out.
    public var path: String?
    /// `Domain`; a leading dot and a `:port` are removed when serializing.
    public var domain: String?
    /// `Secure`.
    public var secure: Bool
    /// `HttpOnly`.
    public var httpOnly: Bool
    /// `SameSite`.
    public var sameSite: SameSite?
    /// `Partitioned` (CHIPS); it implies `Secure` when serializing.
    public var partitioned: Bool

    /// A cookie with Werkzeug's `set_cookie` defaults (`Path=/`, nothing else).
    public init(name: String, value: String = "", maxAge: Int? = nil, expires: Int? = nil,
                path: String? = "/", domain: String? = nil, secure: Bool = false, httpOnly: Bool = false,
                sameSite: SameSite? = nil, partitioned: Bool = false) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.expires = expires
        self.path = path
        self.domain = domain
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.partitioned = partitioned
    }

    /// Whether `name` is a valid cookie name (a non-empty RFC 9110 token).
    public static func isValidName(_ name: some StringProtocol) -> Bool { ASCII.isToken(name) }

    /// The `Set-Cookie` header value, using the current time for `Expires` when only `maxAge` is set.
    public var headerValue: String { headerValue(now: Cookies.now()) }

    /// The `Set-Cookie` header value; `now` (epoch seconds) is used to derive `Expires` from
    /// `maxAge` when `expires` is `nil`. Attribute order matches Werkzeug: Domain, Expires,
    /// Max-Age, Secure, HttpOnly, Path, SameSite, Partitioned.
    public func headerValue(now: Int) -> String {
        var out = Self.encodeName(name)
        out += "="
        out += Self.quoteValue(value)
        if let domain = Self.cleanDomain(domain) { out += "; Domain="; out += domain }
        if let expires = expires ?? maxAge.map({ now + $0 }) {
            out += "; Expires="
            out += HTTPDate.format(expires)
        }
        if let maxAge { out += "; Max-Age="; out += String(maxAge) }
        if secure || partitioned { out += "; Secure" }
        if httpOnly { out += "; HttpOnly" }
        if let path { out += "; Path="; out += PercentEncoding.encode(path, safe: "%!$&'()*+,/:=@") }
        if let sameSite { out += "; SameSite="; out += sameSite.rawValue }
        if partitioned { out += "; Partitioned" }
        return out
    }

    /// A header value that deletes the cookie: empty value, `Expires` at the epoch, `Max-Age=0`,
    /// with this cookie's path, domain and flags (Werkzeug's `delete_cookie`).
    public var deletionHeaderValue: String {
        var c = self
        c.value = ""
        c.maxAge = 0
        c.expires = 0
        return c.headerValue(now: 0)
    }

    /// Parses a `Set-Cookie` header value as a client does. Returns `nil` when there is no `=` in
    /// the first part or the name is empty. Attribute names ignore case; `Expires` is read with
    /// ``HTTPDate/parse(_:)`` and ignored when invalid; `Max-Age` must be an integer; unknown
    /// attributes are ignored; a missing `Path`, or one not starting with `/`, gives `nil` (the jar
    /// then uses the request's default path, RFC 6265 §5.2.4). A quoted value is unquoted with the same
    /// escapes ``headerValue`` writes.
    public static func parse(_ setCookieHeader: some StringProtocol) -> SetCookie? {
        var parts = Substring(setCookieHeader).split(separator: ";", omittingEmptySubsequences: false)[...]
        guard let first = parts.popFirst(), let eq = first.firstIndex(of: "=") else { return nil }
        let name = HeaderValues.trimmedWhitespace(first[..<eq])
        guard !name.isEmpty else { return nil }
        let rawValue = HeaderValues.trimmedWhitespace(first[first.index(after: eq)...])
        var cookie = SetCookie(name: String(name), value: Cookies.unquoteValue(Array(rawValue.utf8)[...]), path: nil)
        for part in parts {
            let attr: Substring, val: Substring
            if let e = part.firstIndex(of: "=") {
                attr = HeaderValues.trimmedWhitespace(part[..<e])
                val = HeaderValues.trimmedWhitespace(part[part.index(after: e)...])
            } else {
                attr = HeaderValues.trimmedWhitespace(part)
                val = ""
            }
            switch ASCII.lowercased(attr) {
            case "expires": if let t = HTTPDate.parse(val) { cookie.expires = t }
            case "max-age":
                if val.utf8.allSatisfy({ $0 &- 48 < 10 || $0 == UInt8(ascii: "-") }), let v = Int(val) {
                    cookie.maxAge = v
                }
            case "domain":
                let d = val.hasPrefix(".") ? val.dropFirst() : val
                if !d.isEmpty { cookie.domain = ASCII.lowercased(d) }
            case "path": cookie.path = val.hasPrefix("/") ? String(val) : nil
            case "secure": cookie.secure = true
            case "httponly": cookie.httpOnly = true
            case "partitioned": cookie.partitioned = true
            case "samesite": cookie.sameSite = SameSite.allCases.first { ASCII.equalsIgnoringCase($0.rawValue, val) }
            default: break
            }
        }
        return cookie
    }

    // MARK: - Encoding helpers

    /// Cookie-octets that Werkzeug leaves unquoted: `\w` and ``!#$%&'()*+-./:<=>?@[]^`{|}~``.
    private static func isPlainValueByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "<"),
             UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "?"), UInt8(ascii: "@"), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"),
             UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Quotes the value like Werkzeug: unchanged when every byte is a plain cookie-octet, else wrapped
    /// in quotes with `"` and `\` backslash-escaped and control bytes, `,`, `;`, DEL and non-ASCII
    /// bytes written as `\ooo`.
    static func quoteValue(_ value: String) -> String {
        if value.utf8.allSatisfy(isPlainValueByte) { return value }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(value.utf8.count + 8)
        for c in value.utf8 {
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\")); out.append(c)
            case 0x00...0x1F, UInt8(ascii: ","), UInt8(ascii: ";"), 0x7F...0xFF:
                out.append(UInt8(ascii: "\\"))
                out.append(48 + (c >> 6)); out.append(48 + (c >> 3 & 7)); out.append(48 + (c & 7))
            default:
                out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// The name with every non-token byte percent-encoded, so it cannot inject attributes.
    static func encodeName(_ name: String) -> String {
        if ASCII.isToken(name) || name.isEmpty { return name }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in name.utf8 {
            if ASCII.isTokenByte(c) { out.append(c) } else {
                out.append(UInt8(ascii: "%")); out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The domain without a port and leading dots, or `nil` when empty or unsafe.
    static func cleanDomain(_ domain: String?) -> Substring? {
        guard let domain, !domain.isEmpty else { return nil }
        var d = domain[...]
        if let colon = d.firstIndex(of: ":") { d = d[..<colon] }
        while d.hasPrefix(".") { d = d.dropFirst() }
        guard !d.isEmpty, d.utf8.allSatisfy({ c in
            (c | 0x20) &- UInt8(ascii: "a") < 26 || c &- 48 < 10 || c == UInt8(ascii: "-")
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
        }) else { return nil }
        return d
    }
}
