extension Request {
    /// The host and port the client asked for, as Werkzeug's `request.host` computes it: the Host header
    /// (or the server address when there is none), the port dropped when it is the scheme's default,
    /// and the empty string when the value has characters a host cannot have.
    public var host: String {
        let raw: String
        if let header = headers["Host"] {
            raw = header
        } else if let serverAddress {
            raw = serverAddress
        } else {
            return ""
        }
        var host = Substring(raw)
        if scheme == "http" || scheme == "ws", host.hasSuffix(":80") { host = host.dropLast(3) }
        if scheme == "https" || scheme == "wss", host.hasSuffix(":443") { host = host.dropLast(4) }
        return Self.isValidHost(host) ? String(host) : ""
    }

    /// ``host`` without the port.
    public var hostName: String {
        let h = host
        if h.hasPrefix("["), let close = h.firstIndex(of: "]") { return String(h[...close]) }
        return String(h.split(separator: ":", maxSplits: 1).first ?? "")
    }

    /// The host, checked against ``trustedHosts`` when they are set. Throws ``HTTPError`` 400 ("Host
    /// ... is not trusted") otherwise, like Werkzeug's `SecurityError`.
    public func validatedHost() throws -> String {
        let h = host
        guard let trustedHosts, !trustedHosts.isEmpty else { return h }
        let name = ASCII.lowercased(hostName)
        for var ref in trustedHosts {
            var suffix = false
            if ref.hasPrefix(".") { ref.removeFirst(); suffix = true }
            ref = ASCII.lowercased(ref.split(separator: ":", maxSplits: 1).first ?? "")
            if name == ref || (suffix && name.hasSuffix("." + ref)) { return h }
        }
        throw HTTPError(.badRequest, "Host '\(headers["Host"] ?? h)' is not trusted.")
    }

    /// `scheme://host/`.
    public var hostURL: String { "\(scheme)://\(host)/" }

    /// The application root: `scheme://host/script/` (always ends with `/`).
    public var rootURL: String {
        let root = scriptName.hasSuffix("/") ? String(scriptName.dropLast()) : scriptName
        let trimmed = root.hasPrefix("/") ? String(root.dropFirst()) : root
        return "\(scheme)://\(host)/" + Self.quotePath(trimmed) + (trimmed.isEmpty ? "" : "/")
    }

    /// The URL without the query string.
    public var baseURL: String {
        let path = pathInfo.hasPrefix("/") ? String(pathInfo.dropFirst()) : pathInfo
        return rootURL + Self.quotePath(path)
    }

    /// The full URL, query string included. Non-ASCII characters of the path stay readable, as in
    /// Werkzeug (an IRI); spaces and reserved characters are escaped.
    public var url: String {
        queryString.isEmpty ? baseURL : baseURL + "?" + Self.quoteQuery(queryString)
    }

    /// ``pathInfo`` (with one leading `/`) plus `?` and the raw query string, exactly as Werkzeug's
    /// `full_path`: like Werkzeug's `path`, it leaves out ``scriptName``.
    public var fullPath: String {
        "/" + pathInfo.drop(while: { $0 == "/" }) + "?" + queryString
    }

    /// ``scriptName`` + ``pathInfo``: the decoded path the client asked for, starting with `/`.
    public var path: String {
        let joined = scriptName + pathInfo
        return joined.hasPrefix("/") ? joined : "/" + joined
    }

    /// Whether `host` has only the characters Werkzeug 3.1.8 allows: a name or IPv4 address, or an
    /// IPv6 literal in brackets, with an optional numeric port.
    static func isValidHost(_ host: Substring) -> Bool {
        let bytes = Array(host.utf8)
        guard !bytes.isEmpty else { return false }
        var i = 0
        if bytes[0] == UInt8(ascii: "[") {
            // Werkzeug's `\[[a-f0-9]*:[a-f0-9.:]+]`: hex digits, a colon, then at least one of hex . :
            i = 1
            while i < bytes.count, isHexDigit(ASCII.lowercase(bytes[i])) { i += 1 }
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
            i += 1
            let afterColon = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "]") {
                let c = ASCII.lowercase(bytes[i])
                guard isHexDigit(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") else { return false }
                i += 1
            }
            guard i < bytes.count, i > afterColon else { return false }
            i += 1
        } else {
            let start = i
            while i < bytes.count {
                let c = ASCII.lowercase(bytes[i])
                guard (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c &- 48 < 10)
                        || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") else { break }
                i += 1
            }
            guard i > start else { return false }
        }
        if i == bytes.count { return true }
        guard bytes[i] == UInt8(ascii: ":"), i + 1 < bytes.count else { return false }
        return bytes[(i + 1)...].allSatisfy { $0 &- 48 < 10 }
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c &- 48 < 10) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
    }

    /// Escapes a decoded path for a URL, keeping `%` (already escaped) and non-ASCII characters.
    static func quotePath(_ path: String) -> String {
        quoteKeepingNonASCII(path, safe: PercentEncoding.pathSafe + "%")
    }

    static func quoteQuery(_ query: String) -> String {
        quoteKeepingNonASCII(query, safe: PercentEncoding.querySafe + "%")
    }

    private static func quoteKeepingNonASCII(_ text: String, safe: String) -> String {
        let safeBytes = Array(safe.utf8)
        let needsWork = text.utf8.contains { $0 < 0x80 && !PercentEncoding.isUnreserved($0) && !safeBytes.contains($0) }
        guard needsWork else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                out += PercentEncoding.encode(String(scalar), safe: safe)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
