import Glibc

/// Why an ``HTTPClient`` request failed. One type for every failure, with the phase it happened in
/// and a message that says what and why.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The upstream could not be reached (name resolution, connection refused, unreachable).
        case connect
        /// A timeout expired: see ``Timeout``.
        case timeout(Timeout)
        /// The upstream answered with something that is not valid HTTP/1.1.
        case malformedResponse
        /// The connection closed before a complete response (a body that stops midway included).
        case connectionClosed
        /// A response head or chunk line over the configured limits.
        case tooLarge
        /// The request cannot be sent as given (bad target, header injection, a body stream that
        /// produced more or fewer bytes than its length).
        case invalidRequest
        /// The request body's stream threw.
        case requestBodyFailed
        /// A socket call failed.
        case io
    }

    /// Which timeout expired.
    public enum Timeout: String, Sendable, Hashable {
        /// Connecting.
        case connect
        /// Waiting for the complete response head after the request was sent.
        case headers
        /// No progress reading or writing a body for the idle timeout.
        case idle
    }

    /// The kind of failure.
    public let kind: Kind
    /// What went wrong, in words.
    public let message: String

    /// An error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    static func io(_ call: String, _ code: Int32) -> HTTPClientError {
        if code == ECONNRESET || code == EPIPE {
            return HTTPClientError(.connectionClosed, "\(call): the upstream closed the connection (\(String(cString: strerror(code)))).")
        }
        return HTTPClientError(.io, "\(call) failed: \(String(cString: strerror(code))).")
    }
}

/// Where requests go: a TCP host and port, or a Unix domain socket.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP (nil for a Unix socket).
    public let host: String?
    /// The port (nil for a Unix socket).
    public let port: Int?
    /// The Unix socket path (nil for TCP).
    public let unixSocketPath: String?

    /// A TCP endpoint.
    public init(host: String, port: Int = 80) {
        self.host = host
        self.port = port
        self.unixSocketPath = nil
    }

    /// A Unix-socket endpoint.
    public init(unixSocketPath: String) {
        self.host = nil
        self.port = nil
        self.unixSocketPath = unixSocketPath
    }

    /// Reads `http://host[:port]` (an IPv6 host in brackets); nil for anything else (https is not
    /// supported: put a TLS-terminating proxy in front instead).
    public init?(url: String) {
        guard url.utf8.count <= 2048, ASCII.lowercased(url.prefix(7)) == "http://" else { return nil }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = Substring(authority), port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Self.port(after.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            guard let p = Self.port(authority[authority.index(after: colon)...]) else { return nil }
            port = p
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
        self.init(host: String(host), port: port)
    }

    private static func port(_ text: Substring) -> Int? {
        guard (1...5).contains(text.utf8.count), text.utf8.allSatisfy({ $0 &- 48 < 10 }), let n = Int(text), n <= 65535 else {
            return nil
        }
        return n
    }

    /// The Host header for this endpoint (`host:port`, the port left out when 80; `localhost` for a
    /// Unix socket).
    public var hostHeader: String {
        guard let host else { return "localhost" }
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 || port == nil ? name : "\(name):\(port!)"
    }

    /// `http://host:port` or `unix:/path`.
    public var description: String {
        if let unixSocketPath { return "unix:\(unixSocketPath)" }
        return "http://\(hostHeader)"
    }
}
