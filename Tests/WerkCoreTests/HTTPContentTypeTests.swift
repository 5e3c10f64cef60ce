import Testing
import WerkCore

@Suite("Content-Type, options headers and Content-Disposition")
struct HTTPContentTypeTests {
    @Test("parses options headers like parse_options_header", arguments: [
        ("text/html; charset=UTF-8", "text/html", [["charset", "UTF-8"]]),
        ("text/html", "text/html", []),
        ("", "", []),
        ("text/html;", "text/html", []),
        (#"form-data; name="f"; filename="a b.txt""#, "form-data", [["name", "f"], ["filename", "a b.txt"]]),
        ("attachment; filename*=UTF-8''na%C3%AFve%20file.txt", "attachment", [["filename", "naïve file.txt"]]),
        (#"attachment; filename="x"; filename*=UTF-8''%C3%A9.txt"#, "attachment", [["filename", "é.txt"]]),
        (#"a; FOO=bar; baz="q\"x""#, "a", [["foo", "bar"], ["baz", #"q"x"#]]),
        (#"a; name="%22x%22""#, "a", [["name", #""x""#]]),
        (#"a; key*0="foo"; key*1="bar""#, "a", [["key", "foobar"]]),
        ("a; key*0*=UTF-8''%C3; key*1*=%A9x", "a", [["key", "\u{FFFD}\u{FFFD}x"]]),
        (#"a; bad; b=1; "c"=2; d="#, "a", [["b", "1"]]),
        ("a; x*=iso-8859-1'en'%E9", "a", [["x", "é"]]),
        ("a; x*=koi8-r''%E9", "a", [["x", "%E9"]]),
        ("a; x*=us-ascii''%E9z", "a", [["x", "\u{FFFD}z"]]),
        (" text/plain ; q = 1; a=b", "text/plain", [["a", "b"]]),
    ])
    func parseOptions(header: String, value: String, params: [[String]]) {
        let h = OptionsHeader(parsing: header)
        #expect(h.value == value)
        #expect(h.parameters.map { [$0.name, $0.value ?? "<nil>"] } == params)
    }

    @Test("serializes options headers quoting only when needed", arguments: [
        (OptionsHeader("text/html", ["charset": "utf-8"]), "text/html; charset=utf-8"),
        (OptionsHeader("a", ["x": "a b", "y": nil, "z": "", "f*": "UTF-8''%20"]), #"a; x="a b"; z=""; f*=UTF-8''%20"#),
        (OptionsHeader("a", ["q": #"a"b\c"#]), #"a; q="a\"b\\c""#),
    ])
    func dumpOptions(header: OptionsHeader, text: String) {
        #expect(header.headerValue == text)
    }

    @Test("a quoted parameter never carries CR or LF into the header")
    func noHeaderSplitting() {
        let h = OptionsHeader("text/plain", ["x": "a\r\nSet-Cookie: evil=1"])
        #expect(h.headerValue == #"text/plain; x="aSet-Cookie: evil=1""#)
    }

    @Test("ContentType exposes mime type, charset and JSON-ness", arguments: [
        ("Application/JSON; charset=UTF-8", "application/json", "UTF-8", true),
        ("application/vnd.api+json", "application/vnd.api+json", nil, true),
        ("text/json", "text/json", nil, false),
        ("application/json-seq", "application/json-seq", nil, false),
        ("text/html;charset=\"utf-8\"", "text/html", "utf-8", false),
    ] as [(String, String, String?, Bool)])
    func contentType(header: String, mime: String, charset: String?, json: Bool) throws {
        let ct = try #require(ContentType(parsing: header))
        #expect(ct.mimeType == mime)
        #expect(ct.charset == charset)
        #expect(ct.isJSON == json)
    }

    @Test("a Content-Type without type/subtype is rejected", arguments: ["", "text", "/html", "text/", "; charset=utf-8"])
    func contentTypeInvalid(header: String) {
        #expect(ContentType(parsing: header) == nil)
    }

    @Test("ContentType serializes with its parameters")
    func contentTypeSerialize() throws {
        #expect(ContentType("text/html", charset: "utf-8").headerValue == "text/html; charset=utf-8")
        var ct = try #require(ContentType(parsing: #"multipart/form-data; boundary="a b""#))
        #expect(ct.parameters["boundary"] == "a b")
        ct.charset = "utf-8"
        #expect(ct.headerValue == #"multipart/form-data; boundary="a b"; charset=utf-8"#)
    }

    @Test("an ASCII file name is sent once, quoted only when needed", arguments: [
        ("report.pdf", "attachment; filename=report.pdf"),
        ("my report.pdf", #"attachment; filename="my report.pdf""#),
        (#"a"b.txt"#, #"attachment; filename="a\"b.txt""#),
    ])
    func dispositionASCII(name: String, header: String) {
        #expect(ContentDisposition.attachment(filename: name).headerValue == header)
    }

    @Test("a non-ASCII file name is sent twice like send_file", arguments: [
        ("naïve file.txt", #"attachment; filename="naive file.txt"; filename*=UTF-8''na%C3%AFve%20file.txt"#),
        ("Ünïcödé.txt", "attachment; filename=Unicode.txt; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9.txt"),
        ("日本.txt", "attachment; filename=.txt; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"),
    ])
    func dispositionUnicode(name: String, header: String) {
        #expect(ContentDisposition.attachment(filename: name).headerValue == header)
    }

    @Test("Content-Disposition parses back with filename* preferred")
    func dispositionParse() throws {
        let d = try #require(ContentDisposition(parsing: #"ATTACHMENT; filename="naive file.txt"; filename*=UTF-8''na%C3%AFve%20file.txt"#))
        #expect(d.type == "attachment")
        #expect(d.filename == "naïve file.txt")
        let f = try #require(ContentDisposition(parsing: #"form-data; name="field"; filename="a.png""#))
        #expect(f.name == "field")
        #expect(f.filename == "a.png")
        #expect(ContentDisposition.inline().headerValue == "inline")
        #expect(ContentDisposition(parsing: "") == nil)
    }
}
