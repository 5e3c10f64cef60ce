import Testing
import WerkCore
@testable import WerkRouting

@Suite("Converters and rule syntax")
struct ConverterTests {
    /// The map of /tmp/wz.py, checked against Werkzeug 3.1.8.
    static let router = Router {
        Route("/<name>.html", name: "html", handler: echo("html"))
        Route("/<name>", name: "name", handler: echo("name"))
        Route("/static", name: "static", handler: echo("static"))
        Route("/<int:n>", name: "int", handler: echo("int"))
        Route("/<path:p>/edit", name: "edit", handler: echo("edit"))
        Route("/x/<a>-<b>", name: "ab", handler: echo("ab"))
        Route("/docs/<path:p>/", name: "docs", handler: echo("docs"))
        Route("/any/<any(a, b, 'c,d'):x>", name: "any", handler: echo("any"))
        Route("/s/<string(length=2):c>", name: "s2", handler: echo("s2"))
        Route("/s/<string(minlength=3,maxlength=4):c>", name: "s34", handler: echo("s34"))
        Route("/neg/<int(signed=True):n>", name: "neg", handler: echo("neg"))
        Route("/fl/<float(signed=True):x>", name: "fl", handler: echo("fl"))
        Route("/r/<int(min=1,max=9):n>", name: "range", handler: echo("range"))
    }

    @Test("matches as Werkzeug 3.1.8 does", arguments: [
        ("/a.html", "html", ["name": "a"]), ("/a", "name", ["name": "a"]), ("/static", "static", [:]),
        ("/42", "int", ["n": "42"]), ("/a/b/edit", "edit", ["p": "a/b"]), ("/x/q-r-s", "ab", ["a": "q-r", "b": "s"]),
        ("/docs/a/b/", "docs", ["p": "a/b"]), ("/any/a", "any", ["x": "a"]), ("/any/c,d", "any", ["x": "c,d"]),
        ("/s/ab", "s2", ["c": "ab"]), ("/s/abc", "s34", ["c": "abc"]), ("/neg/-5", "neg", ["n": "-5"]),
        ("/fl/-1.5", "fl", ["x": "-1.5"]), ("/r/5", "range", ["n": "5"]), ("/docs/a//b/", "docs", ["p": "a//b"]),
        ("/a.b.html", "html", ["name": "a.b"]),
    ] as [(String, String, [String: String])])
    func matches(path: String, endpoint: String, values: [String: String]) {
        let result = Self.router.test(path)
        #expect(result.endpoint == endpoint, "\(path): \(result)")
        #expect(result.values == values, "\(path)")
    }

    @Test("rejects as Werkzeug 3.1.8 does", arguments: ["/any/e", "/s/abcde", "/s/a", "/r/0", "/r/10", "/x/-a"])
    func rejects(path: String) {
        #expect(Self.router.test(path).isNotFound, "\(path)")
    }

    @Test("a path rule ending in / redirects the spelling without it")
    func suffixedPath() {
        #expect(Self.router.test("/docs/a/b").location == "http://example.com/docs/a/b/")
    }

    @Test("typed values: Int, Double, UUID and String")
    func typedValues() throws {
        let router = Router {
            Route("/v/<int:i>/<float:f>/<uuid:u>/<s>", handler: echo("v"))
        }
        guard case .matched(let match) = router.test("/v/7/2.5/12345678-1234-1234-1234-123456789ABC/hi") else {
            Issue.record("no match"); return
        }
        let p = match.parameters
        #expect(p.int("i") == 7)
        #expect(p.double("f") == 2.5)
        #expect(p.uuid("u")?.uuidString == "12345678-1234-1234-1234-123456789ABC")
        #expect(p["u"] == "12345678-1234-1234-1234-123456789abc")
        #expect(p["s"] == "hi")
        #expect(try p.value("i", as: Int.self) == 7)
        #expect(try p.value("s", as: String.self) == "hi")
        #expect(throws: RouteValueError.self) { try p.value("missing", as: Int.self) }
        #expect(throws: RouteValueError.self) { try p.value("s", as: Int.self) }
        #expect(p.int("s") == nil)
    }

    @Test("an int too large for Int is a 404, not a crash")
    func intOverflow() {
        let router = Router { Route("/n/<int:n>", handler: echo("n")) }
        #expect(router.test("/n/99999999999999999999999").isNotFound)
        #expect(router.test("/n/9223372036854775807").values == ["n": "9223372036854775807"])
    }

    @Test("string length counts characters, not bytes")
    func unicodeLength() {
        let router = Router { Route("/c/<string(length=2):c>", handler: echo("c")) }
        #expect(router.test("/c/üé").values == ["c": "üé"])
        #expect(router.test("/c/ü").isNotFound)
    }

    @Test("custom converters: match, convert, to-URL, weight")
    func customConverter() throws {
        struct Hex: RouteConverter {
            var weight: Int { 10 }
            func matches(_ text: Substring) -> Bool { !text.isEmpty && text.allSatisfy(\.isHexDigit) }
            func convert(_ text: Substring) throws -> RouteValue {
                guard let v = Int(text, radix: 16) else { throw RouteValidationError() }
                return .int(v)
            }
            func toURL(_ value: RouteValue) throws -> String {
                guard case .int(let v) = value else { throw ConverterArgumentError("not an int") }
                return String(v, radix: 16)
            }
        }
        let router = Router(converters: ["hex": { _ in Hex() }]) {
            Route("/c/<name>", name: "name", handler: echo("name"))
            Route("/c/<hex:h>", name: "hex", handler: echo("hex"))
        }
        try router.validate()
        #expect(router.test("/c/ff").endpoint == "hex")  // weight 10 is tried before string's 100
        #expect(router.test("/c/ff").values == ["h": "255"])
        #expect(router.test("/c/zz").endpoint == "name")
        #expect(try router.map.build("hex", [("h", 255)], context: exampleBinding) == "/c/ff")
    }

    @Test("a converter spanning slashes when isPartIsolating is false")
    func customNonIsolating() {
        struct Tail: RouteConverter {
            var isPartIsolating: Bool { false }
            func matches(_ text: Substring) -> Bool { text.hasSuffix(".md") }
        }
        let router = Router(converters: ["md": { _ in Tail() }]) { Route("/wiki/<md:page>", handler: echo("wiki")) }
        #expect(router.test("/wiki/a/b.md").values == ["page": "a/b.md"])
        #expect(router.test("/wiki/a/b.txt").isNotFound)
    }

    @Test("converter arguments in Python literal syntax")
    func argumentParsing() throws {
        let args = try ConverterArgumentParser.parse(#"1, 'x,y', "z", True, None, 2.5, n=3, name=u'w'"#)
        #expect(args.positional.map { $0?.description ?? "None" } == ["1", "x,y", "z", "True", "None", "2.5"])
        #expect(args.keyword.map(\.name) == ["n", "name"])
        #expect(args.keyword[1].value == .string("w"))
        #expect(try ConverterArgumentParser.parse("").isEmpty)
        #expect(throws: ConverterArgumentError.self) { try ConverterArgumentParser.parse("a=1, 2") }
        #expect(throws: ConverterArgumentError.self) { try ConverterArgumentParser.parse("'open") }
        #expect(throws: ConverterArgumentError.self) { try ConverterArgumentParser.parse("@") }
    }

    @Test("malformed rules name the rule and the position", arguments: [
        ("users", 1, "must start with '/'"), ("/users/<int:>", 13, "expected '<name>'"), ("/u/<int:>", 9, "expected"), ("/u/<1a>", 5, "expected"),
        ("/u/<id", 4, "'<' is not closed"), ("/u/<nope:x>", 5, "unknown converter 'nope'"),
        ("/u/<int(foo=1):x>", 9, "unexpected argument 'foo'"), ("/u/<int(min='a'):x>", 9, "must be an integer"),
        ("/u/<a>/<a>", 8, "used twice"), ("/u/<any(a:x>", 8, "not closed"),
    ] as [(String, Int, String)])
    func malformed(rule: String, position: Int, reason: String) {
        let router = Router { Route(rule, handler: echo("x")) }
        #expect(router.map.errors.count == 1)
        guard let error = router.map.errors.first else { return }
        #expect(error.rule == rule)
        #expect(error.position == position, "\(error)")
        #expect(error.reason.contains(reason), "\(error)")
        #expect(error.description.contains("^"))
        #expect(throws: RouteDefinitionError.self) { try router.validate() }
    }

    @Test("a WebSocket rule may not use POST; a rule needs a handler")
    func otherDefinitionErrors() {
        let router = Router {
            Route("/ws", methods: [.post], websocket: true, handler: echo("ws"))
            Route("/none", handler: nil)
        }
        #expect(router.map.errors.count == 2)
        #expect(router.map.errors[0].reason.contains("WebSocket"))
        #expect(router.map.errors[1].reason.contains("no handler"))
    }
}
