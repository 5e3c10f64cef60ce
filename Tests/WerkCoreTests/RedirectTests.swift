import Testing
@testable import WerkCore
@testable import WerkTesting

/// `/r/<code>` redirects to `/target` with that code; `/target` echoes method, body and Content-Type.
private let redirectApp = Handler { request -> Response in
    let path = request.pathInfo
    if path.hasPrefix("/r/"), let code = Int(path.dropFirst(3)) {
        return .redirect(to: "/target?from=\(code)", status: Status(code))
    }
    switch path {
    case "/target":
        let body = try await request.text()
        return .text("\(request.method) \(request.queryString) body=\(body) type=\(request.headers["Content-Type"] ?? "-")")
    case "/loop/a": return .redirect(to: "/loop/b")
    case "/loop/b": return .redirect(to: "/loop/a")
    case "/self": return .redirect(to: "/self")
    case "/external": return .redirect(to: "http://elsewhere.test/x")
    case "/relative/dir/page": return .redirect(to: "../other?x=1")
    case "/relative/other": return .text("relative ok \(request.queryString)")
    case "/absolute-same-host": return .redirect(to: "http://localhost/target")
    case "/query-only": return .redirect(to: "?q=2")
    case "/chain/1": return .redirect(to: "/chain/2", status: .movedPermanently)
    case "/chain/2": return .redirect(to: "/chain/3", status: .seeOther)
    case "/chain/3": return .text("end")
    case "/set-and-redirect":
        var r = Response.redirect(to: "/show-cookie")
        r.setCookie("flow", "1")
        return r
    case "/show-cookie": return .text(request.headers["Cookie"] ?? "")
    case "/mounted/start": return .redirect(to: "/app/mounted/end")
    case "/mounted/end": return .text("script=\(request.scriptName) path=\(request.pathInfo)")
    default:
        if path.hasPrefix("/count/"), let n = Int(path.dropFirst(7)) {
            return n == 0 ? .text("done") : .redirect(to: "/count/\(n - 1)")
        }
        return .text("?", status: .notFound)
    }
}

@Suite("Redirect following")
struct RedirectTests {
    let client = TestClient(redirectApp)

    @Test("redirects are not followed unless asked")
    func notByDefault() async throws {
        let response = try await client.get("/r/302")
        #expect(response.status == .found)
        #expect(response.location == "/target?from=302")
        #expect(response.history.isEmpty)
    }

    @Test("307 and 308 keep the method, body and Content-Type", arguments: [307, 308])
    func keepMethod(code: Int) async throws {
        let response = try await client.post("/r/\(code)", body: .text("payload", contentType: "text/x"), followRedirects: true)
        #expect(response.status == .ok)
        #expect(response.text == "POST from=\(code) body=payload type=text/x")
        #expect(response.request.method == .post)
    }

    @Test("301, 302 and 303 switch to GET and drop the body", arguments: [301, 302, 303])
    func switchToGet(code: Int) async throws {
        let response = try await client.post("/r/\(code)", body: .form([("a", "1")]), followRedirects: true)
        #expect(response.text == "GET from=\(code) body= type=-")
        #expect(response.request.method == .get)
        #expect(response.request.headers["Content-Length"] == nil)
    }

    @Test("explicit Content-Type and Content-Length headers are dropped with the body on 301/302/303", arguments: [301, 302, 303])
    func explicitBodyHeadersDropped(code: Int) async throws {
        let response = try await client.post("/r/\(code)", headers: ["Content-Type": "text/csv", "Content-Length": "3"],
                                              body: .bytes(Array("a,b".utf8)), followRedirects: true)
        #expect(response.text == "GET from=\(code) body= type=-")
        #expect(response.request.headers["Content-Length"] == nil)
    }

    @Test("explicit body headers are kept on 307/308", arguments: [307, 308])
    func explicitBodyHeadersKept(code: Int) async throws {
        let response = try await client.post("/r/\(code)", headers: ["Content-Type": "text/csv"],
                                              body: .bytes(Array("a,b".utf8)), followRedirects: true)
        #expect(response.text == "POST from=\(code) body=a,b type=text/csv")
    }

    @Test("a PUT or DELETE redirected with 303 becomes a GET", arguments: ["PUT", "DELETE"])
    func otherMethodsToGet(method: String) async throws {
        let response = try await client.request(Method(method), "/r/303", body: .text("x"), followRedirects: true)
        #expect(response.text.hasPrefix("GET from=303 body="))
    }

    @Test("HEAD stays HEAD through any redirect", arguments: [301, 302, 303, 307, 308])
    func headStaysHead(code: Int) async throws {
        let response = try await client.head("/r/\(code)", followRedirects: true)
        #expect(response.status == .ok)
        #expect(response.request.method == .head)
        #expect(response.body.isEmpty)
    }

    @Test("history keeps every redirect response, oldest first")
    func history() async throws {
        let response = try await client.get("/chain/1", followRedirects: true)
        #expect(response.text == "end")
        #expect(response.history.map(\.status.code) == [301, 303])
        #expect(response.history.map { $0.request.pathInfo } == ["/chain/1", "/chain/2"])
        #expect(response.request.pathInfo == "/chain/3")
    }

    @Test("the client's followRedirects setting applies unless the call overrides it")
    func clientSetting() async throws {
        let following = TestClient(redirectApp, followRedirects: true)
        #expect(try await following.get("/r/302").status == .ok)
        #expect(try await following.get("/r/302", followRedirects: false).status == .found)
    }

    @Test("a redirect loop is an error")
    func loop() async throws {
        await #expect(throws: TestClientError.self) { try await client.get("/loop/a", followRedirects: true) }
        do {
            _ = try await client.get("/self", followRedirects: true)
            Issue.record("expected a loop error")
        } catch let error as TestClientError {
            guard case .redirectLoop = error else { Issue.record("expected redirectLoop, got \(error)"); return }
        }
    }

    @Test("more than maxRedirects redirects is an error, and exactly maxRedirects is fine")
    func tooMany() async throws {
        var c = TestClient(redirectApp, followRedirects: true)
        c.maxRedirects = 3
        #expect(try await c.get("/count/3").text == "done")
        do {
            _ = try await c.get("/count/4")
            Issue.record("expected tooManyRedirects")
        } catch let error as TestClientError {
            #expect(error == .tooManyRedirects(3))
        }
    }

    @Test("a redirect to another host is an error")
    func external() async {
        do {
            _ = try await client.get("/external", followRedirects: true)
            Issue.record("expected externalRedirect")
        } catch let error as TestClientError {
            #expect(error == .externalRedirect("http://elsewhere.test/x"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("an absolute Location on the same host is followed")
    func sameHostAbsolute() async throws {
        #expect(try await client.get("/absolute-same-host", followRedirects: true).text.hasPrefix("GET "))
    }

    @Test("a relative Location resolves against the current URL, dot segments included")
    func relative() async throws {
        let response = try await client.get("/relative/dir/page", followRedirects: true)
        #expect(response.text == "relative ok x=1")
        #expect(response.request.pathInfo == "/relative/other")
    }

    @Test("a query-only Location keeps the path")
    func queryOnly() async throws {
        var c = TestClient(Handler { request in
            request.queryString.isEmpty ? Response.redirect(to: "?q=2") : Response.text(request.pathInfo + "?" + request.queryString)
        })
        c.followRedirects = true
        #expect(try await c.get("/here").text == "/here?q=2")
    }

    @Test("cookies set by a redirect are sent on the next request")
    func cookiesAcrossRedirects() async throws {
        #expect(try await TestClient(redirectApp).get("/set-and-redirect", followRedirects: true).text == "flow=1")
    }

    @Test("a redirect under a mounted base URL keeps the mount")
    func mounted() async throws {
        let c = TestClient(redirectApp, baseURL: "http://localhost/app")
        let response = try await c.get("/mounted/start", followRedirects: true)   // relative to the base path
        #expect(response.text == "script=/app path=/mounted/end")
    }

    @Test("TestURL resolves references as RFC 3986 §5.4 does",
          arguments: [("g", "/b/c/g"), ("./g", "/b/c/g"), ("g/", "/b/c/g/"), ("/g", "/g"), ("?y", "/b/c/d;p?y"),
                      ("g?y", "/b/c/g?y"), ("#s", "/b/c/d;p?q"), ("..", "/b/"), ("../g", "/b/g"), ("../..", "/"),
                      ("../../g", "/g"), ("../../../g", "/g"), ("/./g", "/g"), ("/../g", "/g"), ("g.", "/b/c/g."),
                      (".g", "/b/c/.g"), ("./../g", "/b/g"), ("g/./h", "/b/c/g/h"), ("g/../h", "/b/c/h"), (".", "/b/c/")])
    func resolve(reference: String, expected: String) throws {
        let base = try TestURL("http://a/b/c/d;p?q")
        #expect(try base.resolve(reference).pathAndQuery == expected)
    }

    @Test("TestURL resolves absolute and scheme-relative references to other hosts")
    func resolveAbsolute() throws {
        let base = try TestURL("https://a/b")
        #expect(try base.resolve("//other/x").description == "https://other/x")
        #expect(try base.resolve("http://h:8/p?q").description == "http://h:8/p?q")
        #expect(try TestURL("http://H:8/").hostName == "h")
        #expect(try TestURL("http://[::1]:8/").hostName == "[::1]")
    }
}
