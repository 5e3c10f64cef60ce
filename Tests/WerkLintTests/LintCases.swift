import Testing
import WerkCore
@testable import WerkLint

/// A check, a request and response that trigger it (exactly once), and a clean pair that triggers no
/// check at all.
struct LintCase: CustomTestStringConvertible, Sendable {
    let check: LintCheck
    var request: Request = get()
    let bad: @Sendable () -> Response
    var goodRequest: Request? = nil
    let good: @Sendable () -> Response
    var testDescription: String { check.rawValue }
}

struct Boom: Error {}

func get(_ target: String = "/", _ headers: [(String, String)] = []) -> Request {
    Request(method: .get, target: target, headers: Headers([("Host", "example.com")] + headers))
}

func with(_ request: Request, _ change: (inout Request) -> Void) -> Request {
    var copy = request
    change(&copy)
    return copy
}

func text(_ headers: [(String, String)], status: Status = .ok, body: String = "ok") -> Response {
    var response = Response.text(body, status: status)
    for (name, value) in headers { response.headers.add(name, value) }
    return response
}

func bare(_ status: Status, _ headers: [(String, String)] = [], body: Body = .empty) -> Response {
    Response(status: status, headers: Headers(headers), body: body)
}

func stream(_ chunks: [String], length: Int?, failing: Bool = false) -> Response {
    let body = ByteStream { writer in
        for chunk in chunks { try await writer.write(chunk) }
        if failing { throw Boom() }
    }
    return Response(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .stream(body, length: length))
}

let ok: @Sendable () -> Response = { Response.text("ok") }
let bigCookie = "a=" + String(repeating: "x", count: 4100)
let fineCookie = "a=" + String(repeating: "x", count: 4000)

let lintCases: [LintCase] = [
    // The request.
    LintCase(check: .scriptNameSlash, request: with(get()) { $0.scriptName = "app" }, bad: ok,
             goodRequest: with(get()) { $0.scriptName = "/app" }, good: ok),
    LintCase(check: .pathInfoSlash, request: with(get()) { $0.pathInfo = "x" }, bad: ok, good: ok),
    LintCase(check: .missingHost, request: Request(target: "/"), bad: ok, good: ok),
    LintCase(check: .requestFramingConflict,
             request: Request(method: .post, target: "/", headers: ["Host": "h", "Content-Length": "3", "Transfer-Encoding": "chunked"]),
             bad: ok, goodRequest: Request(method: .post, target: "/", headers: ["Host": "h", "Content-Length": "3"]), good: ok),
    LintCase(check: .bodyOnGet, request: get("/", [("Content-Length", "5")]), bad: ok,
             goodRequest: Request(method: .post, target: "/", headers: ["Host": "h", "Content-Length": "5"]), good: ok),
    // The status.
    LintCase(check: .statusOutOfRange, bad: { bare(Status(600)) }, good: { bare(.ok) }),
    LintCase(check: .informationalFinal, bad: { bare(Status(102)) }, good: { bare(.noContent) }),
    LintCase(check: .switchingWithoutUpgrade, bad: { bare(Status(101)) },
             good: { bare(Status(101), [("Upgrade", "websocket"), ("Connection", "Upgrade")]) }),
    LintCase(check: .redirectWithoutLocation, bad: { text([], status: .found) }, good: { Response.redirect(to: "/next") }),
    LintCase(check: .locationWithoutRedirect, bad: { text([("Location", "/x")]) },
             good: { text([("Location", "/items/1")], status: .created) }),
    LintCase(check: .allowMissing, bad: { text([], status: .methodNotAllowed) },
             good: { text([("Allow", "GET, HEAD")], status: .methodNotAllowed) }),
    LintCase(check: .authenticateMissing, bad: { text([], status: .unauthorized) },
             good: { text([("WWW-Authenticate", #"Basic realm="app""#)], status: .unauthorized) }),
    LintCase(check: .contentRangeMissing, bad: { text([], status: .partialContent) },
             good: { text([("Content-Range", "bytes 0-1/10")], status: .partialContent) }),
    // Framing and body.
    LintCase(check: .bodyNotAllowed, bad: { bare(.noContent, body: .bytes([1])) }, good: { bare(.noContent) }),
    LintCase(check: .contentLengthNotAllowed, bad: { bare(.noContent, [("Content-Length", "0")]) }, good: { bare(.noContent) }),
    LintCase(check: .representationHeaderOn304, bad: { bare(.notModified, [("Content-Type", "text/html; charset=utf-8")]) },
             good: { bare(.notModified, [("ETag", #""v1""#), ("Cache-Control", "max-age=60")]) }),
    LintCase(check: .contentLengthInvalid, bad: { text([("Content-Length", "2x")]) }, good: { text([("Content-Length", "2")]) }),
    LintCase(check: .contentLengthMismatch, bad: { text([("Content-Length", "5")]) }, good: { text([("Content-Length", "2")]) }),
    LintCase(check: .streamEndedEarly, bad: { stream(["hello"], length: 10) }, good: { stream(["hello", "world"], length: 10) }),
    LintCase(check: .streamTooLong, bad: { stream(["hello", "world"], length: 7) }, good: { stream(["hello", "world"], length: nil) }),
    LintCase(check: .streamFailed, bad: { stream(["hello"], length: nil, failing: true) }, good: { stream(["hello"], length: nil) }),
    LintCase(check: .hopByHopHeader, bad: { text([("Connection", "close")]) }, good: ok),
    // Header syntax.
    LintCase(check: .invalidHeaderName, bad: { text([("Bad Name", "x")]) }, good: { text([("Good-Name", "x")]) }),
    LintCase(check: .invalidHeaderValue, bad: { text([("X-Note", "a\r\nSet-Cookie: x=1")]) }, good: { text([("X-Note", "a b")]) }),
    LintCase(check: .nonASCIIHeaderValue, bad: { text([("X-Note", "café")]) }, good: { text([("X-Note", "caf%C3%A9")]) }),
    LintCase(check: .headerValueWhitespace, bad: { text([("X-Note", " padded")]) }, good: { text([("X-Note", "padded")]) }),
    LintCase(check: .repeatedHeader, bad: { text([("Content-Type", "text/html; charset=utf-8")]) }, good: ok),
    LintCase(check: .locationInvalid, bad: { bare(.found, [("Location", "/a b")]) },
             good: { bare(.found, [("Location", "https://example.com/a%20b?q=1#top")]) }),
    LintCase(check: .etagInvalid, bad: { text([("ETag", "abc")]) }, good: { text([("ETag", #"W/"abc""#)]) }),
    LintCase(check: .etagWeakLowercase, bad: { text([("ETag", #"w/"abc""#)]) }, good: { text([("ETag", #""abc""#)]) }),
    LintCase(check: .dateInvalid, bad: { text([("Last-Modified", "yesterday")]) },
             good: { text([("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT")]) }),
    LintCase(check: .retryAfterInvalid, bad: { text([("Retry-After", "soon")], status: .serviceUnavailable) },
             good: { text([("Retry-After", "120")], status: .serviceUnavailable) }),
    // Content type.
    LintCase(check: .missingContentType, bad: { bare(.ok, body: .bytes([1, 2])) },
             good: { bare(.ok, [("Content-Type", "application/octet-stream")], body: .bytes([1, 2])) }),
    LintCase(check: .contentTypeInvalid, bad: { bare(.ok, [("Content-Type", "text")], body: .bytes([1])) }, good: ok),
    LintCase(check: .missingCharset, bad: { bare(.ok, [("Content-Type", "text/html")], body: .bytes([1])) },
             good: { Response.html("<p>") }),
    // Cookies.
    LintCase(check: .cookieInvalid, bad: { text([("Set-Cookie", "no-equals")]) }, good: { text([("Set-Cookie", "a=1; Path=/")]) }),
    LintCase(check: .cookieSameSiteNoneWithoutSecure, bad: { text([("Set-Cookie", "a=1; SameSite=None")]) },
             good: { text([("Set-Cookie", "a=1; Secure; SameSite=None")]) }),
    LintCase(check: .cookieSameSiteInvalid, bad: { text([("Set-Cookie", "a=1; SameSite=Loose")]) },
             good: { text([("Set-Cookie", "a=1; SameSite=Lax")]) }),
    LintCase(check: .cookieHostPrefix, bad: { text([("Set-Cookie", "__Host-id=1; Secure; Path=/; Domain=example.com")]) },
             good: { text([("Set-Cookie", "__Host-id=1; Secure; Path=/")]) }),
    LintCase(check: .cookieSecurePrefix, bad: { text([("Set-Cookie", "__Secure-id=1; Path=/")]) },
             good: { text([("Set-Cookie", "__Secure-id=1; Secure; Path=/")]) }),
    LintCase(check: .cookieTooLarge, bad: { text([("Set-Cookie", bigCookie)]) }, good: { text([("Set-Cookie", fineCookie)]) }),
    // Caching and negotiation.
    LintCase(check: .cacheControlContradiction, bad: { text([("Cache-Control", "public, private")]) },
             good: { text([("Cache-Control", "private, max-age=60")]) }),
    LintCase(check: .cacheControlInvalid, bad: { text([("Cache-Control", "max-age=soon")]) },
             good: { text([("Cache-Control", "max-age=60, stale-while-revalidate=30")]) }),
    LintCase(check: .cacheableSetCookie, bad: { text([("Set-Cookie", "a=1"), ("Cache-Control", "public, max-age=60")]) },
             good: { text([("Set-Cookie", "a=1"), ("Cache-Control", "private, max-age=60")]) }),
    LintCase(check: .negotiatedWithoutVary, request: get("/", [("Accept-Encoding", "gzip")]),
             bad: { text([("Content-Encoding", "gzip")]) },
             good: { text([("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]) }),
]
