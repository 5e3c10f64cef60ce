import Glibc

/// An IPv4 or IPv6 address, parsed from text. IPv4 addresses are kept as IPv4-mapped IPv6
/// (`::ffff:a.b.c.d`), so one range check covers both families and a dual-stack server's
/// `::ffff:10.0.0.1` is the same address as `10.0.0.1`.
///
/// ```swift
/// IPAddress("10.0.0.1")?.description          // "10.0.0.1"
/// IPAddress("2001:DB8::1")?.description       // "2001:db8::1"
/// IPAddress("::ffff:127.0.0.1")?.isIPv4       // true
/// IPAddress("1.2.3")                          // nil
/// ```
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The first 64 of the 128 bits, network order.
    public let high: UInt64
    /// The last 64 of the 128 bits, network order.
    public let low: UInt64

    /// An address from its 128 bits.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses dotted IPv4 (`192.0.2.1`) or IPv6 text (`2001:db8::1`, `::ffff:192.0.2.1`), without
    /// brackets, port or zone. Nil for anything else (leading zeros in IPv4 included, as `inet_pton`).
    public init?(_ text: some StringProtocol) {
        let string = String(text)
        guard !string.isEmpty, string.utf8.count <= 45 else { return nil }
        var raw = in6_addr()
        let isV6 = string.utf8.contains(UInt8(ascii: ":"))
        let ok: Bool = string.withCString { cString in
            withUnsafeMutableBytes(of: &raw) { buffer in
                if isV6 { return inet_pton(AF_INET6, cString, buffer.baseAddress) == 1 }
                // IPv4 goes into the last four bytes, after the ::ffff: prefix.
                return inet_pton(AF_INET, cString, buffer.baseAddress! + 12) == 1
            }
        }
        guard ok else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        withUnsafeBytes(of: &raw) { bytes in
            for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
            for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
        }
        if !isV6 { low = 0x0000_ffff_0000_0000 | (low & 0xffff_ffff) }
        self.init(high: high, low: low)
    }

    /// Whether this is an IPv4 address (or an IPv4-mapped IPv6 one).
    public var isIPv4: Bool { high == 0 && low >> 32 == 0xffff }

    /// Dotted IPv4 for IPv4 (and IPv4-mapped) addresses, RFC 5952 text for IPv6.
    public var description: String {
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { bytes in
            for i in 0..<8 {
                bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
                bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
            }
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok: Bool = withUnsafeBytes(of: &raw) { bytes in
            if isIPv4 { return inet_ntop(AF_INET, bytes.baseAddress! + 12, &text, socklen_t(text.count)) != nil }
            return inet_ntop(AF_INET6, bytes.baseAddress, &text, socklen_t(text.count)) != nil
        }
        guard ok else { return "" }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Reads a client address as proxies write it: a bare IPv4 or IPv6 address, `a.b.c.d:port`, or
    /// `[ipv6]` with an optional `:port`. Nil for anything else (an unbracketed IPv6 with a port cannot
    /// be told apart from an address, so a bare IPv6 is always read as an address only).
    public static func parseHostAndPort(_ text: some StringProtocol) -> IPAddress? {
        let value = Substring(text)
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            let rest = value[value.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && isPort(rest.dropFirst())) else { return nil }
            let inner = value[value.index(after: value.startIndex)..<close]
            guard inner.contains(":") else { return nil }
            return IPAddress(inner)
        }
        let colons = value.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: ":") ? 1 : 0) }
        if colons == 1, let colon = value.firstIndex(of: ":") {
            guard isPort(value[value.index(after: colon)...]) else { return nil }
            let host = value[..<colon]
            guard !host.contains(":"), let address = IPAddress(host), address.isIPv4 else { return nil }
            return address
        }
        return IPAddress(value)
    }

    /// Whether `text` is dotted IPv4 in normal form: four numbers 0...255 without leading zeros.
    static func isPlainIPv4(_ text: String) -> Bool {
        var octets = 0, digits = 0, value = 0, leadingZero = false
        for c in text.utf8 {
            if c == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return false }
                octets += 1
                digits = 0
                value = 0
            } else if c &- 48 < 10 {
                if digits == 0 { leadingZero = c == 48 } else if leadingZero { return false }
                digits += 1
                value = value * 10 + Int(c &- 48)
                guard digits <= 3, value <= 255 else { return false }
            } else {
                return false
            }
        }
        return octets == 3 && digits > 0
    }

    /// Whether `text` is a port number: 1 to 5 digits, at most 65535 (no sign, no spaces).
    static func isPort(_ text: Substring) -> Bool {
        guard (1...5).contains(text.utf8.count), text.utf8.allSatisfy({ $0 &- 48 < 10 }), let n = Int(text) else { return false }
        return n <= 65535
    }
}

/// A block of addresses in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`, or one address).
///
/// ```swift
/// let range = try AddressRange("172.16.0.0/12")
/// range.contains(IPAddress("172.20.1.1")!)    // true
/// AddressRange.privateNetworks                // 10/8, 172.16/12, 192.168/16, fc00::/7
/// ```
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block.
    public let network: IPAddress
    /// How many leading bits are fixed, counted on the 128-bit form (an IPv4 `/8` is 104 here).
    public let prefixLength: Int
    /// The text it was made from.
    public let description: String

    /// Why a range could not be parsed.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// The text that was given.
        public let text: String
        /// What was wrong, in words.
        public var description: String {
            "'\(text)' is not an address range: write an IPv4 or IPv6 address, optionally followed by /prefix-length"
        }
    }

    /// Parses `address` or `address/length` (IPv4 lengths 0...32, IPv6 0...128). Host bits set
    /// below the prefix are ignored (`10.1.2.3/8` is `10.0.0.0/8`).
    public init(_ text: String) throws(ParseError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { throw ParseError(text: text) }
        let maximum = address.isIPv4 && !parts[0].contains(":") ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard (1...3).contains(parts[1].utf8.count), parts[1].utf8.allSatisfy({ $0 &- 48 < 10 }),
                  let n = Int(parts[1]), n <= maximum else { throw ParseError(text: text) }
            length = n
        }
        let bits = maximum == 32 ? length + 96 : length
        self.prefixLength = bits
        self.network = Self.masked(address, bits)
        self.description = text
    }

    /// Whether `address` is in the block.
    public func contains(_ address: IPAddress) -> Bool { Self.masked(address, prefixLength) == network }

    private static func masked(_ address: IPAddress, _ bits: Int) -> IPAddress {
        let highMask: UInt64 = bits >= 64 ? .max : (bits == 0 ? 0 : ~(UInt64.max >> UInt64(bits)))
        let lowBits = bits - 64
        let lowMask: UInt64 = lowBits >= 64 ? .max : (lowBits <= 0 ? 0 : ~(UInt64.max >> UInt64(lowBits)))
        return IPAddress(high: address.high & highMask, low: address.low & lowMask)
    }

    /// `127.0.0.0/8` and `::1`.
    public static let loopback: [AddressRange] = ["127.0.0.0/8", "::1/128"].map { try! AddressRange($0) }
    /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` and `fc00::/7` (RFC 1918 and unique local).
    public static let privateNetworks: [AddressRange] =
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"].map { try! AddressRange($0) }
    /// `169.254.0.0/16` and `fe80::/10`.
    public static let linkLocal: [AddressRange] = ["169.254.0.0/16", "fe80::/10"].map { try! AddressRange($0) }
}
