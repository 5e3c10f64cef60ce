import Testing
import WerkCore

@Suite("ETags and conditional requests")
struct HTTPETagTests {
    @Test("quotes and unquotes entity tags", arguments: [
        (#""abc""#, "abc", false), (#"W/"abc""#, "abc", true), (#"w/"abc""#, "abc", true), ("abc", "abc", false),
        (" W/x ", "x", true), (#"""#, "", false),
    ])
    func unquote(text: String, value: String, weak: Bool) throws {
        let tag = try #require(ETag(parsing: text))
        #expect(tag.value == value)
        #expect(tag.isWeak == weak)
    }

    @Test("quote_etag refuses a quote inside the tag")
    func quote() {
        #expect(ETag.quote("abc") == #""abc""#)
        #expect(ETag.quote("abc", weak: true) == #"W/"abc""#)
        #expect(ETag.quote(#"a"b"#) == nil)
        #expect(ETag.quote("a\r\nb") == nil)
        #expect(ETag("a\"b\r\n").headerValue == #""ab""#)
        #expect(ETag(parsing: "") == nil)
    }

    @Test("strong and weak comparison follow RFC 9110")
    func comparison() {
        #expect(ETag("1").strongMatches(ETag("1")))
        #expect(!ETag("1", weak: true).strongMatches(ETag("1")))
        #expect(ETag("1", weak: true).weakMatches(ETag("1")))
        #expect(!ETag("1").weakMatches(ETag("2")))
    }

    @Test("parses tag lists like parse_etags", arguments: [
        (#""a", W/"b""#, ["a"], ["b"], false),
        (#""a"b", "c""#, [#"a"b"#, "c"], [], false),
        ("a , b", ["a", "b"], [], false),
        (#""a",*"#, [], [], true),
        ("W/", [], [""], false),
        (", a", ["", "a"], [], false),
        (#"""#, [#"""#], [], false),
        (#""a" "b""#, [#"a" "b"#], [], false),
    ])
    func parse(header: String, strong: [String], weak: [String], star: Bool) {
        let tags = ETags(parsing: header)
        #expect(tags.strong == strong)
        #expect(tags.weak == weak)
        #expect(tags.isStar == star)
    }

    @Test("ETags answers contains, containsWeak and containsRaw")
    func membership() {
        let tags = ETags(parsing: #""a", W/"b""#)
        #expect(tags.contains("a") && !tags.contains("b"))
        #expect(tags.containsWeak("b") && tags.containsWeak("a"))
        #expect(tags.containsRaw(#"W/"b""#) && tags.containsRaw(#""a""#) && !tags.containsRaw(#""b""#))
        #expect(tags.isStrong("a") && tags.isWeak("b"))
        #expect(tags.headerValue == #""a", W/"b""#)
        #expect(ETags.star.contains("anything") && ETags.star.headerValue == "*")
        let absent: String? = nil
        let none = ETags(parsing: absent)
        #expect(none.isEmpty)
    }

    // (If-None-Match, If-Modified-Since, If-Match, If-Range, Range, etag, has last-modified, ignoreIfRange) -> modified
    static let lastModified = 784_111_777
    static let same = "Sun, 06 Nov 1994 08:49:37 GMT", earlier = "Sun, 06 Nov 1994 08:49:36 GMT"

    @Test("isResourceModified answers like Werkzeug's is_resource_modified", arguments: [
        (ConditionalRequest(ifNoneMatch: #""a""#), "a", false, true, false),
        (ConditionalRequest(ifNoneMatch: #"W/"a""#), "a", false, true, false),
        (ConditionalRequest(ifNoneMatch: #""b""#), "a", false, true, true),
        (ConditionalRequest(ifNoneMatch: "*"), "a", false, true, false),
        (ConditionalRequest(ifModifiedSince: same), nil, true, true, false),
        (ConditionalRequest(ifModifiedSince: earlier), nil, true, true, true),
        (ConditionalRequest(ifMatch: #""a""#), "a", false, true, true),
        (ConditionalRequest(ifMatch: #""b""#), "a", false, true, false),
        (ConditionalRequest(ifMatch: #"W/"a""#), "a", false, true, false),
        (ConditionalRequest(ifMatch: "*"), "a", false, true, false),
        (ConditionalRequest(ifRange: #""a""#, range: "bytes=0-1"), "a", false, false, false),
        (ConditionalRequest(ifRange: #""b""#, range: "bytes=0-1"), "a", false, false, true),
        (ConditionalRequest(ifRange: same, range: "bytes=0-1"), nil, true, false, false),
        (ConditionalRequest(ifNoneMatch: #""b""#, ifRange: #""a""#), "a", false, false, true),
        (ConditionalRequest(ifNoneMatch: #""a""#, ifModifiedSince: earlier), "a", true, true, false),
        (ConditionalRequest(ifNoneMatch: #""b""#, ifModifiedSince: same), "a", true, true, true),
        (ConditionalRequest(ifNoneMatch: #""a""#), #""a""#, false, true, false),
        (ConditionalRequest(), nil, false, true, true),
        (ConditionalRequest(), "a", false, true, true),
    ] as [(ConditionalRequest, String?, Bool, Bool, Bool)])
    func werkzeugModified(request: ConditionalRequest, etag: String?, hasLastModified: Bool, ignoreIfRange: Bool, modified: Bool) {
        #expect(request.isResourceModified(etag: etag, lastModified: hasLastModified ? Self.lastModified : nil,
                                           ignoreIfRange: ignoreIfRange) == modified)
    }

    @Test("evaluate follows the RFC 9110 precondition order", arguments: [
        (ConditionalRequest(ifNoneMatch: #""a""#), true, ConditionalRequest.Outcome.notModified),
        (ConditionalRequest(ifNoneMatch: #"W/"a""#), true, .notModified),
        (ConditionalRequest(ifNoneMatch: #""a""#), false, .preconditionFailed),
        (ConditionalRequest(ifNoneMatch: #""b""#), true, .proceed),
        (ConditionalRequest(ifNoneMatch: "*"), false, .preconditionFailed),
        (ConditionalRequest(ifMatch: #""a""#), false, .proceed),
        (ConditionalRequest(ifMatch: #""b""#), false, .preconditionFailed),
        (ConditionalRequest(ifMatch: #"W/"a""#), true, .preconditionFailed),
        (ConditionalRequest(ifMatch: "*"), false, .proceed),
        (ConditionalRequest(ifModifiedSince: same), true, .notModified),
        (ConditionalRequest(ifModifiedSince: earlier), true, .proceed),
        (ConditionalRequest(ifModifiedSince: same), false, .proceed),
        (ConditionalRequest(ifModifiedSince: "garbage"), true, .proceed),
        (ConditionalRequest(ifNoneMatch: #""b""#, ifModifiedSince: same), true, .proceed),
        (ConditionalRequest(ifUnmodifiedSince: earlier), false, .preconditionFailed),
        (ConditionalRequest(ifUnmodifiedSince: same), false, .proceed),
        (ConditionalRequest(ifMatch: #""a""#, ifUnmodifiedSince: earlier), false, .proceed),
        (ConditionalRequest(ifNoneMatch: #""a""#, ifMatch: #""b""#), true, .preconditionFailed),
        (ConditionalRequest(), true, .proceed),
    ] as [(ConditionalRequest, Bool, ConditionalRequest.Outcome)])
    func evaluate(request: ConditionalRequest, getOrHead: Bool, outcome: ConditionalRequest.Outcome) {
        #expect(request.evaluate(etag: ETag("a"), lastModified: Self.lastModified, isGetOrHead: getOrHead) == outcome)
    }

    @Test("If-Match: * fails and If-None-Match: * proceeds when the resource does not exist")
    func starWithoutResource() {
        #expect(ConditionalRequest(ifMatch: "*").evaluate(etag: nil, lastModified: nil, isGetOrHead: false) == .preconditionFailed)
        #expect(ConditionalRequest(ifNoneMatch: "*").evaluate(etag: nil, lastModified: nil, isGetOrHead: false) == .proceed)
    }

    @Test("a Range applies only when If-Range strongly matches or is the exact date")
    func rangeApplies() {
        let tag = ETag("a")
        #expect(ConditionalRequest(range: "bytes=0-1").rangeApplies(etag: tag, lastModified: nil))
        #expect(!ConditionalRequest().rangeApplies(etag: tag, lastModified: nil))
        #expect(ConditionalRequest(ifRange: #""a""#, range: "bytes=0-1").rangeApplies(etag: tag, lastModified: nil))
        #expect(!ConditionalRequest(ifRange: #""b""#, range: "bytes=0-1").rangeApplies(etag: tag, lastModified: nil))
        #expect(!ConditionalRequest(ifRange: #"W/"a""#, range: "bytes=0-1").rangeApplies(etag: tag, lastModified: nil))
        #expect(!ConditionalRequest(ifRange: #""a""#, range: "bytes=0-1").rangeApplies(etag: ETag("a", weak: true), lastModified: nil))
        #expect(ConditionalRequest(ifRange: Self.same, range: "bytes=0-1").rangeApplies(etag: nil, lastModified: Self.lastModified))
        #expect(!ConditionalRequest(ifRange: Self.earlier, range: "bytes=0-1").rangeApplies(etag: nil, lastModified: Self.lastModified))
    }
}
