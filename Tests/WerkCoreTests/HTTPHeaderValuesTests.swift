import Testing
import WerkCore

@Suite("Header lists, dicts, quoting and HeaderSet")
struct HTTPHeaderValuesTests {
    @Test("parse_list_header respects quoted commas", arguments: [
        (#"a, "b,c", d"#, ["a", "b,c", "d"]),
        (#"token, "quoted value""#, ["token", "quoted value"]),
        ("a, , b", ["a", "b"]),
        (" , ", []),
        (#""unclosed, a"#, []),
        (#"a="b, c", d"#, [#"a="b, c""#, "d"]),
        (#"x"y,z"w, v"#, [#"x"y,z"w"#, "v"]),
        (#""a\"b", c"#, [#"a"b"#, "c"]),
    ])
    func parseList(header: String, items: [String]) {
        #expect(HeaderValues.parseList(header) == items)
    }

    @Test("parse_dict_header gives ordered keys, nil for bare keys and decodes key*")
    func parseDict() {
        let d = HeaderValues.parseDict(#"a=b, c="d, e", f"#)
        #expect(d.names == ["a", "c", "f"])
        #expect(d["a"] == "b" && d["c"] == "d, e" && d["f"] == nil && d.contains("f"))
        #expect(HeaderValues.parseDict("a=, =b, c").elements
            == [HeaderParameter(name: "a", value: ""), HeaderParameter(name: "c", value: nil)])
        #expect(HeaderValues.parseDict("title*=UTF-8''%C3%A9, x=1")["title"] == "é")
        #expect(HeaderValues.parseDict("a=1, a=2").elements == [HeaderParameter(name: "a", value: "2")])
        #expect(HeaderValues.parseDict(#""k"=v"#)[#""k""#] == "v")
    }

    @Test("quote leaves tokens alone and quotes everything else", arguments: [
        ("abc", "abc"), ("a b", #""a b""#), ("", #""""#), (#"a"b"#, #""a\"b""#), (#"a\b"#, #""a\\b""#),
        ("a,b", #""a,b""#), ("a'b", "a'b"),
    ])
    func quote(value: String, quoted: String) {
        #expect(HeaderValues.quote(value) == quoted)
        #expect(HeaderValues.unquote(quoted) == value)
    }

    @Test("quote can be forced for tokens and unquote keeps unquoted text")
    func quoteOptions() {
        #expect(HeaderValues.quote("abc", allowToken: false) == #""abc""#)
        #expect(HeaderValues.unquote("abc") == "abc")
        #expect(HeaderValues.unquote(#"""#) == #"""#)
        #expect(HeaderValues.unquote(#""a\xb""#) == "axb")
    }

    @Test("dump_header writes lists and dicts")
    func dump() {
        #expect(HeaderValues.dumpList(["foo", "bar baz"]) == #"foo, "bar baz""#)
        #expect(HeaderValues.dumpDict(["foo": "bar baz", "x": nil, "n*": "UTF-8''a"]) == #"foo="bar baz", x, n*=UTF-8''a"#)
    }

    @Test("HeaderSet is a case-insensitive ordered set")
    func headerSet() {
        var vary = HeaderSet(parsing: #"Accept-Encoding, "Cookie", accept-encoding"#)
        #expect(vary.values == ["Accept-Encoding", "Cookie"])
        #expect(vary.contains("COOKIE"))
        let insertedCookie = vary.insert("cookie")
        let insertedOrigin = vary.insert("Origin")
        #expect(!insertedCookie && insertedOrigin)
        #expect(vary.headerValue == "Accept-Encoding, Cookie, Origin")
        #expect(vary.firstIndex(of: "origin") == 2)
        let removedOnce = vary.remove("accept-encoding")
        let removedTwice = vary.remove("accept-encoding")
        #expect(removedOnce && !removedTwice)
        #expect(vary.count == 2)
        #expect(HeaderSet(["GET", "HEAD"]) == ["get", "head"])
        #expect(HeaderSet(parsing: "").isEmpty)
    }

    @Test("HeaderParameters keep insertion order and replace in place")
    func headerParameters() {
        var p: HeaderParameters = ["a": "1", "b": "2"]
        p["a"] = "3"
        p["c"] = "4"
        #expect(p.names == ["a", "b", "c"])
        #expect(p["a"] == "3")
        p["b"] = nil
        #expect(p.names == ["a", "c"])
        p.set("flag", nil)
        #expect(p.contains("flag") && p["flag"] == nil)
        #expect(p.parameter(named: "flag") == HeaderParameter(name: "flag", value: nil))
    }
}
