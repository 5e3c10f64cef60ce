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
    public var hostName: String { String(Self.name(ofHost: host)) }

    /// The name part of a ``host`` value: without the port, brackets kept around an IPv6 address.
    static func name(ofHost host: String) -> Substring {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return host[...close] }
        return host[..<(host.utf8.firstIndex(of: UInt8(ascii: ":")) ?? host.endIndex)]
    }

    /// The host, checked against ``trustedHosts`` when they are set. Throws ``HTTPError`` 400 ("Host
    /// ... is not trusted") otherwise, like Werkzeug's `SecurityError`, and 400 when there are
    /// trusted hosts and the Host header is missing or malformed.
    public func validatedHost() throws(HTTPError) -> String {
        let h = host
        guard let trustedHosts, !trustedHosts.isEmpty else { return h }
        if h.isEmpty { throw HTTPError(.badRequest, Self.invalidHostMessage(headers["Host"])) }
        let name = ASCII.lowercased(hostName)
        if trustedHosts.contains(where: { TrustedHostPattern($0).matches(lowercasedName: name) }) { return h }
        throw untrustedHostError()
    }

    /// The 400 for a Host that no trusted pattern accepts.
    package func untrustedHostError() -> HTTPError {
        HTTPError(.badRequest, "Host '\(headers["Host"] ?? host)' is not trusted.")
    }

    /// ``host`` for building an absolute URL: throws ``HTTPError`` 400 when the Host header is missing or
    /// malformed (an absolute URL with an empty host, `http:///x`, is never right) and when it is not
    /// one of ``trustedHosts``.
    public func hostForAbsoluteURL() throws(HTTPError) -> String {
        let h = try validatedHost()
        if h.isEmpty { throw HTTPError(.badRequest, Self.invalidHostMessage(headers["Host"])) }
        return h
    }

    static func invalidHostMessage(_ header: String?) -> String {
        guard let header else { return "The request has no Host header, so no absolute URL can be built for it." }
        let shown = header.unicodeScalars.count > 100 ? String(header.unicodeScalars.prefix(100)) + "…" : header
        let printable = String(shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return "The Host header '\(printable)' is not a valid host name."
    }

    /// `scheme://host/`.
    public var hostURL: String { "\(scheme)://\(host)/" }

    /// The application root: `scheme://host/script/` (always ends with `/`).
    public var rootURL: String {
        var root = Substring(scriptName)
        while root.hasSuffix("/") { root = root.dropLast() }
        let trimmed = String(root.hasPrefix("/") ? root.dropFirst() : root)
        return "\(scheme)://\(host)/" + Self.quotePath(trimmed) + (trimmed.isEmpty ? "" : "/")
    }

    /// The URL without the query string.
    public var baseURL: String {
        let path = String(pathInfo.drop(while: { $0 == "/" }))
        return rootURL + Self.quotePath(path)
    }

    /// The full URL, query string included. Non-ASCII characters of the path stay readable, as in
    /// Werkzeug (an IRI); spaces and reserved characters are escaped.
    public var url: String {
        queryString.isEmpty ? baseURL : baseURL + "?" + Self.quoteQuery(queryString)
    }

    /// ``pathInfo`` (with one leading `/`) plus `?` and the raw query string, exactly as Werkzeug's
    /// `full_path`: like Werkzeug's `path`, it leaves out ``scriptName``.
    public var fullPath: String { path + "?" + queryString }

    /// ``pathInfo`` with exactly one leading `/`, as Werkzeug's `path`: the path below the mount point.
    /// The whole decoded path the client asked for is ``fullRequestPath``.
    public var path: String {
        "/" + pathInfo.drop(while: { $0 == "/" })
    }

    /// ``scriptName`` + ``pathInfo``: the whole decoded path the client asked for, starting with `/`.
    public var fullRequestPath: String {
        let joined = scriptName + pathInfo
        return joined.hasPrefix("/") ? joined : "/" + joined
    }

    /// Whether `host` has only the characters Werkzeug 3.1.8 allows: a name or IPv4 address, or an
    /// IPv6 literal in brackets, with an optional numeric port.
    static func isValidHost(_ host: Substring) -> Bool {
        // A header's Substring is contiguous UTF-8: checked in place, without copying it.
        if let valid = host.utf8.withContiguousStorageIfAvailable({ isValidHost(bytes: $0) }) { return valid }
        return Array(host.utf8).withUnsafeBufferPointer { isValidHost(bytes: $0) }
    }

    private static func isValidHost(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
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
        return UnsafeBufferPointer(rebasing: bytes[(i + 1)...]).allSatisfy { $0 &- 48 < 10 }
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c &- 48 < 10) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
    }

    /// Escapes a decoded path for a URL as Werkzeug's `get_current_url` does (see ``iri(_:safe:keep:)``):
    /// controls, space, `?` and `#` are escaped; other characters, non-ASCII included, stay readable.
    static func quotePath(_ path: String) -> String {
        iri(path, safe: PercentEncoding.pathSafe + "%", keep: "/?#")
    }

    /// Escapes a raw query string for a URL as Werkzeug does: controls, space and `#` are escaped,
    /// escapes of `& = + #` (and of controls, space, `%`) are kept, other escapes are decoded.
    static func quoteQuery(_ query: String) -> String {
        iri(query, safe: PercentEncoding.querySafe + "%", keep: "&=+#")
    }

    /// Werkzeug's `uri_to_iri(quote(text, safe))` for one part of a URL: escape every byte outside the
    /// unreserved set and `safe`, then decode every `%XX` except those of controls, space, `%`, DEL and
    /// the part's `keep` delimiters. Decoded bytes that are not valid UTF-8 are escaped again.
    private static func iri(_ text: String, safe: String, keep: String) -> String {
        let quoted = PercentEncoding.encode(text, safe: safe)
        guard quoted.utf8.contains(UInt8(ascii: "%")) else { return quoted }
        let bytes = Array(quoted.utf8)
        let keepBytes = Array(keep.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pending: [UInt8] = []
        func flush() {
            var index = 0
            var iterator = pending.makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let scalar):
                    out.append(contentsOf: pending[index..<(index + scalar.count)])
                    index += scalar.count
                case .error(let length):
                    for byte in pending[index..<(index + length)] {
                        out.append(UInt8(ascii: "%"))
                        out.append(hexDigits[Int(byte >> 4)])
                        out.append(hexDigits[Int(byte & 15)])
                    }
                    index += length
                case .emptyInput:
                    pending.removeAll(keepingCapacity: true)
                    return
                }
            }
        }
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let hi = PercentEncoding.hexValue(bytes[i + 1]), let lo = PercentEncoding.hexValue(bytes[i + 2]) {
                let value = hi << 4 | lo
                if value <= 0x20 || value == UInt8(ascii: "%") || value == 0x7F || keepBytes.contains(value) {
                    flush()
                    out.append(contentsOf: bytes[i..<(i + 3)])
                } else {
                    pending.append(value)
                }
                i += 3
            } else {
                pending.append(bytes[i])
                i += 1
            }
        }
        flush()
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}

/// One entry of ``Request/trustedHosts`` in the form it is compared in: lower-cased, without a port,
/// and a leading `.` meaning "this domain and its subdomains". `TrustedHosts` makes these once, when
/// the stack is built; ``Request/validatedHost()`` makes them per call.
package struct TrustedHostPattern: Sendable {
    /// The domain, lower-cased, without a port or a leading `.`.
    let name: String
    /// Whether subdomains match too.
    let subdomains: Bool

    /// The pattern for a trusted-hosts entry (`example.com`, `.example.org`, `localhost:8080`).
    package init(_ entry: String) {
        var entry = Substring(entry)
        subdomains = entry.hasPrefix(".")
        if subdomains { entry = entry.dropFirst() }
        name = ASCII.lowercased(entry.split(separator: ":", maxSplits: 1).first ?? "")
    }

    /// Whether a host name (``Request/hostName``, already lower-cased) is accepted.
    package func matches(lowercasedName: String) -> Bool {
        lowercasedName == name || (subdomains && lowercasedName.utf8.count > name.utf8.count
            && lowercasedName.hasSuffix(name) && lowercasedName.utf8.dropLast(name.utf8.count).last == UInt8(ascii: "."))
    }

    /// Whether a host name in any case is accepted, compared in place (ASCII case-insensitively).
    package func matches(name candidate: Substring) -> Bool {
        let candidate = candidate.utf8, own = name.utf8
        if candidate.count == own.count { return Self.equalIgnoringASCIICase(candidate, own) }
        guard subdomains, candidate.count > own.count else { return false }
        let suffixStart = candidate.index(candidate.endIndex, offsetBy: -own.count)
        return candidate[candidate.index(before: suffixStart)] == UInt8(ascii: ".")
            && Self.equalIgnoringASCIICase(candidate[suffixStart...], own)
    }

    private static func equalIgnoringASCIICase(_ a: Substring.UTF8View, _ lowercased: String.UTF8View) -> Bool {
        a.count == lowercased.count && zip(a, lowercased).allSatisfy { ASCII.lowercase($0) == $1 }
    }
}
