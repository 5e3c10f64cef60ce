import Glibc
import Testing
import WerkCore
import WerkHTTPClient
import WerkServer

@Suite("HTTPClient against a Werk server")
struct ClientTests {
    @Test("GETs read whole bodies and reuse one kept-alive connection")
    func keepAlive() async throws {
        try await withUpstream { endpoint, server in
            let client = HTTPClient()
            for name in ["a", "b", "c"] {
                let response = try await client.send(ClientRequest(endpoint: endpoint, target: "/hello", headers: ["X-Name": name]))
                #expect(response.status == .ok)
                #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
                #expect(try await response.text() == "Hello, \(name)!")
            }
            #expect(server.acceptedConnections == 1)
            #expect(client.idleConnectionCount == 1)
        }
    }

    @Test("bodies in memory, from a file, streamed with a length and streamed chunked")
    func requestBodies() async throws {
        try await withUpstream(configure: { $0.maxBodySize = 64 * 1024 * 1024 }) { endpoint, _ in
            let client = HTTPClient()
            let echo = try await client.send(ClientRequest(.post, endpoint: endpoint, target: "/echo", body: .bytes(Array("ping".utf8))))
            #expect(try await echo.text() == "ping")
            let known = ByteStream(chunks: [Array("abc".utf8), Array("de".utf8)])
            let counted = try await client.send(ClientRequest(.post, endpoint: endpoint, target: "/count", body: .stream(known, length: 5)))
            #expect(try await counted.text() == "5 length")
            let source = CountingSource()
            let chunked = try await client.send(ClientRequest(.put, endpoint: endpoint, target: "/count",
                                                              body: .stream(source.stream(chunks: 64, size: 65536), length: nil)))
            #expect(try await chunked.text() == "\(64 * 65536) chunked")
            let path = "/tmp/werk-client-\(getpid())-body"
            let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
            let file = fopen(path, "w")
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            defer { unlink(path) }
            let fromFile = try await client.send(ClientRequest(.post, endpoint: endpoint, target: "/echo",
                                                               body: .file(FileRegion(path: path, offset: 10, count: 90_000))))
            #expect(try await fromFile.collect() == Array(bytes[10..<90_010]))
        }
    }

    @Test("a chunked response arrives piece by piece and whole")
    func chunkedResponse() async throws {
        try await withUpstream { endpoint, _ in
            let response = try await HTTPClient().send(ClientRequest(endpoint: endpoint, target: "/stream?chunks=200&size=1000"))
            #expect(response.headers["Transfer-Encoding"] == "chunked", "\(response.status) \(response.headers)")
            #expect(response.contentLength == nil)
            let body = try await response.collect()
            #expect(body.count == 200_000)
            #expect(body[0] == 97 && body[999] == 97 && body[1000] == 98 && body[199_999] == UInt8(97 + 199 % 26))
        }
    }

    @Test("HEAD and 204 have no body and leave the connection reusable")
    func noBody() async throws {
        try await withUpstream { endpoint, server in
            let client = HTTPClient()
            let head = try await client.send(ClientRequest(.head, endpoint: endpoint, target: "/head"))
            #expect(head.headers["Content-Length"] == "11")
            #expect(try await head.collect().isEmpty)
            let empty = try await client.send(ClientRequest(endpoint: endpoint, target: "/no-content"))
            let emptyBody = try await empty.collect()
            #expect(empty.status == .noContent && emptyBody.isEmpty)
            #expect(try await client.send(ClientRequest(endpoint: endpoint, target: "/hello")).text() == "Hello, world!")
            #expect(server.acceptedConnections == 1)
        }
    }

    @Test("Connection: close is honoured; a body dropped early closes its connection")
    func notReused() async throws {
        try await withUpstream { endpoint, server in
            let client = HTTPClient()
            #expect(try await client.send(ClientRequest(endpoint: endpoint, target: "/close")).text() == "bye")
            #expect(client.idleConnectionCount == 0)
            do {
                let big = try await client.send(ClientRequest(endpoint: endpoint, target: "/stream?chunks=1000&size=10000"))
                var iterator = big.body.makeAsyncIterator()
                #expect(try await iterator.next()?.isEmpty == false)
            }   // dropped here with most of the body unread
            #expect(client.idleConnectionCount == 0)
            #expect(try await client.send(ClientRequest(endpoint: endpoint, target: "/hello")).text() == "Hello, world!")
            #expect(server.acceptedConnections == 3)
        }
    }

    @Test("a Unix-socket endpoint")
    func unixSocket() async throws {
        let path = "/tmp/werk-client-\(getpid()).sock"
        try await withUpstream(unixSocket: path) { endpoint, _ in
            let response = try await HTTPClient().send(ClientRequest(endpoint: endpoint, target: "/hello"))
            #expect(try await response.text() == "Hello, world!")
        }
    }

    @Test("URLs become endpoint and target; bad URLs, targets and headers are refused before sending")
    func requests() throws {
        let request = try ClientRequest(.get, "http://[::1]:8081/a/b?c=d#frag")
        #expect(request.endpoint == HTTPEndpoint(host: "::1", port: 8081) && request.target == "/a/b?c=d")
        #expect(request.endpoint.hostHeader == "[::1]:8081")
        #expect(try ClientRequest(.get, "HTTP://example.com?q").target == "/?q")
        #expect(try ClientRequest(.get, "http://example.com").endpoint.hostHeader == "example.com")
        for bad in ["https://example.com/", "http://", "http://user@host/", "http://host:99999/", "http://host:x/", "ftp://h/"] {
            #expect(throws: HTTPClientError.self, "\(bad)") { try ClientRequest(.get, bad) }
        }
    }

    @Test("invalid requests fail with invalidRequest and nothing is sent")
    func invalidRequests() async throws {
        let client = HTTPClient()
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: 9)   // never contacted
        for request in [ClientRequest(endpoint: endpoint, target: "/a b"), ClientRequest(endpoint: endpoint, target: ""),
                        ClientRequest(Method("BAD METHOD"), endpoint: endpoint),
                        ClientRequest(endpoint: endpoint, headers: ["X-Evil": "a\r\nInjected: 1"])] {
            await #expect { _ = try await client.send(request) } throws: { ($0 as? HTTPClientError)?.kind == .invalidRequest }
        }
    }
}
