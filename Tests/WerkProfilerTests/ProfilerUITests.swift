import Testing
@testable import WerkProfiler
import WerkTesting

/// A profiled app with two routes, and its client.
private func profiledApp(_ change: (inout Profiler.Options) -> Void = { _ in }) -> (Profiler, TestClient) {
    let clock = FakeClock()
    let profiler = Profiler(options: options(clock, change))
    let app = Stack {
        profiler
        Step(label: "Auth", clock: clock, before: 5, after: 0)
        Handler { request in
            let slow = request.pathInfo.hasPrefix("/slow")
            request.profile.route = slow ? "/slow/<n>" : "/fast"
            clock.advance(slow ? 1000 : 10)
            return "ok"
        }
    }
    return (profiler, TestClient(app))
}

@Suite("Profiler UI over HTTP")
struct ProfilerUITests {
    @Test("the page, its script and style are served with a strict CSP, and the path without slash redirects")
    func assets() async throws {
        let (profiler, client) = profiledApp()
        let page = try await client.get("/__profiler/")
        #expect(page.status == .ok)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.headers["Content-Security-Policy"]?.contains("script-src 'self'") == true)
        #expect(page.text.contains(#"<script src="app.js"></script>"#))
        let script = try await client.get("/__profiler/app.js")
        #expect(script.headers["Content-Type"] == "text/javascript; charset=utf-8")
        #expect(!script.text.contains("innerHTML"))
        #expect(try await client.get("/__profiler/app.css").headers["Content-Type"] == "text/css; charset=utf-8")
        let bare = try await client.get("/__profiler")
        #expect(bare.status == .movedPermanently)
        #expect(bare.headers["Location"]?.hasSuffix("/__profiler/") == true)
        #expect(profiler.profiles.isEmpty)  // the UI's own requests are not profiled
    }

    @Test("the JSON lists the requests made, newest first, and gives one profile's frames, headers and attributes")
    func api() async throws {
        let (_, client) = profiledApp()
        _ = try await client.get("/fast", headers: ["Authorization": "Bearer secret", "X-Note": "<b>hi</b>"])
        _ = try await client.get("/slow/1")
        let list = try JSON.parse(try await client.get("/__profiler/api/profiles").body)
        let items = try #require(list.arrayValue)
        #expect(items.compactMap { $0["path"]?.stringValue } == ["/slow/1", "/fast"])
        #expect(items.compactMap { $0["name"]?.stringValue } == ["GET /slow/<n>", "GET /fast"])
        #expect(items.compactMap { $0["duration"]?.intValue } == [1_005_000, 15_000])

        let detail = try JSON.parse(try await client.get("/__profiler/api/profiles/1").body)
        #expect(detail["frames"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["GET /fast", "Auth", "Handler"])
        #expect(detail["frames"]?[1]?["self"] == 5_000)
        let headers = try #require(detail["requestHeaders"]?.arrayValue)
        #expect(headers.contains([.string("Authorization"), .string("[redacted]")]))
        #expect(headers.contains([.string("X-Note"), .string("<b>hi</b>")]))
        #expect(detail["attributes"]?.arrayValue?.contains(["http.route", "/fast"]) == true)

        let trace = try JSON.parse(try await client.get("/__profiler/profiles/2.trace.json").body)
        #expect(trace["traceEvents"]?.arrayValue?.isEmpty == false)
        let speedscope = try JSON.parse(try await client.get("/__profiler/profiles/2.speedscope.json").body)
        #expect(speedscope["profiles"]?[0]?["type"] == "evented")
        #expect(try await client.get("/__profiler/api/profiles/99").status == .notFound)
        #expect(try await client.get("/__profiler/api/profiles/x").status == .notFound)
        #expect(try await client.get("/__profiler/nothing").status == .notFound)
    }

    @Test("the per-route view gives p50, p95 and p99 of the total and of each layer's own time")
    func routes() async throws {
        let (_, client) = profiledApp()
        for _ in 0..<3 { _ = try await client.get("/fast") }
        for n in 0..<2 { _ = try await client.get("/slow/\(n)") }
        let routes = try #require(try JSON.parse(try await client.get("/__profiler/api/routes").body).arrayValue)
        #expect(routes.compactMap { $0["route"]?.stringValue } == ["GET /slow/<n>", "GET /fast"])
        #expect(routes.compactMap { $0["count"]?.intValue } == [2, 3])
        #expect(routes.first?["total"]?["p99"] == 1_005_000)
        #expect(routes.last?["layers"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Auth", "Handler"])
        #expect(routes.last?["layers"]?[1]?["self"]?["p50"] == 10_000)
    }

    @Test("the UI and its data are refused to clients authorize does not accept, and are read-only")
    func authorization() async throws {
        let (_, client) = profiledApp()
        var remote = Request(target: "/__profiler/api/profiles")
        remote.remoteAddress = "198.51.100.7"
        let (profiler, _) = profiledApp()
        let app = Stack { profiler; Handler { _ in "x" } }
        #expect(await app.respondCatchingErrors(remote).status == .forbidden)
        var noAddress = Request(target: "/__profiler/")
        noAddress.remoteAddress = nil
        #expect(await app.respondCatchingErrors(noAddress).status == .forbidden)
        #expect(try await client.request(.post, "/__profiler/api/profiles").status == .methodNotAllowed)

        let (_, open) = profiledApp { $0.authorize = { $0.headers["X-Token"] == "let-me-in" } }
        #expect(try await open.get("/__profiler/").status == .forbidden)
        #expect(try await open.get("/__profiler/", headers: ["X-Token": "let-me-in"]).status == .ok)
    }

    @Test("the UI answers at a configured path, or not at all")
    func uiPath() async throws {
        let (_, moved) = profiledApp { $0.uiPath = "/_debug/profiles" }
        #expect(try await moved.get("/_debug/profiles/").status == .ok)
        #expect(try await moved.get("/__profiler/").text == "ok")
        #expect(try await moved.get("/_debug/profilesX").text == "ok")   // only starts like the UI's path
        let (_, none) = profiledApp { $0.uiPath = nil }
        #expect(try await none.get("/__profiler/").text == "ok")
    }
}
