import Testing
@testable import WerkCore
import WerkTesting

private struct SecretError: Error, CustomStringConvertible {
    var description: String { "database password is hunter2 at /srv/app/db.swift:42" }
}

@Suite("HTTPError")
struct HTTPErrorTests {
    /// `werkzeug.exceptions.default_exceptions[code]().get_body()` for every 4xx and 5xx Werkzeug 3.1.8 defines.
    static let werkzeugBodies: [(Int, String)] = [
        (400, "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>The browser (or proxy) sent a request that this server could not understand.</p>\n"),
        (401, "<!doctype html>\n<html lang=en>\n<title>401 Unauthorized</title>\n<h1>Unauthorized</h1>\n<p>The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn&#39;t understand how to supply the credentials required.</p>\n"),
        (403, "<!doctype html>\n<html lang=en>\n<title>403 Forbidden</title>\n<h1>Forbidden</h1>\n<p>You don&#39;t have the permission to access the requested resource. It is either read-protected or not readable by the server.</p>\n"),
        (404, "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n"),
        (405, "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n"),
        (406, "<!doctype html>\n<html lang=en>\n<title>406 Not Acceptable</title>\n<h1>Not Acceptable</h1>\n<p>The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request.</p>\n"),
        (408, "<!doctype html>\n<html lang=en>\n<title>408 Request Timeout</title>\n<h1>Request Timeout</h1>\n<p>The server closed the network connection because the browser didn&#39;t finish the request within the specified time.</p>\n"),
        (409, "<!doctype html>\n<html lang=en>\n<title>409 Conflict</title>\n<h1>Conflict</h1>\n<p>A conflict happened while processing the request. The resource might have been modified while the request was being processed.</p>\n"),
        (410, "<!doctype html>\n<html lang=en>\n<title>410 Gone</title>\n<h1>Gone</h1>\n<p>The requested URL is no longer available on this server and there is no forwarding address. If you followed a link from a foreign page, please contact the author of this page.</p>\n"),
        (411, "<!doctype html>\n<html lang=en>\n<title>411 Length Required</title>\n<h1>Length Required</h1>\n<p>A request with this method requires a valid &lt;code&gt;Content-Length&lt;/code&gt; header.</p>\n"),
        (412, "<!doctype html>\n<html lang=en>\n<title>412 Precondition Failed</title>\n<h1>Precondition Failed</h1>\n<p>The precondition on the request for the URL failed positive evaluation.</p>\n"),
        (413, "<!doctype html>\n<html lang=en>\n<title>413 Request Entity Too Large</title>\n<h1>Request Entity Too Large</h1>\n<p>The data value transmitted exceeds the capacity limit.</p>\n"),
        (414, "<!doctype html>\n<html lang=en>\n<title>414 Request URI Too Long</title>\n<h1>Request URI Too Long</h1>\n<p>The length of the requested URL exceeds the capacity limit for this server. The request cannot be processed.</p>\n"),
        (415, "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n<p>The server does not support the media type transmitted in the request.</p>\n"),
        (416, "<!doctype html>\n<html lang=en>\n<title>416 Requested Range Not Satisfiable</title>\n<h1>Requested Range Not Satisfiable</h1>\n<p>The server cannot provide the requested range.</p>\n"),
        (417, "<!doctype html>\n<html lang=en>\n<title>417 Expectation Failed</title>\n<h1>Expectation Failed</h1>\n<p>The server could not meet the requirements of the Expect header</p>\n"),
        (418, "<!doctype html>\n<html lang=en>\n<title>418 I&#39;m a teapot</title>\n<h1>I&#39;m a teapot</h1>\n<p>This server is a teapot, not a coffee machine</p>\n"),
        (421, "<!doctype html>\n<html lang=en>\n<title>421 Misdirected Request</title>\n<h1>Misdirected Request</h1>\n<p>The server is not able to produce a response.</p>\n"),
        (422, "<!doctype html>\n<html lang=en>\n<title>422 Unprocessable Entity</title>\n<h1>Unprocessable Entity</h1>\n<p>The request was well-formed but was unable to be followed due to semantic errors.</p>\n"),
        (423, "<!doctype html>\n<html lang=en>\n<title>423 Locked</title>\n<h1>Locked</h1>\n<p>The resource that is being accessed is locked.</p>\n"),
        (424, "<!doctype html>\n<html lang=en>\n<title>424 Failed Dependency</title>\n<h1>Failed Dependency</h1>\n<p>The method could not be performed on the resource because the requested action depended on another action and that action failed.</p>\n"),
        (428, "<!doctype html>\n<html lang=en>\n<title>428 Precondition Required</title>\n<h1>Precondition Required</h1>\n<p>This request is required to be conditional; try using &#34;If-Match&#34; or &#34;If-Unmodified-Since&#34;.</p>\n"),
        (429, "<!doctype html>\n<html lang=en>\n<title>429 Too Many Requests</title>\n<h1>Too Many Requests</h1>\n<p>This user has exceeded an allotted request count. Try again later.</p>\n"),
        (431, "<!doctype html>\n<html lang=en>\n<title>431 Request Header Fields Too Large</title>\n<h1>Request Header Fields Too Large</h1>\n<p>One or more header fields exceeds the maximum size.</p>\n"),
        (451, "<!doctype html>\n<html lang=en>\n<title>451 Unavailable For Legal Reasons</title>\n<h1>Unavailable For Legal Reasons</h1>\n<p>Unavailable for legal reasons.</p>\n"),
        (500, "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n"),
        (501, "<!doctype html>\n<html lang=en>\n<title>501 Not Implemented</title>\n<h1>Not Implemented</h1>\n<p>The server does not support the action requested by the browser.</p>\n"),
        (502, "<!doctype html>\n<html lang=en>\n<title>502 Bad Gateway</title>\n<h1>Bad Gateway</h1>\n<p>The proxy server received an invalid response from an upstream server.</p>\n"),
        (503, "<!doctype html>\n<html lang=en>\n<title>503 Service Unavailable</title>\n<h1>Service Unavailable</h1>\n<p>The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.</p>\n"),
        (504, "<!doctype html>\n<html lang=en>\n<title>504 Gateway Timeout</title>\n<h1>Gateway Timeout</h1>\n<p>The connection to an upstream server timed out.</p>\n"),
        (505, "<!doctype html>\n<html lang=en>\n<title>505 HTTP Version Not Supported</title>\n<h1>HTTP Version Not Supported</h1>\n<p>The server does not support the HTTP protocol version used in the request.</p>\n"),
    ]

    @Test("every error Werkzeug defines renders Werkzeug's exact HTML page", arguments: werkzeugBodies)
    func werkzeugBody(code: Int, body: String) async throws {
        let response = HTTPError(Status(code)).response()
        #expect(response.status.code == code)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(String(decoding: try await response.collectBody(), as: UTF8.self) == body)
    }

    @Test("the same pages come out of a stack through the test client", arguments: [400, 403, 404, 411, 418, 428, 500, 503])
    func throughClient(code: Int) async throws {
        let app = Handler { _ -> Response in throw HTTPError(Status(code)) }
        let response = try await TestClient(app).get("/")
        let expected = try #require(Self.werkzeugBodies.first { $0.0 == code }?.1)
        #expect(response.status.code == code)
        #expect(response.text == expected)
        #expect(response.headers["Content-Length"] == String(expected.utf8.count))
    }

    @Test("the prerendered page of a bare error is the page rendered on the spot; a message, headers or a custom reason are rendered")
    func prerenderedPages() async throws {
        func text(_ response: Response) async throws -> String { String(decoding: try await response.collectBody(), as: UTF8.self) }
        for code in 400..<600 {
            let cached = HTTPError(Status(code)).response()
            let fresh = HTTPError(Status(code)).rendered(json: false)
            #expect(cached.status.code == code && cached.headers == fresh.headers, "\(code)")
            #expect(try await text(cached) == (try await text(fresh)), "\(code)")
        }
        #expect(try await text(HTTPError(.notFound, "No user 7.").response()).contains("<p>No user 7.</p>"))
        #expect(try await text(HTTPError(Status(404, reason: "Gone Fishing")).response()).contains("<h1>Gone Fishing</h1>"))
        #expect(HTTPError(.methodNotAllowed, headers: ["Allow": "GET"]).response().headers["Allow"] == "GET")
        #expect(StandardErrorPages.page(for: Status(399)) == nil && StandardErrorPages.page(for: Status(600)) == nil)
    }

    @Test("a custom message is HTML-escaped and newlines become <br>, as Werkzeug does")
    func customMessage() async throws {
        let response = HTTPError(.badRequest, "a <b> & 'c'\nline2").response()
        #expect(String(decoding: try await response.collectBody(), as: UTF8.self)
                == "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>a &lt;b&gt; &amp; &#39;c&#39;<br>line2</p>\n")
    }

    @Test("JSON is rendered when the client prefers it")
    func json() async throws {
        let app = Handler { _ -> Response in throw HTTPError(.notFound) }
        let response = try await TestClient(app).get("/", headers: ["Accept": "application/json"])
        #expect(response.status == .notFound)
        #expect(response.headers["Content-Type"] == "application/json")
        let json = try response.json()
        #expect(json["error"]?["code"]?.intValue == 404)
        #expect(json["error"]?["name"]?.stringValue == "Not Found")
        #expect(json["error"]?["message"]?.stringValue == HTTPError.standardDescription(for: 404))
        #expect(response.text == #"{"error":{"code":404,"message":"The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.","name":"Not Found"}}"#)
    }

    @Test("the format follows the Accept header's preferences",
          arguments: [("application/json", true), ("text/html", false), ("*/*", false),
                      ("text/html;q=0.5, application/json", true), ("application/json;q=0.5, text/html", false),
                      ("text/html, application/json;q=0.9", false), ("application/*", true), ("application/*;q=0.9, text/html;q=0.5", true), ("image/png", false)])
    func acceptPreference(accept: String, wantsJSON: Bool) {
        let request = Request(target: "/", headers: ["Accept": accept])
        #expect(HTTPError.prefersJSON(request) == wantsJSON)
        let response = HTTPError(.forbidden).response(for: request)
        #expect(response.headers["Content-Type"] == (wantsJSON ? "application/json" : "text/html; charset=utf-8"))
    }

    @Test("without Accept, a request with a JSON body gets a JSON error")
    func jsonBodyWithoutAccept() {
        #expect(HTTPError.prefersJSON(Request(target: "/", headers: ["Content-Type": "application/json"])))
        #expect(!HTTPError.prefersJSON(Request(target: "/")))
    }

    @Test("405 carries Allow")
    func methodNotAllowed() async throws {
        let app = Handler { _ -> Response in throw HTTPError.methodNotAllowed(allowed: [.get, .head, "PURGE"]) }
        let response = try await TestClient(app).post("/")
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, HEAD, PURGE")
        #expect(response.text.contains("<p>The method is not allowed for the requested URL.</p>"))
    }

    @Test("a redirect error carries Location and its status", arguments: [301, 302, 303, 307, 308])
    func redirect(code: Int) async throws {
        let error = HTTPError.redirect(to: "/new?x=1", status: Status(code))
        let response = error.response()
        #expect(response.status.code == code)
        #expect(response.headers["Location"] == "/new?x=1")
        #expect(HTTPError.redirect(to: "/x").status == .permanentRedirect)
    }

    @Test("401 carries one WWW-Authenticate header per challenge")
    func unauthorized() {
        let response = HTTPError.unauthorized(challenges: [#"Basic realm="app""#, "Bearer"]).response()
        #expect(response.status == .unauthorized)
        #expect(response.headers.values(for: "WWW-Authenticate") == [#"Basic realm="app""#, "Bearer"])
    }

    @Test("416 carries Content-Range with the full length")
    func rangeNotSatisfiable() {
        let response = HTTPError.rangeNotSatisfiable(length: 100).response()
        #expect(response.status == .rangeNotSatisfiable)
        #expect(response.headers["Content-Range"] == "bytes */100")
    }

    @Test("429 and 503 carry Retry-After")
    func retryAfter() {
        #expect(HTTPError.retryLater(afterSeconds: 30).response().headers["Retry-After"] == "30")
        let unavailable = HTTPError.retryLater(.serviceUnavailable, afterSeconds: 5).response()
        #expect(unavailable.status == .serviceUnavailable)
        #expect(unavailable.headers["Retry-After"] == "5")
    }

    @Test("413 names the limit")
    func contentTooLarge() {
        let error = HTTPError.contentTooLarge(limit: 1024)
        #expect(error.status == .contentTooLarge)
        #expect(error.detail.contains("1024"))
    }

    @Test("any other error becomes a 500 whose body reveals nothing of it", arguments: [false, true])
    func otherErrors(json: Bool) async throws {
        let app = Handler { _ -> Response in throw SecretError() }
        let headers: Headers = json ? ["Accept": "application/json"] : [:]
        let response = try await TestClient(app).get("/", headers: headers)
        #expect(response.status == .internalServerError)
        #expect(!response.text.contains("hunter2"))
        #expect(!response.text.contains("SecretError"))
        #expect(!response.text.contains("db.swift"))
        #expect(response.text.contains(HTTPError.standardDescription(for: 500)))
    }

    @Test("statuses without a body render no body", arguments: [204, 304])
    func bodyless(code: Int) async throws {
        let response = HTTPError(Status(code)).response()
        #expect(try await response.collectBody().isEmpty)
    }

    @Test("description and name read well")
    func description() {
        #expect(HTTPError(.notFound).name == "Not Found")
        #expect(HTTPError(.badRequest, "nope").description == "400 Bad Request: nope")
        #expect(HTTPError(Status(499)).detail.contains("499"))
    }

    @Test("a handler that sets a header with CR/LF gets a 500 instead of sending it")
    func headerInjection() async throws {
        let app = Handler { _ in Response(headers: ["X-Bad": "a\r\nSet-Cookie: x=1"]) }
        let response = try await TestClient(app).get("/")
        #expect(response.status == .internalServerError)
        #expect(response.headers["X-Bad"] == nil)
    }
}
