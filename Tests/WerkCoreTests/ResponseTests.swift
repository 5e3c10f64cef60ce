import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import WerkCore

@Suite("Response")
struct ResponseTests {
    @Test("the default response is an empty 200 with no headers")
    func defaults() {
        let response = Response()
        #expect(response.status == .ok)
        #expect(response.headers.isEmpty)
        #expect(response.contentLength == 0)
    }

    @Test("text sets text/plain; charset=utf-8 and the UTF-8 bytes")
    func text() async throws {
        let response = Response.text("ünï", status: .created)
        #expect(response.status == .created)
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(try await response.collectBody() == Array("ünï".utf8))
        #expect(response.contentLength == 5)
    }

    @Test("html sets text/html; charset=utf-8")
    func html() async throws {
        let response = Response.html("<p>hi</p>")
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(try await response.collectBody() == Array("<p>hi</p>".utf8))
    }

    @Test("json serializes compactly with sorted keys as application/json")
    func json() async throws {
        let response = Response.json(["z": 1, "a": "x"], status: .accepted)
        #expect(response.status == .accepted)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(try await response.collectBody() == Array(#"{"a":"x","z":1}"#.utf8))
    }

    // Expected bodies produced by werkzeug.utils.redirect(location, 302).get_data(as_text=True).
    static let redirectBodies: [(String, String)] = [
        ("/next", "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"/next\">/next</a>. If not, click the link.\n"),
        ("/a?b=<c>&d='e'\"", "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"/a?b=&lt;c&gt;&amp;d=&#39;e&#39;&#34;\">/a?b=&lt;c&gt;&amp;d=&#39;e&#39;&#34;</a>. If not, click the link.\n"),
        ("http://example.com/ü x", "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"http://example.com/ü x\">http://example.com/ü x</a>. If not, click the link.\n"),
        ("https://h/p#frag", "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"https://h/p#frag\">https://h/p#frag</a>. If not, click the link.\n"),
    ]

    // Location on the wire, from werkzeug.utils.redirect(location).get_wsgi_headers(environ) (iri_to_uri).
    static let wireLocations: [String: String] = [
        "/next": "/next",
        "/a?b=<c>&d='e'\"": "/a?b=%3Cc%3E&d='e'%22",
        "http://example.com/ü x": "http://example.com/%C3%BC%20x",
        "https://h/p#frag": "https://h/p#frag",
    ]

    @Test("redirect writes Werkzeug's exact body, and the Location escaped as Werkzeug sends it", arguments: redirectBodies)
    func redirectBody(location: String, body: String) async throws {
        let response = Response.redirect(to: location)
        #expect(response.status == .found)
        #expect(response.headers["Location"] == Self.wireLocations[location])
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(String(decoding: try await response.collectBody(), as: UTF8.self) == body)
    }

    @Test("redirect works with every redirect status", arguments: [301, 302, 303, 307, 308])
    func redirectStatuses(code: Int) {
        let response = Response.redirect(to: "/x", status: Status(code))
        #expect(response.status.code == code)
        #expect(response.headers["Location"] == "/x")
        #expect(response.contentLength == 191)   // len(werkzeug.utils.redirect("/x").get_data())
    }

    @Test("redirect strips CR, LF and NUL from the location so it cannot inject headers")
    func redirectInjection() {
        let response = Response.redirect(to: "/a\r\nSet-Cookie: x=1\0")
        #expect(response.headers["Location"] == "/aSet-Cookie:%20x=1")
        #expect(response.headers.firstInvalidField == nil)
        #expect(response.headers.values(for: "Set-Cookie").isEmpty)
    }

    @Test("contentLength prefers the header, then the body's known length")
    func contentLength() {
        #expect(Response(body: .bytes([1, 2, 3])).contentLength == 3)
        #expect(Response(headers: ["Content-Length": "10"], body: .bytes([1])).contentLength == 10)
        #expect(Response(body: .stream(ByteStream(chunks: []), length: 42)).contentLength == 42)
        #expect(Response(body: .stream(ByteStream(chunks: []), length: nil)).contentLength == nil)
        #expect(Response(body: .file(FileRegion(path: "/dev/null", offset: 5, count: 7))).contentLength == 7)
    }

    @Test("statuses without a body have no content length", arguments: [100, 101, 204, 304])
    func noBodyStatuses(code: Int) {
        #expect(Response(status: Status(code), body: .bytes([1])).contentLength == nil)
        #expect(Status(code).forbidsBody)
    }

    @Test("collectBody reads a stream chunk by chunk")
    func collectStream() async throws {
        let response = Response(body: .stream(ByteStream(chunks: [[1], [2, 3], [4]]), length: nil))
        #expect(try await response.collectBody() == [1, 2, 3, 4])
    }

    @Test("collectBody reads exactly the file region from disk")
    func collectFile() async throws {
        var template = Array("/tmp/werk-core-test-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        #expect(fd >= 0)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let content = Array("0123456789".utf8)
        _ = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let response = Response(body: .file(FileRegion(path: path, offset: 3, count: 4)))
        #expect(try await response.collectBody() == Array("3456".utf8))
        // A region past the end is a file that shrank: never passed off as a complete short body.
        let pastEnd = Response(body: .file(FileRegion(path: path, offset: 8, count: 5)))
        await #expect(throws: FileRegionError.truncated(path: path, expected: 5, read: 2)) { try await pastEnd.collectBody() }
        let missing = Response(body: .file(FileRegion(path: "/nonexistent/werk-test", count: 3)))
        await #expect(throws: FileRegionError.cannotOpen(path: "/nonexistent/werk-test", errno: ENOENT)) {
            try await missing.collectBody()
        }
    }
}

@Suite("Status")
struct StatusTests {
    @Test("known codes carry their reason phrase and unknown ones say Unknown")
    func reasons() {
        #expect(Status(404).description == "404 Not Found")
        #expect(Status(418).reasonPhrase == "I'm a teapot")
        #expect(Status(299).reasonPhrase == "Unknown")
        #expect(Status(299, reason: "Custom").description == "299 Custom")
        let literal: Status = 503
        #expect(literal == .serviceUnavailable)
    }

    @Test("statuses compare by code only")
    func equality() {
        #expect(Status(200, reason: "Fine") == .ok)
        #expect(Set([Status(200, reason: "A"), Status(200)]).count == 1)
    }

    @Test("classes are derived from the code")
    func classes() {
        #expect(Status(101).isInformational)
        #expect(Status(204).isSuccess)
        #expect(Status(308).isRedirection)
        #expect(Status(451).isClientError)
        #expect(Status(511).isServerError)
        #expect(!Status(200).forbidsBody)
    }
}

@Suite("Method")
struct MethodTests {
    @Test("standard methods and extension tokens keep their exact spelling")
    func tokens() {
        #expect(Method("PURGE").rawValue == "PURGE")
        #expect(Method("get") != .get)
        let literal: Method = "PROPFIND"
        #expect(literal.description == "PROPFIND")
        #expect(Method(rawValue: "DELETE") == .delete)
    }

    @Test("validating accepts tokens and rejects everything else",
          arguments: [("GET", true), ("M-SEARCH", true), ("X!#$%&'*+.^_`|~", true),
                      ("", false), ("GE T", false), ("GET\r\n", false), ("GÉT", false), ("(GET)", false)])
    func validating(token: String, valid: Bool) {
        #expect((Method(validating: token) != nil) == valid)
    }

    @Test("GET, HEAD, OPTIONS and TRACE are safe; the others are not")
    func safety() {
        let safe: [Method] = [.get, .head, .options, .trace]
        let unsafe: [Method] = [.post, .put, .delete, .patch, .connect, "PURGE"]
        #expect(safe.filter(\.isSafe).count == 4)
        #expect(unsafe.filter(\.isSafe).isEmpty)
    }
}
