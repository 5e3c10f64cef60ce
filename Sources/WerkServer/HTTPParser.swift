import Glibc
import WerkCore

/// Why a request could not be parsed: the status to answer with (the connection is then closed).
struct ParseError: Error {
    var status: Status
    var message: String
    init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// A request head, parsed once the whole header section is in the buffer.
struct ParsedHead {
    var method: Method
    var target: String
    var version: HTTPVersion
    var headers: Headers
    /// The Content-Length, when the request has one.
    var contentLength: Int?
    /// Whether the body uses chunked transfer coding.
    var chunked: Bool
    /// Whether the client wants the connection kept open after the response.
    var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue` (HTTP/1.1 only).
    var expectContinue: Bool
}

/// The limits the parser enforces.
struct ParserLimits {
    var maxRequestLine: Int
    var maxHeaderBytes: Int
    var maxHeaderCount: Int
}

/// Finds the end of a request head incrementally: each call scans only the bytes that arrived since
/// the last one, so a head dribbled byte by byte costs O(n) overall. Nothing is copied.
struct HeadScanner {
    private var scanned = 0
    private var requestLineEnd = -1

    mutating func reset() {
        scanned = 0
        requestLineEnd = -1
    }

    /// Whether no byte of the next head has been scanned yet.
    var isFresh: Bool { scanned == 0 && requestLineEnd < 0 }

    /// The length of the head (through the blank line) when complete, nil when more bytes are
    /// needed. Throws 400 on a bare LF, 414 on a long request line, 431 on a large header section.
    mutating func findEnd(_ base: UnsafePointer<UInt8>, count: Int, limits: ParserLimits) throws(ParseError) -> Int? {
        var i = scanned
        while i < count {
            guard let found = memchr(base + i, 10, count - i) else { break }
            let lf = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            if lf == 0 || base[lf - 1] != 13 { throw ParseError(.badRequest, "A line ends with a bare LF; HTTP requires CRLF.") }
            if requestLineEnd < 0 {
                requestLineEnd = lf
                if lf - 1 > limits.maxRequestLine {
                    throw ParseError(.uriTooLong, "The request line is longer than \(limits.maxRequestLine) bytes.")
                }
            } else if lf >= 3 && base[lf - 2] == 10 && base[lf - 3] == 13 {
                if lf + 1 > limits.maxHeaderBytes {
                    throw ParseError(.requestHeaderFieldsTooLarge, "The header section is larger than \(limits.maxHeaderBytes) bytes.")
                }
                reset()
                return lf + 1
            }
            i = lf + 1
        }
        scanned = count
        if requestLineEnd < 0 && count > limits.maxRequestLine + 1 {
            throw ParseError(.uriTooLong, "The request line is longer than \(limits.maxRequestLine) bytes.")
        }
        if count > limits.maxHeaderBytes {
            throw ParseError(.requestHeaderFieldsTooLarge, "The header section is larger than \(limits.maxHeaderBytes) bytes.")
        }
        return nil
    }
}

enum HTTPParser {
    @inline(__always) static func isTokenByte(_ c: UInt8) -> Bool { ASCII.isTokenByte(c) }

    /// Parses a complete head of `length` bytes (ending with CRLF CRLF), strictly.
    static func parseHead(_ b: UnsafePointer<UInt8>, length end: Int, limits: ParserLimits) throws(ParseError) -> ParsedHead {
        // Request line: method SP target SP HTTP/d.d CRLF
        var i = 0
        while i < end && isTokenByte(b[i]) { i += 1 }
        guard i > 0, i < end, b[i] == 32 else { throw ParseError(.badRequest, "The request line has an invalid method.") }
        let method = Self.method(b, i)
        i += 1
        let targetStart = i
        while i < end && b[i] > 32 && b[i] < 127 { i += 1 }
        guard i > targetStart, i < end, b[i] == 32 else {
            throw ParseError(.badRequest, "The request target is missing or has invalid characters.")
        }
        let targetEnd = i
        i += 1
        guard i + 10 <= end, b[i] == 72, b[i + 1] == 84, b[i + 2] == 84, b[i + 3] == 80, b[i + 4] == 47,
              b[i + 5] &- 48 < 10, b[i + 6] == 46, b[i + 7] &- 48 < 10, b[i + 8] == 13, b[i + 9] == 10 else {
            throw ParseError(.badRequest, "The request line must end with an HTTP version such as HTTP/1.1.")
        }
        let major = Int(b[i + 5] &- 48), minor = Int(b[i + 7] &- 48)
        guard major == 1 else {
            throw ParseError(.httpVersionNotSupported, "HTTP/\(major).\(minor) is not supported; use HTTP/1.1.")
        }
        let version: HTTPVersion = minor == 0 ? .http1_0 : .http1_1
        i += 10
        let target = String(decoding: UnsafeBufferPointer(start: b + targetStart, count: targetEnd - targetStart), as: UTF8.self)
        try checkTarget(b + targetStart, count: targetEnd - targetStart, method: method)

        var headers = Headers()
        headers.reserveCapacity(min(limits.maxHeaderCount, 12))   // a browser's request fits without regrowing
        var count = 0
        var contentLength: Int? = nil
        var codings: [String] = []
        var hasTransferEncoding = false
        var hosts = 0
        var close = false, keepAliveToken = false, expectContinue = false
        var badExpectation = false

        while i < end {
            let c = b[i]
            if c == 13 {
                guard i + 1 < end, b[i + 1] == 10 else { throw ParseError(.badRequest, "A bare CR ends the header section.") }
                break
            }
            if c == 32 || c == 9 { throw ParseError(.badRequest, "Obsolete line folding (obs-fold) is not accepted.") }
            let nameStart = i
            while i < end && isTokenByte(b[i]) { i += 1 }
            guard i > nameStart, i < end else { throw ParseError(.badRequest, "A header field name has invalid characters.") }
            guard b[i] == 58 else {
                throw ParseError(.badRequest, b[i] == 32 || b[i] == 9
                                 ? "Whitespace between a header field name and the colon is not allowed."
                                 : "A header field name has invalid characters.")
            }
            let nameEnd = i
            i += 1
            while i < end && (b[i] == 32 || b[i] == 9) { i += 1 }
            let valueStart = i
            while i < end {
                let v = b[i]
                if v == 13 { break }
                if v == 9 || (v >= 32 && v != 127) { i += 1; continue }
                throw ParseError(.badRequest, "A header field value has an invalid character (control character or bare LF).")
            }
            guard i + 1 < end, b[i + 1] == 10 else { throw ParseError(.badRequest, "A header field value contains a bare CR.") }
            var valueEnd = i
            while valueEnd > valueStart && (b[valueEnd - 1] == 32 || b[valueEnd - 1] == 9) { valueEnd -= 1 }
            i += 2
            count += 1
            if count > limits.maxHeaderCount {
                throw ParseError(.requestHeaderFieldsTooLarge, "More than \(limits.maxHeaderCount) header fields.")
            }
            let name = String(decoding: UnsafeBufferPointer(start: b + nameStart, count: nameEnd - nameStart), as: UTF8.self)
            let valueBytes = UnsafeBufferPointer(start: b + valueStart, count: valueEnd - valueStart)
            let value = String(decoding: valueBytes, as: UTF8.self)
            headers.add(name, value)

            switch nameEnd - nameStart {
            case 4 where matches(b + nameStart, "host"):
                hosts += 1
            case 6 where matches(b + nameStart, "expect"):
                if ASCII.equalsIgnoringCase(value, "100-continue") { expectContinue = true } else { badExpectation = true }
            case 10 where matches(b + nameStart, "connection"):
                for token in value.utf8.split(separator: 44) {
                    let t = ASCII.trimmingWhitespace(Substring(token))
                    if ASCII.equalsIgnoringCase(t, "close") { close = true }
                    else if ASCII.equalsIgnoringCase(t, "keep-alive") { keepAliveToken = true }
                }
            case 14 where matches(b + nameStart, "content-length"):
                for item in valueBytes.split(separator: 44, omittingEmptySubsequences: false) {
                    var n = 0, digits = 0, seenDigit = false, trailing = false
                    for d in item {
                        if d == 32 || d == 9 { if seenDigit { trailing = true }; continue }
                        guard d &- 48 < 10, !trailing, digits < 18 else {
                            throw ParseError(.badRequest, "Content-Length must be a non-negative decimal number.")
                        }
                        seenDigit = true
                        digits += 1
                        n = n * 10 + Int(d &- 48)
                    }
                    guard seenDigit else { throw ParseError(.badRequest, "Content-Length must be a non-negative decimal number.") }
                    if let known = contentLength, known != n {
                        throw ParseError(.badRequest, "The request has differing Content-Length values.")
                    }
                    contentLength = n
                }
            case 17 where matches(b + nameStart, "transfer-encoding"):
                hasTransferEncoding = true
                for token in value.utf8.split(separator: 44, omittingEmptySubsequences: false) {
                    codings.append(ASCII.lowercased(ASCII.trimmingWhitespace(Substring(token))))
                }
            default:
                break
            }
        }

        if version == .http1_1 && hosts == 0 { throw ParseError(.badRequest, "HTTP/1.1 requests must have a Host header.") }
        if hosts > 1 { throw ParseError(.badRequest, "The request has more than one Host header.") }
        var chunked = false
        if hasTransferEncoding {
            if contentLength != nil {
                throw ParseError(.badRequest, "The request has both Content-Length and Transfer-Encoding.")
            }
            if version == .http1_0 { throw ParseError(.badRequest, "Transfer-Encoding is not allowed in HTTP/1.0 requests.") }
            let known: Set<String> = ["chunked", "gzip", "x-gzip", "deflate", "compress", "x-compress"]
            if let unknown = codings.first(where: { !known.contains($0) }) {
                throw ParseError(.notImplemented, "The transfer coding '\(unknown)' is not supported.")
            }
            guard codings.last == "chunked", codings.filter({ $0 == "chunked" }).count == 1 else {
                throw ParseError(.badRequest, "Transfer-Encoding must end with chunked, exactly once.")
            }
            if codings.count > 1 {
                throw ParseError(.notImplemented, "Only the chunked transfer coding is supported.")
            }
            chunked = true
        }
        if badExpectation && version == .http1_1 {
            throw ParseError(.expectationFailed, "Only the expectation 100-continue is supported.")
        }
        let keepAlive = version == .http1_1 ? !close : (keepAliveToken && !close)
        return ParsedHead(method: method, target: target, version: version, headers: headers,
                          contentLength: contentLength, chunked: chunked, keepAlive: keepAlive,
                          expectContinue: expectContinue && version == .http1_1)
    }

    /// The method, without allocating for the common ones.
    private static func method(_ b: UnsafePointer<UInt8>, _ n: Int) -> Method {
        switch n {
        case 3 where b[0] == 71 && b[1] == 69 && b[2] == 84: return .get
        case 4 where b[0] == 80 && b[1] == 79 && b[2] == 83 && b[3] == 84: return .post
        case 4 where b[0] == 72 && b[1] == 69 && b[2] == 65 && b[3] == 68: return .head
        default: return Method(String(decoding: UnsafeBufferPointer(start: b, count: n), as: UTF8.self))
        }
    }

    /// Origin-form (`/p?q`), absolute-form (`http://h/p`), `*` for OPTIONS and authority-form for
    /// CONNECT are accepted; anything else is 400.
    private static func checkTarget(_ t: UnsafePointer<UInt8>, count: Int, method: Method) throws(ParseError) {
        if t[0] == 47 { return }
        if count == 1 && t[0] == 42 && method == .options { return }
        if method == .connect { return }
        let lower = (0..<min(count, 8)).map { ASCII.lowercase(t[$0]) }
        if lower.starts(with: Array("http://".utf8)) || lower.starts(with: Array("https://".utf8)) { return }
        throw ParseError(.badRequest, "The request target must start with '/' or be an absolute http(s) URL.")
    }

    /// Whether the bytes at `p` equal the lowercase ASCII `name`, ignoring case.
    @inline(__always)
    static func matches(_ p: UnsafePointer<UInt8>, _ name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        let s = name.utf8Start
        for k in 0..<n where ASCII.lowercase(p[k]) != s[k] { return false }
        return true
    }
}
