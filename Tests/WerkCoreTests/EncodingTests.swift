import Testing
@testable import WerkCore

@Suite("PercentEncoding")
struct PercentEncodingTests {
    // Expected values: urllib.parse.quote(text, safe=safe) (Python 3.11).
    @Test("encode escapes everything outside the unreserved set and safe, as urllib's quote",
          arguments: [("a b/ü", "/", "a%20b/%C3%BC"), ("a b/ü", "", "a%20b%2F%C3%BC"), ("~-._AZaz09", "", "~-._AZaz09"),
                      ("!*'();:@&=+$,/?#[]", "", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D"),
                      ("100%", "", "100%25"), ("100%", "%", "100%"), ("\0\n\u{7F}", "", "%00%0A%7F"), ("", "", ""),
                      ("日本", "", "%E6%97%A5%E6%9C%AC"), ("😀", "", "%F0%9F%98%80")])
    func encode(text: String, safe: String, expected: String) {
        #expect(PercentEncoding.encode(text, safe: safe) == expected)
    }

    @Test("spaceAsPlus writes spaces as + and escapes a literal +, as quote_plus")
    func spaceAsPlus() {
        #expect(PercentEncoding.encode("a b+c", spaceAsPlus: true) == "a+b%2Bc")
    }

    @Test("decode turns escapes into UTF-8 and keeps malformed escapes literally",
          arguments: [("a%20b", "a b"), ("%C3%BC", "ü"), ("%c3%bc", "ü"), ("a+b", "a+b"), ("%zz", "%zz"), ("%", "%"),
                      ("a%2", "a%2"), ("%%41", "%A"), ("%FF", "\u{FFFD}"), ("plain", "plain"), ("%2525", "%25")])
    func decode(text: String, expected: String) {
        #expect(PercentEncoding.decode(text) == expected)
    }

    @Test("decode with plusAsSpace turns + into a space but not an escaped plus")
    func plusAsSpace() {
        #expect(PercentEncoding.decode("a+b%2Bc", plusAsSpace: true) == "a b+c")
    }

    @Test("decodeStrictly is nil on a malformed escape", arguments: ["%zz", "%", "a%4", "%G1", "%4g"])
    func strict(text: String) {
        #expect(PercentEncoding.decodeStrictly(text) == nil)
    }

    @Test("encode then decode is the identity", arguments: ["a b/c?d=e&f#g", "ünï cödé", "100% sure+", "\u{1F600}\t\n", ""])
    func roundTrip(text: String) {
        #expect(PercentEncoding.decode(PercentEncoding.encode(text)) == text)
        #expect(PercentEncoding.decode(PercentEncoding.encode(text, spaceAsPlus: true), plusAsSpace: true) == text)
    }
}

@Suite("URLQuery")
struct URLQueryTests {
    private func pairs(_ raw: String) throws -> [String] {
        try URLQuery.parse(raw).pairs.map { "\($0.key)=\($0.value)" }
    }

    // Expected pairs: Werkzeug 3.1.8 request.args.items(multi=True) for the same query string.
    @Test("parse matches Werkzeug for well-formed input",
          arguments: [("a=1&&b=&c", ["a=1", "b=", "c="]), ("=x", ["=x"]), ("a=1;b=2", ["a=1;b=2"]),
                      ("q=a+b%20c", ["q=a b c"]), ("k%20ey=v%2Bal", ["k ey=v+al"]), ("x=%C3%A4", ["x=ä"]),
                      ("a==b", ["a==b"]), ("&", []), ("", []), ("a=1&a=2&a=", ["a=1", "a=2", "a="]),
                      ("a%3Db=c%26d", ["a=b=c&d"])])
    func parse(raw: String, expected: [String]) throws {
        #expect(try pairs(raw) == expected)
    }

    @Test("parse is a 400 on malformed escapes where Werkzeug would keep them literally", arguments: ["%zz=1", "a=%", "a=%e"])
    func malformed(raw: String) {
        #expect(throws: HTTPError.self) { try URLQuery.parse(raw) }
    }

    @Test("random query strings parse or answer 400, and whatever parses round-trips through encode")
    func randomInputs() throws {
        let alphabet = Array("%+=&aZ0F9 ü#?;\u{0}😀".unicodeScalars)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var parsed = 0
        for _ in 0..<2_000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<(next() % 12) { text.append(alphabet[next() % alphabet.count]) }
            let raw = String(text)
            do {
                let dict = try URLQuery.parse(raw)
                parsed += 1
                #expect(try URLQuery.parse(URLQuery.encode(dict)) == dict)
            } catch let error as HTTPError {
                #expect(error.status == .badRequest)
                #expect(raw.contains("%"))
            }
            _ = PercentEncoding.decode(raw, plusAsSpace: true)
        }
        #expect(parsed > 100)
    }

    @Test("more than maxPairs fields is a 413")
    func maxPairs() throws {
        let raw = (0..<5).map { "k\($0)=v" }.joined(separator: "&")
        #expect(try URLQuery.parse(raw, maxPairs: 5).count == 5)
        do {
            _ = try URLQuery.parse(raw, maxPairs: 4)
            Issue.record("expected 413")
        } catch let error as HTTPError {
            #expect(error.status == .contentTooLarge)
        }
    }

    // Expected: urllib.parse.urlencode(pairs) (what Werkzeug's test client sends).
    @Test("encode writes pairs as urlencode does")
    func encode() {
        #expect(URLQuery.encode([("q", "a b"), ("x", "ü&="), ("t", "~-._*")]) == "q=a+b&x=%C3%BC%26%3D&t=~-._%2A")
        #expect(URLQuery.encode([(String, String)]()) == "")
        #expect(URLQuery.encode(MultiDict([("a", "1"), ("a", "2")])) == "a=1&a=2")
    }

    @Test("encode then parse round-trips any pairs, duplicates and order included",
          arguments: [[("a", "1"), ("a", "2"), ("b", "")], [("sp ace", "a+b=c&d"), ("ü", "日本")], [("", "empty key"), ("%", "%25")]])
    func roundTrip(input: [(String, String)]) throws {
        let parsed = try URLQuery.parse(URLQuery.encode(input))
        #expect(parsed == MultiDict(input))
    }
}

@Suite("Base64")
struct Base64Tests {
    // RFC 4648 §10 test vectors.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test("encode matches the RFC 4648 vectors", arguments: vectors)
    func encode(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.encode(Array(plain.utf8), padding: false) == encoded.filter { $0 != "=" })
    }

    @Test("decode matches the RFC 4648 vectors, with or without padding", arguments: vectors)
    func decode(plain: String, encoded: String) {
        #expect(Base64.decode(encoded) == Array(plain.utf8))
        #expect(Base64.decode(encoded.filter { $0 != "=" }) == Array(plain.utf8))
    }

    @Test("the URL-safe alphabet uses - and _ instead of + and /")
    func urlSafe() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64.encode(bytes, urlSafe: true) == "-_-_")
        #expect(Base64.decode("-_-_", urlSafe: true) == bytes)
        #expect(Base64.decode("-_-_") == nil)
        #expect(Base64.decode("+/+/", urlSafe: true) == nil)
        #expect(Base64.encode(Array("hello".utf8), urlSafe: true, padding: false) == "aGVsbG8")
    }

    @Test("decode rejects characters outside the alphabet, impossible lengths and misplaced padding",
          arguments: ["Zg=a", "Z", "Zm9vY", "Zg===", "Zm 9v", "Zm9v\n", "Zg==Zg==", "=", "Zm8==", "Zg="])
    func invalid(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test("every byte value round-trips in both alphabets")
    func roundTrip() {
        let bytes = (0...255).map { UInt8($0) }
        for n in [0, 1, 2, 3, 254, 255, 256] {
            let slice = Array(bytes.prefix(n))
            #expect(Base64.decode(Base64.encode(slice)) == slice)
            #expect(Base64.decode(Base64.encode(slice, urlSafe: true, padding: false), urlSafe: true) == slice)
        }
    }
}
