import Testing
import Synchronization
@testable import WerkProfiler
import WerkTesting
@testable import WerkCore

@Suite("Profiler attribution")
struct ProfilerAttributionTests {
    @Test("each layer gets its total and its self time, the time waiting on next taken out")
    func selfAndTotal() async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock))
        let app = Stack {
            profiler
            Step(label: "Outer", clock: clock, before: 10, after: 5)
            Step(label: "Inner", clock: clock, before: 20, after: 0)
            Handler { _ in clock.advance(100); return "ok" }
        }
        #expect(app.synchronous != nil)
        #expect(try await TestClient(app).get("/items").text == "ok")
        let profile = try #require(profiler.profiles.first)
        #expect(profile.frames.map(\.name) == ["GET", "Outer", "Inner", "Handler"])
        #expect(profile.frames.map(\.depth) == [0, 1, 2, 3])
        #expect(profile.frames.map(\.totalTime) == [135_000, 135_000, 120_000, 100_000])
        #expect(profile.frames.map(\.selfTime) == [0, 15_000, 20_000, 100_000])
        #expect(profile.duration == 135_000)
        #expect(profile.status == 200)
        #expect(profile.path == "/items")
        #expect(profile.responseSize == 2)
    }

    // The synchronous path hands the record to instrumented layers in a per-thread slot: a profiled
    // stack called from inside another on the same thread must put the outer record back.
    @Test("a profiled stack called synchronously from inside another leaves the outer layers in the outer profile")
    func nestedProfilersOnOneThread() throws {
        let clock = FakeClock()
        let outerProfiler = Profiler(options: options(clock)), innerProfiler = Profiler(options: options(clock))
        let inner = Stack {
            innerProfiler
            Step(label: "InnerStep", clock: clock, before: 1, after: 0)
            Handler { _ in "inner" }
        }
        let innerSynchronously = try #require(inner.synchronous)
        let app = Stack {
            outerProfiler
            CallsInner(inner: innerSynchronously)
            Step(label: "After", clock: clock, before: 2, after: 0)
            Handler { _ in "outer" }
        }
        let synchronously = try #require(app.synchronous)
        _ = try synchronously(Request(method: .get, target: "/"))
        #expect(try #require(outerProfiler.profiles.first).frames.map(\.name) == ["GET", "CallsInner", "After", "Handler"])
        #expect(try #require(innerProfiler.profiles.first).frames.map(\.name) == ["GET", "InnerStep", "Handler"])
        #expect(ThreadSlot.current == nil)
    }

    @Test("spans nest, in synchronous and asynchronous code, and events and counters are kept")
    func nestedSpans() async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock))
        let app = Stack {
            profiler
            Handler { request async throws -> String in
                synchronousWork(request, clock)
                let rows = try await request.profile.span("db query") { () async throws -> Int in
                    clock.advance(7)
                    await Task.yield()
                    request.profile.count("rows", by: 2)
                    request.profile.count("rows")
                    return 3
                }
                request.profile.route = "/report/<int:id>"
                return "rows \(rows)"
            }
        }
        #expect(try await TestClient(app).get("/report/1").text == "rows 3")
        let profile = try #require(profiler.profiles.first)
        #expect(profile.frames.map(\.name) == ["GET /report/<int:id>", "Handler", "outer", "inner", "db query"])
        #expect(profile.frames.map(\.parent) == [-1, 0, 1, 2, 1])
        #expect(frame(profile, "outer")?.totalTime == 28_000)
        #expect(frame(profile, "outer")?.selfTime == 8_000)
        #expect(frame(profile, "inner")?.totalTime == 20_000)
        #expect(frame(profile, "db query")?.totalTime == 7_000)
        #expect(frame(profile, "Handler")?.selfTime == 0)
        #expect(profile.events == [RequestProfile.Event(name: "halfway", at: 25_000, frame: 2)])
        #expect(profile.counters.map(\.name) == ["rows"] && profile.counters.map(\.value) == [3])
        #expect(profile.route == "/report/<int:id>")
        #expect(profile.attributes.map { "\($0.key)=\($0.value)" } ==
                ["http.request.method=GET", "url.path=/report/1", "http.route=/report/<int:id>", "http.response.status_code=200"])
    }

    @Test("an asynchronous layer is timed like the others, and the stack is asynchronous from it")
    func asynchronousLayer() async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock))
        let app = Stack {
            profiler
            Step(label: "Outer", clock: clock, before: 1, after: 2)
            AwaitingStep(clock: clock, before: 40)
            Handler { _ in clock.advance(10); return "ok" }
        }
        #expect(app.synchronous == nil)
        #expect(try await TestClient(app).get("/").text == "ok")
        let profile = try #require(profiler.profiles.first)
        #expect(profile.frames.map(\.name) == ["GET", "Outer", "AwaitingStep", "Handler"])
        #expect(profile.frames.map(\.selfTime) == [0, 3_000, 40_000, 10_000])
    }

    @Test("an error thrown through layers marks each failed, and the profile takes the error's status", arguments: [
        (HTTPError(.forbidden) as any Error, 403, "HTTPError"),
        (CancellationError() as any Error, 500, "CancellationError"),
    ])
    func errors(error: any Error, status: Int, type: String) async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock))
        let app = Stack {
            profiler
            Step(label: "Outer", clock: clock, before: 1, after: 1)
            Handler { _ -> String in clock.advance(4); throw error }
        }
        #expect(await app.respondCatchingErrors(Request(target: "/fail")).status.code == status)
        let profile = try #require(profiler.profiles.first)
        #expect(profile.status == status)
        #expect(profile.errorType == type)
        #expect(profile.frames.map(\.failed) == [true, true, true])
        #expect(profile.frames.map(\.totalTime) == [5_000, 5_000, 4_000])
    }

    @Test("a streamed body ends the profile when its last chunk is taken, with a response body frame")
    func streamedBody() async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock))
        let app = Stack {
            profiler
            Handler { _ in
                clock.advance(10)
                let chunks = [Array("ab".utf8), Array("cde".utf8)]
                let pulls = PullCounter()
                return Response(body: .stream(ByteStream {
                    clock.advance(100)
                    let index = pulls.next()
                    return index < chunks.count ? chunks[index] : nil
                }, length: nil))
            }
        }
        let response = try await app(Request(target: "/stream"))
        #expect(profiler.profiles.isEmpty)
        #expect(try await response.collectBody() == Array("abcde".utf8))
        let profile = try #require(profiler.profiles.first)
        #expect(profile.frames.map(\.name) == ["GET", "Handler", "response body"])
        #expect(frame(profile, "response body")?.totalTime == 300_000)
        #expect(profile.duration == 310_000)
        #expect(profile.responseSize == 5)
    }

    @Test("a streamed body dropped unread still ends the profile, marked failed")
    func droppedStream() async throws {
        let profiler = Profiler(options: options(FakeClock()))
        let app = Stack {
            profiler
            Handler { _ in Response(body: .stream(ByteStream(chunks: [[1, 2, 3]]), length: 3)) }
        }
        do {
            let response = try await app(Request(target: "/"))
            #expect(response.body.knownLength == 3)
        }
        let profile = try #require(profiler.profiles.first)
        #expect(frame(profile, "response body")?.failed == true)
        #expect(profile.responseSize == 0)
    }

    @Test("without a profiler, or for a request not sampled, request.profile only runs the bodies")
    func inertProfile() async throws {
        let plain = Handler { request in
            #expect(!request.profile.isRecording)
            request.profile.count("x")
            return request.profile.span("work") { "done" }
        }
        #expect(try await TestClient(plain).get("/").text == "done")
        var unsampled = Profiler.Options()
        unsampled.sampling = .never
        let profiler = Profiler(options: unsampled)
        #expect(try await TestClient(Stack { profiler; plain }).get("/").text == "done")
        #expect(profiler.profiles.isEmpty)
    }
}

/// Nested synchronous spans and an event: outer 28 µs (8 its own), inner 20 µs.
private func synchronousWork(_ request: Request, _ clock: FakeClock) {
    request.profile.span("outer") {
        clock.advance(5)
        request.profile.span("inner") { clock.advance(20) }
        request.profile.event("halfway")
        clock.advance(3)
    }
}

@Suite("Profiler attribution across child tasks")
struct ProfilerConcurrencyTests {
    @Test("spans started side by side in child tasks are siblings, and a span inside one is its child")
    func concurrentSpans() async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock))
        let app = Stack {
            profiler
            Handler { request async throws -> String in
                async let first: Int = request.profile.span("first") { () async -> Int in
                    await Task.yield()
                    return await request.profile.span("first.inner") { () async -> Int in 1 }
                }
                async let second: Int = request.profile.span("second") { () async -> Int in
                    await Task.yield()
                    request.profile.event("second.event")
                    return 2
                }
                let sum = await first + second
                return await request.profile.span("outer") { () async -> String in
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await request.profile.span("grouped") { () async -> Void in } }
                    }
                    return "sum \(sum)"
                }
            }
        }
        #expect(try await TestClient(app).get("/").text == "sum 3")
        let profile = try #require(profiler.profiles.first)
        func parent(of name: String) -> String? {
            guard let frame = frame(profile, name), frame.parent >= 0 else { return nil }
            return profile.frames[frame.parent].name
        }
        #expect(parent(of: "first") == "Handler")
        #expect(parent(of: "second") == "Handler")
        #expect(parent(of: "first.inner") == "first")
        #expect(parent(of: "grouped") == "outer")
        #expect(profile.events.first.map { profile.frames[$0.frame].name } == "second")
    }

    @Test("asynchronous spans in one task: nested ones are children, the next one after them is the layer's again")
    func sequentialAndNestedAsynchronousSpans() async throws {
        let profiler = Profiler(options: options(FakeClock()))
        let app = Stack {
            profiler
            Handler { request async throws -> String in
                await request.profile.span("a") { () async -> Void in
                    await request.profile.span("a.b") { () async -> Void in
                        await request.profile.span("a.b.c") { () async -> Void in }
                    }
                    await request.profile.span("a.d") { () async -> Void in }
                }
                await request.profile.span("e") { () async -> Void in request.profile.event("in e") }
                return "ok"
            }
        }
        #expect(try await TestClient(app).get("/").text == "ok")
        let profile = try #require(profiler.profiles.first)
        let names = profile.frames.map(\.name)
        #expect(names == ["GET", "Handler", "a", "a.b", "a.b.c", "a.d", "e"])
        #expect(profile.frames.map { $0.parent >= 0 ? names[$0.parent] : "-" } == ["-", "GET", "Handler", "a", "a.b", "a", "Handler"])
        #expect(profile.events.map { names[$0.frame] } == ["e"])
        #expect(profile.frames.allSatisfy { !$0.unfinished })
    }

    @Test("a span the parent task opens after starting a child task is not the parent of the child's spans")
    func parentMovesOnWhileChildRuns() async throws {
        let clock = FakeClock()
        let profiler = Profiler(options: options(clock))
        let app = Stack {
            profiler
            Handler { request async throws -> String in
                let (go, goOn) = AsyncStream<Void>.makeStream()
                let (done, doneOn) = AsyncStream<Void>.makeStream()
                async let child: Void = {
                    for await _ in go { break }
                    await request.profile.span("child") { () async -> Void in clock.advance(1) }
                    doneOn.yield()
                }()
                await request.profile.span("parent.later") { () async -> Void in
                    clock.advance(1)
                    goOn.yield()
                    for await _ in done { break }
                    clock.advance(1)
                }
                await child
                return "ok"
            }
        }
        #expect(try await TestClient(app).get("/").text == "ok")
        let profile = try #require(profiler.profiles.first)
        let child = try #require(frame(profile, "child")), later = try #require(frame(profile, "parent.later"))
        #expect(profile.frames[child.parent].name == "Handler")
        #expect(profile.frames[later.parent].name == "Handler")
        #expect(child.start > later.start && child.end <= later.end)
    }

    @Test("spans opened inside a task group's body and in the tasks it adds nest under the span around the group")
    func spanInsideTaskGroupBody() async throws {
        let profiler = Profiler(options: options(FakeClock()))
        let app = Stack {
            profiler
            Handler { request async throws -> String in
                await request.profile.span("around") { () async -> Void in
                    await withTaskGroup(of: Void.self) { group in
                        for index in 0..<3 {
                            group.addTask { await request.profile.span("task \(index)") { () async -> Void in } }
                        }
                        request.profile.span("in body") { }
                    }
                }
                return "ok"
            }
        }
        #expect(try await TestClient(app).get("/").text == "ok")
        let profile = try #require(profiler.profiles.first)
        for name in ["task 0", "task 1", "task 2"] {
            let span = try #require(frame(profile, name))
            #expect(profile.frames[span.parent].name == "around")
        }
        #expect(frame(profile, "in body").map { profile.frames[$0.parent].name } == "around")
    }
}

/// A synchronous layer that first calls another stack with the request.
private struct CallsInner: Middleware {
    let inner: @Sendable (Request) throws -> Response
    func wrap(_ next: Handler) -> Handler { next.mapRequest { request in _ = try inner(request); return request } }
}
