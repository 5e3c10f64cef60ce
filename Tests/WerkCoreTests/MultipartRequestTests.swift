import Glibc
import Synchronization
import Testing
@testable import WerkCore
import WerkTesting

/// A fresh directory under /tmp for spooled files and saved uploads.
private func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/werk-multipart-test-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

private func removeDirectory(_ path: String) {
    for name in entries(of: path) { unlink(path + "/" + name) }
    rmdir(path)
}

/// The names in a directory (without . and ..).
private func entries(of path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// How many of this process's open descriptors point into `directory` (spooled files show up as
/// `<dir>/#inode (deleted)`). Other tests running in parallel use other directories.
private func openFiles(in directory: String) -> Int {
    entries(of: "/proc/self/fd").filter { fd in
        var target = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/fd/" + fd, &target, target.count - 1)
        return n > 0 && String(decoding: target[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self).hasPrefix(directory + "/")
    }.count
}

private func limits(spoolingIn directory: String) -> MultipartLimits {
    var l = MultipartLimits()
    l.temporaryDirectory = directory
    return l
}

/// A request whose body comes as a stream of `chunks`, then fails with `error` when given.
private func streamedRequest(_ body: TestBody, chunk size: Int, failAfter: Int? = nil, pulls: CoreCounter = CoreCounter()) -> Request {
    let bytes = body.bytes
    let offset = Mutex(0)
    let stream = ByteStream {
        let at = offset.withLock { value -> Int in defer { value = min(bytes.count, value + size) }; return value }
        if let failAfter, at >= failAfter { throw HTTPError(.badRequest, "The client closed the connection.") }
        guard at < bytes.count else { return nil }
        pulls.increment()
        return Array(bytes[at..<min(bytes.count, at + size)])
    }
    return Request(method: .post, target: "/", headers: ["Content-Type": body.contentType ?? ""],
                   body: RequestBody(stream: stream, declaredLength: nil))
}

private let photo = (0..<600_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }

@Suite("Multipart requests")
struct MultipartRequestTests {
    @Test("form() and files() read a multipart body sent by the TestClient")
    func formAndFiles() async throws {
        let app = Handler { request in
            let form = try await request.form()
            let files = try await request.files()
            let f = try #require(files["doc"])
            return "\(form["title"] ?? "-")|\(form.values(for: "tag"))|\(f.filename)|\(f.secureFilename)|\(f.mimeType)|\(f.size)|\(try f.text())"
        }
        let response = try await TestClient(app).post("/", body: .multipart(
            fields: [("title", "Hi \"there\"\nyou"), ("tag", "a"), ("tag", "b")],
            files: [.file("doc", filename: "../../etc/pass wd.txt", contentType: "text/plain; charset=utf-8", bytes: Array("hello".utf8))]))
        #expect(response.text == "Hi \"there\"\nyou|[\"a\", \"b\"]|../../etc/pass wd.txt|pass_wd.txt|text/plain|5|hello")
    }

    @Test("an uploaded file keeps its headers, full client path, basename and safe name")
    func fileDetails() async throws {
        let body = TestBody.multipart([MultipartEncoder.Part(name: "f", filename: #"C:\Users\Me\My Photo.png"#, contentType: "image/png",
                                                             headers: ["X-Checksum": "abc"], bytes: [1, 2, 3])])
        let request = Request(method: .post, target: "/", headers: ["Content-Type": body.contentType ?? ""], body: body.bytes)
        let file = try #require(try await request.files()["f"])
        #expect(file.filename == #"C:\Users\Me\My Photo.png"#)
        #expect(file.basename == "My Photo.png" && file.secureFilename == "My_Photo.png")
        #expect(file.headers["X-Checksum"] == "abc" && file.contentType == "image/png" && file.name == "f")
        #expect(try file.bytes() == [1, 2, 3] && !file.isOnDisk)
        var streamed: [UInt8] = []
        for try await chunk in file.stream() { streamed += chunk }
        #expect(streamed == [1, 2, 3])
    }

    @Test("a file over the spool threshold goes to an unlinked temporary file; smaller ones stay in memory")
    func spooling() async throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        var request = streamedRequest(.multipart([.file("big", filename: "big.bin", bytes: photo),
                                                  .file("small", filename: "s.bin", bytes: Array(photo.prefix(1000)))]), chunk: 8192)
        request.multipartLimits = limits(spoolingIn: dir)
        let files = try await request.files()
        let big = try #require(files["big"]), small = try #require(files["small"])
        #expect(big.isOnDisk && !small.isOnDisk)
        #expect(try big.bytes() == photo && big.size == photo.count)
        #expect(entries(of: dir).isEmpty, "the spooled file never has a name")
        #expect(openFiles(in: dir) == 1)
        var streamed: [UInt8] = []
        for try await chunk in big.stream(chunkSize: 100_000) { streamed += chunk }
        #expect(streamed == photo)
    }

    @Test("temporary files are gone when the request ends, after an error, and after a client disconnect")
    func temporaryFilesCleanedUp() async throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let body = TestBody.multipart([.file("a", filename: "a", bytes: photo), .file("b", filename: "b", bytes: photo)])
        do {
            var request = streamedRequest(body, chunk: 65536)
            request.multipartLimits = limits(spoolingIn: dir)
            let files = try await request.files()
            #expect(files.count == 2 && openFiles(in: dir) == 2)
        }
        #expect(openFiles(in: dir) == 0, "closed once the request and its files are released")

        // The client goes away in the middle of the second file.
        var broken = streamedRequest(body, chunk: 65536, failAfter: 900_000)
        broken.multipartLimits = limits(spoolingIn: dir)
        await #expect(throws: HTTPError.self) { _ = try await broken.files() }
        #expect(openFiles(in: dir) == 0)

        // A malformed body (cut before its closing boundary).
        var cut = Request(method: .post, target: "/", headers: ["Content-Type": body.contentType ?? ""],
                          body: Array(body.bytes.dropLast(40)))
        cut.multipartLimits = limits(spoolingIn: dir)
        let status = await { () async -> Int? in
            do { _ = try await cut.form(); return nil } catch let e as HTTPError { return e.status.code } catch { return -1 }
        }()
        #expect(status == 400)
        #expect(openFiles(in: dir) == 0 && entries(of: dir).isEmpty)
    }

    @Test("save(to:) links a spooled file into place (same inode) and writes an in-memory one; both replace the target")
    func save() async throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        var request = streamedRequest(.multipart([.file("big", filename: "big.bin", bytes: photo),
                                                  .file("small", filename: "s.bin", bytes: [9, 8, 7])]), chunk: 65536)
        request.multipartLimits = limits(spoolingIn: dir)
        let files = try await request.files()
        let big = try #require(files["big"]), small = try #require(files["small"])
        let target = dir + "/saved.bin"
        try small.save(to: target)
        #expect(UploadedFile(name: "x", filename: "x", bytes: []).size == 0)
        #expect(try readAll(target) == [9, 8, 7])
        try big.save(to: target)
        #expect(try readAll(target) == photo)
        guard case .disk(let spooled) = big.content else { Issue.record("not on disk"); return }
        var a = stat(), b = stat()
        #expect(fstat(spooled.fd, &a) == 0 && stat(target, &b) == 0)
        #expect(a.st_ino == b.st_ino, "linked, not copied")
        #expect(b.st_mode & 0o777 == 0o600)
        #expect(entries(of: dir) == ["saved.bin"])
    }

    @Test("multipart() streams parts as they are read, pulls the body on demand and skips unread bodies")
    func streaming() async throws {
        let pulls = CoreCounter()
        let body = TestBody.multipart([.file("first", filename: "1", bytes: photo), .field("note", "hi"),
                                       .file("second", filename: "2", bytes: photo)])
        let request = streamedRequest(body, chunk: 4096, pulls: pulls)
        var seen: [String] = []
        var iterator = try request.multipart().makeAsyncIterator()
        let first = try #require(try await iterator.next())
        var chunkIterator = first.body.makeAsyncIterator()
        let chunk = try #require(try await chunkIterator.next())
        #expect(!chunk.isEmpty && chunk == Array(photo.prefix(chunk.count)))
        #expect(pulls.value < 5, "only what the first chunk needed was read (\(pulls.value) pulls)")
        seen.append(first.name)
        while let part = try await iterator.next() {   // the rest of "first" is skipped
            let bytes = try await part.collect(upTo: 1 << 20)
            seen.append("\(part.name):\(bytes.count)")
        }
        #expect(seen == ["first", "note:2", "second:600000"])
        #expect(try await chunkIterator.next() == nil, "a body the reader moved past ends")
    }

    @Test("a body over maxContentLength is a 413 naming the limit: declared (before reading) or streamed")
    func maxContentLength() async {
        var request = Request(method: .post, target: "/", headers: ["Content-Type": "multipart/form-data; boundary=b"],
                              body: Array("--b--".utf8))
        request.maxContentLength = 3
        do { _ = try await request.form(); Issue.record("no error") } catch let e as HTTPError {
            #expect(e.status.code == 413 && e.detail.contains("maxContentLength"))
        } catch { Issue.record("\(error)") }
        // Without a Content-Length, the stream is cut when it grows past the limit.
        var streamed = streamedRequest(.multipart([.file("f", filename: "f", bytes: photo)]), chunk: 4096)
        streamed.maxContentLength = 100_000
        do { _ = try await streamed.files(); Issue.record("no error") } catch let e as HTTPError {
            #expect(e.status.code == 413 && e.detail.contains("maxContentLength"))
        } catch { Issue.record("\(error)") }
    }

    @Test("other content types give no files; urlencoded forms still parse; fields use their charset")
    func otherTypes() async throws {
        let urlencoded = Request(method: .post, target: "/", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                 body: Array("a=1&b=2".utf8))
        #expect(try await urlencoded.form() == ["a": "1", "b": "2"])
        #expect(try await urlencoded.files().isEmpty)
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"l\"\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\ncaf".utf8)
            + [0xE9] + Array("\r\n--b--".utf8)
        let latin = Request(method: .post, target: "/", headers: ["Content-Type": "multipart/form-data; boundary=b"], body: body)
        #expect(try await latin.form()["l"] == "café")
        #expect(try await latin.form()["l"] == "café", "cached")
    }

    @Test("the plain Content-Disposition fast path agrees with the general parser or leaves the header to it")
    func dispositionFastPath() {
        let headers = [
            #"form-data; name="a"; filename="b.png""#, "form-data; name=a", #"form-data;name="x";filename="""#,
            #"Form-Data; NAME="Up"; FileName="C:\x""#, #"form-data; name="a b;c"; filename="d""#, "form-data",
            #"form-data; name="a"; name="b""#, #"form-data; name="é"; filename="日本.txt"  "#, "form-data; name=",
            #"form-data; name = "a""#, #"form-data; name="a"; filename*=UTF-8''x"#, #"form-data; name="a%22""#,
            #"form-data; name="unterminated"#, "form-data; name=a; junk", #"form-data; name="a" x; filename="f""#,
            "; name=a", "form-data; ; name=a", "form-data; name=a;",
        ]
        var fast = 0
        for header in headers {
            guard let plain = MultipartDisposition.parsePlain(header) else { continue }
            fast += 1
            let general = ContentDisposition(parsing: header)
            #expect(plain.name == general?.name && plain.filename == general?.filename, "\(header)")
        }
        #expect(fast == 8, "the plain headers above take the fast path")
    }

    @Test("the encoder escapes names as browsers do and the decoder reverses it; a boundary inside content is refused")
    func encoderRoundTrip() throws {
        let encoder = MultipartEncoder(boundary: "B0undary")
        let parts: [MultipartEncoder.Part] = [.field("we\"ird\r\nname", "v\r\n--B0undar"),
                                              .file("f", filename: "a\"b.txt", bytes: [0, 13, 10, 45, 45])]
        let decoded = try decodeMultipart(try encoder.encode(parts), boundary: "B0undary")
        #expect(decoded.map(\.head.name) == ["we\"ird\r\nname", "f"])
        #expect(decoded[0].body == Array("v\r\n--B0undar".utf8) && decoded[1].body == [0, 13, 10, 45, 45])
        #expect(decoded[1].head.filename == "a\"b.txt" && decoded[1].head.contentType == "application/octet-stream")
        #expect(throws: MultipartEncoderError.boundaryInContent(part: "x")) {
            try encoder.encode([.field("x", "a\n--B0undary--")])
        }
        #expect(encoder.contentType == "multipart/form-data; boundary=B0undary")
    }
}

/// The whole file at `path` (a region of exactly its size: a region past the end is an error).
private func readAll(_ path: String) throws -> [UInt8] {
    var info = stat()
    guard stat(path, &info) == 0 else { return [] }
    return try FileReader.read(FileRegion(path: path, offset: 0, count: Int(info.st_size)))
}
