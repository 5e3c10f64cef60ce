import Glibc
import Synchronization
import Testing
import WerkCore
@testable import WerkServer

@Suite("Backpressure")
struct BackpressureTests {
    @Test("a handler that stops pulling the body stops the server reading: the client's sends block")
    func requestBodyBackpressure() async throws {
        let gate = Gate()
        let total = 64 * 1024 * 1024
        let app = Handler { request in
            var iterator = try request.body.stream().makeAsyncIterator()
            var count = try await iterator.next()?.count ?? 0
            await gate.wait()                      // a slow handler
            while let chunk = try await iterator.next() { count += chunk.count }
            return Response.text(String(count))
        }
        try await withServer(app) { address in
            let (blocked, response) = try await ThreadRunner.run { () -> (Bool, TestTransportResponse) in
                let socket = try BlockingSocket(address, timeout: .seconds(1))
                try socket.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(total)\r\n\r\n")
                let chunk = [UInt8](repeating: 7, count: 1 << 20)
                var sent = 0, blocked = false
                while sent < total {
                    let n = chunk.withUnsafeBytes { send(socket.fd, $0.baseAddress!, min($0.count, total - sent), Int32(MSG_NOSIGNAL)) }
                    if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                        // The server stopped reading (the kernel buffers are full): let the handler go on.
                        if !blocked { blocked = true; gate.open() }
                        continue
                    }
                    guard n > 0 else { throw LiveTransportError.io("send", errno) }
                    sent += n
                }
                if !blocked { gate.open() }
                var tv = timeval(tv_sec: 20, tv_usec: 0)
                _ = setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                return (blocked, try socket.readResponse())
            }
            #expect(blocked)
            #expect(response.text == String(total))
        }
    }
}
