import Testing
import WerkCore
@testable import WerkStaticFiles
import WerkTesting

@Suite("Response.file")
struct FileResponseTests {
    /// (download name, attachment, Content-Disposition).
    static let dispositionRows: [(String?, Bool, String?)] = [
        (nil, false, nil),
        (nil, true, "attachment; filename=report.pdf"),
        ("Q3.pdf", true, "attachment; filename=Q3.pdf"),
        ("Q3.pdf", false, "inline; filename=Q3.pdf"),
        ("Q3 résumé.pdf", true, "attachment; filename=\"Q3 resume.pdf\"; filename*=UTF-8''Q3%20r%C3%A9sum%C3%A9.pdf"),
        ("报告.pdf", true, "attachment; filename=.pdf; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"),
        ("a\"b.pdf", true, "attachment; filename=\"a\\\"b.pdf\""),
        ("evil\r\nSet-Cookie: x=1.pdf", true, "attachment; filename=\"evilSet-Cookie: x=1.pdf\""),
        ("../../etc/passwd", true, "attachment; filename=....etcpasswd"),
    ]

    @Test("download names become Content-Disposition, with filename* for non-ASCII names", arguments: dispositionRows)
    func disposition(_ row: (String?, Bool, String?)) async throws {
        let tree = TempTree()
        let path = tree.write("report.pdf", "%PDF")
        let handler = Handler { request in
            try Response.file(path, for: request, downloadName: row.0, asAttachment: row.1)
        }
        let response = try await TestClient(handler).get("/")
        #expect(response.headers["Content-Disposition"] == row.2)
        #expect(response.contentType == "application/pdf")
        #expect(response.text == "%PDF")
    }

    @Test("max age: no-cache by default as send_file, public max-age when given")
    func maxAge() async throws {
        let tree = TempTree()
        let path = tree.write("a.txt", "x")
        let plain = try Response.file(path, for: Request(target: "/"))
        #expect(plain.headers["Cache-Control"] == "no-cache")
        let cached = try Response.file(path, for: Request(target: "/"), maxAge: 60)
        #expect(cached.headers["Cache-Control"] == "public, max-age=60")
    }

    @Test("ETag on, off or custom; Last-Modified; conditionals and ranges built in")
    func validators() async throws {
        let tree = TempTree()
        let path = tree.write("a.txt", pattern(100))
        let request = { (fields: [(String, String)]) in Request(target: "/", headers: headers(fields)) }
        let automatic = try Response.file(path, for: request([]))
        #expect(automatic.headers["ETag"] == Site.etag(size: 100))
        #expect(automatic.headers["Last-Modified"] == Site.lastModified)
        let off = try Response.file(path, for: request([("If-None-Match", Site.etag(size: 100))]), etag: .none)
        #expect(off.headers["ETag"] == nil)
        #expect(off.status == .ok)
        let byDate = try Response.file(path, for: request([("If-Modified-Since", Site.lastModified)]), etag: .none)
        #expect(byDate.status == .notModified)
        #expect(byDate.headers["Last-Modified"] == Site.lastModified, "without an ETag, Last-Modified stays on the 304")
        let custom = try Response.file(path, for: request([("If-None-Match", "\"v7\"")]), etag: .custom(ETag("v7")))
        #expect(custom.status == .notModified)
        #expect(custom.headers["ETag"] == "\"v7\"")
        let ranged = try Response.file(path, for: request([("Range", "bytes=-10")]))
        #expect(ranged.status == .partialContent)
        #expect(try await ranged.collectBody() == Array(pattern(100)[90...]))
        var options = FileOptions()
        options.conditional = false
        options.lastModified = .custom(0)
        let unconditional = try Response.file(path, for: request([("Range", "bytes=-10")]), options: options)
        #expect(unconditional.status == .ok)
        #expect(unconditional.headers["Accept-Ranges"] == nil)
        #expect(unconditional.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test("from a POST handler: a matching If-None-Match is 412, not 304, and a Range is ignored")
    func otherMethods() throws {
        let tree = TempTree()
        let path = tree.write("a.txt", pattern(100))
        let post = { (fields: [(String, String)]) in Request(method: .post, target: "/", headers: headers(fields)) }
        #expect(try Response.file(path, for: post([("If-None-Match", Site.etag(size: 100))])).status == .preconditionFailed)
        #expect(try Response.file(path, for: post([("If-Modified-Since", Site.lastModified)])).status == .ok)
        #expect(try Response.file(path, for: post([("Range", "bytes=0-9")])).status == .ok)
    }

    @Test("a missing file or a folder is a 404 that does not reveal the path")
    func missing() async throws {
        let tree = TempTree()
        for path in [tree.root + "/none", tree.root] {
            #expect(throws: HTTPError.self) { try Response.file(path, for: Request(target: "/")) }
            do { _ = try Response.file(path, for: Request(target: "/")) } catch let error as HTTPError {
                #expect(error.status == .notFound)
                #expect(!(error.message ?? "").contains(tree.root))
            }
        }
    }

    @Test("the body is a file region tied to the file's identity, so a changed file is never sent as this one")
    func identity() async throws {
        let tree = TempTree()
        let path = tree.write("a.txt", "first")
        let response = try Response.file(path, for: Request(target: "/"))
        guard case .file(let region) = response.body else { Issue.record("not a file body"); return }
        #expect(region.identity == FileIdentity(path: path))
        tree.write("a.txt", "second!", mtime: 1_800_000_000)
        await #expect(throws: FileRegionError.changed(path: path)) { try await response.collectBody() }
    }
}
