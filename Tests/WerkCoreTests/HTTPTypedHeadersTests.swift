import Testing
import WerkCore

@Suite("Typed header accessors on Request and Response")
struct HTTPTypedHeadersTests {
    @Test("a request exposes its Accept, conditional, range and auth headers typed")
    func requestAccessors() throws {
        let request = Request(headers: Headers([
            ("Accept", "text/html;q=0.5"), ("Accept", "application/json"),
            ("Accept-Language", "de-AT, en;q=0.8"), ("Accept-Encoding", "gzip, br;q=0.5"),
            ("Accept-Charset", "utf-8"), ("Cache-Control", "no-cache, max-age=0"),
            ("Content-Type", "application/json; charset=utf-8"),
            ("If-None-Match", #""a", W/"b""#), ("If-Match", "*"),
            ("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"), ("If-Unmodified-Since", "nonsense"),
            ("If-Range", #""a""#), ("Range", "bytes=0-99"), ("Authorization", "Basic dXNlcjpwYXNz"),
        ]))
        #expect(request.acceptMIME.bestMatch(["text/html", "application/json"]) == "application/json")
        #expect(request.acceptLanguages.bestMatch(["de", "en"]) == "en")
        #expect(request.acceptEncodings.quality(for: "br") == 0.5)
        #expect(request.acceptCharsets.contains("UTF8"))
        #expect(request.cacheControl.noCache && request.cacheControl.maxAge == 0)
        #expect(request.contentType?.charset == "utf-8")
        #expect(request.ifNoneMatch.containsWeak("b"))
        #expect(request.ifMatch.isStar)
        #expect(request.ifModifiedSince == 784_111_777)
        #expect(request.ifUnmodifiedSince == nil)
        #expect(request.ifRange == IfRange.etag(ETag("a")))
        #expect(request.range?.rangeFor(length: 50) == 0..<50)
        #expect(request.authorization?.username == "user")
        #expect(request.conditional.evaluate(etag: ETag("b"), lastModified: nil, isGetOrHead: true) == .notModified)
    }

    @Test("a request without those headers gives empty or nil values")
    func requestDefaults() {
        let request = Request()
        #expect(!request.acceptMIME.isProvided)
        #expect(request.cacheControl.isEmpty)
        #expect(request.contentType == nil)
        #expect(request.range == nil)
        #expect(request.authorization == nil)
        #expect(request.ifNoneMatch.isEmpty)
        #expect(request.ifRange == nil)
        #expect(request.conditional == ConditionalRequest())
    }

    @Test("response setters write serialized headers and nil removes them")
    func responseSetters() {
        var response = Response.text("hi")
        response.cacheControl.maxAge = 60
        response.cacheControl.public = true
        response.vary.insert("Accept-Encoding")
        response.vary.insert("accept-encoding")
        response.allow = ["GET", "HEAD"]
        response.etag = ETag("v1", weak: true)
        response.lastModified = 784_111_777
        response.expires = 0
        response.contentRange = ContentRange(unsatisfiedLength: 10)
        response.contentDisposition = .attachment(filename: "a b.txt")
        response.wwwAuthenticate = .basic(realm: "Login")
        #expect(response.headers["Cache-Control"] == "max-age=60, public")
        #expect(response.headers["Vary"] == "Accept-Encoding")
        #expect(response.headers["Allow"] == "GET, HEAD")
        #expect(response.headers["ETag"] == #"W/"v1""#)
        #expect(response.headers["Last-Modified"] == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(response.headers["Expires"] == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(response.headers["Content-Range"] == "bytes */10")
        #expect(response.headers["Content-Disposition"] == #"attachment; filename="a b.txt""#)
        #expect(response.headers["WWW-Authenticate"] == "Basic realm=Login")
        #expect(response.etag == ETag("v1", weak: true) && response.lastModified == 784_111_777)
        response.cacheControl = ResponseCacheControl()
        response.etag = nil
        #expect(response.headers["Cache-Control"] == nil && response.headers["ETag"] == nil)
        response.contentType = ContentType("application/json", charset: "utf-8")
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.contentType?.isJSON == true)
    }
}
