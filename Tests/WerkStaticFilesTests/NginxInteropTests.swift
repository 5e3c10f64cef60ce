import Testing
import WerkCore
import WerkServer
import WerkTestSupport
@testable import WerkStaticFiles
import WerkTesting

/// The same folder served by a real nginx and by Werk (SharedData on WerkServer), the same raw
/// requests sent to both, and status, Content-Range, Content-Length, Content-Type and body bytes
/// compared. Where Werk deliberately answers otherwise, the row says why and pins Werk's answer.
@Suite("StaticFiles against nginx", .serialized)
struct NginxInteropTests {
    struct Row: Sendable, CustomStringConvertible {
        var method: Method = .get
        var target: String
        var headers: [(String, String)] = []
        /// Why Werk answers differently, and the status it gives instead; nil: the same answer.
        var differs: (reason: String, werkStatus: Int)? = nil
        var description: String { "\(method) \(target) \(headers.map { "\($0.0): \($0.1)" }.joined(separator: "; "))" }
    }

    static let big = pattern(200_000, seed: 7)
    static let a = pattern(1000)
    static let css = Array(String(repeating: "body { margin: 0 }\n", count: 80).utf8)

    static let rows: [Row] = {
        var rows: [Row] = []
        func get(_ target: String, _ headers: [(String, String)] = [], differs: (String, Int)? = nil) {
            rows.append(Row(target: target, headers: headers, differs: differs))
        }
        // Plain GETs and types.
        for file in ["a.txt", "empty.txt", "big.bin", "site.css", "page.html", "app.js", "sub/ok.txt", "data.json", "logo.svg"] {
            get("/static/" + file)
        }
        // Ranges.
        for range in ["bytes=0-99", "bytes=900-", "bytes=-100", "bytes=-2000", "bytes=0-1", "bytes=0-0", "bytes=999-999",
                      "bytes=990-2000", "bytes=0-999", "bytes=1000-", "bytes=1000-1005", "bytes=-0", "bytes=0-9,20-29",
                      "bytes=50-59,0-9", "bytes=0-9,-10", "bytes=0-9,2000-3000", "bytes=0-0,2-2,4-4"] {
            get("/static/a.txt", [("Range", range)])
        }
        get("/static/big.bin", [("Range", "bytes=65536-131071")])
        get("/static/big.bin", [("Range", "bytes=-65536")])
        get("/static/big.bin", [("Range", "bytes=0-99,100000-100099,199900-")])
        get("/static/empty.txt", [("Range", "bytes=0-0")])
        get("/static/a.txt", [("Range", "bytes=5-2")], differs: ("a malformed Range is ignored (RFC 9110 §14.2 allows it); nginx answers 416", 200))
        get("/static/a.txt", [("Range", "bytes=abc")], differs: ("a malformed Range is ignored; nginx answers 416", 200))
        get("/static/a.txt", [("Range", "bytes=0-9,5-20")], differs: ("overlapping ranges are coalesced into one part (RFC 9110 §14.3); nginx sends both, overlapping", 206))
        get("/static/a.txt", [("Range", "bytes=0-9,10-19")], differs: ("adjacent ranges are coalesced into one part; nginx sends two", 206))
        get("/static/a.txt", [("Range", "bytes=" + (0..<17).map { "\($0 * 20)-\($0 * 20 + 4)" }.joined(separator: ","))],
            differs: ("more than 16 parts gets the whole file (no range amplification); nginx has no default max_ranges", 200))
        get("/static/a.txt", [("Range", "items=0-5")])
        // Conditionals: {etag} and {lm} are each server's own validators.
        get("/static/a.txt", [("If-None-Match", "{etag}")])
        get("/static/a.txt", [("If-None-Match", "\"nope\"")])
        get("/static/a.txt", [("If-None-Match", "*")])
        get("/static/a.txt", [("If-Modified-Since", "{lm}")])
        get("/static/a.txt", [("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")])
        get("/static/a.txt", [("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")],
            differs: ("a date after the file's time means not modified (RFC 9110 §13.1.3); nginx only matches the exact date by default (if_modified_since exact)", 304))
        get("/static/a.txt", [("If-Match", "{etag}")])
        get("/static/a.txt", [("If-Match", "\"nope\"")])
        get("/static/a.txt", [("If-Unmodified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")])
        get("/static/a.txt", [("If-Unmodified-Since", "{lm}")])
        get("/static/a.txt", [("If-None-Match", "{etag}"), ("Range", "bytes=0-9")])
        get("/static/a.txt", [("Range", "bytes=0-9"), ("If-Range", "{etag}")])
        get("/static/a.txt", [("Range", "bytes=0-9"), ("If-Range", "\"nope\"")])
        get("/static/a.txt", [("Range", "bytes=0-9"), ("If-Range", "{lm}")])
        get("/static/a.txt", [("Range", "bytes=0-9"), ("If-Range", "Sat, 01 Jan 2000 00:00:00 GMT")])
        // HEAD.
        for headers in [[], [("Range", "bytes=0-9")], [("If-None-Match", "{etag}")]] as [[(String, String)]] {
            rows.append(Row(method: .head, target: "/static/a.txt", headers: headers))
        }
        rows.append(Row(method: .head, target: "/static/big.bin"))
        // Other methods.
        rows.append(Row(method: .post, target: "/static/a.txt"))
        rows.append(Row(method: .delete, target: "/static/a.txt"))
        rows.append(Row(method: .options, target: "/static/a.txt",
                        differs: ("OPTIONS on an existing file says what is allowed (204 with Allow); nginx answers 405", 204)))
        // Precompressed siblings (gzip_static).
        get("/static/site.css", [("Accept-Encoding", "gzip")])
        get("/static/site.css", [("Accept-Encoding", "gzip;q=0")])
        get("/static/site.css", [("Accept-Encoding", "deflate")])
        get("/static/site.css", [("Accept-Encoding", "gzip"), ("If-None-Match", "{etag}")])
        get("/static/site.css", [("Accept-Encoding", "identity;q=0")],
            differs: ("identity;q=0 with no acceptable sibling is 406 (RFC 9110 §12.5.3); nginx sends identity", 406))
        // Misses and hostile paths (Werk falls through to the application, a 404 here).
        for target in ["/static/missing.txt", "/static/a.txt/", "/static/../a.txt", "/static/..%2fa.txt", "/static/%2e%2e/secret.txt",
                       "/static/sub/../../secret.txt", "/static/..%5csecret.txt", "/static/sub/%2e%2e/a.txt", "/static/sub/../a.txt",
                       "/static//a.txt", "/static/a.txt%20", "/static/A.TXT", "/staticx/a.txt", "/static/%252e%252e/secret.txt"] {
            get(target)
        }
        get("/static/a.txt%00", differs: ("a NUL is never a file name: the application answers (404); nginx refuses the request with 400", 404))
        get("/static/.env", differs: ("dotfiles are refused by default; nginx serves them", 404))
        get("/static/sub", differs: ("a folder without an index is a miss for the application (404); nginx redirects to add the slash", 404))
        get("/static/sub/", differs: ("a folder without an index is a miss (404); nginx answers 403", 404))
        get("/static/escape/secret.txt", differs: ("a symlink leaving the folder is refused; nginx follows it (disable_symlinks off)", 404))
        return rows
    }()

    @Test("at least 60 requests answered alike by nginx and Werk, deliberate differences explained", .requires(.nginx))
    func compare() async throws {
        let executable = try #require(ExternalTool.nginx.path, "nginx is required (apt-get install nginx-light)")
        // The precompressed rows need gzip_static (Debian's nginx-light has it); without it they are
        // left out, and said so, rather than compared against an nginx that cannot serve .gz files.
        let gzipStatic = StaticNginx.hasGzipStatic(executable)
        let rows = gzipStatic ? Self.rows : Self.rows.filter { !$0.headers.contains { $0.0 == "Accept-Encoding" } }
        if !gzipStatic {
            print("nginx interop: \(executable) lacks --with-http_gzip_static_module; the \(Self.rows.count - rows.count) precompressed rows are skipped")
        }
        #expect(rows.count >= 60)

        let tree = TempTree()
        tree.write("public/a.txt", Self.a)
        tree.write("public/empty.txt", [UInt8]())
        tree.write("public/big.bin", Self.big)
        tree.write("public/site.css", Self.css)
        tree.write("public/site.css.gz", Deflater(format: .gzip).compress(Self.css, finish: true))
        tree.write("public/page.html", "<!doctype html><p>hi</p>")
        tree.write("public/app.js", "console.log(1)")
        tree.write("public/data.json", "{\"a\":1}")
        tree.write("public/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        tree.write("public/sub/ok.txt", "ok")
        tree.write("public/.env", "SECRET")
        tree.write("secret.txt", "SECRET")
        tree.write("outside/secret.txt", "SECRET")
        tree.symlink("public/escape", to: tree.root + "/outside")

        let types = ["txt", "css", "html", "js", "json", "svg", "bin"].map { ext in
            (ext, MIMETypes.standard[ext].map { String($0.split(separator: ";")[0]) } ?? "application/octet-stream")
        }
        // nginx appends "; charset=utf-8" to the types Werk's table marks as text.
        let textTypes = types.filter { MIMETypes.standard[$0.0]?.contains("charset") == true }.map(\.1)
        let nginx = try await StaticNginx.start(root: tree.root + "/public", types: types, textTypes: textTypes,
                                                gzipStatic: gzipStatic)
        defer { nginx.stop() }
        var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
        configuration.accessLog = false
        let app = Stack {
            SharedData(["/static": tree.root + "/public"])
            Handler { _ in throw HTTPError(.notFound) }
        }
        let server = Server(app, configuration: configuration)
        let werkAddress = try server.start()
        let werk = LiveTransport(werkAddress)
        let reference = LiveTransport(nginx.address)

        func send(_ transport: LiveTransport, _ row: Row, validators: (String, String)) async throws -> TestTransportResponse {
            var fields = Headers([("Host", "127.0.0.1")])
            for (name, value) in row.headers {
                fields.add(name, value.replacingPlaceholders(etag: validators.0, lastModified: validators.1))
            }
            return try await transport.send(Request(method: row.method, target: row.target, headers: fields))
        }
        func validators(_ transport: LiveTransport, _ target: String, gzip: Bool) async throws -> (String, String) {
            let probe = try await send(transport, Row(target: target, headers: gzip ? [("Accept-Encoding", "gzip")] : []), validators: ("", ""))
            return (probe.headers["ETag"] ?? "", probe.headers["Last-Modified"] ?? "")
        }
        var compared = 0
        for row in rows {
            let gzip = row.headers.contains { $0.0 == "Accept-Encoding" && $0.1 == "gzip" }
            let target = row.target.hasPrefix("/static/site.css") ? "/static/site.css" : "/static/a.txt"
            let ours = try await send(werk, row, validators: try await validators(werk, target, gzip: gzip))
            let theirs = try await send(reference, row, validators: try await validators(reference, target, gzip: gzip))
            if let differs = row.differs {
                #expect(ours.status.code == differs.werkStatus, "\(row): \(differs.reason)")
                #expect(theirs.status.code != differs.werkStatus || ours.headers["Content-Range"] != theirs.headers["Content-Range"],
                        "\(row) is marked as a difference but nginx now agrees: remove the mark")
                continue
            }
            compared += 1
            #expect(ours.status == theirs.status, "\(row)")
            #expect(ours.headers["Content-Range"] == theirs.headers["Content-Range"], "\(row)")
            #expect(ours.headers["Content-Encoding"] == theirs.headers["Content-Encoding"], "\(row)")
            if ours.status.code >= 400 { continue }    // error pages: each server words its own
            #expect(ours.headers["Content-Length"] == theirs.headers["Content-Length"], "\(row)")
            let ourType = ours.headers["Content-Type"], theirType = theirs.headers["Content-Type"]
            if let ourType, ourType.hasPrefix("multipart/byteranges") {
                // Boundaries are random (Werk) or a counter (nginx): compare the parts.
                #expect(theirType?.hasPrefix("multipart/byteranges; boundary=") == true, "\(row)")
                let ourParts = multipartParts(ours.body, contentType: ourType)
                let theirParts = multipartParts(theirs.body, contentType: theirType ?? "")
                #expect(ourParts?.map(\.range) == theirParts?.map(\.range), "\(row)")
                #expect(ourParts?.map(\.type) == theirParts?.map(\.type), "\(row)")
                #expect(ourParts?.map(\.bytes) == theirParts?.map(\.bytes), "\(row)")
            } else {
                #expect(ourType == theirType, "\(row)")
                #expect(ours.body == theirs.body, "\(row)")
            }
        }
        #expect(compared >= 60, "answers compared one to one: \(compared)")
        print("nginx interop: \(rows.count) requests, \(compared) compared one to one, \(rows.count - compared) deliberate differences")
        await server.shutdown()
    }
}

extension String {
    func replacingPlaceholders(etag: String, lastModified: String) -> String {
        if self == "{etag}" { return etag }
        if self == "{lm}" { return lastModified }
        return self
    }
}
