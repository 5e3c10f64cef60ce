import Glibc
import Testing
import WerkCore
@testable import WerkServer

@Suite("Responses and request bodies")
struct ProtocolTests {
    @Test("headers go out in the handler's order, before the server's Date and Content-Length")
    func headerOrder() async throws {
        try await withServer { address in
            let response = try await exchange(address, "GET /ordered HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.headers.fields.map(\.name) == ["X-B", "X-A", "X-C", "Date", "Content-Length"])
        }
    }

    @Test("HEAD gets the GET headers with Content-Length but no body, and the connection stays usable")
    func head() async throws {
        try await withServer { address in
            let (headResponse, next) = try await onSocket(address) { socket in
                try socket.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
                let head = try socket.readResponse(method: .head)
                try socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                return (head, try socket.readResponse())
            }
            #expect(headResponse.status == .ok && headResponse.headers["Content-Length"] == "13" && headResponse.body.isEmpty)
            #expect(next.text == "Hello, World!")
        }
    }

    @Test("204 and 304 have no body and no Content-Length")
    func noBodyStatuses() async throws {
        try await withServer { address in
            let raw = try await onSocket(address) { socket in
                try socket.send("GET /no-content HTTP/1.1\r\nHost: x\r\n\r\nGET /not-modified HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return String(decoding: try socket.readToEnd(), as: UTF8.self)
            }
            #expect(raw.hasPrefix("HTTP/1.1 204 No Content\r\n"))
            #expect(raw.contains("HTTP/1.1 304 Not Modified\r\n"))
            #expect(!raw.lowercased().contains("content-length"))
            #expect(raw.hasSuffix("\r\n\r\n"))
        }
    }

    @Test("a handler error is a 500 and an HTTPError renders its status")
    func errors() async throws {
        try await withServer { address in
            let failed = try await exchange(address, "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(failed.status == .internalServerError)
            let missing = try await exchange(address, "GET /not-found HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(missing.status == .notFound)
        }
    }

    @Test("a header with CR LF injected by the handler becomes a 500, never reaching the wire")
    func headerInjection() async throws {
        let app = Handler { _ in Response(status: .ok, headers: ["X-Bad": "a\r\nSet-Cookie: evil=1"], body: .bytes([])) }
        try await withServer(app) { address in
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == .internalServerError)
            #expect(response.headers["Set-Cookie"] == nil)
        }
    }

    @Test("a chunked request body with extensions and trailers is decoded")
    func chunkedRequest() async throws {
        try await withServer { address in
            let raw = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value;flag\r\nhello\r\n1 ; x=\"q\"\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\nX-Other: o\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            let (echo, next) = try await onSocket(address) { socket in
                try socket.send(raw)
                return (try socket.readResponse(), try socket.readResponse())
            }
            #expect(echo.status == .ok && echo.text == "hello 0123456789")
            #expect(next.text == "Hello, World!")
        }
    }

    @Test("a streamed response of unknown length is sent chunked; with a length, plainly")
    func streamedResponses() async throws {
        try await withServer { address in
            let chunked = try await exchange(address, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(chunked.headers["Transfer-Encoding"] == "chunked" && chunked.text == "one,two,three")
            let known = try await exchange(address, "GET /stream-known HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(known.headers["Content-Length"] == "6" && known.text == "abcdef")
            let (old, closed) = try await exchangeAndClose(address, "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(old.text == "one,two,three" && old.headers["Transfer-Encoding"] == nil && closed)
        }
    }

    @Test("a large streamed response arrives whole to a slow reader (backpressure)")
    func largeStream() async throws {
        let app = Handler { _ in
            let stream = ByteStream { writer in
                for i in 0..<64 { try await writer.write([UInt8](repeating: UInt8(i), count: 64 * 1024)) }
            }
            return Response(status: .ok, body: .stream(stream, length: nil))
        }
        try await withServer(app, configure: { $0.maxPendingOutputBytes = 64 * 1024 }) { address in
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.body.count == 64 * 64 * 1024)
            #expect(response.body[64 * 1024 * 63] == 63)
        }
    }

    @Test("a file region is sent with sendfile, exactly the region")
    func fileRegion() async throws {
        let path = "/tmp/werk-server-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).bin"
        let bytes = (0..<300_000).map { UInt8($0 % 251) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        close(fd)
        defer { unlink(path) }
        let app = Handler { request in
            if request.pathInfo == "/missing" { return Response(status: .ok, body: .file(FileRegion(path: path + ".none", count: 5))) }
            return Response(status: .ok, body: .file(FileRegion(path: path, offset: 1000, count: 250_000)))
        }
        try await withServer(app) { address in
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.headers["Content-Length"] == "250000")
            #expect(response.body == Array(bytes[1000..<251_000]))
            let missing = try await exchange(address, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(missing.status == .internalServerError)
        }
    }

    @Test("100 Continue is sent only when the handler reads the body")
    func expectContinue() async throws {
        try await withServer { address in
            // The handler reads: the client gets 100 first, then sends the body.
            let (interim, final) = try await onSocket(address) { socket in
                try socket.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                let interim = try socket.readResponse(keepInterim: true)
                try socket.send("hello")
                return (interim, try socket.readResponse())
            }
            #expect(interim.status == .continue)
            #expect(final.text == "hello")
            // The handler does not read: no 100, a final answer, and the connection closes.
            let raw = try await onSocket(address) { socket in
                try socket.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                return String(decoding: try socket.readToEnd(), as: UTF8.self)
            }
            #expect(raw.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(!raw.contains("100 Continue"))
            #expect(raw.contains("Connection: close"))
        }
    }

    @Test("a request body is streamed to the handler in pieces")
    func streamedRequestBody() async throws {
        try await withServer { address in
            let response = try await onSocket(address) { socket in
                try socket.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n")
                for _ in 0..<30 { try socket.send([UInt8](repeating: 65, count: 10_000)) }
                return try socket.readResponse()
            }
            #expect(response.text == "300000")
        }
    }

    @Test("a body read from another task (off the event loop) arrives whole")
    func bodyReadElsewhere() async throws {
        let app = Handler { request in
            let bytes = try await Task.detached { try await request.data() }.value
            return Response.text(String(bytes.count))
        }
        try await withServer(app) { address in
            let response = try await onSocket(address) { socket in
                try socket.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<20 { try socket.send("1000\r\n" + String(repeating: "q", count: 4096) + "\r\n") }
                try socket.send("0\r\n\r\n")
                return try socket.readResponse()
            }
            #expect(response.text == "81920")
        }
    }

    @Test("an unread small body is drained and the connection stays usable")
    func unreadBodyDrained() async throws {
        try await withServer { address in
            let (first, second) = try await onSocket(address) { socket in
                try socket.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n")
                try socket.send([UInt8](repeating: 66, count: 20000))
                let first = try socket.readResponse()
                try socket.send("GET /path HTTP/1.1\r\nHost: x\r\n\r\n")
                return (first, try socket.readResponse())
            }
            #expect(first.text == "Hello, World!")
            #expect(second.text.hasPrefix("GET /path"))
        }
    }

    @Test("an unread body larger than the drain limit closes the connection after the response")
    func unreadLargeBodyCloses() async throws {
        try await withServer(configure: { $0.maxDrainBytes = 1000 }) { address in
            let (response, closed) = try await exchangeAndClose(address, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\npartial")
            #expect(response.text == "Hello, World!")
            #expect(response.headers["Connection"] == "close")
            #expect(closed)
        }
    }

    @Test("absolute-form targets set the path and Host; * works for OPTIONS")
    func targetForms() async throws {
        try await withServer { address in
            let absolute = try await exchange(address, "GET http://example.com/path?a=1 HTTP/1.1\r\nHost: other\r\n\r\n")
            #expect(absolute.text == "GET /path q=a=1 host=example.com")
            let star = try await exchange(address, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(star.status == .notFound)
        }
    }

    @Test("empty lines before a request line are ignored")
    func leadingEmptyLines() async throws {
        try await withServer { address in
            let response = try await exchange(address, "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == .ok)
        }
    }
}
