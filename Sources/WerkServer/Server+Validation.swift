import Glibc
import WerkCore

/// A ``Server/Configuration`` value the server cannot use: which setting, its value and why.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting (`port`, `eventLoops`, `host`, ...).
    public var setting: String
    /// The rejected value as text.
    public var value: String
    /// What a valid value is.
    public var reason: String

    /// An error for `setting`.
    public init(setting: String, value: String, reason: String) {
        self.setting = setting
        self.value = value
        self.reason = reason
    }

    /// `Invalid port 65536: a port is a whole number from 0 to 65535.`
    public var description: String { "Invalid \(setting) '\(value)': \(reason)" }
}

extension Server.Configuration {
    /// The most event loops a server runs.
    public static let maxEventLoops = 1024
    /// The most worker processes.
    public static let maxWorkers = 256
    /// The longest timeout accepted: one year.
    public static let maxTimeout: Duration = .seconds(365 * 24 * 3600)

    /// Checks every value and throws a ``ConfigurationError`` naming the first bad one; ``Server/start()``
    /// calls it, so a bad value is an error at start, never a crash.
    ///
    /// Rules: `host` is an IPv4 or IPv6 address (brackets allowed) or a host name; `port` is 0...65535;
    /// `unixSocketPath` is non-empty, shorter than 108 bytes and has no NUL; `eventLoops` is
    /// 1...``maxEventLoops``; `backlog` is 1...65535; the size limits and `maxConnections` are at
    /// least 1 (`maxBodySize` and `maxDrainBytes` at least 0); every timeout is more than zero and at
    /// most ``maxTimeout``; `workers` is 0...``maxWorkers``; `maxRequests`, `maxRequestsJitter` and
    /// `maxRestarts` are at least 0; `workerTimeout` and `restartWindow` are timeouts.
    public func validate() throws(ConfigurationError) {
        if let path = unixSocketPath {
            guard !path.isEmpty, !path.utf8.contains(0) else {
                throw ConfigurationError(setting: "unixSocketPath", value: path, reason: "a socket path is a non-empty file path.")
            }
            guard path.utf8.count < 108 else {
                throw ConfigurationError(setting: "unixSocketPath", value: path,
                                         reason: "a Unix socket path must be shorter than 108 bytes.")
            }
        } else {
            try Self.checkHost(host)
            try check("port", port, 0...65535, "a port is a whole number from 0 to 65535 (0 picks a free one).")
        }
        try check("eventLoops", eventLoops, 1...Self.maxEventLoops,
                  "the number of event loops is from 1 to \(Self.maxEventLoops).")
        try check("backlog", backlog, 1...65535, "the listen backlog is from 1 to 65535.")
        try check("maxRequestLineLength", maxRequestLineLength, 1...Int.max, "a size limit is at least 1 byte.")
        try check("maxHeaderBytes", maxHeaderBytes, 1...Int.max, "a size limit is at least 1 byte.")
        try check("maxHeaderCount", maxHeaderCount, 1...Int.max, "at least one header field must be allowed.")
        try check("maxBodySize", maxBodySize, 0...Int.max, "a size limit cannot be negative.")
        try check("maxDrainBytes", maxDrainBytes, 0...Int.max, "a size limit cannot be negative.")
        try check("maxPendingOutputBytes", maxPendingOutputBytes, 1...Int.max, "a size limit is at least 1 byte.")
        try check("maxConnections", maxConnections, 1...Int.max, "at least one connection must be allowed.")
        try check("workers", workers, 0...Self.maxWorkers, "the number of workers is from 0 (none) to \(Self.maxWorkers).")
        try check("maxRequests", maxRequests, 0...Int.max, "a request count cannot be negative (0: never).")
        try check("maxRequestsJitter", maxRequestsJitter, 0...Int.max, "a request count cannot be negative.")
        try check("maxRestarts", maxRestarts, 0...Int.max, "a restart count cannot be negative.")
        if let folder = crashReportDirectory, folder.isEmpty || folder.utf8.contains(0) {
            throw ConfigurationError(setting: "crashReportDirectory", value: folder, reason: "a folder is a non-empty path.")
        }
        let timeouts: [(String, Duration)] = [
            ("workerTimeout", workerTimeout), ("restartWindow", restartWindow),
            ("headerReadTimeout", headerReadTimeout), ("bodyReadTimeout", bodyReadTimeout),
            ("keepAliveTimeout", keepAliveTimeout), ("writeTimeout", writeTimeout), ("shutdownTimeout", shutdownTimeout),
        ]
        for (name, timeout) in timeouts where timeout <= .zero || timeout > Self.maxTimeout {
            throw ConfigurationError(setting: name, value: "\(timeout)",
                                     reason: "a timeout is more than zero and at most one year.")
        }
    }

    private func check(_ setting: String, _ value: Int, _ range: ClosedRange<Int>, _ reason: String) throws(ConfigurationError) {
        guard range.contains(value) else { throw ConfigurationError(setting: setting, value: String(value), reason: reason) }
    }

    /// Accepts an IPv4 address, an IPv6 address (optionally in brackets) or a host name made of
    /// letters, digits, hyphens and dots (labels of 1 to 63 characters, 253 in all).
    static func checkHost(_ host: String) throws(ConfigurationError) {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") && host.utf8.count >= 2 ? String(host.dropFirst().dropLast()) : host
        if isIPAddress(bare) { return }
        let reason = "a host is an IP address (127.0.0.1, ::1, 0.0.0.0, ::) or a host name (localhost)."
        guard bare == host, !host.isEmpty, host.utf8.count <= 253 else {
            throw ConfigurationError(setting: "host", value: host, reason: reason)
        }
        let labels = host.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            if label.isEmpty && index == labels.count - 1 && index > 0 { continue }   // a trailing dot
            let hyphen = UInt8(ascii: "-")
            guard (1...63).contains(label.count), label.first != hyphen, label.last != hyphen,
                  label.allSatisfy({ isHostNameByte($0) }) else {
                throw ConfigurationError(setting: "host", value: host, reason: reason)
            }
        }
    }

    private static func isHostNameByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45
    }

    private static func isIPAddress(_ text: String) -> Bool {
        guard !text.utf8.contains(0) else { return false }
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
