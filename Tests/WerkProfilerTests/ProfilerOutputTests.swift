import Testing
@testable import WerkProfiler
import WerkTesting

/// A stack with one layer and a handler with a span: Outer 15 µs own, Handler 30 µs own, db 70 µs.
private func app(_ profiler: Profiler, _ clock: FakeClock) -> Handler {
    Stack {
        profiler
        Step(label: "Outer", clock: clock, before: 10, after: 5)
        Handler { request in
            clock.advance(30)
            request.profile.span("db \"query\"") { clock.advance(70) }
            return Response.html("<html><body><p>hi</p></body></html>")
        }
    }
}

@Suite("Profiler outputs")
struct ProfilerOutputTests {
    @Test("Server-Timing lists the slowest layers and spans by own time, then the total")
    func serverTiming() async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock) { $0.serverTiming = true; $0.serverTimingEntries = 2 })
        let response = try await TestClient(app(profiler, clock)).get("/")
        #expect(response.headers["Server-Timing"] == #"db__query_;dur=0.070;desc="db \"query\"", Handler;dur=0.030;desc="Handler", total;dur=0.115"#)
    }

    @Test("the text report is sorted and restricted as asked", arguments: [
        ([Profiler.SortKey.selfTime], [Profiler.Restriction](), ["db \"query\"", "Handler", "Outer", "GET"]),
        ([.totalTime], [.limit(2)], ["GET", "Outer"]),
        ([.name], [.matching("e")], ["Handler", "Outer", "db \"query\""]),
        ([.selfTime, .calls], [.fraction(0.5)], ["db \"query\"", "Handler"]),
    ])
    func report(sortBy: [Profiler.SortKey], restrictions: [Profiler.Restriction], names: [String]) async throws {
        let clock = FakeClock(), sink = TextSink()
        let profiler = Profiler(options: options(clock) {
            $0.report = Profiler.Report(sortBy: sortBy, restrictions: restrictions, write: sink.write)
        })
        _ = try await TestClient(app(profiler, clock)).get("/page?x=1")
        let text = try #require(sink.all.first)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "PATH: /page?x=1 GET -> 200 in 0.115 ms (profile 1)")
        #expect(lines.dropFirst(2).map { String($0.split(separator: "  ").last ?? "").trimmingPrefix(" ") } == names.map { Substring($0) })
    }

    @Test("one Chrome trace and one speedscope file per request, named from the format's tokens, that parse")
    func files() async throws {
        let clock = FakeClock(), folder = TemporaryFolder()
        let profiler = Profiler(options: options(clock) {
            $0.profileDirectory = folder.path
            $0.filenameFormat = "{method}.{path}.{elapsed}ms.{id}"
        })
        let client = TestClient(app(profiler, clock))
        _ = try await client.get("/users/42/x%0Ay")
        _ = try await client.get("/")
        #expect(folder.names == ["GET.root.0ms.2.speedscope.json", "GET.root.0ms.2.trace.json",
                                 "GET.users.42.x_y.0ms.1.speedscope.json", "GET.users.42.x_y.0ms.1.trace.json"])

        let trace = try JSON.parse(folder.read("GET.users.42.x_y.0ms.1.trace.json"))
        #expect(trace["displayTimeUnit"] == "ms")
        let events = try #require(trace["traceEvents"]?.arrayValue)
        let complete = events.filter { $0["ph"] == "X" }
        #expect(complete.compactMap { $0["name"]?.stringValue } == ["GET", "Outer", "Handler", "db \"query\""])
        #expect(complete.compactMap { $0["dur"]?.doubleValue } == [115, 115, 100, 70])
        #expect(complete.compactMap { $0["ts"]?.doubleValue } == [0, 0, 10, 40])
        #expect(complete.compactMap { $0["cat"]?.stringValue } == ["request", "layer", "layer", "span"])
        #expect(complete.first?["args"]?["http.response.status_code"] == "200")
        #expect(events.contains { $0["ph"] == "M" && $0["name"] == "process_name" })

        let speedscope = try JSON.parse(folder.read("GET.users.42.x_y.0ms.1.speedscope.json"))
        #expect(speedscope["$schema"] == "https://www.speedscope.app/file-format-schema.json")
        let frames = try #require(speedscope["shared"]?["frames"]?.arrayValue).compactMap { $0["name"]?.stringValue }
        #expect(frames == ["GET", "Outer", "Handler", "db \"query\""])
        let profile = try #require(speedscope["profiles"]?[0])
        #expect(profile["type"] == "evented" && profile["unit"] == "nanoseconds")
        #expect(profile["endValue"] == 115_000)
        let opened = try #require(profile["events"]?.arrayValue).map { event in
            "\(event["type"]?.stringValue ?? "?")\(event["frame"]?.intValue ?? -1)@\(event["at"]?.intValue ?? -1)"
        }
        #expect(opened == ["O0@0", "O1@0", "O2@10000", "O3@40000", "C3@110000", "C2@110000", "C1@115000", "C0@115000"])
    }

    @Test("links: a header on any profiled response, a toolbar in HTML pages, nothing on unprofiled ones")
    func links() async throws {
        let clock = FakeClock()
        let headerOnly = Profiler(options: options(clock) { $0.links = .header })
        let page = try await TestClient(app(headerOnly, clock)).get("/")
        #expect(page.headers["X-Werk-Profile-Link"] == "/__profiler/#/profile/1")
        #expect(!page.text.contains("werk-profiler-toolbar"))

        let toolbar = Profiler(options: options(clock) { $0.links = .toolbar })
        let injected = try await TestClient(app(toolbar, clock)).get("/")
        #expect(injected.text.hasSuffix(#"<a style="color:#8cc4ff;text-decoration:none" href="/__profiler/#/profile/1">200 · 0.115 ms · profile 1</a></div></body></html>"#))
        #expect(injected.headers["X-Werk-Profile-Link"] == nil)
        #expect(injected.headers["Content-Length"] == String(injected.body.count))

        let json = Stack { Profiler(options: options(clock) { $0.links = .toolbar }); Handler { _ in JSON.object(["a": 1]) } }
        let answer = try await TestClient(json, baseURL: "http://localhost/app").get("/app/x")
        #expect(answer.headers["X-Werk-Profile-Link"] == "/app/__profiler/#/profile/1")
        #expect(answer.text == #"{"a":1}"#)

        let never = Stack { Profiler(options: options(clock) { $0.links = .header; $0.sampling = .never }); Handler { _ in "x" } }
        #expect(try await TestClient(never).get("/").headers["X-Werk-Profile-Link"] == nil)
    }

    @Test("sampling: every Nth request, or only requests asking with the header or cookie that authorize accepts")
    func sampling() async throws {
        let nth = Profiler(options: options(FakeClock()) { $0.sampling = .everyNth(3) })
        let client = TestClient(Stack { nth; Handler { _ in "x" } })
        for _ in 0..<7 { _ = try await client.get("/") }
        #expect(nth.profiles.map(\.id) == [3, 2, 1])
        #expect(nth.profiles.count == 3)

        let onDemand = Profiler(options: options(FakeClock()) { $0.sampling = .requested() })
        let app = Stack { onDemand; Handler { _ in "x" } }
        let demand = TestClient(app)
        _ = try await demand.get("/plain")
        _ = try await demand.get("/header", headers: ["X-Werk-Profile": "1"])
        _ = try await demand.get("/cookie", headers: ["Cookie": "a=b; werk_profile=1"])
        _ = try await demand.get("/other-cookie", headers: ["Cookie": "not_werk_profile=1"])
        var remote = Request(target: "/remote", headers: ["X-Werk-Profile": "1"])
        remote.remoteAddress = "203.0.113.9"
        _ = await app.respondCatchingErrors(remote)
        #expect(onDemand.profiles.map(\.path) == ["/cookie", "/header"])
    }

    @Test("the ring keeps the last N profiles, newest first")
    func ring() async throws {
        let profiler = Profiler(options: options(FakeClock()) { $0.capacity = 3 })
        let client = TestClient(Stack { profiler; Handler { _ in "x" } })
        for index in 1...5 { _ = try await client.get("/\(index)") }
        #expect(profiler.profiles.map(\.path) == ["/5", "/4", "/3"])
        #expect(profiler.profile(id: 2) == nil)
        #expect(profiler.profile(id: 4)?.path == "/4")
    }

    @Test("OpenTelemetry names: method and route, _OTHER for unknown methods, error.type on 5xx")
    func openTelemetryNames() async throws {
        let profiler = Profiler(options: options(FakeClock()))
        let app = Stack { profiler; Handler { _ in Response.text("no", status: .serviceUnavailable) } }
        _ = await app.respondCatchingErrors(Request(method: Method("BREW"), target: "/pot"))
        let profile = try #require(profiler.profiles.first)
        #expect(profile.spanName == "HTTP")
        #expect(profile.attributes.map { "\($0.key)=\($0.value)" } == [
            "http.request.method=_OTHER", "http.request.method_original=BREW", "url.path=/pot",
            "http.response.status_code=503", "error.type=503",
        ])
    }
}
