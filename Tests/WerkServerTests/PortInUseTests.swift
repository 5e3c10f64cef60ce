import Glibc
import Testing
import WerkCore
@testable import WerkServer

/// A server whose port is taken fails at start with "address already in use" (issue 9, item 2:
/// two servers silently shared a port through `SO_REUSEPORT` and split its traffic).
@Suite("Port already in use")
struct PortInUseTests {
    private func expectAddressInUse(_ configuration: Server.Configuration) {
        let second = Server(testApp, configuration: configuration)
        #expect { try second.start() } throws: { error in
            guard let error = error as? ServerError else { return false }
            let text = "\(error)"
            return error.isAddressInUse && text.contains("Address already in use") && text.contains("\(configuration.port)")
        }
        #expect(second.address == nil)
    }

    @Test("a second server on the port of a running one fails, whatever the listener design",
          arguments: [1, 2, 4])
    func secondServer(loops: Int) async throws {
        for design in [ListenerDesign.perLoop, .shared(acceptBatch: 64)] {
            var configuration = testConfiguration()
            configuration.eventLoops = loops
            configuration.listenerDesign = design
            let first = Server(testApp, configuration: configuration)
            let address = try first.start()
            configuration.port = try #require(address.port)
            expectAddressInUse(configuration)
            // The first server still answers every request (nothing was split off).
            for _ in 0..<8 {
                let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(response.status == .ok)
            }
            await first.shutdown()
        }
    }

    @Test("a port held by a plain listening socket (no SO_REUSEPORT) fails")
    func plainListener() throws {
        let (fd, port) = try plainSocket(listening: true, reusePort: false)
        defer { close(fd) }
        var configuration = testConfiguration()
        configuration.port = port
        expectAddressInUse(configuration)
    }

    @Test("a port held by another program's SO_REUSEPORT listener of the same user fails")
    func reusePortListener() throws {
        let (fd, port) = try plainSocket(listening: true, reusePort: true)
        defer { close(fd) }
        var configuration = testConfiguration()
        configuration.port = port
        expectAddressInUse(configuration)
    }

    @Test("a port bound but not listening fails too")
    func boundSocket() throws {
        let (fd, port) = try plainSocket(listening: false, reusePort: false)
        defer { close(fd) }
        var configuration = testConfiguration()
        configuration.port = port
        expectAddressInUse(configuration)
    }

    @Test("a Unix socket path a running server listens on fails; a stale socket file is replaced")
    func unixSocketInUse() async throws {
        let path = "/tmp/werk-in-use-\(getpid()).sock"
        var configuration = testConfiguration()
        configuration.unixSocketPath = path
        let first = Server(testApp, configuration: configuration)
        let address = try first.start()
        let second = Server(testApp, configuration: configuration)
        #expect { try second.start() } throws: { error in
            (error as? ServerError)?.isAddressInUse == true && "\(error)".contains(path)
        }
        // The first server still owns the path.
        let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == .ok)
        await first.shutdown()

        // A socket file nobody listens on is stale: it is replaced.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var unixAddress = sockaddr_un()
        unixAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &unixAddress.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &unixAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(stale)
        try #require(bound == 0)
        let third = Server(testApp, configuration: configuration)
        #expect(try third.start().unixSocketPath == path)
        await third.shutdown()
    }

    @Test("the listener table finds another process's SO_REUSEPORT listener that joined after the probe")
    func raceCheck() async throws {
        // Simulates two servers starting at once: both pass the probe, both bind with SO_REUSEPORT.
        let (joined, port) = try plainSocket(listening: true, reusePort: true)
        defer { close(joined) }
        #expect(ListenerTable.foreignListeners(port: port, ours: [joined]).isEmpty)   // only ours
        let (other, _) = try plainSocket(listening: true, reusePort: true, port: port)
        defer { close(other) }
        #expect(ListenerTable.foreignListeners(port: port, ours: [joined]).count == 1)
        let table = Array("  sl  local_address rem_address   st ...\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  0 4242 1\n   1: 0100007F:1F90 0100007F:9999 01 00000000:00000000 00:00000000 00000000  1000  0 4243 1\n".utf8)
        #expect(ListenerTable.listeners(in: table, port: 8080) == [4242])
    }

    @Test("after a shutdown the port can be bound again at once")
    func rebindAfterShutdown() async throws {
        let first = Server(testApp, configuration: testConfiguration())
        let address = try first.start()
        _ = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await first.shutdown()
        var configuration = testConfiguration()
        configuration.port = try #require(address.port)
        let second = Server(testApp, configuration: configuration)
        #expect(try second.start().port == address.port)
        await second.shutdown()
    }

    /// A loopback TCP socket bound to a free port, listening or not.
    private func plainSocket(listening: Bool, reusePort: Bool, port: Int = 0) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var one: Int32 = 1
        if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        if listening { try #require(listen(fd, 16) == 0) }
        return (fd, SocketAddress.localPort(fd))
    }
}
