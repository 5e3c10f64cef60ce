import Glibc

/// Checks every request and response going through it against HTTP, like Werkzeug's
/// `LintMiddleware`: each problem is reported once, as a ``LintWarning``, to standard error (or your
/// closure); in strict mode the request fails with a ``LintError`` instead, for tests.
///
/// ```swift
/// let debug = true
/// let app = Stack {
///     if debug { Lint() }                          // warnings to stderr
///     Handler { _ in Response(status: .noContent, body: .bytes([1])) }
/// }
/// // [body-not-allowed] GET /: a 204 response cannot have a body (1 bytes), the server drops it.
/// ```
///
/// The checks (see ``LintCheck``) cover the request the application receives, the status, framing
/// (Content-Length against the body actually sent: streamed bodies are counted as they go out), header
/// syntax, ETag, dates, Content-Type and charset, cookies, Cache-Control and Vary. Lint changes
/// nothing on the wire: the same bytes go out, only counted.
public struct Lint: Middleware {
    /// Whether a problem makes the request fail with ``LintError`` (after being reported).
    public let strict: Bool
    /// Checks that are not run.
    public let disabled: Set<LintCheck>
    /// Where warnings go.
    public let report: @Sendable (LintWarning) -> Void

    /// A linter reporting to `report` (standard error by default); `strict` also throws.
    public init(strict: Bool = false, disabled: Set<LintCheck> = [],
                report: @escaping @Sendable (LintWarning) -> Void = Lint.standardError) {
        self.strict = strict
        self.disabled = disabled
        self.report = report
    }

    /// Writes `Werk Lint: <warning>` on a line of standard error.
    public static let standardError: @Sendable (LintWarning) -> Void = { warning in
        let line = Array("Werk Lint: \(warning)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }   // one write per line: lines never interleave
    }

    /// `Lint` in stack descriptions.
    public var name: String { "Lint" }

    /// Wraps `next`; keeps `next`'s synchronous form (the checks never suspend).
    public func wrap(_ next: Handler) -> Handler {
        let lint = self
        return next.around(before: { request in try lint.checkRequest(request) },
                           after: { request, response in response = try lint.checkResponse(response, for: request) })
    }

    /// Reports the request's problems (throws them in strict mode).
    func checkRequest(_ request: Request) throws(LintError) {
        var findings = Findings(request: request, disabled: disabled)
        LintRules.request(request, &findings)
        try deliver(findings.warnings)
    }

    /// Reports the response's problems (throws them in strict mode), and returns it with a streamed
    /// body wrapped so that its length and end are checked as it is sent.
    func checkResponse(_ response: Response, for request: Request) throws(LintError) -> Response {
        var findings = Findings(request: request, disabled: disabled)
        let expected = LintRules.response(response, request, &findings)
        try deliver(findings.warnings)
        guard case .stream(let stream, let length) = response.body else { return response }
        var checked = response
        checked.body = .stream(BodyAudit.wrap(stream, expected: expected, lint: self, request: request), length: length)
        return checked
    }

    func deliver(_ warnings: [LintWarning]) throws(LintError) {
        guard !warnings.isEmpty else { return }
        for warning in warnings { report(warning) }
        if strict { throw LintError(warnings: warnings) }
    }
}

/// The warnings found at one point, skipping disabled checks.
struct Findings {
    let request: Request
    let disabled: Set<LintCheck>
    var warnings: [LintWarning] = []

    init(request: Request, disabled: Set<LintCheck>) {
        self.request = request
        self.disabled = disabled
    }

    mutating func add(_ check: LintCheck, _ message: @autoclosure () -> String) {
        guard !disabled.contains(check) else { return }
        warnings.append(LintWarning(check: check, message: message(), method: request.method, path: request.fullRequestPath))
    }
}
