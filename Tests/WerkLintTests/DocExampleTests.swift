import Testing
import WerkCore
import WerkLint

/// The Lint examples of the Proxies article (Sources/Werk/Werk.docc/Proxies.md), run.
@Suite("Lint: the article's examples")
struct LintDocExampleTests {
    @Test("debug mode reports a missing charset")
    func debug() async throws {
        let recorder = Recorder()
        let app = Stack {
            Lint(report: recorder.record)
            Handler { _ in Response(status: .ok, contentType: "text/html", bytes: Array("<p>hi".utf8)) }
        }
        _ = try await app(Request(target: "/", headers: ["Host": "example.com"]))
        #expect(recorder.all.map(\.description) == [
            "[missing-charset] GET /: text/html without a charset is read as a legacy encoding by some clients; add '; charset=utf-8'.",
        ])
    }

    @Test("strict mode throws")
    func strict() async throws {
        let strict = Stack {
            Lint(strict: true, report: { warning in print(warning) })
            Handler { _ in Response(status: .found) }
        }
        await #expect(throws: LintError.self) { _ = try await strict(Request(target: "/", headers: ["Host": "example.com"])) }
        do {
            _ = try await strict(Request(target: "/", headers: ["Host": "example.com"]))
        } catch let error as LintError {
            #expect(error.warnings.map(\.check) == [.redirectWithoutLocation])
        }
    }
}
