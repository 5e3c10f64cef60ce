import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

@Suite("The live transport's kept-alive connections")
struct LiveTransportKeepAliveTests {
    /// A server that is shut down however the test ends.
    func withLiveServer(keepAlive: Duration = .seconds(60),
                        _ body: (Server, TestClient) async throws -> Void) async throws {
        var configuration = testConfiguration()
        configuration.keepAliveTimeout = keepAlive
        let server = Server(testApp, configuration: configuration)
        let client = TestClient(transport: LiveTransport(try server.start()))
        do {
            try await body(server, client)
            await server.shutdown()
        } catch {
            await server.shutdown()
            throw error
        }
    }

    @Test("sequential requests share one connection; Connection: close ends it and the next opens another")
    func reuse() async throws {
        try await withLiveServer { server, client in
            for i in 0..<5 {
                let response = try await client.get("/path", query: [("i", String(i))])
                #expect(response.text == "GET /path q=i=\(i) host=localhost")
            }
            let echoed = try await client.post("/echo", body: .text("body"))
            #expect(echoed.text == "body")
            #expect(server.acceptedConnections == 1)
            let closing = try await client.get("/", headers: ["Connection": "close"])
            #expect(closing.headers["Connection"] == "close")
            #expect(server.acceptedConnections == 1)
            #expect(try await client.get("/").text == "Hello, World!")
            #expect(server.acceptedConnections == 2)
            let serverClosed = try await client.get("/close")     // the handler says Connection: close
            #expect(serverClosed.text == "bye")
            #expect(try await client.get("/").status == .ok)
            #expect(server.acceptedConnections == 3)
        }
    }

    @Test("a connection the server closed while idle is replaced without the test noticing")
    func idleClosedByServer() async throws {
        try await withLiveServer(keepAlive: .milliseconds(300)) { server, client in
            #expect(try await client.get("/").status == .ok)
            try await pollUntil { server.openConnections == 0 }     // the keep-alive timeout closed it
            let again = try await client.post("/echo", body: .text("second"))
            #expect(again.text == "second")
            #expect(server.acceptedConnections == 2)
        }
    }
}
