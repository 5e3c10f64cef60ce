import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

@Suite("Live reload")
struct LiveReloadTests {
    static let page = "<!doctype html><html><body><h1>Hi</h1></BODY></html>"

    @Test("An HTML page gets the script before </body>, with the generation, and a new Content-Length")
    func injectsIntoHTML() async throws {
        let app = Handler { (_: Request) throws -> Response in
            var response = Response.html(LiveReloadTests.page)
            response.headers.set("Content-Length", String(LiveReloadTests.page.utf8.count))
            return response
        }
        let client = TestClient(LiveReload(generation: "b7").wrap(app))
        let response = try await client.get("/")
        #expect(response.text.hasPrefix("<!doctype html><html><body><h1>Hi</h1><script data-werk-live-reload>"))
        #expect(response.text.hasSuffix("</script></BODY></html>"))
        #expect(response.text.contains(#"var g="b7""#))
        #expect(response.headers["Content-Length"] == String(response.body.count))
    }

    @Test("A document without </body> (Werkzeug-style pages) gets the script at its end")
    func documentWithoutClosingBody() async throws {
        let page = "\n<!doctype html>\n<title>Demo</title>\n<h1>Demo</h1>"
        let app = Handler { (_: Request) throws -> Response in .html(page) }
        let response = try await TestClient(LiveReload(generation: "b2").wrap(app)).get("/")
        #expect(response.text.hasPrefix(page + "<script data-werk-live-reload>"))
    }

    @Test("Other responses are left alone", arguments: [
        ("text/plain; charset=utf-8", LiveReloadTests.page, nil),           // not HTML
        ("application/json", #"{"a":"</body>"}"#, nil),                    // not HTML
        ("text/html; charset=utf-8", "<p>a fragment</p>", nil),             // no </body> (htmx fragments)
        ("text/html; charset=utf-8", LiveReloadTests.page, "gzip"),          // encoded bytes
    ] as [(String, String, String?)])
    func leavesOthersAlone(contentType: String, body: String, encoding: String?) async throws {
        let app = Handler { (_: Request) throws -> Response in
            var response = Response(contentType: contentType, bytes: Array(body.utf8))
            if let encoding { response.headers.set("Content-Encoding", encoding) }
            return response
        }
        let response = try await TestClient(LiveReload(generation: "b1").wrap(app)).get("/")
        #expect(response.text == body)
    }

    @Test("Without the dev supervisor's environment there is no live reload")
    func onlyInDevMode() {
        #expect(LiveReload.devGeneration == nil)   // the test process is not a dev worker
    }

    @Test("The wrapper keeps a synchronous application synchronous")
    func keepsSynchronousForm() {
        let app = Handler { (_: Request) throws -> Response in .html(LiveReloadTests.page) }
        #expect(LiveReload(generation: "b1").wrap(app).synchronous != nil)
    }

    @Test("The event stream sends the generation first, with a short retry")
    func eventStream() async throws {
        let handler = LiveReload(generation: "b42").wrap(Handler { (_: Request) throws -> Response in .text("app") })
        let synchronous = try #require(handler.synchronous)
        let response = try synchronous(Request(method: .get, target: LiveReload.path))
        #expect(response.headers["Content-Type"] == "text/event-stream")
        guard case .stream(let stream, _) = response.body else {
            Issue.record("not a stream")
            return
        }
        var iterator = stream.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first.map { String(decoding: $0, as: UTF8.self) } == "retry: 250\ndata: b42\n\n")
    }
}
