import Glibc
import Testing
@testable import WerkServer

/// The platform poller on its own, with a pipe: readiness for reading and writing, changing and
/// silencing interest.
@Suite("Poller")
struct PollerTests {
    @Test("a pipe's read end is reported readable once written to, and silent without read interest")
    func readiness() throws {
        let poller = try PlatformPoller()
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        defer { close(fds[0]); close(fds[1]) }
        poller.add(fds[0], interest: .read)
        #expect(poller.wait(timeoutMilliseconds: 0) == 0)
        var byte: UInt8 = 1
        _ = write(fds[1], &byte, 1)
        #expect(poller.wait(timeoutMilliseconds: 1000) == 1)
        let event = poller.event(0)
        #expect(event.fd == fds[0])
        #expect(event.readable)
        #expect(!event.writable)
        poller.modify(fds[0], interest: [])
        #expect(poller.wait(timeoutMilliseconds: 0) == 0)
        poller.modify(fds[0], interest: .read)
        #expect(poller.wait(timeoutMilliseconds: 0) == 1)
        poller.remove(fds[0])
        #expect(poller.wait(timeoutMilliseconds: 0) == 0)
    }

    @Test("a pipe's write end is reported writable, and a closed peer as a hang-up")
    func writableAndHangup() throws {
        let poller = try PlatformPoller()
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        defer { close(fds[1]) }
        poller.add(fds[1], interest: .write)
        #expect(poller.wait(timeoutMilliseconds: 1000) == 1)
        #expect(poller.event(0).writable)
        poller.willClose(fds[0])
        close(fds[0])
        #expect(poller.wait(timeoutMilliseconds: 1000) == 1)
        #expect(poller.event(0).hangup)
    }
}
