import Glibc
import Synchronization
import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

@Suite("Lifecycle, addresses and the live client")
struct LifecycleTests {
    @Test("port 0 reports the chosen port")
    func portZero() async throws {
        try await withServer { address in
            #expect((address.port ?? 0) > 0)
            #expect(address.host == "127.0.0.1")
            #expect(address.description == "http://127.0.0.1:\(address.port!)/")
        }
    }

    @Test("binding IPv6 loopback works")
    func ipv6() async throws {
        try await withServer(configure: { $0.host = "::1" }) { address in
            #expect(address.host == "::1")
            #expect(address.description.hasPrefix("http://[::1]:"))
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == .ok)
        }
    }

    // The dev supervisor serves its compile-error page on its own listening socket with a short-lived
    // server, then hands the same socket to the next worker: stopping that server closed the socket
    // under the supervisor (the next worker inherited a closed or reused descriptor and never answered).
    @Test("a server started on a socket someone else keeps leaves it open when it stops")
    func borrowedListenerStaysOpen() async throws {
        let fd = try Listener.tcp(host: "127.0.0.1", port: 0, count: 1, backlog: 64, reusePort: false).fds[0]
        defer { close(fd) }
        for round in 1...2 {
            let server = Server(Handler { _ in "round \(round)" }, configuration: testConfiguration())
            let address = try server.start(listenerFD: fd)
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(response.text == "round \(round)")
            await server.shutdown()
            #expect(fcntl(fd, F_GETFD) >= 0, "the borrowed listener was closed by the server that stopped")
            var type: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            #expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &type, &length) == 0 && type == 1)
        }
    }

    @Test("a Unix domain socket path serves requests and is removed at shutdown")
    func unixSocket() async throws {
        let path = "/tmp/werk-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        try await withServer(configure: { $0.unixSocketPath = path }) { address in
            #expect(address.unixSocketPath == path)
            let response = try await exchange(address, "GET / HTTP/1.0\r\n\r\n")
            #expect(response.text == "Hello, World!")
        }
        #expect(access(path, F_OK) != 0)
    }

    @Test("binding a port in use fails with a helpful error")
    func portInUse() async throws {
        try await withServer { address in
            var configuration = testConfiguration()
            configuration.port = address.port!
            configuration.eventLoops = 1
            // SO_REUSEPORT lets the same user share a port; an exclusive socket makes it conflict.
            let blocker = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(blocker) }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(blocker, $0, length) } }
            _ = listen(blocker, 1)
            _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(blocker, $0, &length) } }
            configuration.port = Int(UInt16(bigEndian: sin.sin_port))
            let second = Server(testApp, configuration: configuration)
            #expect(throws: ServerError.self) { try second.start() }
        }
    }

    @Test("shutdown lets an in-flight request finish and closes idle connections")
    func gracefulShutdown() async throws {
        let gate = Gate()
        let app = Handler { request in
            if request.pathInfo == "/slow" { await gate.wait() }
            return Response.text("done")
        }
        // The test opens the gate itself: the shutdown timeout must not cut the slow request first on
        // a loaded machine (with the default 5 s it did, now and then, in full runs).
        var configuration = testConfiguration()
        configuration.shutdownTimeout = .seconds(60)
        let server = Server(app, configuration: configuration)
        let address = try server.start()
        // An idle keep-alive connection and a request that waits in the handler.
        let idleAnswered = Atomic<Bool>(false)
        let idle = Task { try await onSocket(address) { socket in
            try socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try socket.readResponse()
            idleAnswered.store(true, ordering: .releasing)
            return socket.isClosedByPeer()
        } }
        let slow = Task { try await exchange(address, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n") }
        try await pollUntil { gate.waiting && idleAnswered.load(ordering: .acquiring) }
        let stopped = Task { await server.shutdown() }
        #expect(try await idle.value)        // closed by the shutdown
        gate.open()
        let response = try await slow.value
        #expect(response.text == "done")
        #expect(response.headers["Connection"] == "close")
        await stopped.value
        #expect(throws: (any Error).self) { try BlockingSocket(address, timeout: .seconds(2)) }
    }

    @Test("connections beyond the cap wait in the backlog until a slot frees (the cap is server-wide)", arguments: [1, 2, 3])
    func connectionCap(loops: Int) async throws {
        try await withServer(configure: { $0.maxConnections = 2; $0.eventLoops = loops }) { address in
            let served = try await ThreadRunner.run { () -> (Bool, Int) in
                let a = try BlockingSocket(address, timeout: .seconds(60))
                let b = try BlockingSocket(address, timeout: .seconds(60))
                for socket in [a, b] {
                    try socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    _ = try socket.readResponse()
                }
                let c = try BlockingSocket(address, timeout: .seconds(60))   // completes in the backlog
                try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                var pfd = pollfd(fd: c.fd, events: Int16(POLLIN), revents: 0)
                let answeredEarly = poll(&pfd, 1, 200) > 0
                try a.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                _ = try a.readResponse()
                return (answeredEarly, try c.readResponse().status.code)
            }
            #expect(!served.0)
            #expect(served.1 == 200)
        }
    }

    @Test("run() returns after shutdown and a SIGTERM reaches the signal watcher")
    func runAndSignals() async throws {
        var configuration = testConfiguration()
        configuration.printStartupLine = false
        let server = Server(testApp, configuration: configuration)
        let running = Task { try await server.run() }
        try await pollUntil { server.address != nil }
        let response = try await exchange(server.address!, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == .ok)
        await server.shutdown()
        try await running.value

        let fired = Atomic<Int>(0)
        let watcher = SignalWatcher { fired.add(1, ordering: .relaxed) }
        kill(getpid(), SIGTERM)
        try await pollUntil { fired.load(ordering: .relaxed) == 1 }
        watcher.remove()
    }

    @Test("the request carries the client address and the server address")
    func addresses() async throws {
        let app = Handler { request in Response.text("\(request.remoteAddress ?? "nil") \(request.serverAddress ?? "nil") \(request.scheme)") }
        try await withServer(app) { address in
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.text == "127.0.0.1 127.0.0.1:\(address.port!) http")
        }
    }

    @Test("access log lines use the Common Log Format")
    func accessLogFormat() {
        let line = AccessLogEntry(remoteAddress: "10.0.0.1", requestLine: "GET /a?b HTTP/1.1", status: 200, bytes: 1234)
            .commonLogLine(epochSeconds: 784_111_777)
        #expect(line == "10.0.0.1 - - [06/Nov/1994:08:49:37 +0000] \"GET /a?b HTTP/1.1\" 200 1234")
        #expect(AccessLogEntry(remoteAddress: "", requestLine: "-", status: 304, bytes: 0).commonLogLine(epochSeconds: 0)
                == "- - - [01/Jan/1970:00:00:00 +0000] \"-\" 304 -")
    }

    @Test("the same TestClient scenario passes in process and over the wire")
    func liveClient() async throws {
        try await withServer { address in
            for client in [TestClient(testApp), TestClient(transport: LiveTransport(address))] {
                let hello = try await client.get("/")
                #expect(hello.status == .ok && hello.text == "Hello, World!")
                let echo = try await client.post("/echo", body: .text("posted"))
                #expect(echo.text == "posted")
                let stream = try await client.get("/stream")
                #expect(stream.text == "one,two,three")
                let head = try await client.head("/")
                #expect(head.body.isEmpty && head.headers["Content-Length"] == "13")
                let missing = try await client.get("/nope")
                #expect(missing.status == .notFound)
                let query = try await client.get("/path", query: [("a", "b c")])
                #expect(query.text == "GET /path q=a=b+c host=localhost")
            }
        }
    }
}

/// A one-shot gate a handler waits on.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    var waiting: Bool { state.withLock { !$0.waiters.isEmpty } }
    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Polls `condition` until it holds, failing after `seconds`.
func pollUntil(seconds: Int = 20, _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        if ContinuousClock.now > deadline { throw PollTimeout() }
        try await Task.sleep(for: .milliseconds(5))
    }
}

struct PollTimeout: Error {}

extension LifecycleTests {
    /// A one-loop server with long header and shutdown timeouts and two connections it has accepted.
    func serverWithTwoAcceptedConnections(grace: Duration) async throws -> (Server, BlockingSocket, BlockingSocket) {
        var configuration = testConfiguration()
        configuration.eventLoops = 1
        configuration.headerReadTimeout = .seconds(120)
        configuration.shutdownTimeout = .seconds(120)   // a loaded machine may take seconds to send the request
        configuration.silentConnectionShutdownGrace = grace
        let server = Server(testApp, configuration: configuration)
        let address = try server.start()
        let sockets = try await ThreadRunner.run {
            (try BlockingSocket(address, timeout: .seconds(60)), try BlockingSocket(address, timeout: .seconds(60)))
        }
        for _ in 0..<6000 where server.acceptedConnections < 2 { try await Task.sleep(for: .milliseconds(5)) }
        try #require(server.acceptedConnections == 2, "both connections accepted before the shutdown")
        return (server, sockets.0, sockets.1)
    }

    @Test("a graceful shutdown answers the request of a connection accepted just before it, then closes it")
    func shutdownAnswersFreshConnection() async throws {
        let (server, fresh, other) = try await serverWithTwoAcceptedConnections(grace: .seconds(60))
        server.beginShutdown()
        let (response, closed) = try await ThreadRunner.run {
            try fresh.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            return (try fresh.readResponse(), fresh.isClosedByPeer())
        }
        #expect(response.status == .ok)
        #expect(response.headers["Connection"] == "close")
        #expect(closed)
        try await ThreadRunner.run { try other.send("GET / HTTP/1.0\r\n\r\n"); _ = try other.readResponse() }
        await server.shutdown()
    }

    @Test("a graceful shutdown closes a connection that stays silent through its grace (a preconnect)")
    func shutdownClosesSilentConnection() async throws {
        let (server, first, second) = try await serverWithTwoAcceptedConnections(grace: .milliseconds(100))
        await server.shutdown()   // returns once the grace is over, long before the header timeout
        #expect(try await ThreadRunner.run { first.isClosedByPeer() && second.isClosedByPeer() })
    }
}
