import Glibc
/// How important a ``LogRecord`` is, least important first.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Detail for debugging.
    case debug
    /// Normal operation: each request in the access log.
    case info
    /// Something unusual that the server handled (a deliberate 5xx such as 503).
    case warning
    /// A request failed: an error became a 500.
    case error
    /// The server cannot go on.
    case critical

    /// Orders by importance.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The lower-case name (`warning`), as written in JSON lines and read by `--log-level`.
    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    /// The level named `name` (`debug`, `info`, `warning`, `error`, `critical`), or nil.
    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.description == name }) else { return nil }
        self = level
    }
}

/// A value of a record's field: text or a whole number (a JSON line writes it as a string or a
/// number).
public enum LogValue: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation,
    ExpressibleByIntegerLiteral {
    /// Text.
    case string(String)
    /// A whole number.
    case int(Int)

    /// The value as text.
    public var description: String {
        switch self {
        case .string(let text): text
        case .int(let number): String(number)
        }
    }

    /// A text value from a literal or an interpolation.
    public init(stringLiteral value: String) { self = .string(value) }

    /// A number from a literal.
    public init(integerLiteral value: Int) { self = .int(value) }
}

/// One named value attached to a ``LogRecord``.
public struct LogField: Sendable, Hashable {
    /// The name (`status`, `error_type`).
    public var key: String
    /// The value.
    public var value: LogValue

    /// A field.
    public init(_ key: String, _ value: LogValue) {
        self.key = key
        self.value = value
    }
}

/// One entry of the access log: what was asked and what was answered.
public struct AccessLogEntry: Sendable, Hashable {
    /// The client's address (`-` when unknown).
    public var remoteAddress: String
    /// The request line (`GET /path?q HTTP/1.1`), or `-` when the request could not be parsed.
    public var requestLine: String
    /// The response status code.
    public var status: Int
    /// The body bytes sent, or nil when none or not known in advance (a stream).
    public var bytes: Int?

    /// An entry.
    public init(remoteAddress: String, requestLine: String, status: Int, bytes: Int?) {
        self.remoteAddress = remoteAddress
        self.requestLine = requestLine
        self.status = status
        self.bytes = bytes
    }
}

/// Something worth logging: a level, a message, named fields and, for the access log, the entry.
public struct LogRecord: Sendable {
    /// How important it is.
    public var level: LogLevel
    /// Who logged it: `access` for the access log, `werk` for errors the server and the test client
    /// report, a middleware's name for its own records.
    public var label: String
    /// What happened, in a sentence. For an access record it is the Common Log Format line.
    public var message: String
    /// Named values (written as `key=value` in text lines, as members in JSON lines).
    public var fields: [LogField]
    /// When it happened, in seconds since 1970 (UTC).
    public var epochSeconds: Int
    /// The access-log entry, for records labelled `access`.
    public var access: AccessLogEntry?

    /// A record; the time defaults to now.
    public init(level: LogLevel, label: String, message: String, fields: [LogField] = [],
                epochSeconds: Int = LogRecord.now(), access: AccessLogEntry? = nil) {
        self.level = level
        self.label = label
        self.message = message
        self.fields = fields
        self.epochSeconds = epochSeconds
        self.access = access
    }

    /// The label of access-log records.
    public static let accessLabel = "access"

    /// The current time in seconds since 1970.
    public static func now() -> Int { Int(time(nil)) }
}

/// Where log records go: the server's access log and error log, and the logger middleware reach
/// through ``Log/current``. Implement it to send records anywhere (the built-in ``LineLogger``
/// writes text or JSON lines; ``LogRecorder`` keeps them for tests).
///
/// ```swift
/// struct Forwarding: Logger {
///     func log(_ record: LogRecord) { print(record.level, record.message) }
/// }
/// ```
public protocol Logger: Sendable {
    /// Whether records of `level` are written at all; callers skip building the others. Default:
    /// every level.
    func isEnabled(_ level: LogLevel) -> Bool
    /// Writes one record. Called from any thread (event loops included): keep it short and
    /// thread-safe.
    func log(_ record: LogRecord)
}

extension Logger {
    /// Every level is written.
    public func isEnabled(_ level: LogLevel) -> Bool { true }

    /// Logs `message` at `level` under `label`, building the message and fields only when the level
    /// is enabled.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, label: String = "app",
                    fields: @autoclosure () -> [LogField] = []) {
        guard isEnabled(level) else { return }
        log(LogRecord(level: level, label: label, message: message(), fields: fields()))
    }

    /// Logs at ``LogLevel/debug``.
    public func debug(_ message: @autoclosure () -> String, label: String = "app", fields: @autoclosure () -> [LogField] = []) {
        log(.debug, message(), label: label, fields: fields())
    }

    /// Logs at ``LogLevel/info``.
    public func info(_ message: @autoclosure () -> String, label: String = "app", fields: @autoclosure () -> [LogField] = []) {
        log(.info, message(), label: label, fields: fields())
    }

    /// Logs at ``LogLevel/warning``.
    public func warning(_ message: @autoclosure () -> String, label: String = "app", fields: @autoclosure () -> [LogField] = []) {
        log(.warning, message(), label: label, fields: fields())
    }

    /// Logs at ``LogLevel/error``.
    public func error(_ message: @autoclosure () -> String, label: String = "app", fields: @autoclosure () -> [LogField] = []) {
        log(.error, message(), label: label, fields: fields())
    }
}

/// A logger that writes nothing: the default of ``Log/current`` outside a server (so tests are
/// quiet unless they ask for logs).
public struct DiscardingLogger: Logger {
    /// A logger that writes nothing.
    public init() {}
    /// No level is written.
    public func isEnabled(_ level: LogLevel) -> Bool { false }
    /// Drops the record.
    public func log(_ record: LogRecord) {}
}

/// The logger of the request being answered, for handlers and middleware.
///
/// The server binds its `Server.Configuration.errorLogger` here on every event loop, so
/// `Log.current` inside a handler or middleware is the server's error log. `InProcessTransport`
/// binds the logger it was given (none by default: tests are quiet). Outside both it is a
/// ``DiscardingLogger``. It is a task-local value: a `Task.detached` does not inherit it (read it
/// before detaching and pass it along).
///
/// ```swift
/// let audit = MiddlewareFunction("Audit") { request, next in
///     Log.current.info("\(request.method) \(request.path)", label: "audit")
///     return try await next(request)
/// }
/// ```
public enum Log {
    /// The logger for the current request (see ``Log``).
    @TaskLocal public static var current: any Logger = DiscardingLogger()
}
