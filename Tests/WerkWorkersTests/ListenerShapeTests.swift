import Glibc
import Testing
@testable import WerkServer

/// Why a supervisor's workers share one inherited socket instead of each binding `SO_REUSEPORT`
/// listeners: what the kernel does with the connections queued on a listener when one closes.
@Suite("Listener shape across worker replacement")
struct ListenerShapeTests {
    static let clients = 200

    /// Connects `count` clients to `port` (loopback) and sends each a request line.
    func connectClients(port: Int, count: Int) throws -> [Int32] {
        var fds: [Int32] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            try #require(fd >= 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(rc == 0, "connect: \(errno)")
            _ = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".withCString { send(fd, $0, strlen($0), 0) }
            fds.append(fd)
        }
        return fds
    }

    @Test("one shared socket: a worker closing its copy loses none of the queued connections")
    func sharedSocketKeepsQueue() throws {
        let bound = try Listener.tcp(host: "127.0.0.1", port: 0, count: 1, backlog: 1024, reusePort: false)
        defer { close(bound.fds[0]) }
        let workerCopy = dup(bound.fds[0])
        let clients = try connectClients(port: bound.port, count: Self.clients)
        defer { for fd in clients { close(fd) } }
        close(workerCopy)   // an old worker stops; the supervisor still holds the socket
        var accepted = 0
        for _ in 0..<(Self.clients * 10) where accepted < Self.clients {
            let fd = accept(bound.fds[0], nil, nil)
            if fd >= 0 { accepted += 1; close(fd); continue }
            var pfd = pollfd(fd: bound.fds[0], events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 1000)
        }
        #expect(accepted == Self.clients)
    }

    @Test("SO_REUSEPORT listeners: closing one resets the connections queued on it (unless net.ipv4.tcp_migrate_req is on)")
    func reusePortDropsQueue() throws {
        let bound = try Listener.tcp(host: "127.0.0.1", port: 0, count: 2, backlog: 1024, reusePort: true)
        defer { close(bound.fds[0]) }
        let clients = try connectClients(port: bound.port, count: Self.clients)
        defer { for fd in clients { close(fd) } }
        close(bound.fds[1])   // an old worker closing its own listener
        // Wait until the first reset arrives (the kernel sends them all as the listener closes).
        var polled = clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        _ = poll(&polled, nfds_t(polled.count), 5000)
        var reset = 0
        for fd in clients {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno == ECONNRESET) { reset += 1 }
        }
        var migrate = [UInt8](repeating: 0, count: 8)
        let fd = open("/proc/sys/net/ipv4/tcp_migrate_req", O_RDONLY)
        let migrates = fd >= 0 && read(fd, &migrate, migrate.count) > 0 && migrate[0] == UInt8(ascii: "1")
        if fd >= 0 { close(fd) }
        if migrates {
            #expect(reset == 0)
        } else {
            // The kernel hashes each connection to one listener: about half were queued on the closed one.
            #expect(reset > 0 && reset < Self.clients, "\(reset) of \(Self.clients) reset")
        }
    }
}
