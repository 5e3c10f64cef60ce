/// The checks themselves: plain functions over a request or response, adding to ``Findings``.
enum LintRules {
    /// The request as the application receives it.
    static func request(_ request: Request, _ findings: inout Findings) {
        let script = request.scriptName
        if !script.isEmpty && (!script.hasPrefix("/") || script.hasSuffix("/")) {
            findings.add(.scriptNameSlash, "scriptName '\(script)' must start with '/' and not end with one (or be empty).")
        }
        if !request.pathInfo.isEmpty && !request.pathInfo.hasPrefix("/") {
            findings.add(.pathInfoSlash, "pathInfo '\(request.pathInfo)' must start with '/' (or be empty).")
        }
        if request.version == .http1_1 && !request.headers.contains("Host") {
            findings.add(.missingHost, "an HTTP/1.1 request must have a Host header (RFC 9112 §3.2).")
        }
        let chunked = request.headers.contains("Transfer-Encoding")
        if chunked && request.headers.contains("Content-Length") {
            findings.add(.requestFramingConflict, "the request has both Content-Length and Transfer-Encoding "
                         + "(a request smuggling pattern; RFC 9112 §6.1).")
        }
        if request.method == .get || request.method == .head, chunked || (request.contentLength ?? 0) > 0 {
            findings.add(.bodyOnGet, "a \(request.method) request has a body, which has no defined meaning (RFC 9110 §9.3.1).")
        }
    }

    /// The response; returns the body length the stream must produce (nil: unknown or not checked).
    static func response(_ response: Response, _ request: Request, _ findings: inout Findings) -> Int? {
        status(response, &findings)
        headers(response.headers, &findings)
        content(response, request, &findings)
        cookies(response.headers, &findings)
        caching(response, request, &findings)
        return framing(response, request, &findings)
    }

    // MARK: - Status

    static let redirects: Set<Int> = [301, 302, 303, 307, 308]

    static func status(_ response: Response, _ findings: inout Findings) {
        let code = response.status.code, headers = response.headers
        if !(100...599).contains(code) { findings.add(.statusOutOfRange, "status \(code) is outside 100...599.") }
        if response.status.isInformational && code != 101 {
            findings.add(.informationalFinal, "\(code) is an interim status; a handler's response is final (use 2xx-5xx).")
        }
        if code == 101 && !headers.contains("Upgrade") {
            findings.add(.switchingWithoutUpgrade, "101 Switching Protocols must say what it switches to in Upgrade.")
        }
        if redirects.contains(code) && !headers.contains("Location") {
            findings.add(.redirectWithoutLocation, "a \(code) redirect has no Location, so the client cannot follow it.")
        }
        if headers.contains("Location") && code != 201 && !response.status.isRedirection {
            findings.add(.locationWithoutRedirect, "Location on a \(code) response means nothing; use a 3xx status or 201.")
        }
        if code == 405 && !headers.contains("Allow") {
            findings.add(.allowMissing, "a 405 must list the allowed methods in Allow (RFC 9110 §15.5.6).")
        }
        if code == 401 && !headers.contains("WWW-Authenticate") {
            findings.add(.authenticateMissing, "a 401 must carry a WWW-Authenticate challenge (RFC 9110 §15.5.2).")
        }
        if code == 206 && !headers.contains("Content-Range")
            && !(headers["Content-Type"].map { ASCII.lowercased($0).hasPrefix("multipart/byteranges") } ?? false) {
            findings.add(.contentRangeMissing, "a 206 must say which range it holds in Content-Range (RFC 9110 §15.3.7).")
        }
    }

    // MARK: - Framing

    static let hopByHop = ["Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Connection"]

    static func framing(_ response: Response, _ request: Request, _ findings: inout Findings) -> Int? {
        let code = response.status.code, headers = response.headers
        for name in hopByHop where headers.contains(name) && !(code == 101 && (name == "Upgrade" || name == "Connection")) {
            findings.add(.hopByHopHeader, "\(name) is a hop-by-hop header the server manages; a handler should not set it.")
        }
        let bodyLength = response.body.knownLength
        if response.status.forbidsBody {
            if bodyLength.map({ $0 > 0 }) ?? true {
                findings.add(.bodyNotAllowed, "a \(code) response cannot have a body (\(bodyLength.map { "\($0) bytes" } ?? "a stream")), "
                             + "the server drops it.")
            }
            if code != 304 && headers.contains("Content-Length") {
                findings.add(.contentLengthNotAllowed, "a \(code) response must not have Content-Length (RFC 9110 §8.6).")
            }
            if code == 304 {
                for name in ["Content-Type", "Content-Encoding", "Content-Language", "Content-Range", "Content-MD5"]
                    where headers.contains(name) {
                    findings.add(.representationHeaderOn304, "\(name) on a 304 describes a body that is not there; "
                                 + "send only Cache-Control, Content-Location, Date, ETag, Expires and Vary.")
                }
            }
            return nil
        }
        var declared: Int? = nil
        if let raw = headers["Content-Length"] {
            if raw.isEmpty || raw.utf8.count > 18 || !raw.utf8.allSatisfy({ $0 &- 48 < 10 }) {
                findings.add(.contentLengthInvalid, "Content-Length '\(raw)' is not a non-negative decimal number.")
                return nil
            }
            declared = Int(raw)
        }
        if request.method == .head { return nil }   // HEAD may announce the GET length with no body
        if let declared, let bodyLength, declared != bodyLength {
            findings.add(.contentLengthMismatch, "Content-Length is \(declared) but the body has \(bodyLength) bytes.")
            return nil
        }
        return declared ?? bodyLength
    }

    // MARK: - Content type

    static func content(_ response: Response, _ request: Request, _ findings: inout Findings) {
        guard let raw = response.headers["Content-Type"] else {
            let hasBody = !response.status.forbidsBody && request.method != .head && (response.body.knownLength ?? 1) > 0
            if hasBody { findings.add(.missingContentType, "the body has no Content-Type; clients have to guess (and may sniff).") }
            return
        }
        guard let type = ContentType(parsing: raw), ASCII.isToken(type.type), ASCII.isToken(type.subtype) else {
            findings.add(.contentTypeInvalid, "Content-Type '\(raw)' is not type/subtype.")
            return
        }
        let isText = (type.type == "text" && type.subtype != "event-stream") || type.mimeType == "application/javascript"
        if isText && type.charset == nil {
            findings.add(.missingCharset, "\(type.mimeType) without a charset is read as a legacy encoding by some clients; "
                         + "add '; charset=utf-8'.")
        }
    }
}
