import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

@Suite("Keep-alive, pipelining and concurrency")
struct KeepAliveTests {
    @Test("a simple GET is answered with the handler's body, Content-Length and Date")
    func simpleGet() async throws {
        try await withServer { address in
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == .ok)
            #expect(response.text == "Hello, World!")
            #expect(response.headers["Content-Length"] == "13")
            #expect(response.headers["Date"]?.hasSuffix(" GMT") == true)
            #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        }
    }

    @Test("1 000 keep-alive requests on one connection are all answered")
    func thousandRequests() async throws {
        try await withServer { address in
            let count = try await onSocket(address) { socket in
                var answered = 0
                for i in 0..<1000 {
                    try socket.send("GET /path?i=\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
                    let response = try socket.readResponse()
                    if response.status == .ok && String(decoding: response.body, as: UTF8.self).hasSuffix("q=i=\(i) host=x") {
                        answered += 1
                    }
                }
                return answered
            }
            #expect(count == 1000)
        }
    }

    @Test("pipelined requests sent in one burst are answered in order")
    func pipelinedBurst() async throws {
        try await withServer { address in
            let bodies = try await onSocket(address) { socket in
                var burst = ""
                for i in 0..<50 { burst += "GET /path?n=\(i) HTTP/1.1\r\nHost: h\r\n\r\n" }
                burst += "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                burst += "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                try socket.send(burst)
                var bodies: [String] = []
                for _ in 0..<52 { bodies.append(String(decoding: try socket.readResponse().body, as: UTF8.self)) }
                return bodies
            }
            for i in 0..<50 { #expect(bodies[i] == "GET /path q=n=\(i) host=h") }
            #expect(bodies[50] == "hello")
            #expect(bodies[51] == "Hello, World!")
        }
    }

    @Test("200 concurrent connections are all served")
    func concurrentConnections() async throws {
        try await withServer { address in
            let ok = try await withThrowingTaskGroup(of: Int.self) { group in
                // 8 threads, 25 connections each, all held open at once per thread.
                for _ in 0..<8 {
                    group.addTask {
                        try await ThreadRunner.run {
                            let sockets = try (0..<25).map { _ in try BlockingSocket(address, timeout: .seconds(60)) }
                            for socket in sockets { try socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") }
                            return try sockets.filter { try $0.readResponse().status == .ok }.count
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(ok == 200)
        }
    }

    @Test("HTTP/1.0 closes by default and keeps alive when asked")
    func http10() async throws {
        try await withServer { address in
            let (plain, closed) = try await exchangeAndClose(address, "GET / HTTP/1.0\r\n\r\n")
            #expect(plain.status == .ok)
            #expect(plain.headers["Connection"] == "close")
            #expect(closed)
            let kept = try await onSocket(address) { socket in
                try socket.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let first = try socket.readResponse()
                try socket.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let second = try socket.readResponse()
                return (first.headers["Connection"], second.status)
            }
            #expect(kept.0 == "keep-alive")
            #expect(kept.1 == .ok)
        }
    }

    @Test("Connection: close from the client or the handler closes after the response")
    func connectionClose() async throws {
        try await withServer { address in
            let (a, closedA) = try await exchangeAndClose(address, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(a.status == .ok && a.headers["Connection"] == "close" && closedA)
            let (b, closedB) = try await exchangeAndClose(address, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(b.text == "bye" && b.headers["Connection"] == "close" && closedB)
        }
    }
}
