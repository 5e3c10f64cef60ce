import Testing
import WerkCore

@Suite("Accept headers")
struct HTTPAcceptTests {
    @Test("MIME best match, header and qualities match Werkzeug", arguments: [
        ("text/html, application/json;q=0.9", ["application/json", "text/html"], "text/html,application/json;q=0.9", "text/html", [0.9, 1]),
        ("text/*;q=0.5, text/html;q=0.9", ["text/plain", "text/html"], "text/html;q=0.9,text/*;q=0.5", "text/html", [0.5, 0.9]),
        ("*/*;q=0.1, application/json", ["text/html", "application/json"], "application/json,*/*;q=0.1", "application/json", [0.1, 1]),
        ("text/html;q=0", ["text/html"], "text/html;q=0.0", nil, [0]),
        ("text/html;level=1, text/html;q=0.5", ["text/html;level=1", "text/html"], "text/html; level=1,text/html;q=0.5", "text/html;level=1", [1, 0.5]),
        ("application/json;q=abc, text/html;q=2, text/plain;q=0.3", ["application/json", "text/html", "text/plain"], "text/plain;q=0.3", "text/plain", [0, 0, 0.3]),
        ("*/*", ["image/png", "text/html"], "*/*", "image/png", [1, 1]),
        ("image/*", ["image/png", "text/html"], "image/*", "image/png", [1, 0]),
        ("text/html, */*;q=0.8", ["application/xml", "text/html"], "text/html,*/*;q=0.8", "text/html", [0.8, 1]),
    ] as [(String, [String], String, String?, [Double])])
    func mime(header: String, offers: [String], serialized: String, best: String?, qualities: [Double]) {
        let a = MIMEAccept(parsing: header)
        #expect(a.headerValue == serialized)
        #expect(a.bestMatch(offers) == best)
        #expect(offers.map { a.quality(for: $0) } == qualities)
    }

    @Test("acceptsHTML, acceptsXHTML and acceptsJSON follow the media types", arguments: [
        ("text/html", true, false, false),
        ("application/xhtml+xml", true, true, false),
        ("application/xml", true, true, false),
        ("application/json", false, false, true),
        ("*/*", true, true, true),
        ("image/png", false, false, false),
    ])
    func mimeFlags(header: String, html: Bool, xhtml: Bool, json: Bool) {
        let a = MIMEAccept(parsing: header)
        #expect(a.acceptsHTML == html)
        #expect(a.acceptsXHTML == xhtml)
        #expect(a.acceptsJSON == json)
    }

    @Test("a missing Accept header accepts nothing and gives the default")
    func missingHeader() {
        let a = MIMEAccept(parsing: String?.none)
        #expect(!a.isProvided)
        #expect(a.bestMatch(["text/html"]) == nil)
        #expect(a.bestMatch(["text/html"], default: "text/plain") == "text/plain")
        #expect(MIMEAccept(parsing: "").isEmpty)
    }

    @Test("items are ranked by specificity then quality, ties keep header order")
    func specificityOrder() {
        let a = MIMEAccept(parsing: "*/*, text/*, text/html, text/html;level=1, application/json")
        #expect(a.values == ["text/html; level=1", "text/html", "application/json", "text/*", "*/*"])
        #expect(a.best == "text/html; level=1")
        #expect(a.firstIndex(matching: "image/png") == 4)
    }

    @Test("an invalid offer or client item never matches instead of raising")
    func invalidMime() {
        let a = MIMEAccept(parsing: "*/html, text/html")
        #expect(a.quality(for: "text/plain") == 0)
        #expect(a.bestMatch(["html", "*/plain", "text/html"]) == "text/html")
    }

    @Test("media type parameters must match as a set")
    func mimeParameters() {
        let a = MIMEAccept(parsing: "text/html;a=1;b=2")
        #expect(a.contains("text/html;b=2;a=1"))
        #expect(!a.contains("text/html;a=1"))
        #expect(MIMEAccept(parsing: "text/*").contains("text/html;a=1"))
    }

    @Test("language best match falls back to primary tags only when nothing matches exactly", arguments: [
        ("en-US, de;q=0.5", ["en", "de"], "de"),
        ("en, de;q=0.5", ["en-US", "de-DE"], "en-US"),
        ("en_US", ["en-us"], "en-us"),
        ("de-AT, en;q=0.8", ["de-DE", "en"], "en"),
        ("fr", ["en", "de"], nil),
        ("*", ["fr", "en"], "fr"),
        ("en-GB;q=0.8, en-US", ["en-gb", "en-us"], "en-us"),
        ("en-US", ["en"], "en"),
        ("en", ["en-GB", "en-US"], "en-GB"),
    ] as [(String, [String], String?)])
    func language(header: String, offers: [String], best: String?) {
        #expect(LanguageAccept(parsing: header).bestMatch(offers) == best)
    }

    @Test("language tags ignore case and treat - and _ alike")
    func languageNormalization() {
        let a = LanguageAccept(parsing: "de-CH;q=0.7, EN_us")
        #expect(a.quality(for: "en-US") == 1)
        #expect(a.quality(for: "de_ch") == 0.7)
        #expect(a.bestMatch(["xx"], default: "en") == "en")
    }

    @Test("charset names are compared after normalising aliases", arguments: [
        ("utf-8, iso-8859-1;q=0.5", ["latin1", "UTF8"], "UTF8", [0.5, 1]),
        ("ISO-8859-1", ["latin-1"], "latin-1", [1]),
        ("*;q=0.2, utf-8", ["ascii", "utf-8"], "utf-8", [0.2, 1]),
        ("us-ascii", ["ASCII", "utf-8"], "ASCII", [1, 0]),
    ] as [(String, [String], String?, [Double])])
    func charset(header: String, offers: [String], best: String?, qualities: [Double]) {
        let a = CharsetAccept(parsing: header)
        #expect(a.bestMatch(offers) == best)
        #expect(offers.map { a.quality(for: $0) } == qualities)
    }

    @Test("Accept-Encoding keeps values and drops invalid q values", arguments: [
        ("gzip, deflate, br;q=0.9, *;q=0.1", ["gzip", "deflate", "br", "*"], "gzip,deflate,br;q=0.9,*;q=0.1"),
        ("gzip;q=1.0, identity; q=0.5, *;q=0", ["gzip", "identity", "*"], "gzip,identity;q=0.5,*;q=0.0"),
        ("a;q=1.5, b;q=-0.1, c;q=.5, d;q=0.50, e; q=1 ", ["e", "d"], "e,d;q=0.5"),
    ])
    func encoding(header: String, values: [String], serialized: String) {
        let a = EncodingAccept(parsing: header)
        #expect(a.values == values)
        #expect(a.headerValue == serialized)
    }

    @Test("a wildcard encoding with q=0 refuses everything else")
    func encodingWildcardZero() {
        let a = EncodingAccept(parsing: "gzip, *;q=0")
        #expect(a.bestMatch(["br", "gzip"]) == "gzip")
        #expect(a.bestMatch(["br"]) == nil)
        #expect(a.contains("br"))
        #expect(a.quality(for: "GZIP") == 1)
    }

    @Test("quoted commas inside parameters do not split items")
    func quotedCommas() {
        let a = MIMEAccept(parsing: #"text/html;x="a,b";q=0.5, text/plain"#)
        #expect(a.values == ["text/html; x=\"a,b\"", "text/plain"])
    }
}
