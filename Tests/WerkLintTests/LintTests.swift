import Synchronization
import Testing
import WerkCore
@testable import WerkLint
import WerkTesting

/// Collects what Lint reports.
final class Recorder: Sendable {
    private let warnings = Mutex<[LintWarning]>([])
    var all: [LintWarning] { warnings.withLock { $0 } }
    var checks: [LintCheck] { all.map(\.check) }
    func record(_ warning: LintWarning) { warnings.withLock { $0.append(warning) } }
}

/// Runs `request` through Lint in front of a handler answering `response`, sends the whole body
/// (as the server would) and returns what was reported.
func lint(_ request: Request, _ response: @escaping @Sendable () -> Response) async -> [LintWarning] {
    let recorder = Recorder()
    let app = Stack {
        Lint(report: recorder.record)
        Handler { _ in response() }
    }
    if let answer = try? await app(request) { _ = try? await answer.collectBody() }
    return recorder.all
}

@Suite("Lint: every check, triggered and not")
struct LintCheckTests {
    @Test("the bad request or response triggers the check, once", arguments: lintCases)
    func triggers(_ c: LintCase) async {
        let warnings = await lint(c.request, c.bad)
        #expect(warnings.filter { $0.check == c.check }.count == 1, "\(warnings)")
    }

    @Test("the good request and response trigger no check at all", arguments: lintCases)
    func clean(_ c: LintCase) async {
        let warnings = await lint(c.goodRequest ?? get(), c.good)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test("every check has a case, and there are at least 30")
    func coverage() {
        let covered = Set(lintCases.map(\.check))
        #expect(Set(LintCheck.allCases).subtracting(covered).isEmpty)
        #expect(LintCheck.allCases.count >= 30)
    }
}

@Suite("Lint: reporting, strict mode and pass-through")
struct LintBehaviourTests {
    @Test("a warning names the check, the request and the problem")
    func message() async {
        let warnings = await lint(get("/items?x=1"), { Response(status: .noContent, body: .bytes([1, 2])) })
        #expect(warnings.map(\.description) == ["[body-not-allowed] GET /items: a 204 response cannot have a body (2 bytes), the server drops it."])
    }

    @Test("one warning per problem: two bad cookies give two warnings")
    func onePerProblem() async {
        let warnings = await lint(get(), { text([("Set-Cookie", "a=1; SameSite=None"), ("Set-Cookie", "b=2; SameSite=None")]) })
        #expect(warnings.map(\.check) == [.cookieSameSiteNoneWithoutSecure, .cookieSameSiteNoneWithoutSecure])
    }

    @Test("strict mode throws the problems, from the request, the response and a synchronous stack")
    func strict() async throws {
        let recorder = Recorder()
        let app = Stack {
            Lint(strict: true, report: recorder.record)
            Handler { request in request.pathInfo == "/bad" ? Response(status: .found) : Response.text("ok") }
        }
        await #expect(throws: LintError.self) { try await app(get("/bad")) }
        await #expect(throws: LintError.self) { try await app(Request(target: "/")) }   // no Host
        #expect(try await app(get("/")).status == .ok)
        let synchronous = try #require(app.synchronous)
        #expect(throws: LintError.self) { try synchronous(get("/bad")) }
        #expect(recorder.checks == [.redirectWithoutLocation, .missingHost, .redirectWithoutLocation])
        do {
            _ = try await app(get("/bad"))
        } catch let error as LintError {
            #expect(error.description.contains("[redirect-without-location] GET /bad"))
        }
    }

    @Test("strict mode: a stream that ends early throws instead of ending cleanly")
    func strictStream() async throws {
        let app = Stack {
            Lint(strict: true, report: { _ in })
            Handler { _ in stream(["abc"], length: 5) }
        }
        let response = try await app(get())
        await #expect(throws: LintError.self) { _ = try await response.collectBody() }
    }

    @Test("the producer's own error still reaches the reader after the warning")
    func streamErrorPassesThrough() async throws {
        let app = Stack {
            Lint(report: { _ in })
            Handler { _ in stream(["abc"], length: nil, failing: true) }
        }
        let response = try await app(get())
        await #expect(throws: Boom.self) { _ = try await response.collectBody() }
    }

    @Test("disabled checks are not run")
    func disabled() async {
        let recorder = Recorder()
        let app = Stack {
            Lint(disabled: [.missingCharset], report: recorder.record)
            Handler { _ in Response(status: .ok, contentType: "text/html", bytes: [65]) }
        }
        _ = try? await app(get())
        #expect(recorder.all.isEmpty)
    }

    @Test("the bytes, headers and status go out unchanged, and the stack keeps its synchronous form")
    func passThrough() async throws {
        let app = Stack {
            Lint(report: { _ in })
            Handler { _ in text([("X-Note", "kept")], body: "hello") }
        }
        let response = try await TestClient(app).get("/")
        #expect(response.text == "hello" && response.headers["X-Note"] == "kept")
        #expect(app.synchronous != nil)
        let streamed = try await TestClient(Stack { Lint(report: { _ in }); Handler { _ in stream(["a", "b"], length: 2) } }).get("/")
        #expect(streamed.text == "ab")
    }

    @Test("HEAD may announce the GET length without a body")
    func head() async {
        var request = get()
        request.method = .head
        #expect(await lint(request, { bare(.ok, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "42")]) }).isEmpty)
    }
}
