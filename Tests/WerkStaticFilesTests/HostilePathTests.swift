import Testing
import WerkCore
@testable import WerkStaticFiles

@Suite("StaticFiles hostile paths")
struct HostilePathTests {
    /// Request targets that try to leave `public/` or reach refused names. Every one must fall
    /// through to the application (404 "app"), never serve a byte of `secret.txt`.
    static let targets: [String] = [
        "/static/../secret.txt",
        "/static/..%2fsecret.txt",
        "/static/..%2Fsecret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2e%2e%2fsecret.txt",
        "/static/.%2e/secret.txt",
        "/static/..%5csecret.txt",
        "/static/..%5Csecret.txt",
        "/static/..\\secret.txt",
        "/static/%2e%2e%5csecret.txt",
        "/static/a.txt%00",
        "/static/a.txt%00.png",
        "/static/..%00/secret.txt",
        "/static/%00../secret.txt",
        "/static/%2fetc%2fpasswd",
        "/static/%2F..%2F..%2Fsecret.txt",
        "/static//etc/passwd",
        "/static///../secret.txt",
        "/static/C:/Windows/win.ini",
        "/static/C:%5cWindows%5cwin.ini",
        "/static/c:\\windows\\win.ini",
        "/static/\\\\server\\share\\secret.txt",
        "/static/....//secret.txt",
        "/static/..;/secret.txt",
        "/static/%252e%252e/secret.txt",
        "/static/..%252fsecret.txt",
        "/static/%c0%ae%c0%ae/secret.txt",
        "/static/%e0%80%ae%e0%80%ae/secret.txt",
        "/static/..%c0%afsecret.txt",
        "/static/..%c1%9csecret.txt",
        "/static/..%u2215secret.txt",
        "/static/%uff0e%uff0e/secret.txt",
        "/static/sub/../../secret.txt",
        "/static/sub/%2e%2e/%2e%2e/secret.txt",
        "/static/sub/..%2f..%2fsecret.txt",
        "/static/./../secret.txt",
        "/static/a.txt/../../secret.txt",
        "/static/../../../../../../etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/static/escape/secret.txt",          // a symlinked folder pointing outside
        "/static/escape-file.txt",            // a symlinked file pointing outside
        "/static/escape/",
        "/static/proc-environ",               // a symlink to /proc/self/environ
        "/static/.env",
        "/static/.git/config",
        "/static/sub/.hidden",
        "/static/CON",
        "/static/aux.txt",
        "/static/NUL.css",
        "/static/com1",
        "/static/secret.txt::$DATA",
        "/static/a.txt/",                     // a file asked as a folder
        "/static/dev-null",                   // a symlink to a device, not a regular file
        "/static/%20../secret.txt",
    ]

    static func makeSite() -> Site {
        let site = Site()
        site.tree.write("secret.txt", "SECRET")
        site.tree.write("outside/secret.txt", "SECRET")
        site.tree.write("public/sub/ok.txt", "ok")
        site.tree.write("public/sub/.hidden", "SECRET")
        site.tree.write("public/.env", "SECRET")
        site.tree.write("public/.git/config", "SECRET")
        site.tree.write("public/CON", "SECRET")
        site.tree.write("public/aux.txt", "SECRET")
        site.tree.symlink("public/escape", to: site.tree.root + "/outside")
        site.tree.symlink("public/escape-file.txt", to: site.tree.root + "/secret.txt")
        site.tree.symlink("public/proc-environ", to: "/proc/self/environ")
        site.tree.symlink("public/dev-null", to: "/dev/null")
        return site
    }

    @Test("at least 40 hostile paths all fall through to the application", arguments: targets)
    func hostile(_ target: String) async throws {
        let site = Self.makeSite()
        var options = SharedData.Options()
        options.listsDirectories = true
        let app = site.app(options)
        let response = await app.respondCatchingErrors(Request(target: target))
        #expect(response.headers["X-App"] == "fallthrough", "\(target) was answered by SharedData with \(response.status)")
        let body = try await response.collectBody()
        #expect(!String(decoding: body, as: UTF8.self).contains("SECRET"), "\(target)")
    }

    @Test("the table is not vacuous: the same site serves its legitimate files")
    func legitimate() async throws {
        #expect(Self.targets.count >= 40)
        let site = Self.makeSite()
        let client = site.client()
        #expect(try await client.get("/static/a.txt").status == .ok)
        #expect(try await client.get("/static/sub/ok.txt").text == "ok")
        #expect(try await client.get("/static/sub/../a.txt").status == .ok)    // stays inside: fine
        // With the options that relax the rules, the symlinked and dot names are served.
        var relaxed = SharedData.Options()
        relaxed.allowsDotfiles = true
        relaxed.allowsSymlinksOutsideRoot = true
        let open = site.client(relaxed)
        #expect(try await open.get("/static/escape/secret.txt").text == "SECRET")
        #expect(try await open.get("/static/.env").text == "SECRET")
        #expect(try await open.get("/static/dev-null").headers["X-App"] == "fallthrough")   // never a device
    }

    @Test("a symbolic link that stays inside the folder is served")
    func insideLink() async throws {
        let site = Site()
        site.tree.write("public/real/file.txt", "inside")
        site.tree.symlink("public/alias", to: site.tree.root + "/public/real")
        #expect(try await site.client().get("/static/alias/file.txt").text == "inside")
    }
}
