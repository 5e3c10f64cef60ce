import Testing
import WerkCore
@testable import WerkServer

/// The request-head scanner and parser on byte arrays, without sockets: what is accepted (and what
/// it means), what is rejected (with which status), and that feeding the bytes in pieces changes
/// nothing.
@Suite("Request parser (sans I/O)")
struct HTTPParserTests {
    static let limits = ParserLimits(maxRequestLine: 64, maxHeaderBytes: 256, maxHeaderCount: 5)

    /// Scans and parses `text` (given whole) as the connection does.
    static func parse(_ text: String, limits: ParserLimits = limits) -> Result<ParsedHead, ParseError> {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return .failure(ParseError(.ok, "incomplete")) }
            do throws(ParseError) {
                var scanner = HeadScanner()
                guard let length = try scanner.findEnd(base, count: buffer.count, limits: limits) else {
                    return .failure(ParseError(.ok, "incomplete"))
                }
                return .success(try HTTPParser.parseHead(base, length: length, limits: limits))
            } catch {
                return .failure(error)
            }
        }
    }

    static func head(_ text: String) throws -> ParsedHead {
        try parse(text).get()
    }

    @Test("a minimal HTTP/1.1 request")
    func minimal() throws {
        let head = try Self.head("GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(head.method == .get)
        #expect(head.target == "/a?b=c")
        #expect(head.version == .http1_1)
        #expect(head.headers["Host"] == "x")
        #expect(head.contentLength == nil)
        #expect(!head.chunked)
        #expect(head.keepAlive)
        #expect(!head.expectContinue)
    }

    @Test("keep-alive follows the version and the Connection tokens", arguments: [
        ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
        ("GET / HTTP/1.0\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
    ])
    func keepAlive(_ text: String, _ expected: Bool) throws {
        #expect(try Self.head(text).keepAlive == expected)
    }

    @Test("bodies are announced by Content-Length or chunked coding", arguments: [
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", 5, false),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", 5, false),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:  0 \r\n\r\n", 0, false),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", nil, true),
    ] as [(String, Int?, Bool)])
    func bodies(_ text: String, _ length: Int?, _ chunked: Bool) throws {
        let head = try Self.head(text)
        #expect(head.contentLength == length)
        #expect(head.chunked == chunked)
    }

    @Test("the other request-target forms and methods", arguments: [
        ("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS", "*"),
        ("CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", "CONNECT", "example.com:443"),
        ("GET http://example.com/p HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "http://example.com/p"),
        ("PROPFIND /dav HTTP/1.1\r\nHost: x\r\n\r\n", "PROPFIND", "/dav"),
    ])
    func targets(_ text: String, _ method: String, _ target: String) throws {
        let head = try Self.head(text)
        #expect(head.method == Method(method))
        #expect(head.target == target)
    }

    @Test("header fields keep their order, duplicates and inner spaces; outer whitespace is trimmed")
    func fields() throws {
        let head = try Self.head("GET / HTTP/1.1\r\nHost: x\r\nX-A:  a  b \t\r\nx-a: 2\r\nEmpty:\r\n\r\n")
        #expect(head.headers.fields.map(\.name) == ["Host", "X-A", "x-a", "Empty"])
        #expect(head.headers.values(for: "X-A") == ["a  b", "2"])
        #expect(head.headers["Empty"] == "")
    }

    @Test("Expect: 100-continue is noted on HTTP/1.1 only")
    func expectContinue() throws {
        #expect(try Self.head("PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").expectContinue)
        #expect(try !Self.head("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").expectContinue)
    }

    @Test("malformed heads are rejected with the right status", arguments: [
        ("GET / HTTP/1.1\nHost: x\r\n\r\n", 400, "bare LF"),
        ("GET / HTTP/1.1\r\nHost: x\n\r\n", 400, "bare LF"),
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "method"),
        ("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "target"),
        ("GET /a\u{7F} HTTP/1.1\r\nHost: x\r\n\r\n", 400, "target"),
        ("GET abc HTTP/1.1\r\nHost: x\r\n\r\n", 400, "must start with '/'"),
        ("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400, "HTTP version"),
        ("GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400, "HTTP version"),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP/2.0"),
        ("GET / HTTP/1.1\r\n\r\n", 400, "Host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host"),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "obs-fold"),
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "colon"),
        ("GET / HTTP/1.1\r\nHo(st: x\r\n\r\n", 400, "field name"),
        ("GET / HTTP/1.1\r\nHost: x\u{01}y\r\n\r\n", 400, "invalid character"),
        ("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n", 400, "bare CR"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n", 400, "Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400, "Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1234567890123456789\r\n\r\n", 400, "Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n", 400, "differing"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both"),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400, "exactly once"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "end with chunked"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "Only the chunked"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n", 501, "'br'"),
        ("GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417, "100-continue"),
    ])
    func rejected(_ text: String, _ status: Int, _ fragment: String) {
        switch Self.parse(text) {
        case .success(let head):
            Issue.record("accepted: \(head.method) \(head.target)")
        case .failure(let error):
            #expect(error.status.code == status)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test("limits: request line (414), header section (431), field count (431)", arguments: [
        ("GET /\(String(repeating: "a", count: 80)) HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        ("GET /\(String(repeating: "a", count: 80))", 414),   // still incomplete: rejected early
        ("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "v", count: 300))\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "v", count: 300))", 431),
        ("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", 431),
    ])
    func limits(_ text: String, _ status: Int) {
        guard case .failure(let error) = Self.parse(text) else { Issue.record("accepted"); return }
        #expect(error.status.code == status)
    }

    @Test("an incomplete head asks for more bytes")
    func incomplete() {
        for text in ["", "GET", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: x\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r"] {
            guard case .failure(let error) = Self.parse(text) else { Issue.record("complete: \(text)"); continue }
            #expect(error.message == "incomplete", "\(text)")
        }
    }

    @Test("fed byte by byte, the scanner finds the same end, only at the last byte")
    func byteByByte() throws {
        let text = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n"
        let bytes = Array(text.utf8)
        let headLength = text.utf8.count - "abcGET / HTTP/1.1\r\n".utf8.count
        var scanner = HeadScanner()
        var found: [Int] = []
        try bytes.withUnsafeBufferPointer { buffer in
            for count in 1...buffer.count {
                if let end = try scanner.findEnd(buffer.baseAddress!, count: count, limits: Self.limits) {
                    found.append(count)
                    #expect(end == headLength)
                    break
                }
            }
        }
        #expect(found == [headLength])
    }

    @Test("pipelined heads in one buffer are found one after the other")
    func pipelined() throws {
        let first = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", second = "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
        let bytes = Array((first + second).utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = HeadScanner()
            let base = buffer.baseAddress!
            let end1 = try #require(try scanner.findEnd(base, count: buffer.count, limits: Self.limits))
            #expect(end1 == first.utf8.count)
            #expect(try HTTPParser.parseHead(base, length: end1, limits: Self.limits).target == "/1")
            let end2 = try #require(try scanner.findEnd(base + end1, count: buffer.count - end1, limits: Self.limits))
            #expect(try HTTPParser.parseHead(base + end1, length: end2, limits: Self.limits).target == "/2")
        }
    }
}
