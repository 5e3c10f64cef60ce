extension LintRules {
    /// Fields that may appear at most once in a response.
    static let singletons = ["Content-Type", "Content-Length", "Location", "ETag", "Last-Modified", "Expires", "Date",
                             "Server", "Age", "Retry-After", "Content-Range", "Content-Location", "Content-Disposition",
                             "Access-Control-Allow-Origin", "Strict-Transport-Security", "X-Content-Type-Options"]

    static func headers(_ headers: Headers, _ findings: inout Findings) {
        for field in headers {
            if !ASCII.isToken(field.name) {
                findings.add(.invalidHeaderName, "header name '\(field.name)' is not a token (letters, digits and !#$%&'*+-.^_`|~).")
            }
            let value = field.value.utf8
            if value.contains(where: { ($0 < 32 && $0 != 9) || $0 == 127 }) {
                findings.add(.invalidHeaderValue, "\(field.name) has a control character (CR, LF or NUL allow header injection).")
            } else if value.contains(where: { $0 >= 128 }) {
                findings.add(.nonASCIIHeaderValue, "\(field.name) has non-ASCII bytes, which clients decode differently; "
                             + "percent-encode or use RFC 8187.")
            }
            if let first = value.first, let last = value.last, first == 32 || first == 9 || last == 32 || last == 9 {
                findings.add(.headerValueWhitespace, "\(field.name) has leading or trailing whitespace, which HTTP strips.")
            }
        }
        for name in singletons {
            let count = headers.values(for: name).count
            if count > 1 { findings.add(.repeatedHeader, "\(name) appears \(count) times; it must appear once.") }
        }
        if let location = headers["Location"], !isURIReference(location) {
            findings.add(.locationInvalid, "Location '\(location)' is not a valid URI reference "
                         + "(escape spaces and non-ASCII; an absolute URL needs a host).")
        }
        if let etag = headers["ETag"] {
            if etag.hasPrefix("w/") {
                findings.add(.etagWeakLowercase, "the weak ETag prefix is 'W/', uppercase ('\(etag)').")
            } else if !isEntityTag(etag) {
                findings.add(.etagInvalid, "ETag '\(etag)' is not a quoted entity-tag such as \"abc\" or W/\"abc\".")
            }
        }
        for name in ["Date", "Expires", "Last-Modified"] {
            if let value = headers[name], HTTPDate.parse(value) == nil {
                findings.add(.dateInvalid, "\(name) '\(value)' is not an HTTP-date such as 'Sun, 06 Nov 1994 08:49:37 GMT'.")
            }
        }
        if let value = headers["Retry-After"], !(isDigits(Substring(value)) || HTTPDate.parse(value) != nil) {
            findings.add(.retryAfterInvalid, "Retry-After '\(value)' is neither a number of seconds nor an HTTP-date.")
        }
    }

    static func isDigits(_ text: Substring) -> Bool { !text.isEmpty && text.utf8.allSatisfy { $0 &- 48 < 10 } }

    /// `"opaque"` or `W/"opaque"`, the opaque part without `"`, spaces or controls.
    static func isEntityTag(_ value: String) -> Bool {
        var tag = Substring(value)
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        guard tag.utf8.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { return false }
        return tag.utf8.dropFirst().dropLast().allSatisfy { $0 == 0x21 || ($0 >= 0x23 && $0 != 0x7F) }
    }

    /// A URI reference (RFC 3986): visible ASCII without `"<>\^`{|}` and space, `%` followed by two hex
    /// digits, at most one `#`; an absolute http(s) URL has a host.
    static func isURIReference(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { return false }
        var i = 0, hashes = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c > 32, c < 127, !Array("\"<>\\^`{|}".utf8).contains(c) else { return false }
            if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, isHex(bytes[i + 1]), isHex(bytes[i + 2]) else { return false }
            }
            if c == UInt8(ascii: "#") { hashes += 1 }
            i += 1
        }
        guard hashes <= 1 else { return false }
        let lower = ASCII.lowercased(value)
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            let rest = lower.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            return !authority.isEmpty && !authority.hasPrefix(":") && !authority.hasPrefix("@")
        }
        return true
    }

    static func isHex(_ c: UInt8) -> Bool { c &- 48 < 10 || (c | 0x20) &- UInt8(ascii: "a") < 6 }

    // MARK: - Cookies

    /// Browsers' (and Werkzeug's) limit for one cookie.
    static let maxCookieSize = 4093

    static func cookies(_ headers: Headers, _ findings: inout Findings) {
        for raw in headers.values(for: "Set-Cookie") {
            var parts = Substring(raw).split(separator: ";", omittingEmptySubsequences: false)[...]
            guard let pair = parts.popFirst(), let eq = pair.firstIndex(of: "="),
                  ASCII.isToken(ASCII.trimmingWhitespace(pair[..<eq])) else {
                findings.add(.cookieInvalid, "Set-Cookie '\(raw.prefix(60))' has no valid name=value.")
                continue
            }
            let name = ASCII.trimmingWhitespace(pair[..<eq])
            var attributes: [String: Substring] = [:]
            for part in parts {
                let attribute = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = ASCII.lowercased(ASCII.trimmingWhitespace(attribute[0]))
                attributes[key] = attribute.count > 1 ? ASCII.trimmingWhitespace(attribute[1]) : ""
            }
            let secure = attributes["secure"] != nil
            if let sameSite = attributes["samesite"] {
                if !["strict", "lax", "none"].contains(ASCII.lowercased(sameSite)) {
                    findings.add(.cookieSameSiteInvalid, "cookie '\(name)': SameSite must be Strict, Lax or None, not '\(sameSite)'.")
                } else if ASCII.equalsIgnoringCase(sameSite, "none") && !secure {
                    findings.add(.cookieSameSiteNoneWithoutSecure, "cookie '\(name)': SameSite=None without Secure is rejected by browsers.")
                }
            }
            if name.hasPrefix("__Host-") && (!secure || attributes["domain"] != nil || attributes["path"] != "/") {
                findings.add(.cookieHostPrefix, "cookie '\(name)': a __Host- cookie needs Secure and Path=/ and no Domain, "
                             + "or browsers reject it.")
            } else if name.hasPrefix("__Secure-") && !secure {
                findings.add(.cookieSecurePrefix, "cookie '\(name)': a __Secure- cookie needs Secure, or browsers reject it.")
            }
            if raw.utf8.count > maxCookieSize {
                findings.add(.cookieTooLarge, "cookie '\(name)' is \(raw.utf8.count) bytes; browsers ignore cookies over \(maxCookieSize).")
            }
        }
    }

    // MARK: - Caching and negotiation

    static func caching(_ response: Response, _ request: Request, _ findings: inout Findings) {
        let headers = response.headers
        if let raw = headers.combinedValue(for: "Cache-Control") {
            let cc = ResponseCacheControl(parsing: raw)
            func has(_ name: String) -> Bool { cc.directive(name) != nil }
            func positive(_ name: String) -> Bool { (cc.directive(name).flatMap { $0 }.flatMap { Int($0) } ?? 0) > 0 }
            var contradictions: [String] = []
            if has("public") && has("private") { contradictions.append("public and private") }
            if has("no-store") {
                for other in ["public", "immutable"] where has(other) { contradictions.append("no-store and \(other)") }
                for other in ["max-age", "s-maxage"] where positive(other) { contradictions.append("no-store and \(other)") }
            }
            for contradiction in contradictions {
                findings.add(.cacheControlContradiction, "Cache-Control '\(raw)' says both \(contradiction).")
            }
            for name in ["max-age", "s-maxage", "stale-while-revalidate", "stale-if-error"] {
                if let value = cc.directive(name), !(value.map { isDigits(Substring($0)) } ?? false) {
                    findings.add(.cacheControlInvalid, "Cache-Control \(name) needs a number of seconds ('\(raw)').")
                }
            }
            if headers.contains("Set-Cookie") && (has("public") || has("s-maxage")) && !has("private") && !has("no-store") {
                findings.add(.cacheableSetCookie, "a response with Set-Cookie is marked for shared caches ('\(raw)'): "
                             + "one user's cookie could be served to others.")
            }
        }
        let vary = Set(headers.values(for: "Vary").flatMap { $0.split(separator: ",") }
            .map { ASCII.lowercased(ASCII.trimmingWhitespace($0)) })
        func negotiated(_ responseHeader: String, _ requestHeader: String, ignoring: String? = nil) {
            guard let value = headers[responseHeader], ignoring.map({ !ASCII.equalsIgnoringCase(value, $0) }) ?? true,
                  request.headers.contains(requestHeader), !vary.contains(ASCII.lowercased(requestHeader)), !vary.contains("*")
            else { return }
            findings.add(.negotiatedWithoutVary, "the response has \(responseHeader) chosen from \(requestHeader) but no "
                         + "'Vary: \(requestHeader)': caches will serve it to clients that asked otherwise.")
        }
        negotiated("Content-Encoding", "Accept-Encoding", ignoring: "identity")
        negotiated("Content-Language", "Accept-Language")
    }
}
