import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

@Suite("Compile-error page")
struct CompileErrorPageTests {
    static func client() throws -> TestClient {
        let output = try fixture("swift-build-errors.txt")
        let handler = CompileErrorPage.handler(diagnostics: BuildDiagnostics.parse(output, contextLines: 0), output: output,
                                               packageRoot: "/tmp/dsfix", generation: "f2")
        return TestClient(handler)
    }

    @Test("A browser gets an HTML page: first error first, file:line, source, the live-reload script")
    func htmlPage() async throws {
        let response = try await Self.client().get("/any/path", headers: ["Accept": "text/html,application/xhtml+xml"])
        #expect(response.status == .internalServerError)
        #expect(response.contentType == "text/html; charset=utf-8")
        #expect(response.headers["Cache-Control"] == "no-store")
        let text = response.text
        #expect(text.contains("<h1>Build failed</h1>"))
        #expect(text.contains("2 errors"))
        let first = try #require(offset(of: "Sources/Tiny/main.swift:3:14", in: text))
        let second = try #require(offset(of: "Sources/Tiny/main.swift:4:9", in: text))
        let warning = try #require(offset(of: "Sources/TinyLib/Lib.swift:2:9", in: text))
        #expect(first < second && second < warning)
        #expect(text.contains("<span class=here><i>3</i>let x: Int = &#34;no&#34;</span>"))
        #expect(text.contains("cannot find &#39;undefinedThing&#39; in scope"))
        #expect(text.contains(#"<script data-werk-live-reload>(function(){var g="f2""#))
    }

    @Test("Other clients get the terminal's text")
    func textReport() async throws {
        let response = try await Self.client().get("/api", headers: ["Accept": "application/json"])
        #expect(response.status == .internalServerError)
        #expect(response.text.hasPrefix("Build failed: 2 errors\n\nerror: Sources/Tiny/main.swift:3:14: cannot convert"))
        #expect(response.text.contains("> 3 | let x: Int = \"no\"\n"))
    }

    @Test("The page's event stream carries the failure's generation, and ends when the page is taken down")
    func eventStream() async throws {
        let stop = LiveReload.StopFlag()
        let handler = CompileErrorPage.handler(diagnostics: [], output: "", packageRoot: nil, generation: "f2", stop: stop)
        let synchronous = try #require(handler.synchronous)
        let response = try synchronous(Request(method: .get, target: LiveReload.path))
        #expect(response.headers["Content-Type"] == "text/event-stream")
        guard case .stream(let stream, _) = response.body else {
            Issue.record("not a stream")
            return
        }
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next().map { String(decoding: $0, as: UTF8.self) } == "retry: 250\ndata: f2\n\n")
        stop.set()
        #expect(try await iterator.next() == nil)   // the stream ends: a graceful stop does not wait for it
    }

    @Test("Without recognised diagnostics the report shows the end of the output")
    func rawOutput() {
        let report = CompileErrorPage.terminalReport(diagnostics: [], output: "something odd\nreally odd", packageRoot: nil)
        #expect(report == "Build failed:\nsomething odd\nreally odd\n")
    }
}
