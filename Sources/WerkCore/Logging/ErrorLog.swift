/// An error that adds fields to its error-log record: where it was thrown, an id, a cause.
///
/// This is the hook for throw sites: an error wrapper that records where it was thrown (the
/// debugger's backtrace) conforms and returns, for example, `[LogField("thrown_at", "App.swift:42")]`;
/// the record of every 5xx it causes then carries them.
///
/// ```swift
/// // toplevel
/// struct QueryFailed: Error, ErrorLogDetails {
///     var sql: String
///     var logFields: [LogField] { [LogField("sql", .string(sql))] }
/// }
/// ```
public protocol ErrorLogDetails: Error {
    /// Fields added to the error-log record (after `status`, `error_type` and `error`).
    var logFields: [LogField] { get }
}

/// Writing the error-log record of a failed request.
public enum ErrorLog {
    /// The label of the records the server and the test client write about failed requests.
    public static let label = "werk"

    /// Logs `error`, which became the `status` answer to `request`, on ``Log/current`` when it is a
    /// 5xx: a 500 at ``LogLevel/error`` (any error that is not an ``HTTPError`` becomes one, and the
    /// client learns nothing about it), another 5xx ``HTTPError`` thrown on purpose (a 503 when
    /// overloaded, a 502 from a proxy) at ``LogLevel/warning``. Called by
    /// ``HTTPError/response(for:request:)``; adapters need not call it.
    public static func report(_ error: any Error, status: Status, request: Request) {
        guard status.code >= 500 else { return }
        let level: LogLevel = status.code == 500 ? .error : .warning
        let logger = Log.current
        guard logger.isEnabled(level) else { return }
        let requestLine = "\(request.method) \(request.target) \(request.version)"
        var fields: [LogField] = [
            LogField("status", .int(status.code)),
            LogField("error_type", .string(String(reflecting: type(of: error)))),
            LogField("error", .string(String(describing: error))),
            LogField("request", .string(requestLine)),
        ]
        if let remote = request.remoteAddress { fields.append(LogField("remote", .string(remote))) }
        if let details = error as? any ErrorLogDetails { fields.append(contentsOf: details.logFields) }
        logger.log(LogRecord(level: level, label: label,
                             message: "\(requestLine) failed with \(status.code): \(String(reflecting: type(of: error)))",
                             fields: fields))
    }

    /// Logs a response stream that failed after the response started (the client gets a cut body
    /// and a closed connection): the error's type and description and the request line.
    public static func reportStreamFailure(_ error: any Error, request: Request, bytesSent: Int) {
        let logger = Log.current
        guard logger.isEnabled(.error) else { return }
        let requestLine = "\(request.method) \(request.target) \(request.version)"
        var fields: [LogField] = [
            LogField("error_type", .string(String(reflecting: type(of: error)))),
            LogField("error", .string(String(describing: error))),
            LogField("request", .string(requestLine)),
            LogField("bytes_sent", .int(bytesSent)),
        ]
        if let details = error as? any ErrorLogDetails { fields.append(contentsOf: details.logFields) }
        logger.log(LogRecord(level: .error, label: label,
                             message: "\(requestLine): the response stream failed after \(bytesSent) bytes",
                             fields: fields))
    }
}
