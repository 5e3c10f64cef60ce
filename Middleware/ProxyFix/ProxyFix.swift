/// Makes a request that came through reverse proxies look like the one the client sent: the client's
/// address, the scheme, the host, the port and the mount prefix, read from the headers the proxies
/// add, as far as they can be trusted. Werkzeug's `ProxyFix`, plus RFC 7239 `Forwarded` and trust by
/// address range.
///
/// ```swift
/// // One nginx in front, setting X-Forwarded-For and X-Forwarded-Proto (Werkzeug's defaults):
/// let app = Stack {
///     ProxyFix(forwardedFor: 1, proto: 1)
///     Handler { request in "\(request.remoteAddress ?? "-") \(request.scheme)" }
/// }
/// ```
///
/// Three ways to say what is trusted:
/// - `ProxyFix(forwardedFor:proto:host:port:prefix:)`: each count is how many values of that
///   `X-Forwarded-*` header, from the right, proxies you run have added. The value used is the n-th from the
///   right; with fewer values the header is ignored (and so is a value that is malformed).
/// - `ProxyFix(forwarded:prefix:)`: the same with RFC 7239 `Forwarded` elements.
/// - `ProxyFix(trustedProxies:using:fields:trustUnixSocketPeers:)`: proxies are recognised by address;
///   the client is the nearest address from the right that is not a trusted proxy.
///
/// Nothing is trusted unless this layer is in the stack; put it outermost. The values it replaced are in
/// `request.storage[ProxyFix.Original.self]`.
public struct ProxyFix: Middleware {
    /// How many values from the right of each `X-Forwarded-*` header to trust.
    public struct Counts: Sendable, Hashable {
        /// `X-Forwarded-For`: the client's address.
        public var forwardedFor: Int
        /// `X-Forwarded-Proto`: the scheme.
        public var proto: Int
        /// `X-Forwarded-Host`: the Host.
        public var host: Int
        /// `X-Forwarded-Port`: the port, put into the Host.
        public var port: Int
        /// `X-Forwarded-Prefix`: the ``Request/scriptName``.
        public var prefix: Int
    }

    /// Which request fields a trusted proxy may set, in ``Mode/trustedProxies(_:using:fields:unixSocket:)``.
    public struct Fields: OptionSet, Sendable, Hashable {
        /// The raw bits.
        public let rawValue: Int
        /// A set from raw bits.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The client's address (`X-Forwarded-For`, `Forwarded: for=`).
        public static let forwardedFor = Fields(rawValue: 1)
        /// The scheme (`X-Forwarded-Proto`, `Forwarded: proto=`).
        public static let proto = Fields(rawValue: 2)
        /// The Host (`X-Forwarded-Host`, `Forwarded: host=`).
        public static let host = Fields(rawValue: 4)
        /// The port (`X-Forwarded-Port`).
        public static let port = Fields(rawValue: 8)
        /// The mount prefix (`X-Forwarded-Prefix`).
        public static let prefix = Fields(rawValue: 16)
    }

    /// Which headers carry the chain.
    public enum HeaderStyle: Sendable, Hashable {
        /// `X-Forwarded-For`, `-Proto`, `-Host`, `-Port`, `-Prefix`.
        case xForwarded
        /// RFC 7239 `Forwarded` (with `X-Forwarded-Prefix` for the prefix, which it has no parameter for).
        case forwarded
    }

    /// What this layer trusts.
    public enum Mode: Sendable, Hashable {
        /// Werkzeug's counts of `X-Forwarded-*` values.
        case xForwarded(Counts)
        /// The element `hops`-th from the right of `Forwarded`, and `prefix` values of `X-Forwarded-Prefix`.
        case forwarded(hops: Int, prefix: Int)
        /// Proxies recognised by address (and Unix-socket peers when `unixSocket`).
        case trustedProxies([AddressRange], using: HeaderStyle, fields: Fields, unixSocket: Bool)
    }

    /// What this layer trusts.
    public let mode: Mode

    /// Trusts, for each `X-Forwarded-*` header, that many values from the right: Werkzeug's
    /// `ProxyFix(app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)`. Set each count to the number
    /// of proxies in front of the application that set that header (one nginx: 1). 0 ignores the header.
    public init(forwardedFor: Int = 1, proto: Int = 1, host: Int = 0, port: Int = 0, prefix: Int = 0) {
        precondition([forwardedFor, proto, host, port, prefix].allSatisfy { $0 >= 0 }, "ProxyFix counts cannot be negative")
        mode = .xForwarded(Counts(forwardedFor: forwardedFor, proto: proto, host: host, port: port, prefix: prefix))
    }

    /// Trusts the RFC 7239 `Forwarded` element `hops`-th from the right (its `for`, `proto` and
    /// `host`), and `prefix` values of `X-Forwarded-Prefix`. A malformed `Forwarded` is ignored whole.
    public init(forwarded hops: Int, prefix: Int = 0) {
        precondition(hops >= 0 && prefix >= 0, "ProxyFix counts cannot be negative")
        mode = .forwarded(hops: hops, prefix: prefix)
    }

    /// Trusts the proxies whose addresses are in `trustedProxies` (for example
    /// `AddressRange.loopback + AddressRange.privateNetworks`). When the peer is one of them, the client
    /// is the nearest hop from the right that is not; when every hop is trusted, the left-most. `fields`
    /// says what else a trusted proxy may set: with `.xForwarded` the right-most value of each header is
    /// used (configure the proxy to overwrite, not append, `X-Forwarded-Proto`/`-Host`); with
    /// `.forwarded` the client's element gives them. `trustUnixSocketPeers` trusts connections on a Unix
    /// socket (no peer address).
    public init(trustedProxies: [AddressRange], using style: HeaderStyle = .xForwarded,
                fields: Fields = [.forwardedFor, .proto], trustUnixSocketPeers: Bool = false) {
        mode = .trustedProxies(trustedProxies, using: style, fields: fields, unixSocket: trustUnixSocketPeers)
    }

    /// The request values before this layer changed them.
    public struct Original: StorageKey, Sendable, Hashable {
        /// The stored value is this type.
        public typealias Value = Original
        /// ``Request/remoteAddress`` as the server saw it (the nearest proxy).
        public var remoteAddress: String?
        /// ``Request/scheme`` as the server saw it.
        public var scheme: String
        /// The Host header as received (nil when there was none).
        public var host: String?
        /// ``Request/scriptName`` as it was.
        public var scriptName: String
    }

    /// `ProxyFix` in stack descriptions.
    public var name: String { "ProxyFix" }

    /// Wraps `next`; keeps `next`'s synchronous form.
    public func wrap(_ next: Handler) -> Handler {
        let fix = self
        return next.mapRequest { request in fix.apply(to: request) }
    }

    /// The request as the client sent it, as far as the trusted headers tell; the values replaced go
    /// to `storage[ProxyFix.Original.self]`. Malformed values are ignored, never an error.
    public func apply(to request: Request) -> Request {
        var request = request
        request.storage[Original.self] = Original(remoteAddress: request.remoteAddress, scheme: request.scheme,
                                                  host: request.headers["Host"], scriptName: request.scriptName)
        switch mode {
        case .xForwarded(let counts):
            applyForwardedFor(Self.realValue(counts.forwardedFor, request, "X-Forwarded-For"), to: &request)
            applyRest(proto: counts.proto, host: counts.host, port: counts.port, prefix: counts.prefix, to: &request)
        case .forwarded(let hops, let prefix):
            if hops > 0, let value = request.headers.combinedValue(for: "Forwarded"),
               let elements = ForwardedElement.parse(value), elements.count >= hops {
                apply(elements[elements.count - hops], fields: [.forwardedFor, .proto, .host], to: &request)
            }
            applyRest(proto: 0, host: 0, port: 0, prefix: prefix, to: &request)
        case .trustedProxies(let ranges, let style, let fields, let unixSocket):
            let peerTrusted = request.remoteAddress.map { IPAddress($0).map { Self.isTrusted($0, ranges) } ?? false }
                ?? unixSocket
            guard peerTrusted else { return request }
            func count(_ field: Fields) -> Int { fields.contains(field) ? 1 : 0 }
            switch style {
            case .xForwarded:
                if fields.contains(.forwardedFor), let value = request.headers.combinedValue(for: "X-Forwarded-For") {
                    applyForwardedFor(Self.nearestUntrusted(HeaderValues.parseList(value), ranges), to: &request)
                }
                applyRest(proto: count(.proto), host: count(.host), port: count(.port), prefix: count(.prefix), to: &request)
            case .forwarded:
                if let value = request.headers.combinedValue(for: "Forwarded"), let elements = ForwardedElement.parse(value),
                   let client = Self.clientIndex(elements, ranges) {
                    apply(elements[client], fields: fields, to: &request)
                }
                applyRest(proto: 0, host: 0, port: count(.port), prefix: count(.prefix), to: &request)
            }
        }
        return request
    }

    // MARK: - Applying values

    private func applyForwardedFor(_ value: String?, to request: inout Request) {
        guard let value else { return }
        if IPAddress.isPlainIPv4(value) {
            request.remoteAddress = value   // already in normal form: no parsing or formatting
        } else if let address = IPAddress.parseHostAndPort(value) {
            request.remoteAddress = address.description
        }
    }

    private func apply(_ element: ForwardedElement, fields: Fields, to request: inout Request) {
        request.storage[ForwardedElement.self] = element
        if fields.contains(.forwardedFor) {
            switch element.for {
            case .address(let address, _): request.remoteAddress = address.description
            case .unknown, .obfuscated: request.remoteAddress = nil   // not an address
            case nil: break
            }
        }
        if fields.contains(.proto), let proto = element.proto { request.scheme = proto }
        if fields.contains(.host), let host = element.host { request.headers.set("Host", host) }
    }

    /// Proto, host, port and prefix from `X-Forwarded-*`, in that order (the port applies to the
    /// forwarded host), each with its count.
    private func applyRest(proto: Int, host: Int, port: Int, prefix: Int, to request: inout Request) {
        if let value = Self.realValue(proto, request, "X-Forwarded-Proto"), Self.isValidScheme(Substring(value)) {
            request.scheme = ASCII.lowercased(value)
        }
        if let value = Self.realValue(host, request, "X-Forwarded-Host"), Self.isValidHost(Substring(value)) {
            request.headers.set("Host", value)
        }
        if let value = Self.realValue(port, request, "X-Forwarded-Port"), IPAddress.isPort(Substring(value)),
           let current = request.headers["Host"] ?? request.serverAddress, !current.isEmpty {
            var name = Substring(current)
            // A ":" that is not inside an IPv6 literal starts the port.
            if let colon = name.lastIndex(of: ":"), !name.hasSuffix("]") { name = name[..<colon] }
            if Self.isValidHost(name) { request.headers.set("Host", "\(name):\(value)") }
        }
        if let value = Self.realValue(prefix, request, "X-Forwarded-Prefix"), let script = Self.scriptName(value) {
            request.scriptName = script
        }
    }

    // MARK: - Reading values

    /// Werkzeug's `_get_real_value`: the `trusted`-th value from the right of the comma-separated
    /// header (all its lines joined), or nil when the count is 0, the header is absent or has fewer values.
    static func realValue(_ trusted: Int, _ request: Request, _ header: String) -> String? {
        guard trusted > 0 else { return nil }
        var first: String? = nil, several = false
        for field in request.headers where ASCII.equalsIgnoringCase(field.name, header) {
            if first == nil { first = field.value } else { several = true; break }
        }
        guard let first else { return nil }
        let value = several ? request.headers.combinedValue(for: header) ?? first : first
        if value.utf8.contains(UInt8(ascii: "\"")) {   // quoted strings: the general list parser
            let values = HeaderValues.parseList(value)
            return values.count >= trusted ? values[values.count - trusted] : nil
        }
        return nthFromRight(value, trusted)
    }

    /// The `n`-th non-empty, trimmed item from the right of a comma-separated value without quotes
    /// (what `HeaderValues.parseList` would give, without splitting the whole value).
    static func nthFromRight(_ value: String, _ n: Int) -> String? {
        let utf8 = value.utf8
        var end = utf8.endIndex, found = 0
        while true {
            var start = end
            while start > utf8.startIndex, utf8[utf8.index(before: start)] != UInt8(ascii: ",") { start = utf8.index(before: start) }
            var itemStart = start, itemEnd = end
            while itemStart < itemEnd, utf8[itemStart] == 32 || utf8[itemStart] == 9 { itemStart = utf8.index(after: itemStart) }
            while itemEnd > itemStart, utf8[utf8.index(before: itemEnd)] == 32 || utf8[utf8.index(before: itemEnd)] == 9 {
                itemEnd = utf8.index(before: itemEnd)
            }
            if itemStart < itemEnd {
                found += 1
                if found == n { return String(value[itemStart..<itemEnd]) }
            }
            if start == utf8.startIndex { return nil }
            end = utf8.index(before: start)
        }
    }

    /// The nearest `X-Forwarded-For` entry from the right that is not a trusted proxy (the left-most
    /// when all are); nil when an entry on the way is not an address.
    static func nearestUntrusted(_ chain: [String], _ ranges: [AddressRange]) -> String? {
        for entry in chain.reversed() {
            guard let address = IPAddress.parseHostAndPort(entry) else { return nil }
            if !isTrusted(address, ranges) { return entry }
        }
        return chain.first
    }

    /// The element of the nearest `Forwarded` hop from the right whose `for` is not a trusted address
    /// (the left-most when all are); nil for no elements.
    static func clientIndex(_ elements: [ForwardedElement], _ ranges: [AddressRange]) -> Int? {
        guard !elements.isEmpty else { return nil }
        var index = elements.count - 1
        while index > 0 {
            switch elements[index].for {
            case .address(let address, _) where isTrusted(address, ranges): index -= 1
            default: return index
            }
        }
        return 0
    }

    static func isTrusted(_ address: IPAddress, _ ranges: [AddressRange]) -> Bool {
        ranges.contains { $0.contains(address) }
    }
}

extension ForwardedElement: StorageKey {
    /// The element ProxyFix used, in `request.storage[ForwardedElement.self]`.
    public typealias Value = ForwardedElement
}
