extension ProxyFix {
    /// A URI scheme (RFC 3986 §3.1): a letter, then letters, digits, `+`, `-`, `.`; at most 32 bytes.
    static func isValidScheme(_ value: Substring) -> Bool {
        let bytes = value.utf8
        guard let first = bytes.first, (first | 0x20) &- UInt8(ascii: "a") < 26, bytes.count <= 32 else { return false }
        return bytes.allSatisfy { c in
            (c | 0x20) &- UInt8(ascii: "a") < 26 || c &- 48 < 10
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        }
    }

    /// A Host value as Werkzeug accepts one: a name or IPv4 address (letters, digits, `.`, `-`) or a
    /// bracketed IPv6 address, then an optional `:port`. At most 255 bytes.
    static func isValidHost(_ value: Substring) -> Bool {
        guard !value.isEmpty, value.utf8.count <= 255 else { return false }
        var rest: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"), IPAddress(value[value.index(after: value.startIndex)..<close]) != nil,
                  value[value.index(after: value.startIndex)..<close].contains(":") else { return false }
            rest = value[value.index(after: close)...]
        } else {
            let end = value.firstIndex(of: ":") ?? value.endIndex
            let name = value[..<end]
            guard !name.isEmpty, name.utf8.allSatisfy({ c in
                (c | 0x20) &- UInt8(ascii: "a") < 26 || c &- 48 < 10 || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
            }) else { return false }
            rest = value[end...]
        }
        if rest.isEmpty { return true }
        guard rest.hasPrefix(":") else { return false }
        return IPAddress.isPort(rest.dropFirst())
    }

    /// `X-Forwarded-Prefix` as a ``Request/scriptName``: it must start with `/`; percent-escapes are
    /// decoded; trailing slashes go (`/` alone is the root, ""). Nil when it has control characters,
    /// does not start with `/`, or decodes to something with control characters.
    static func scriptName(_ value: String) -> String? {
        guard value.hasPrefix("/"), value.utf8.count <= 2048,
              !value.utf8.contains(where: { $0 < 32 || $0 == 127 }) else { return nil }
        var decoded = Substring(PercentEncoding.decode(Substring(value)))
        guard !decoded.utf8.contains(where: { $0 < 32 || $0 == 127 }) else { return nil }
        while decoded.hasSuffix("/") { decoded = decoded.dropLast() }
        return String(decoded)
    }
}
