extension Response {
    /// Adds a `Set-Cookie` header, serialized exactly as Werkzeug's `dump_cookie` does. `maxAge` also
    /// sets `Expires`. Defaults follow Werkzeug (`Path=/`, nothing else); pass `httpOnly`, `secure` and
    /// `sameSite` for the attributes you want.
    public mutating func setCookie(
        _ name: String, _ value: String = "",
        maxAge: Int? = nil, expires: Int? = nil, path: String? = "/", domain: String? = nil,
        secure: Bool = false, httpOnly: Bool = false, sameSite: SetCookie.SameSite? = nil, partitioned: Bool = false
    ) {
        let cookie = SetCookie(name: name, value: value, maxAge: maxAge, expires: expires, path: path, domain: domain,
                               secure: secure, httpOnly: httpOnly, sameSite: sameSite, partitioned: partitioned)
        headers.add("Set-Cookie", cookie.headerValue)
    }

    /// Adds a `Set-Cookie` header that deletes the cookie: an empty value, `Max-Age=0` and an
    /// `Expires` in 1970. Path and domain must match the ones the cookie was set with.
    public mutating func deleteCookie(
        _ name: String, path: String? = "/", domain: String? = nil,
        secure: Bool = false, httpOnly: Bool = false, sameSite: SetCookie.SameSite? = nil, partitioned: Bool = false
    ) {
        setCookie(name, "", maxAge: 0, expires: 0, path: path, domain: domain, secure: secure, httpOnly: httpOnly,
                  sameSite: sameSite, partitioned: partitioned)
    }

    /// The cookies this response sets, parsed from its `Set-Cookie` headers.
    public var setCookies: [SetCookie] {
        headers.values(for: "Set-Cookie").compactMap { SetCookie.parse($0) }
    }
}
