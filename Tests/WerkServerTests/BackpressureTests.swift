import Glibc
import Synchronization
import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

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

    @Test("a client that does not read stops the server pulling from the response stream")
    func responseStreamBackpressure() async throws {
        let produced = Atomic<Int>(0)
        let app = Handler { _ in
            let stream = ByteStream { writer in
                for _ in 0..<2000 {
                    try await writer.write([UInt8](repeating: 1, count: 64 * 1024))
                    produced.add(1, ordering: .relaxed)
                }
            }
            return Response(status: .ok, body: .stream(stream, length: nil))
        }
        try await withServer(app, configure: { $0.maxPendingOutputBytes = 64 * 1024 }) { address in
            let socket = try await ThreadRunner.run { () -> SocketBox in
                let socket = try BlockingSocket(address, timeout: .seconds(60))
                try socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                return SocketBox(socket)
            }
            try await pollUntil { produced.load(ordering: .relaxed) > 4 }
            // Without backpressure the 125 MiB stream would be produced at once; with it, the producer
            // stays a few socket buffers ahead of a client that reads nothing.
            let ranAway = (try? await pollUntil(seconds: 2) { produced.load(ordering: .relaxed) >= 2000 }) != nil
            #expect(!ranAway)
            #expect(produced.load(ordering: .relaxed) < 1000)
            withExtendedLifetime(socket) {}
        }
    }
}

/// Keeps a test socket open across awaits (it is only touched on one thread at a time).
final class SocketBox: @unchecked Sendable {
    // Invariant: the socket is not used after it is boxed; the box only keeps it open.
    let socket: BlockingSocket
    init(_ socket: BlockingSocket) { self.socket = socket }
}
