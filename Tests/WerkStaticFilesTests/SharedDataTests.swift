import Testing
import WerkCore
@testable import WerkStaticFiles
import WerkTesting

@Suite("SharedData")
struct SharedDataTests {
    @Test("a dictionary literal mounts a folder and a single file; misses fall through")
    func dictionaryLiteral() async throws {
        let site = Site()
        let icon = site.tree.write("assets/favicon.ico", [0, 0, 1, 0])
        let app = Stack {
            SharedData(["/static": site.publicRoot, "/favicon.ico": icon])
            Site.application
        }
        let client = TestClient(app)
        #expect(try await client.get("/static/a.txt").body == site.content)
        let favicon = try await client.get("/favicon.ico")
        #expect(favicon.body == [0, 0, 1, 0])
        #expect(favicon.headers["Content-Type"] == "image/x-icon")
        for miss in ["/static/missing.txt", "/static", "/static/", "/favicon.ico/x", "/staticx/a.txt", "/other"] {
            #expect(try await client.get(miss).headers["X-App"] == "fallthrough", "\(miss)")
        }
    }

    @Test("relative paths are resolved against the current directory when the middleware is made")
    func relativePath() {
        let data = SharedData(["/s": "public"])
        guard case .directory(let root) = data.mounts[0].kind else { Issue.record("not a folder"); return }
        #expect(root.hasPrefix("/") && root.hasSuffix("/public"))
    }

    @Test("several roots for one prefix are tried in order, and a miss in a longer prefix tries shorter ones")
    func severalRoots() async throws {
        let tree = TempTree()
        tree.write("one/a.txt", "one-a")
        tree.write("two/a.txt", "two-a")
        tree.write("two/b.txt", "two-b")
        tree.write("root/static/c.txt", "root-c")
        let app = Stack {
            SharedData(exports: [.directory(prefix: "/static", roots: [tree.root + "/one", tree.root + "/two"]),
                                 .directory(prefix: "/", roots: [tree.root + "/root"])])
            Site.application
        }
        let client = TestClient(app)
        #expect(try await client.get("/static/a.txt").text == "one-a")
        #expect(try await client.get("/static/b.txt").text == "two-b")
        #expect(try await client.get("/static/c.txt").text == "root-c")
        #expect(try await client.get("/static/d.txt").headers["X-App"] == "fallthrough")
    }

    @Test("a SwiftPM resource export points into <bundle>.resources next to the executable")
    func resources() {
        guard case .directory(let prefix, let roots) = SharedData.Export.resources(prefix: "/static", bundle: "Werk_Demo", folder: "public") else {
            Issue.record("not a folder"); return
        }
        #expect(prefix == "/static")
        #expect(roots.count == 1 && roots[0].hasSuffix("/Werk_Demo.resources/public"))
    }

    @Test("index files are off by default; on, a folder URL redirects to its slash form and serves the index")
    func indexFiles() async throws {
        let site = Site()
        site.tree.write("public/docs/index.html", "<h1>docs</h1>")
        #expect(try await site.client().get("/static/docs/").headers["X-App"] == "fallthrough")
        var options = SharedData.Options()
        options.indexFiles = ["index.htm", "index.html"]
        let client = site.client(options)
        let page = try await client.get("/static/docs/")
        #expect(page.text == "<h1>docs</h1>")
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        let redirect = try await client.get("/static/docs", query: [("v", "1")])
        #expect(redirect.status == .movedPermanently)
        #expect(redirect.location == "/static/docs/?v=1")
        #expect(try await client.get("/static/").headers["X-App"] == "fallthrough")   // no index at the top
    }

    @Test("a directory listing is off by default; on, it is sorted and HTML-escaped, without dotfiles")
    func listing() async throws {
        let site = Site()
        site.tree.write("public/list/b.txt", "b")
        site.tree.write("public/list/<i>&\"x\".txt", "x")
        site.tree.write("public/list/A.txt", "a")
        site.tree.write("public/list/.secret", "s")
        site.tree.write("public/list/sub/c.txt", "c")
        #expect(try await site.client().get("/static/list/").headers["X-App"] == "fallthrough")
        var options = SharedData.Options()
        options.listsDirectories = true
        let page = try await site.client(options).get("/static/list/")
        #expect(page.status == .ok)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        let html = page.text
        #expect(html.contains("<title>Index of /static/list/</title>"))
        #expect(html.contains("<a href=\"%3Ci%3E&amp;%22x%22.txt\">&lt;i&gt;&amp;&#34;x&#34;.txt</a>"))
        #expect(!html.contains(".secret"))
        let order = ["A.txt", "b.txt", "sub/"].compactMap { offset(of: ">\($0)</a>", in: html) }
        #expect(order.count == 3 && order == order.sorted())
    }

    @Test("disallow globs refuse names anywhere below the mount")
    func disallow() async throws {
        let site = Site()
        site.tree.write("public/app.py", "code")
        site.tree.write("public/private/key.pem", "key")
        site.tree.write("public/ok.css", "ok")
        var options = SharedData.Options()
        options.disallow = ["*.py", "private/*"]
        let client = site.client(options)
        #expect(try await client.get("/static/app.py").headers["X-App"] == "fallthrough")
        #expect(try await client.get("/static/private/key.pem").headers["X-App"] == "fallthrough")
        #expect(try await client.get("/static/ok.css").text == "ok")
    }

    /// (method, status, Allow) for an existing file; a missing one always falls through.
    static let methodRows: [(Method, Int, String?)] = [
        (.get, 200, nil), (.head, 200, nil), (.options, 204, "GET, HEAD, OPTIONS"),
        (.post, 405, "GET, HEAD, OPTIONS"), (.put, 405, "GET, HEAD, OPTIONS"), (.delete, 405, "GET, HEAD, OPTIONS"),
        (.patch, 405, "GET, HEAD, OPTIONS"), (Method("PROPFIND"), 405, "GET, HEAD, OPTIONS"),
    ]

    @Test("GET and HEAD are served; OPTIONS is 204 and other methods are 405 with Allow; misses fall through", arguments: methodRows)
    func methods(_ row: (Method, Int, String?)) async throws {
        let site = Site()
        let app = site.app()
        let hit = await app.respondCatchingErrors(Request(method: row.0, target: "/static/a.txt"))
        #expect(hit.status.code == row.1, "\(row.0)")
        #expect(hit.headers["Allow"] == row.2)
        let miss = await app.respondCatchingErrors(Request(method: row.0, target: "/static/none.txt"))
        #expect(miss.headers["X-App"] == "fallthrough")
    }

    /// (options change, Cache-Control).
    static let cacheRows: [(String, @Sendable (inout SharedData.Options) -> Void, String)] = [
        ("default (Werkzeug's 12 hours)", { _ in }, "public, max-age=43200"),
        ("immutable", { $0.immutable = true }, "public, max-age=43200, immutable"),
        ("a year, immutable", { $0.maxAge = 31_536_000; $0.immutable = true }, "public, max-age=31536000, immutable"),
        ("max-age 0", { $0.maxAge = 0 }, "max-age=0"),
        ("explicit", { $0.cacheControl = "no-store" }, "no-store"),
    ]

    @Test("Cache-Control follows maxAge, immutable and an explicit value", arguments: cacheRows)
    func cacheControl(_ row: (String, @Sendable (inout SharedData.Options) -> Void, String)) async throws {
        let site = Site()
        var options = SharedData.Options()
        row.1(&options)
        #expect(try await site.client(options).get("/static/a.txt").headers["Cache-Control"] == row.2, "\(row.0)")
    }

    @Test("Content-Type comes from the table (text with charset), the overrides, or the fallback")
    func contentTypes() async throws {
        let site = Site()
        for name in ["x.css", "x.JS", "x.json", "x.svg", "x.png", "x.woff2", "blob", ".profile.bak", "x.unknownext"] {
            site.tree.write("public/" + name, "x")
        }
        let client = site.client()
        #expect(try await client.get("/static/x.css").contentType == "text/css; charset=utf-8")
        #expect(try await client.get("/static/x.JS").contentType == "text/javascript; charset=utf-8")
        #expect(try await client.get("/static/x.json").contentType == "application/json; charset=utf-8")
        #expect(try await client.get("/static/x.svg").contentType == "image/svg+xml; charset=utf-8")
        #expect(try await client.get("/static/x.png").contentType == "image/png")
        #expect(try await client.get("/static/x.woff2").contentType == "font/woff2")
        #expect(try await client.get("/static/blob").contentType == "application/octet-stream")
        var options = SharedData.Options()
        options.fallbackContentType = "text/plain; charset=utf-8"
        options.mimeTypes["unknownext"] = "application/x-werk"
        options.mimeTypes["css"] = "text/css"
        let custom = site.client(options)
        #expect(try await custom.get("/static/blob").contentType == "text/plain; charset=utf-8")
        #expect(try await custom.get("/static/x.unknownext").contentType == "application/x-werk")
        #expect(try await custom.get("/static/x.css").contentType == "text/css")
        #expect(MIMETypes.standard.types.count >= 200)
        #expect(MIMETypes.standard.contentType(forPath: "/a.b/c") == nil)
        #expect(MIMETypes.standard.contentType(forPath: "/a/.bashrc") == nil)
    }

    @Test("the middleware keeps the stack synchronous and names itself")
    func synchronousForm() {
        let sync = Handler { _ in "app" }
        let wrapped = SharedData(["/static": "/nonexistent"]).wrap(sync)
        #expect(wrapped.synchronous != nil)
        #expect(wrapped.layers.first == "SharedData(/static)")
        let async = SharedData(["/static": "/nonexistent"]).wrap(Handler { _ async in "app" })
        #expect(async.synchronous == nil)
    }
}

@Suite("SharedData memory cache")
struct MemoryCacheTests {
    @Test("small files come from memory, revalidated by stat: an edit is seen on the next request")
    func revalidated() async throws {
        let site = Site()
        let app = site.app()
        let first = await app.respondCatchingErrors(Request(target: "/static/a.txt"))
        guard case .bytes(let bytes) = first.body else { Issue.record("a small file should come from memory"); return }
        #expect(bytes == site.content)
        site.tree.write("public/a.txt", pattern(1000, seed: 5), mtime: 1_700_000_001)   // same size, new time
        let second = await app.respondCatchingErrors(Request(target: "/static/a.txt"))
        #expect(try await second.collectBody() == pattern(1000, seed: 5))
        #expect(second.headers["ETag"] != first.headers["ETag"])
    }

    @Test("large files, ranges and a disabled cache use sendfile regions")
    func regions() async throws {
        let site = Site()
        site.tree.write("public/big.bin", pattern(40_000))
        let app = site.app()
        let big = await app.respondCatchingErrors(Request(target: "/static/big.bin"))
        if case .file = big.body {} else { Issue.record("a file over 32 KiB is a sendfile region") }
        let ranged = await app.respondCatchingErrors(Request(target: "/static/a.txt", headers: ["Range": "bytes=0-9"]))
        if case .file = ranged.body {} else { Issue.record("a range is a sendfile region") }
        var options = SharedData.Options()
        options.memoryCacheMaxFileSize = 0
        let uncached = await site.app(options).respondCatchingErrors(Request(target: "/static/a.txt"))
        if case .file = uncached.body {} else { Issue.record("with the cache off, a region") }
    }

    @Test("the cache stays within its capacity")
    func bounded() {
        let tree = TempTree()
        let cache = RepresentationCache(maxFileSize: 1000, capacity: 2500)
        for i in 0..<10 {
            let path = tree.write("f\(i).bin", pattern(1000, seed: i))
            let identity = FileIdentity(path: path)!
            let representation = cache.representation(path: path, coding: nil, identity: identity) {
                FileRepresentation(identity: identity, contentType: "application/octet-stream")
            }
            #expect(representation.bytes == pattern(1000, seed: i))
        }
        #expect(cache.residentBytes <= 2500)
        #expect(cache.residentBytes >= 1000 + RepresentationCache.entryOverhead)
    }
}
