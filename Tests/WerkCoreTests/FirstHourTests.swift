#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WerkCore
import WerkTesting

/// Each test fails on the code a newcomer first met (the first-hour issue), and passes now.
@Suite("First-hour fixes")
struct FirstHourTests {
    static let setsSession = Handler { _ -> Response in
        var response = Response.text("ok")
        response.setCookie("session", "abc")
        return response
    }

    @Test("cookieJar.cookie(named:) finds a cookie set by a non-localhost base URL, as the README shows")
    func cookieLookupUnderAnotherHost() async throws {
        let client = TestClient(Self.setsSession, baseURL: "https://example.com/app")
        _ = try await client.get("/")
        #expect(client.cookieJar?.cookie(named: "session")?.value == "abc")
        #expect(client.cookieJar?.cookie(named: "session", domain: "example.com")?.value == "abc")
        #expect(client.cookieJar?.cookie(named: "session", domain: "localhost") == nil)
        #expect(client.cookie(named: "session")?.value == "abc")
    }

    @Test("TestClient.setCookie stores for the base URL's host, so the next request carries it")
    func setCookieForBaseHost() async throws {
        let app = Handler { request in request.cookies["token"] ?? "none" }
        let client = TestClient(app, baseURL: "https://example.com")
        client.setCookie("token", "t1")
        #expect(try await client.get("/").text == "t1")
    }

    @Test("a response whose file is missing is a 500 in process, as on the server")
    func missingFileIs500() async throws {
        let app = Handler { _ in Response(body: .file(FileRegion(path: "/nonexistent/werk-\(getpid())", count: 10))) }
        let response = try await TestClient(app).get("/")
        #expect(response.status == .internalServerError)
        #expect(response.text.contains("could not be opened"))
        // HEAD does not need the file: nothing to open, nothing to fail.
        #expect(try await TestClient(app).head("/").status == .ok)
    }

    @Test("a file that is shorter than its region is an error, never a short body passed as complete")
    func truncatedFileThrows() async throws {
        let path = "/tmp/werk-short-\(getpid())"
        let file = fopen(path, "w")
        fputs("abc", file)
        fclose(file)
        defer { unlink(path) }
        let app = Handler { _ in Response(body: .file(FileRegion(path: path, count: 10))) }
        await #expect(throws: FileRegionError.truncated(path: path, expected: 10, read: 3)) {
            _ = try await TestClient(app).get("/")
        }
    }

    @Test("TrustedHosts answers 400 for a host not listed, a malformed one and a missing one", arguments: [
        ("example.com", 200), ("EXAMPLE.com:8080", 200), ("www.example.org", 200), ("example.org", 200),
        ("evil.example", 400), ("example.com.evil", 400), ("bad host", 400), ("", 400),
    ])
    func trustedHosts(host: String, status: Int) async throws {
        let app = Stack {
            TrustedHosts(["example.com", ".example.org"])
            Handler { request in request.trustedHosts?.joined(separator: ",") ?? "none" }
        }
        var headers = Headers()
        if !host.isEmpty { headers.set("Host", host) }
        let response = await app.respondCatchingErrors(Request(target: "/", headers: headers))
        #expect(response.status.code == status)
        if status == 200 { #expect(try await response.collectBody() == Array("example.com,.example.org".utf8)) }
    }

    @Test("TrustedHosts keeps a synchronous stack synchronous")
    func trustedHostsSynchronous() {
        let app = Stack {
            TrustedHosts(["example.com"])
            Handler { _ in "ok" }
        }
        #expect(app.synchronous != nil)
        #expect(!app.description.contains(Handler.asyncMark))
    }

    @Test("an absolute URL from a malformed Host is a 400, not http:///…")
    func absoluteURLNeedsAHost() throws {
        var headers = Headers()
        headers.set("Host", "bad host")
        let request = Request(target: "/", headers: headers)
        #expect(request.host == "")
        #expect(throws: HTTPError.self) { try request.hostForAbsoluteURL() }
        var good = Headers()
        good.set("Host", "example.com")
        #expect(try Request(target: "/", headers: good).hostForAbsoluteURL() == "example.com")
    }

    struct Stamp: Middleware {
        func wrap(_ next: Handler) -> Handler {
            next.around(before: { request in request.headers.set("X-Before", "1") },
                        after: { request, response in response.headers.set("X-Saw", request.headers["X-Before"] ?? "no") })
        }
    }

    struct AsyncOnly: Middleware {
        func wrap(_ next: Handler) -> Handler { Handler { request in try await next(request) } }
    }

    @Test("around/mapRequest/mapResponse layers are written once and keep both forms, with one answer")
    func buildingBlocks() async throws {
        let app = Stack {
            Stamp()
            Handler { request in request.headers["X-Before"] ?? "missing" }
        }
        #expect(app.synchronous != nil)
        let synchronous = try #require(app.synchronous)
        let sync = try synchronous(Request(target: "/"))
        let async = try await app(Request(target: "/"))
        #expect(sync.headers["X-Saw"] == "1" && async.headers["X-Saw"] == "1")
        #expect(try await sync.collectBody() == Array("1".utf8))
        #expect(try await async.collectBody() == Array("1".utf8))

        let mapped = Handler { _ in "x" }.mapRequest { request in
            guard request.method == .get else { throw HTTPError(.methodNotAllowed) }
            return request
        }.mapResponse { _, response in
            var response = response
            response.headers.set("X-Mapped", "yes")
            return response
        }
        #expect(mapped.synchronous != nil)
        #expect(try await mapped(Request(target: "/")).headers["X-Mapped"] == "yes")
        #expect(await mapped.respondCatchingErrors(Request(method: .post, target: "/")).status == .methodNotAllowed)
    }

    @Test("description marks the layer that makes a synchronous stack asynchronous, and only that one")
    func asyncMark() {
        let app = Stack {
            Stamp()
            AsyncOnly()
            Stamp()
            Handler { _ in "ok" }
        }
        #expect(app.synchronous == nil)
        #expect(app.layers == ["Stamp", "AsyncOnly \(Handler.asyncMark)", "Stamp", "Handler"])
        let alreadyAsync = Stack {
            AsyncOnly()
            Handler { _ async in "ok" }
        }
        #expect(alreadyAsync.layers == ["AsyncOnly", "Handler"])
    }

    @Test("any middleware is an application: requests it passes on get 404")
    func middlewareAsApplication() async throws {
        let client = TestClient(Stamp())
        #expect(try await client.get("/").status == .notFound)
    }
}
