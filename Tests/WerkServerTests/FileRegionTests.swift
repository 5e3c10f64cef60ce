import Glibc
import Testing
import WerkCore
@testable import WerkServer

@Suite("Server file regions that change")
struct FileRegionTests {
    static func tempPath(_ name: String) -> String { "/tmp/werk-file-region-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)" }

    @Test("a file that shrinks while it is sent closes the connection short of Content-Length, never passing as complete")
    func shrinkWhileSending() async throws {
        let path = Self.tempPath("shrink.bin")
        defer { unlink(path) }
        let size = 256 * 1024 * 1024   // sparse: far more than the socket buffers hold
        let head = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        try #require(ftruncate(fd, off_t(size)) == 0)
        #expect(head.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == head.count)
        close(fd)
        let app = Handler { _ in Response(status: .ok, body: .file(FileRegion(path: path, offset: 0, count: size))) }
        let (raw, closed) = try await withServer(app) { address in
            try await onSocket(address, timeout: .seconds(60)) { socket in
                try socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                let start = try socket.readBytes(count: 512 * 1024)   // the response is under way
                #expect(truncate(path, off_t(1 << 20)) == 0)
                let rest = try socket.readToEnd()                     // ends: the server closed
                return (start + rest, true)
            }
        }
        #expect(closed)
        let separator: [UInt8] = [13, 10, 13, 10]
        let split = try #require((0...(raw.count - 4)).first { Array(raw[$0..<$0 + 4]) == separator })
        let headText = String(decoding: raw[..<split], as: UTF8.self)
        #expect((headText + "\r\n").contains("Content-Length: \(size)\r\n"))
        let body = Array(raw[(split + 4)...])
        #expect(body.count < size, "the body must stop short of the declared length")
        #expect(body.count >= 512 * 1024 - split - 4)
        // Every byte that was sent is the file's byte at that offset (the pattern, then zeros).
        let checked = min(body.count, head.count)
        #expect(Array(body[..<checked]) == Array(head[..<checked]))
        #expect(body[checked...].allSatisfy { $0 == 0 })
    }

    @Test("a region whose file was replaced after the response was made is answered 503, with none of the new bytes")
    func replacedBeforeSending() async throws {
        let path = Self.tempPath("replace.txt")
        defer { unlink(path) }
        let write: @Sendable (String, Int) -> Void = { text, seconds in
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, path, &times, 0)
        }
        write("version one", 1_700_000_000)
        let app = Handler { request in
            let identity = FileIdentity(path: path)
            if request.pathInfo == "/changed" { write("version two, longer", 1_700_000_100) }
            return Response(status: .ok, body: .file(FileRegion(path: path, count: identity?.size ?? 0, identity: identity)))
        }
        try await withServer(app) { address in
            let same = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(same.status == .ok)
            #expect(same.text == "version one")
            let changed = try await exchange(address, "GET /changed HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(changed.status == .serviceUnavailable)
            #expect(changed.headers["Retry-After"] == "0")
            #expect(!changed.text.contains("version"))
        }
    }
}
