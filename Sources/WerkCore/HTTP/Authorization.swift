/// An `Authorization` request header, like Werkzeug's `Authorization`: a scheme with either a
/// token or parameters. `Basic` credentials are decoded into ``username`` and ``password``.
///
/// ```swift
/// let a = Authorization(parsing: "Basic dXNlcjpwYXNz")!
/// a.username, a.password                      // "user", "pass"
/// Authorization(parsing: "Bearer abc.def")!.bearerToken   // "abc.def"
/// Authorization.basic(username: "user", password: "pass").headerValue  // "Basic dXNlcjpwYXNz"
/// ```
public struct Authorization: Sendable, Equatable {
    /// The scheme, lower-cased (`basic`, `bearer`, `digest`, …).
    public var scheme: String
    /// The parameters (`Digest username="…", realm="…"`); for `basic`, `username` and `password`.
    public var parameters: HeaderParameters
    /// The token of a token scheme (`Bearer abc`), or `nil`.
    public var token: String?

    /// An authorization with a scheme and either parameters or a token.
    public init(scheme: String, parameters: HeaderParameters = [:], token: String? = nil) {
        self.scheme = ASCII.lowercased(scheme)
        self.parameters = parameters
        self.token = token
    }

    /// `Basic` credentials.
    public static func basic(username: String, password: String) -> Authorization {
        Authorization(scheme: "basic", parameters: ["username": username, "password": password])
    }

    /// A `Bearer` token.
    public static func bearer(_ token: String) -> Authorization { Authorization(scheme: "bearer", token: token) }

    /// Parses a header value like Werkzeug's `Authorization.from_header`; `nil` for an empty value
    /// or for `Basic` credentials that are not padded base64 of UTF-8 text. (Python's decoder
    /// silently drops characters outside the alphabet, so Werkzeug reads `Basic !!!` as an empty
    /// user name; here any such character makes the header invalid.) For other schemes, the
    /// rest is parameters when it has an `=` that is not trailing padding, otherwise a token.
    public init?(parsing header: (some StringProtocol)?) {
        guard let header, !header.isEmpty else { return nil }
        let (scheme, rest) = Self.split(header)
        if scheme == "basic" {
            // Padded standard base64 only, as Python's b64decode requires (RFC 7617 uses RFC 4648).
            guard rest.utf8.count % 4 == 0, let bytes = Base64.decode(rest),
                  let text = String(validating: bytes, as: UTF8.self) else { return nil }
            let colon = text.firstIndex(of: ":")
            let user = colon.map { String(text[..<$0]) } ?? text
            let pass = colon.map { String(text[text.index(after: $0)...]) } ?? ""
            self = .basic(username: user, password: pass)
            return
        }
        if Self.hasParameters(rest) {
            self.init(scheme: scheme, parameters: HeaderValues.parseDict(rest))
        } else {
            self.init(scheme: scheme, token: String(rest))
        }
    }

    /// The `username` parameter (Basic, Digest).
    public var username: String? { parameters["username"] }
    /// The `password` parameter (Basic).
    public var password: String? { parameters["password"] }
    /// The token when the scheme is `bearer`.
    public var bearerToken: String? { scheme == "bearer" ? token : nil }

    /// The header value: `Basic base64(user:pass)`, `Scheme token`, or `Scheme k=v, k2="v 2"`.
    public var headerValue: String {
        if scheme == "basic" {
            return "Basic " + Base64.encode(Array("\(username ?? ""):\(password ?? "")".utf8))
        }
        if let token { return "\(Self.title(scheme)) \(token)" }
        return "\(Self.title(scheme)) \(HeaderValues.dumpDict(parameters))"
    }

    /// Splits `Scheme rest` at the first space; the scheme lower-cased, the rest trimmed.
    static func split(_ header: some StringProtocol) -> (String, Substring) {
        let s = Substring(header)
        guard let space = s.firstIndex(of: " ") else { return (ASCII.lowercased(s), "") }
        return (ASCII.lowercased(s[..<space]), HeaderValues.trimmedWhitespace(s[s.index(after: space)...]))
    }

    /// Whether `rest` has an `=` that is not trailing (base64 padding belongs to a token).
    static func hasParameters(_ rest: Substring) -> Bool {
        var r = rest
        while r.hasSuffix("=") { r = r.dropLast() }
        return r.contains("=")
    }

    /// Python's `str.title()` for an ASCII scheme: `digest` → `Digest`, `x-scheme` → `X-Scheme`.
    static func title(_ s: String) -> String {
        var previousIsLetter = false
        return String(decoding: s.utf8.map { c -> UInt8 in
            let isLetter = (c | 0x20) &- UInt8(ascii: "a") < 26
            defer { previousIsLetter = isLetter }
            guard isLetter else { return c }
            return previousIsLetter ? c | 0x20 : c & ~0x20
        }, as: UTF8.self)
    }
}

/// A `WWW-Authenticate` response header (a challenge), like Werkzeug's `WWWAuthenticate`.
///
/// ```swift
/// WWWAuthenticate.basic(realm: "Login").headerValue    // "Basic realm=Login"
/// WWWAuthenticate(scheme: "bearer").headerValue        // "Bearer"
/// WWWAuthenticate(parsing: #"Digest realm="x", nonce="y""#)?.parameters["nonce"]   // "y"
/// ```
public struct WWWAuthenticate: Sendable, Equatable {
    /// The scheme, lower-cased.
    public var scheme: String
    /// The challenge parameters in order (`realm`, `charset`, …).
    public var parameters: HeaderParameters
    /// A token instead of parameters (rare), or `nil`.
    public var token: String?

    /// A challenge.
    public init(scheme: String, parameters: HeaderParameters = [:], token: String? = nil) {
        self.scheme = ASCII.lowercased(scheme)
        self.parameters = parameters
        self.token = token
    }

    /// A `Basic` challenge with a realm (and `charset="UTF-8"` when asked, RFC 7617).
    public static func basic(realm: String, charsetUTF8: Bool = false) -> WWWAuthenticate {
        var p: HeaderParameters = ["realm": realm]
        if charsetUTF8 { p["charset"] = "UTF-8" }
        return WWWAuthenticate(scheme: "basic", parameters: p)
    }

    /// A `Bearer` challenge, optionally with a realm and an error code (RFC 6750).
    public static func bearer(realm: String? = nil, error: String? = nil) -> WWWAuthenticate {
        var p = HeaderParameters()
        if let realm { p["realm"] = realm }
        if let error { p["error"] = error }
        return WWWAuthenticate(scheme: "bearer", parameters: p)
    }

    /// Parses a single challenge like Werkzeug's `WWWAuthenticate.from_header`; `nil` when empty.
    public init?(parsing header: (some StringProtocol)?) {
        guard let header, !header.isEmpty else { return nil }
        let (scheme, rest) = Authorization.split(header)
        if Authorization.hasParameters(rest) {
            self.init(scheme: scheme, parameters: HeaderValues.parseDict(rest))
        } else {
            self.init(scheme: scheme, token: String(rest))
        }
    }

    /// The `realm` parameter.
    public var realm: String? {
        get { parameters["realm"] }
        set { parameters["realm"] = newValue }
    }

    /// The header value, with no trailing space: `Scheme token`, `Scheme` alone, or
    /// `Scheme k=v, …`. For `Digest`, `realm`, `domain`, `nonce`, `opaque` and `qop` are always quoted.
    public var headerValue: String {
        let title = Authorization.title(scheme)
        if let token { return token.isEmpty ? title : "\(title) \(token)" }
        if parameters.isEmpty { return title }
        if scheme == "digest" {
            let always: Set<String> = ["realm", "domain", "nonce", "opaque", "qop"]
            let items = parameters.map { p -> String in
                guard let v = p.value else { return p.name }
                return "\(p.name)=\(HeaderValues.quote(v, allowToken: !always.contains(p.name)))"
            }
            return "Digest " + items.joined(separator: ", ")
        }
        return "\(title) \(HeaderValues.dumpDict(parameters))"
    }
}
