import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

/// The server's two ways of running a handler: inline on the loop for a handler with a synchronous
/// form, in a task otherwise. Every behaviour must be the same; these tests run both.
@Suite("Inline (synchronous) and task paths")
struct InlinePathTests {
    enum Path: String, CaseIterable, CustomTestStringConvertible {
        case inline, task
        var handler: Handler { self == .inline ? synchronousTestApp : testApp }
        var testDescription: String { rawValue }
    }

    @Test("the test apps take the path they are meant to")
    func appsTakeTheirPath() {
        #expect(synchronousTestApp.synchronous != nil)
        #expect(testApp.synchronous == nil)
    }

    /// Everything of a response but the Date header.
    static func comparable(_ response: TestTransportResponse) -> String {
        let fields = response.headers.fields.filter { $0.name != "Date" }.map { "\($0.name): \($0.value)" }
        return "\(response.status.code)\n\(fields.joined(separator: "\n"))\n\n\(String(decoding: response.body, as: UTF8.self))"
    }

    @Test("both paths send byte-identical responses (but for Date)", arguments: [
        "GET / HTTP/1.1", "GET /fail HTTP/1.1", "GET /not-found HTTP/1.1", "GET /no-content HTTP/1.1",
        "GET /not-modified HTTP/1.1", "GET /ordered HTTP/1.1", "GET /stream HTTP/1.1", "GET /stream-known HTTP/1.1",
        "GET /stream HTTP/1.0", "HEAD / HTTP/1.1", "HEAD /stream HTTP/1.1", "GET /path?a=1&b=%20 HTTP/1.1",
        "GET /large HTTP/1.1", "GET /close HTTP/1.1",
    ])
    func identical(_ line: String) async throws {
        let method: Method = line.hasPrefix("HEAD") ? .head : .get
        var answers: [String] = []
        for path in Path.allCases {
            try await withServer(path.handler) { address in
                let response = try await exchange(address, "\(line)\r\nHost: x\r\n\r\n", method: method)
                answers.append(Self.comparable(response))
            }
        }
        #expect(answers[0] == answers[1])
        #expect(!answers[0].hasPrefix("5") || line.contains("/fail"))
    }

    @Test("a pipelined burst with unread bodies (length and chunked) is answered in order", arguments: Path.allCases)
    func pipelinedUnreadBodies(_ path: Path) async throws {
        try await withServer(path.handler) { address in
            let bodies = try await onSocket(address) { socket in
                var burst = ""
                for i in 0..<30 { burst += "GET /path?n=\(i) HTTP/1.1\r\nHost: h\r\n\r\n" }
                burst += "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                burst += "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"
                burst += "GET /large HTTP/1.1\r\nHost: h\r\n\r\n"
                burst += "GET /stream HTTP/1.1\r\nHost: h\r\n\r\n"
                burst += "GET /path?last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                try socket.send(burst)
                var bodies: [[UInt8]] = []
                for _ in 0..<35 { bodies.append(try socket.readResponse().body) }
                return (bodies, socket.isClosedByPeer())
            }
            for i in 0..<30 { #expect(String(decoding: bodies.0[i], as: UTF8.self) == "GET /path q=n=\(i) host=h") }
            #expect(String(decoding: bodies.0[30], as: UTF8.self) == "Hello, World!")
            #expect(String(decoding: bodies.0[31], as: UTF8.self) == "Hello, World!")
            #expect(bodies.0[32] == largeBody)
            #expect(String(decoding: bodies.0[33], as: UTF8.self) == "one,two,three")
            #expect(String(decoding: bodies.0[34], as: UTF8.self) == "GET /path q=last host=h")
            #expect(bodies.1)
        }
    }

    @Test("a body announced with 100-continue and never read: answered without 100, then closed", arguments: Path.allCases)
    func unreadExpectContinue(_ path: Path) async throws {
        try await withServer(path.handler) { address in
            let (response, closed) = try await exchangeAndClose(
                address, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n")
            #expect(response.status == .ok)
            #expect(response.text == "Hello, World!")
            #expect(closed)
        }
    }

    @Test("500 keep-alive requests on one connection", arguments: Path.allCases)
    func keepAlive(_ path: Path) async throws {
        try await withServer(path.handler) { address in
            let answered = try await onSocket(address) { socket in
                var answered = 0
                for i in 0..<500 {
                    try socket.send(i % 7 == 0 ? "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n" : "GET /path?i=\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
                    let body = String(decoding: try socket.readResponse().body, as: UTF8.self)
                    if body == (i % 7 == 0 ? "one,two,three" : "GET /path q=i=\(i) host=x") { answered += 1 }
                }
                return answered
            }
            #expect(answered == 500)
        }
    }

    @Test("the live test client gets the same answers on both paths", arguments: Path.allCases)
    func liveClient(_ path: Path) async throws {
        try await withServer(path.handler) { address in
            let client = TestClient(transport: LiveTransport(address))
            let hello = try await client.get("/"), failed = try await client.get("/fail"), head = try await client.head("/stream")
            #expect(hello.text == "Hello, World!")
            #expect(failed.status == .internalServerError)
            #expect(head.status == .ok && head.body.isEmpty)
        }
    }
}
