import Glibc
import Testing
import WerkCore
import WerkServer
import WerkTestSupport
@testable import WerkHTTPProxy
import WerkTesting

/// The upstream: shows what it received, counts uploads, streams downloads.
let upstream = Handler { request in
    switch request.pathInfo {
    case "/count":
        var total = 0
        for try await chunk in try request.body.stream() { total += chunk.count }
        return Response.text("\(total)")
    case "/download":
        let size = Int(try request.query["mib"] ?? "1") ?? 1
        let chunk = [UInt8](repeating: 7, count: 1 << 20)
        let body = ByteStream { writer in for _ in 0..<size { try await writer.write(chunk) } }
        return Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: .stream(body, length: size << 20))
    default:
        var response = Response.text("\(request.method) \(request.target)\n"
            + request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
        response.headers.add("Connection", "X-Upstream-Private")
        response.headers.add("X-Upstream-Private", "secret")
        response.headers.add("Keep-Alive", "timeout=5")
        return response
    }
}

func server(_ handler: Handler, maxBody: Int = 10 << 20) throws -> (Server, Server.Address) {
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.eventLoops = 1
    configuration.maxBodySize = maxBody
    configuration.shutdownTimeout = .seconds(5)
    configuration.headerReadTimeout = .seconds(60)   // a busy test machine can delay a request; no test waits on this
    let server = Server(handler, configuration: configuration)
    return (server, try server.start())
}

/// Runs `body` with a live upstream at `/v1` behind an in-process proxy stack.
func withProxy(_ target: (HTTPEndpoint) -> HTTPProxy.Target, _ body: (TestClient) async throws -> Void) async throws {
    let (up, address) = try server(upstream, maxBody: 1 << 30)
    let endpoint = HTTPEndpoint(host: "127.0.0.1", port: address.port ?? 0)
    let app = Stack {
        HTTPProxy(["/api": target(endpoint)])
        Handler { _ in "local" }
    }
    do { try await body(TestClient(app)) } catch { await up.shutdown(); throw error }
    await up.shutdown()
}

@Suite("HTTPProxy: paths and headers")
struct ProxyMappingTests {
    @Test("the upstream path: base path, prefix kept or removed, raw escapes and query kept", arguments: [
        ("/api/users?x=1", false, "", "/v1/api/users?x=1"), ("/api/users?x=1", true, "", "/v1/users?x=1"),
        ("/api", true, "", "/v1/"), ("/api/", true, "", "/v1/"), ("/api/a%20b/c%2Fd?q=%26", true, "", "/v1/a%20b/c%2Fd?q=%26"),
        ("http://evil.example/api/x?y", true, "", "/v1/x?y"), ("/mnt/api/x", true, "/mnt", "/v1/x"),
        ("/mnt/api/x", false, "/mnt", "/v1/api/x"), ("/api/x#frag", true, "", "/v1/x"),
    ])
    func paths(target: String, removePrefix: Bool, scriptName: String, expected: String) {
        var request = Request(target: target, headers: ["Host": "example.com"])
        if !scriptName.isEmpty { request = request.mounted(at: scriptName)! }
        let proxy = HTTPProxy(["/api": .init("http://127.0.0.1:9/v1/", removePrefix: removePrefix)])
        #expect(proxy.upstreamTarget(request, "/api", proxy.targets[0].target) == expected)
    }

    @Test("hop-by-hop headers and those named in Connection are removed; forwarding headers are appended")
    func headers() {
        let request = Request(target: "/api", headers: [
            "Host": "example.com", "Connection": "keep-alive, X-Secret", "X-Secret": "1", "Keep-Alive": "5", "TE": "trailers",
            "Upgrade": "websocket", "Proxy-Authorization": "Basic x", "X-Forwarded-For": "203.0.113.1", "X-Kept": "yes",
            "Content-Length": "0",
        ], remoteAddress: "10.0.0.7")
        let target = HTTPProxy.Target("http://127.0.0.1:9000", headers: ["X-Added": "1"])
        let headers = HTTPProxy(["/api": target]).upstreamHeaders(request, target)
        #expect(headers.map(\.name) == ["X-Forwarded-For", "X-Kept", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Added"])
        #expect(headers["X-Forwarded-For"] == "203.0.113.1, 10.0.0.7")
        #expect(headers["X-Forwarded-Host"] == "example.com" && headers["X-Forwarded-Proto"] == "http")
        let keep = HTTPProxy.Target("http://127.0.0.1:9000", host: .keep, forwarding: .forwarded)
        var v6 = request
        v6.remoteAddress = "2001:db8::1"
        let forwarded = HTTPProxy(["/api": keep]).upstreamHeaders(v6, keep)
        #expect(forwarded["Host"] == "example.com")
        #expect(forwarded["Forwarded"] == #"for="[2001:db8::1]";proto=http;host=example.com"#)
        let custom = HTTPProxy.Target("http://127.0.0.1:9000", host: .custom("internal"), forwarding: .none)
        let plain = HTTPProxy(["/api": custom]).upstreamHeaders(request, custom)
        #expect(plain["Host"] == "internal" && plain["X-Forwarded-For"] == "203.0.113.1")
    }
}

@Suite("HTTPProxy: live upstreams")
struct ProxyLiveTests {
    @Test("a request goes to the configured upstream with forwarding headers; the answer comes back without hop-by-hop headers")
    func roundTrip() async throws {
        try await withProxy({ .init(endpoint: $0, basePath: "/v1", removePrefix: true) }) { client in
            let response = try await client.get("/api/users?x=1", headers: ["X-Forwarded-For": "6.6.6.6"])
            #expect(response.status == .ok)
            let lines = response.text.split(separator: "\n").map(String.init)
            #expect(lines.first == "GET /v1/users?x=1")
            #expect(lines.contains("X-Forwarded-For: 6.6.6.6, 127.0.0.1"))
            #expect(lines.contains("X-Forwarded-Host: localhost") && lines.contains("X-Forwarded-Proto: http"))
            #expect(lines.contains { $0.hasPrefix("Host: 127.0.0.1:") })
            #expect(try await client.get("/other").text == "local")
            #expect(try await client.get("/apiary").text == "local")
        }
    }

    @Test("the upstream's hop-by-hop headers and those its Connection names do not reach the client")
    func responseHopByHop() async throws {
        let raw = try RawUpstream { connection in
            _ = connection.readHead()
            connection.send("HTTP/1.1 200 OK\r\nConnection: X-Private\r\nX-Private: s\r\nKeep-Alive: timeout=5\r\n"
                            + "Trailer: X-T\r\nX-Public: p\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
            connection.drainUntilClosed()
        }
        let response = try await TestClient(Stack { HTTPProxy(["/": .init("http://127.0.0.1:\(raw.port)")]) }).get("/x")
        #expect(response.text == "ok" && response.headers["X-Public"] == "p")
        for name in ["Connection", "X-Private", "Keep-Alive", "Trailer"] { #expect(response.headers[name] == nil, "\(name)") }
        withExtendedLifetime(raw) {}   // the listener must outlive the exchange
    }

    @Test("an absolute-form request for another host still only reaches the configured upstream")
    func noOpenProxy() async throws {
        try await withProxy({ .init(endpoint: $0, basePath: "/v1", removePrefix: true) }) { client in
            let response = try await client.transport.send(Request(target: "http://evil.example/api/x", headers: ["Host": "evil.example"]))
            #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("GET /v1/x\n"))
        }
    }

    @Test("uploads and downloads stream through (16 MiB each way)")
    func streaming() async throws {
        try await withProxy({ .init(endpoint: $0, removePrefix: true) }) { client in
            let chunk = [UInt8](repeating: 1, count: 1 << 20)
            let upload = ByteStream { writer in for _ in 0..<16 { try await writer.write(chunk) } }
            let counted = try await client.transport.send(Request(method: .post, target: "/api/count",
                headers: ["Host": "localhost", "Content-Length": String(16 << 20)],
                body: RequestBody(stream: upload, declaredLength: 16 << 20)))
            #expect(String(decoding: counted.body, as: UTF8.self) == String(16 << 20))
            let downloaded = try await client.get("/api/download?mib=16")
            #expect(downloaded.status == .ok && downloaded.body.count == 16 << 20)
        }
    }

    @Test("502 when the upstream cannot be reached or answers garbage, 504 when it is too slow")
    func gatewayErrors() async throws {
        let refused = Stack { HTTPProxy(["/": .init("http://127.0.0.1:\(unusedPort())")]) }
        let unreachable = try await TestClient(refused).get("/x")
        #expect(unreachable.status == .badGateway)
        let garbage = try RawUpstream { connection in _ = connection.readHead(); connection.send("NOT HTTP\r\n\r\n") }
        let bad = try await TestClient(Stack { HTTPProxy(["/": .init("http://127.0.0.1:\(garbage.port)")]) }).get("/x")
        #expect(bad.status == .badGateway && bad.text.contains("HTTP/1.x nnn reason"))
        let silent = try RawUpstream { connection in _ = connection.readHead(); connection.drainUntilClosed() }
        var configuration = HTTPClient.Configuration()
        configuration.headerTimeout = .milliseconds(300)
        let slow = Stack { HTTPProxy(["/": .init("http://127.0.0.1:\(silent.port)")], client: HTTPClient(configuration: configuration)) }
        #expect(try await TestClient(slow).get("/x").status == .gatewayTimeout)
        withExtendedLifetime(garbage) {}   // the listener must outlive the exchange
        withExtendedLifetime(silent) {}   // the listener must outlive the exchange
    }

    @Test("an event stream reaches the client event by event, while the upstream is still producing")
    func eventStream() async throws {
        var pipeFDs: [Int32] = [0, 0]
        _ = pipe(&pipeFDs)
        let (gate, release) = (pipeFDs[0], pipeFDs[1])
        let events = try RawUpstream { connection in
            _ = connection.readHead()
            connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            connection.send("9\r\ndata: 1\n\n\r\n")
            var byte: UInt8 = 0
            _ = read(gate, &byte, 1)   // the second event only after the client has seen the first
            connection.send("9\r\ndata: 2\n\n\r\n0\r\n\r\n")
        }
        let (front, address) = try server(Stack { HTTPProxy(["/": .init("http://127.0.0.1:\(events.port)")]) })
        let response = try await HTTPClient().send(ClientRequest(endpoint: HTTPEndpoint(host: "127.0.0.1", port: address.port ?? 0)))
        var iterator = response.body.makeAsyncIterator()
        #expect(try await iterator.next() == Array("data: 1\n\n".utf8))
        var one: UInt8 = 1
        _ = write(release, &one, 1)
        #expect(try await iterator.next() == Array("data: 2\n\n".utf8))
        #expect(try await iterator.next() == nil)
        close(gate)
        close(release)
        await front.shutdown()
        withExtendedLifetime(events) {}   // the listener must outlive the exchange
    }

    @Test("an upstream body that breaks midway aborts the client's connection: never a short body taken as complete")
    func brokenBody() async throws {
        let broken = try RawUpstream { connection in
            _ = connection.readHead()
            connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "a", count: 1000))
        }
        let (front, address) = try server(Stack { HTTPProxy(["/": .init("http://127.0.0.1:\(broken.port)")]) })
        let client = HTTPClient()
        let response = try await client.send(ClientRequest(endpoint: HTTPEndpoint(host: "127.0.0.1", port: address.port ?? 0), target: "/x"))
        #expect(response.status == .ok && response.contentLength == 100000)
        await #expect { _ = try await response.collect() } throws: { ($0 as? HTTPClientError)?.kind == .connectionClosed }
        await front.shutdown()
        withExtendedLifetime(broken) {}   // the listener must outlive the exchange
    }
}
