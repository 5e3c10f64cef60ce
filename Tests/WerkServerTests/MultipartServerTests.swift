import Glibc
import Synchronization
import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

/// How many of this process's descriptors point into `directory` (spooled uploads show up as
/// `<dir>/#inode (deleted)`).
private func openFiles(in directory: String) -> Int {
    guard let dir = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(dir) }
    var count = 0
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var target = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/fd/" + name, &target, target.count - 1)
        if n > 0, String(decoding: target[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self).hasPrefix(directory + "/") { count += 1 }
    }
    return count
}

private let upload = (0..<(1 << 20) + 54_321).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }

/// Lists fields and files: `name=value` and `name:filename:type:size:checksum`.
private func describeForm(_ request: Request, spoolDirectory: String? = nil) async throws -> String {
    var request = request
    if let spoolDirectory { request.multipartLimits.temporaryDirectory = spoolDirectory }
    let form = try await request.form()
    var lines = form.map { "\($0.key)=\($0.value)" }
    for (name, file) in try await request.files() {
        let sum = try file.bytes().reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) }
        lines.append("\(name):\(file.filename):\(file.mimeType):\(file.size):\(sum):\(file.isOnDisk)")
    }
    return lines.joined(separator: "\n")
}

@Suite("Multipart over the server")
struct MultipartServerTests {
    @Test("LiveTransport sends the TestClient's multipart body; the server's answer equals the in-process one")
    func liveEqualsInProcess() async throws {
        let app = Handler { request in try await describeForm(request) }
        let body = TestBody.multipart(fields: [("title", "Über"), ("tag", "x")],
                                      files: [.file("doc", filename: "big.bin", bytes: upload),
                                              .file("doc", filename: "small.txt", contentType: "text/plain", bytes: Array("hi".utf8))])
        let inProcess = try await TestClient(app).post("/", body: body)
        let live = try await withServer(app) { address in
            try await TestClient(transport: LiveTransport(address)).post("/", body: body)
        }
        #expect(inProcess.status == .ok && live.status == .ok)
        #expect(live.text == inProcess.text)
        #expect(live.text.contains("doc:big.bin:application/octet-stream:1102897:") && live.text.hasPrefix("title=Über\ntag=x"))
    }

    @Test("a streamed upload is read part by part through request.multipart()")
    func streamedUpload() async throws {
        let app = Handler { request in
            var lines: [String] = []
            for try await part in try request.multipart() {
                var size = 0
                for try await chunk in part.body { size += chunk.count }
                lines.append("\(part.name):\(size)")
            }
            return lines.joined(separator: ",")
        }
        let text = try await withServer(app) { address in
            try await TestClient(transport: LiveTransport(address)).post("/", body: .multipart(
                fields: [("a", "1")], files: [.file("f", filename: "f", bytes: upload)])).text
        }
        #expect(text == "a:1,f:1102897")
    }

    @Test("a client that disconnects in the middle of a file leaves no temporary file open")
    func disconnectCleansUp() async throws {
        var template = Array("/tmp/werk-multipart-live-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        defer { rmdir(dir) }
        let failures = Mutex<[String]>([])
        let app = Handler { request in
            do { return try await describeForm(request, spoolDirectory: dir) } catch {
                failures.withLock { $0.append("\(error)") }
                throw error
            }
        }
        let body = TestBody.multipart([.file("f", filename: "f", bytes: upload)])
        let head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: \(body.contentType ?? "")\r\nContent-Length: \(body.bytes.count)\r\n\r\n"
        try await withServer(app) { address in
            try await onSocket(address) { socket in
                try socket.send(Array(head.utf8) + Array(body.bytes.prefix(800_000)))   // part of the file, then close
            }
            try await pollUntil { !failures.withLock { $0.isEmpty } }
            try await pollUntil { openFiles(in: dir) == 0 }
        }
        #expect(failures.withLock { $0 }.first?.contains("400") == true)
        #expect(openFiles(in: dir) == 0)
    }
}
