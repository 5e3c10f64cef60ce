/// A parsed response head and how its body is framed.
struct ResponseHead: Sendable {
    var version: HTTPVersion
    var status: Status
    var headers: Headers

    /// How the body is delimited (RFC 9112 §6.3).
    enum Framing: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    /// The framing for a response to `method`; throws on a malformed Content-Length.
    func framing(for method: Method) throws(HTTPClientError) -> Framing {
        if method == .head || status.forbidsBody { return .none }
        if headers.contains("Transfer-Encoding") {
            let codings = headers.values(for: "Transfer-Encoding").flatMap { $0.split(separator: ",") }
                .map { ASCII.lowercased(ASCII.trimmingWhitespace($0)) }
            return codings.last == "chunked" ? .chunked : .untilClose
        }
        let lengths = headers.values(for: "Content-Length").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        guard !lengths.isEmpty else { return .untilClose }
        var length: Int? = nil
        for item in lengths {
            let digits = ASCII.trimmingWhitespace(item)
            guard !digits.isEmpty, digits.utf8.count <= 18, digits.utf8.allSatisfy({ $0 &- 48 < 10 }), let n = Int(digits),
                  length == nil || length == n else {
                throw HTTPClientError(.malformedResponse, "The upstream sent an invalid Content-Length '\(headers.combinedValue(for: "Content-Length") ?? "")'.")
            }
            length = n
        }
        return length == 0 ? .none : .length(length!)
    }

    /// Whether the connection may carry another request after this response.
    func keepsAlive(framing: Framing) -> Bool {
        if framing == .untilClose || headers.contains("Transfer-Encoding") && headers.contains("Content-Length") { return false }
        var close = false, keepAlive = false
        for value in headers.values(for: "Connection") {
            for token in value.split(separator: ",") {
                let t = ASCII.trimmingWhitespace(token)
                if ASCII.equalsIgnoringCase(t, "close") { close = true }
                if ASCII.equalsIgnoringCase(t, "keep-alive") { keepAlive = true }
            }
        }
        if status.code == 101 { return false }
        return version == .http1_1 ? !close : keepAlive && !close
    }
}

/// The limits a response must stay within.
struct ResponseLimits: Sendable {
    var maxHeaderBytes: Int
    var maxHeaderCount: Int
}

extension ClientSocket {
    /// Reads one response head (interim 1xx responses other than 101 are skipped) before `deadline`.
    func readHead(limits: ResponseLimits, _ deadline: Deadline) throws(HTTPClientError) -> ResponseHead {
        while true {
            let head = try readOneHead(limits: limits, deadline)
            if head.status.isInformational && head.status.code != 101 { continue }
            return head
        }
    }

    private func readOneHead(limits: ResponseLimits, _ deadline: Deadline) throws(HTTPClientError) -> ResponseHead {
        var total = 0
        func line() throws(HTTPClientError) -> [UInt8]? {
            guard let lf = try indexOfLineFeed(limit: limits.maxHeaderBytes - total, deadline) else { return nil }
            total += lf + 1
            if total > limits.maxHeaderBytes {
                throw HTTPClientError(.tooLarge, "The response head is larger than \(limits.maxHeaderBytes) bytes.")
            }
            guard lf > 0, byte(at: lf - 1) == 13 else {
                throw HTTPClientError(.malformedResponse, "A response line ends with a bare LF; HTTP requires CRLF.")
            }
            let content = peek(0..<(lf - 1))
            consume(lf + 1)
            return content
        }
        guard let statusLine = try line() else {
            throw HTTPClientError(.connectionClosed, "The upstream closed the connection before sending a response.")
        }
        let s = statusLine
        guard s.count >= 12, s.starts(with: Array("HTTP/1.".utf8)), s[7] == 48 || s[7] == 49, s[8] == 32,
              s[9] &- 48 < 10, s[10] &- 48 < 10, s[11] &- 48 < 10, s.count == 12 || s[12] == 32,
              s[9] != 48 else {
            throw HTTPClientError(.malformedResponse, "The upstream's status line '\(Self.printable(s))' is not 'HTTP/1.x nnn reason'.")
        }
        let code = Int(s[9] &- 48) * 100 + Int(s[10] &- 48) * 10 + Int(s[11] &- 48)
        let reason = s.count > 13 ? String(decoding: s[13...], as: UTF8.self) : nil
        var headers = Headers()
        while true {
            guard let field = try line() else {
                throw HTTPClientError(.connectionClosed, "The upstream closed the connection in the middle of the response head.")
            }
            if field.isEmpty { break }
            if headers.count >= limits.maxHeaderCount {
                throw HTTPClientError(.tooLarge, "The response has more than \(limits.maxHeaderCount) header fields.")
            }
            guard let colon = field.firstIndex(of: 58), colon > field.startIndex,
                  field[..<colon].allSatisfy(ASCII.isTokenByte) else {
                throw HTTPClientError(.malformedResponse, "The response header line '\(Self.printable(Array(field)))' is malformed.")
            }
            let value = field[(colon + 1)...]
            guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else {
                throw HTTPClientError(.malformedResponse, "A response header value has a control character.")
            }
            let trimmed = value.drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }.reversed()
            headers.add(String(decoding: field[..<colon], as: UTF8.self), String(decoding: trimmed, as: UTF8.self))
        }
        return ResponseHead(version: s[7] == 48 ? .http1_0 : .http1_1, status: Status(code, reason: reason), headers: headers)
    }

    static func printable(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(80).map { $0 >= 32 && $0 < 127 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
