import Glibc
import Synchronization
import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

/// Timeouts use short configured values; tests wait on socket reads (bounded by the socket
/// timeout), never on fixed sleeps, and assert outcomes, not durations.
@Suite("Timeouts and vanishing clients")
struct TimeoutTests {
    @Test("a header dribbled one byte at a time past the header timeout gets 408 and is closed")
    func dribbledHeader() async throws {
        try await withServer(configure: { $0.headerReadTimeout = .milliseconds(300) }) { address in
            let (answered, status, closed) = try await onSocket(address) { socket in
                // Dribble until the server answers (it must, well before 200 bytes at 20 ms each).
                let request = Array("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: \(String(repeating: "s", count: 400))\r\n\r\n".utf8)
                var answered = false
                for byte in request {
                    if (try? socket.send([byte])) == nil { break }
                    var pfd = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
                    if poll(&pfd, 1, 20) > 0 { answered = true; break }
                }
                let response = try socket.readResponse()
                return (answered, response.status, socket.isClosedByPeer())
            }
            #expect(answered)
            #expect(status == .requestTimeout)
            #expect(closed)
        }
    }

    @Test("an idle keep-alive connection is closed after the keep-alive timeout")
    func idleKeepAlive() async throws {
        try await withServer(configure: { $0.keepAliveTimeout = .milliseconds(200) }) { address in
            let (status, closed) = try await onSocket(address) { socket in
                try socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = try socket.readResponse()
                return (response.status, socket.isClosedByPeer())   // blocks until the server closes
            }
            #expect(status == .ok)
            #expect(closed)
        }
    }

    @Test("a body that stops arriving gets 408 once the body read timeout passes")
    func stalledBody() async throws {
        try await withServer(configure: { $0.bodyReadTimeout = .milliseconds(300) }) { address in
            let (response, closed) = try await onSocket(address) { socket in
                try socket.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
                let response = try socket.readResponse()
                return (response, socket.isClosedByPeer())
            }
            #expect(response.status == .requestTimeout)
            #expect(closed)
        }
    }

    @Test("a client that vanishes in the middle of a long streamed response is cleaned up")
    func vanishingClient() async throws {
        let finished = Atomic<Int>(0)
        let app = Handler { request in
            guard request.pathInfo == "/stream" else { return Response.text("small") }
            let stream = ByteStream { writer in
                defer { finished.add(1, ordering: .relaxed) }
                for _ in 0..<100_000 { try await writer.write([UInt8](repeating: 120, count: 16 * 1024)) }
            }
            return Response(status: .ok, body: .stream(stream, length: nil))
        }
        let server = Server(app, configuration: testConfiguration())
        let address = try server.start()
        do {
            try await onSocket(address) { socket in
                try socket.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress!, $0.count, 0) }
                var linger = linger(l_onoff: 1, l_linger: 0)   // close with a reset
                _ = setsockopt(socket.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            }
            // The server keeps serving others after the reset.
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(response.status == .ok && response.text == "small")
            // The reset connection is gone without a shutdown.
            try await pollUntil { server.openConnections == 0 }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        #expect(finished.load(ordering: .relaxed) <= 1)
    }

    @Test("a client that stops reading a large response is closed after the write timeout")
    func writeStall() async throws {
        let big = [UInt8](repeating: 97, count: 32 * 1024 * 1024)
        let app = Handler { _ in Response(status: .ok, contentType: "application/octet-stream", bytes: big) }
        let server = Server(app, configuration: { var c = testConfiguration(); c.writeTimeout = .milliseconds(300); return c }())
        let address = try server.start()
        let closedWhileStalled = try await ThreadRunner.run { () -> Bool in
            let socket = try BlockingSocket(address, timeout: .seconds(60))
            try socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            // Never read: the server must give up on this connection by itself.
            let deadline = ContinuousClock.now + .seconds(20)
            while server.openConnections > 0 && ContinuousClock.now < deadline { usleep(5000) }
            return server.openConnections == 0
        }
        #expect(closedWhileStalled)
        await server.shutdown()
    }

    @Test("a client that disconnects while its body is being read does not break the server")
    func disconnectDuringBody() async throws {
        try await withServer { address in
            try await onSocket(address) { socket in
                try socket.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
                _ = shutdown(socket.fd, Int32(SHUT_RDWR))
            }
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == .ok)
        }
    }
}
