import Testing
import WerkCore
@testable import WerkServer

/// Requests that must be rejected with a status and a closed connection (RFC 9112 smuggling and
/// syntax rules).
@Suite("Strict parsing: rejections close the connection")
struct RejectionTests {
    static let cases: [(String, String, Int)] = [
        ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ("tab before colon", "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", 400),
        ("bad token char in name", "GET / HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n", 400),
        ("bad token char in method", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400),
        ("bare LF line end", "GET / HTTP/1.1\nHost: x\r\n\r\n", 400),
        ("NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n", 400),
        ("CL and TE together", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("differing Content-Lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
        ("differing Content-Length list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd", 400),
        ("negative Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("Content-Length with sign", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400),
        ("huge Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("unknown transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: bogus\r\n\r\n", 501),
        ("gzip transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("bad chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
        ("chunk size with junk", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n0\r\n\r\n", 400),
        ("chunk size overflow", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400),
        ("chunk data without CRLF", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400),
        ("missing Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("HTTP/0.9 style", "GET /\r\n\r\n", 400),
        ("lowercase version", "GET / http/1.1\r\nHost: x\r\n\r\n", 400),
        ("two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("relative target", "GET foo HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("unsupported expectation", "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\na", 417),
    ]

    @Test("each malformed request gets its status and the connection is closed", arguments: Self.cases.indices)
    func rejected(_ index: Int) async throws {
        let (name, raw, status) = Self.cases[index]
        try await withServer { address in
            let (response, closed) = try await exchangeAndClose(address, raw)
            #expect(response.status.code == status, "\(name)")
            #expect(response.headers["Connection"] == "close", "\(name)")
            #expect(closed, "\(name): connection still open")
        }
    }

    @Test("a smuggled second request behind CL+TE is never answered")
    func smugglingCLTE() async throws {
        try await withServer { address in
            let raw = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /path HTTP/1.1\r\nHost: smuggled\r\n\r\n"
            let everything = try await onSocket(address) { socket in
                try socket.send(raw)
                return String(decoding: try socket.readToEnd(), as: UTF8.self)
            }
            #expect(everything.hasPrefix("HTTP/1.1 400 "))
            #expect(!everything.contains("smuggled"))
            #expect(everything.ranges(of: "HTTP/1.1 ").count == 1)
        }
    }
}

@Suite("Limits")
struct LimitTests {
    @Test("a request line over the limit is 414")
    func longRequestLine() async throws {
        try await withServer(configure: { $0.maxRequestLineLength = 100 }) { address in
            let (response, closed) = try await exchangeAndClose(address, "GET /\(String(repeating: "a", count: 200)) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == .uriTooLong && closed)
        }
    }

    @Test("a request line over the limit without a line end yet is 414 early")
    func longRequestLineUnfinished() async throws {
        try await withServer(configure: { $0.maxRequestLineLength = 100 }) { address in
            let (response, _) = try await exchangeAndClose(address, "GET /\(String(repeating: "a", count: 300))")
            #expect(response.status == .uriTooLong)
        }
    }

    @Test("a header section over the byte limit is 431")
    func largeHeaders() async throws {
        try await withServer(configure: { $0.maxHeaderBytes = 1024 }) { address in
            let (response, closed) = try await exchangeAndClose(address, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 2000))\r\n\r\n")
            #expect(response.status == .requestHeaderFieldsTooLarge && closed)
        }
    }

    @Test("more header fields than the limit is 431")
    func tooManyHeaders() async throws {
        try await withServer(configure: { $0.maxHeaderCount = 10 }) { address in
            let fields = (0..<11).map { "X-\($0): v\r\n" }.joined()
            let (response, closed) = try await exchangeAndClose(address, "GET / HTTP/1.1\r\nHost: x\r\n\(fields)\r\n")
            #expect(response.status == .requestHeaderFieldsTooLarge && closed)
        }
    }

    @Test("100 header fields at the default limit are accepted (Host is one of them)")
    func hundredHeaders() async throws {
        try await withServer { address in
            let fields = (0..<99).map { "X-\($0): v\r\n" }.joined()
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\(fields)\r\n")
            #expect(response.status == .ok)
        }
    }

    @Test("a body over the configured limit is 413 when the handler reads it")
    func bodyTooLarge() async throws {
        try await withServer(configure: { $0.maxBodySize = 10 }) { address in
            let response = try await exchange(address, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world")
            #expect(response.status == .contentTooLarge)
            let chunked = try await exchange(address, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")
            #expect(chunked.status == .contentTooLarge)
            let small = try await exchange(address, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhelloworld")
            #expect(small.status == .ok && small.text == "helloworld")
        }
    }

    @Test("a middleware can raise the body limit for one request")
    func perRequestOverride() async throws {
        let app = Handler { request in
            var request = request
            if request.pathInfo == "/big" { request.maxContentLength = 1000 }
            return Response.text(String(try await request.data().count))
        }
        try await withServer(app, configure: { $0.maxBodySize = 10 }) { address in
            let body = String(repeating: "z", count: 500)
            let big = try await exchange(address, "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n\(body)")
            #expect(big.status == .ok && big.text == "500")
            let other = try await exchange(address, "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n\(body)")
            #expect(other.status == .contentTooLarge)
        }
    }
}
