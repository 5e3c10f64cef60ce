import Testing
import WerkCore

@Suite("Cache-Control")
struct HTTPCacheControlTests {
    @Test("reads response directives typed")
    func responseDirectives() {
        let cc = ResponseCacheControl(parsing: #"ext="a b", s-maxage=10, immutable, stale-while-revalidate=30, stale-if-error=60, must-understand, no-transform, proxy-revalidate"#)
        #expect(cc.sMaxAge == 10)
        #expect(cc.immutable && cc.mustUnderstand && cc.noTransform && cc.proxyRevalidate)
        #expect(cc.staleWhileRevalidate == 30)
        #expect(cc.staleIfError == 60)
        #expect(cc.maxAge == nil && !cc.public && !cc.noCache)
        #expect(cc.directive("ext") == .some("a b"))
        #expect(cc.headerValue == #"ext="a b", s-maxage=10, immutable, stale-while-revalidate=30, stale-if-error=60, must-understand, no-transform, proxy-revalidate"#)
    }

    @Test("max-age, public, private and no-cache parse as Werkzeug 3.1 does", arguments: [
        ("max-age=60, public", 60, true, false, false),
        ("no-cache, no-store, must-revalidate", nil, false, false, true),
        (#"private="Set-Cookie", max-age=abc"#, nil, false, true, false),
        ("max-age", nil, false, false, false),
    ] as [(String, Int?, Bool, Bool, Bool)])
    func responseBasics(header: String, maxAge: Int?, isPublic: Bool, isPrivate: Bool, noCache: Bool) {
        let cc = ResponseCacheControl(parsing: header)
        #expect(cc.maxAge == maxAge)
        #expect(cc.public == isPublic)
        #expect(cc.private == isPrivate)
        #expect(cc.noCache == noCache)
    }

    @Test("field lists of private and no-cache are available")
    func fieldLists() {
        var cc = ResponseCacheControl(parsing: #"private="Set-Cookie, Authorization", no-cache"#)
        #expect(cc.privateFields == ["Set-Cookie", "Authorization"])
        #expect(cc.noCacheFields == [])
        cc.noCacheFields = ["Set-Cookie"]
        #expect(cc.headerValue == #"private="Set-Cookie, Authorization", no-cache=Set-Cookie"#)
    }

    @Test("reads request directives typed")
    func requestDirectives() {
        let cc = RequestCacheControl(parsing: "max-stale=10, min-fresh=5, only-if-cached, no-cache, no-store, max-age=0")
        #expect(cc.maxStale == .seconds(10))
        #expect(cc.minFresh == 5)
        #expect(cc.onlyIfCached && cc.noCache && cc.noStore)
        #expect(cc.maxAge == 0)
        #expect(RequestCacheControl(parsing: "max-stale").maxStale == .any)
        #expect(RequestCacheControl(parsing: "max-stale=x").maxStale == nil)
        #expect(RequestCacheControl(parsing: "").maxStale == nil)
    }

    @Test("directive names ignore case")
    func caseInsensitive() {
        #expect(ResponseCacheControl(parsing: "Max-Age=5, PUBLIC").maxAge == 5)
        #expect(ResponseCacheControl(parsing: "Max-Age=5, PUBLIC").public)
    }

    @Test("setting directives builds the header in order and false removes them")
    func building() {
        var cc = ResponseCacheControl()
        cc.public = true
        cc.maxAge = 3600
        cc.immutable = true
        #expect(cc.headerValue == "public, max-age=3600, immutable")
        cc.public = false
        cc.noCache = true
        #expect(cc.headerValue == "max-age=3600, immutable, no-cache")
        cc.maxAge = nil
        cc.private = true
        cc.sMaxAge = 0
        cc.mustRevalidate = true
        cc.staleWhileRevalidate = 5
        cc.staleIfError = 9
        cc.noStore = true
        #expect(cc.headerValue == "immutable, no-cache, private, s-maxage=0, must-revalidate, stale-while-revalidate=5, stale-if-error=9, no-store")
        cc.immutable = false
        cc.noCache = false
        #expect(cc.headerValue.hasPrefix("private"))
    }

    @Test("unknown extensions survive a round-trip and can be set")
    func extensions() {
        var cc = RequestCacheControl(parsing: #"foo=bar, baz, qux="a, b""#)
        #expect(cc.headerValue == #"foo=bar, baz, qux="a, b""#)
        cc.setDirective("X-Ext", "1")
        cc.removeDirective("baz")
        cc.maxStale = .any
        cc.minFresh = 3
        cc.onlyIfCached = true
        #expect(cc.headerValue == #"foo=bar, qux="a, b", x-ext=1, max-stale, min-fresh=3, only-if-cached"#)
        #expect(cc.directive("baz") == nil)
        #expect(cc.directive("MAX-STALE") == .some(nil))
        #expect(RequestCacheControl().isEmpty)
    }
}
