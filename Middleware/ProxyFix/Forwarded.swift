/// One node of an RFC 7239 `Forwarded` element (`for=` or `by=`): an address, `unknown`, or an
/// obfuscated identifier (`_hidden`), each with an optional port (digits, or obfuscated `_p`).
public enum ForwardedNode: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 address and the port, when one was given.
    case address(IPAddress, port: String?)
    /// The proxy did not know the node (`unknown`).
    case unknown(port: String?)
    /// An identifier the proxy chose to hide the address (`_gazonk`).
    case obfuscated(String, port: String?)

    /// The address, for the `.address` case.
    public var address: IPAddress? {
        if case .address(let address, _) = self { return address }
        return nil
    }

    /// As it would be written in a `Forwarded` value (without quotes).
    public var description: String {
        switch self {
        case .address(let address, let port):
            let host = address.isIPv4 ? address.description : "[\(address)]"
            return port.map { "\(host):\($0)" } ?? host
        case .unknown(let port): return port.map { "unknown:\($0)" } ?? "unknown"
        case .obfuscated(let name, let port): return port.map { "\(name):\($0)" } ?? name
        }
    }

    /// Parses a node value (already unquoted): `192.0.2.1`, `192.0.2.1:8080`, `[2001:db8::1]`,
    /// `[2001:db8::1]:4711`, `unknown`, `_hidden`, `_hidden:_port`. A bare IPv6 address (without
    /// brackets) is refused, as the RFC requires brackets.
    public init?(_ text: some StringProtocol) {
        let value = Substring(text)
        var host = value
        var port: Substring? = nil
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            let rest = value[value.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            }
            let inner = value[value.index(after: value.startIndex)..<close]
            guard inner.contains(":"), let address = IPAddress(inner), Self.isValidPort(port) else { return nil }
            self = .address(address, port: port.map(String.init))
            return
        }
        if let colon = value.firstIndex(of: ":") {
            host = value[..<colon]
            port = value[value.index(after: colon)...]
        }
        guard Self.isValidPort(port) else { return nil }
        let checkedPort = port.map(String.init)
        if ASCII.equalsIgnoringCase(host, "unknown") {
            self = .unknown(port: checkedPort)
        } else if Self.isObfuscated(host) {
            self = .obfuscated(String(host), port: checkedPort)
        } else if !host.contains(":"), let address = IPAddress(host), address.isIPv4 {
            self = .address(address, port: checkedPort)
        } else {
            return nil
        }
    }

    /// Whether `port` is absent or valid: 1-5 digits up to 65535, or obfuscated (`_p`). Malformed:
    /// `+443`, `-1`, `99999`, empty.
    private static func isValidPort(_ port: Substring?) -> Bool {
        guard let port else { return true }
        return IPAddress.isPort(port) || isObfuscated(port)
    }

    /// `_` followed by letters, digits, `.`, `_` or `-`.
    static func isObfuscated(_ text: Substring) -> Bool {
        let bytes = text.utf8
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "_") else { return false }
        return bytes.dropFirst().allSatisfy { c in
            (c | 0x20) &- UInt8(ascii: "a") < 26 || c &- 48 < 10 || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }
}

/// One element of an RFC 7239 `Forwarded` header: what one proxy recorded about the hop it received.
///
/// ```swift
/// let elements = ForwardedElement.parse(#"for="[2001:db8::1]:4711";proto=https, for=10.0.0.2"#)
/// elements?[0].for?.address?.description    // "2001:db8::1"
/// elements?[0].proto                        // "https"
/// ```
public struct ForwardedElement: Sendable, Hashable {
    /// `for`: the node that made the request to the proxy.
    public var `for`: ForwardedNode?
    /// `by`: the proxy's interface that received it.
    public var by: ForwardedNode?
    /// `host`: the Host the proxy received.
    public var host: String?
    /// `proto`: the scheme the proxy received (lowercased).
    public var proto: String?
    /// Parameters this parser does not know, in order, names lowercased, values unquoted.
    public var extensions: [(name: String, value: String)] = []

    /// An empty element.
    public init() {}

    /// Equal when every parameter is (extensions in order).
    public static func == (a: ForwardedElement, b: ForwardedElement) -> Bool {
        a.for == b.for && a.by == b.by && a.host == b.host && a.proto == b.proto
            && a.extensions.map(\.name) == b.extensions.map(\.name) && a.extensions.map(\.value) == b.extensions.map(\.value)
    }

    /// Hashes the known parameters.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.for); hasher.combine(by); hasher.combine(host); hasher.combine(proto)
    }

    /// The most elements parsed from one request; a longer chain is refused (nil).
    public static let maxElements = 64

    /// Parses a `Forwarded` value (several header lines joined with `,`). Nil when anything is
    /// malformed (a parameter written `for: x`, an unquoted IPv6 or `host=a:443`, an unclosed quote, a
    /// repeated parameter in one element, a bad port, a host or proto with characters they cannot
    /// have), or when there are more than ``maxElements``: a chain that cannot be read entirely
    /// cannot be trusted in part.
    public static func parse(_ value: some StringProtocol) -> [ForwardedElement]? {
        var scanner = Scanner(bytes: Array(value.utf8))
        var elements: [ForwardedElement] = []
        var element = ForwardedElement()
        var seen: Set<String> = []
        var elementHasPair = false
        while true {
            scanner.skipWhitespace()
            guard let byte = scanner.peek() else { break }
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") {
                scanner.index += 1
                if byte == UInt8(ascii: ",") {
                    if elementHasPair { elements.append(element) }
                    if elements.count > maxElements { return nil }
                    element = ForwardedElement()
                    seen.removeAll(keepingCapacity: true)
                    elementHasPair = false
                }
                continue
            }
            guard let name = scanner.token(), scanner.peek() == UInt8(ascii: "=") else { return nil }
            scanner.index += 1
            guard let raw = scanner.value() else { return nil }
            let lower = ASCII.lowercased(name)
            guard seen.insert(lower).inserted else { return nil }
            elementHasPair = true
            switch lower {
            case "for": guard let node = ForwardedNode(raw) else { return nil }; element.for = node
            case "by": guard let node = ForwardedNode(raw) else { return nil }; element.by = node
            case "host": guard ProxyFix.isValidHost(Substring(raw)) else { return nil }; element.host = raw
            case "proto": guard ProxyFix.isValidScheme(Substring(raw)) else { return nil }; element.proto = ASCII.lowercased(raw)
            default: element.extensions.append((lower, raw))
            }
            scanner.skipWhitespace()
            if let next = scanner.peek(), next != UInt8(ascii: ";"), next != UInt8(ascii: ",") { return nil }
        }
        if elementHasPair { elements.append(element) }
        return elements.count > maxElements ? nil : elements
    }

    /// A cursor over the header's bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 { index += 1 }
        }

        mutating func token() -> String? {
            let start = index
            while index < bytes.count, ASCII.isTokenByte(bytes[index]) { index += 1 }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        /// A token or a quoted-string (unquoted, `\x` escapes resolved); nil when malformed or empty.
        mutating func value() -> String? {
            guard peek() == UInt8(ascii: "\"") else { return token() }
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let c = bytes[index]
                index += 1
                if c == UInt8(ascii: "\"") { return out.isEmpty ? nil : String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    guard index < bytes.count else { return nil }
                    out.append(bytes[index])
                    index += 1
                } else if c == 9 || (c >= 32 && c != 127) {
                    out.append(c)
                } else {
                    return nil
                }
            }
            return nil
        }
    }
}
