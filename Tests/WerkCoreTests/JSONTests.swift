import Testing
import WerkTestSupport
@testable import WerkCore

@Suite("JSON values, parser and serializer")
struct JSONTests {
    static let sample: JSON = [
        "z": 1, "é": "x", "": [:],
        "Z": .string("ctrl\u{0}\u{1f}\u{7f}\"\\\n\t\r\u{8}\u{c}/ü€😀\u{2028}"),
        "a": [true, false, nil, -5, 0, 2.5, 1e16, 1e-05, 1.0, .double(-0.0), 123456789.125, 1e300, .double(.leastNonzeroMagnitude), 0.1],
    ]

    @Test("serialized(asciiOnly: true) is byte-identical to Python's json.dumps with ensure_ascii")
    func serializeMatchesPythonASCII() {
        #expect(Self.sample.serialized(asciiOnly: true) == #"{"":{},"Z":"ctrl\u0000\u001f\u007f\"\\\n\t\r\b\f/\u00fc\u20ac\ud83d\ude00\u2028","a":[true,false,null,-5,0,2.5,1e+16,1e-05,1.0,-0.0,123456789.125,1e+300,5e-324,0.1],"z":1,"\u00e9":"x"}"#)
    }

    @Test("serialized() is byte-identical to Python's json.dumps with ensure_ascii=False")
    func serializeMatchesPythonUTF8() {
        let value: JSON = ["z": 1, "é": "x", "Z": .string("ctrl\u{0}\u{1f}\u{7f}\"\\\n\t\r\u{8}\u{c}/ü€😀\u{2028}")]
        #expect(value.serialized() == "{\"Z\":\"ctrl\\u0000\\u001f\u{7f}\\\"\\\\\\n\\t\\r\\b\\f/ü€😀\u{2028}\",\"z\":1,\"é\":\"x\"}")
        #expect(value.serializedBytes() == Array(value.serialized().utf8))
    }

    @Test("doubles are written in Python's repr form")
    func doublesUsePythonRepr() {
        let cases: [(Double, String)] = [
            (2.5, "2.5"), (1.0, "1.0"), (1e16, "1e+16"), (1e15, "1000000000000000.0"), (1e-05, "1e-05"),
            (0.0001, "0.0001"), (-0.0, "-0.0"), (0.0, "0.0"), (123456789012345680.0, "1.2345678901234568e+17"),
            (1.5e-7, "1.5e-07"), (1e100, "1e+100"), (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
            (9007199254740992, "9007199254740992.0"), (0.1 + 0.2, "0.30000000000000004"), (-1.25e-10, "-1.25e-10"),
        ]
        for (value, expected) in cases {
            #expect(JSON.double(value).serialized() == expected, "\(value)")
        }
    }

    @Test("non-finite doubles are written as null, never as NaN or Infinity")
    func nonFiniteDoublesBecomeNull() {
        let value: JSON = [.double(.nan), .double(.infinity), .double(-.infinity)]
        #expect(value.serialized() == "[null,null,null]")
    }

    @Test("keys are sorted by code point, like Python's sort of str")
    func keysSortByCodePoint() {
        let value: JSON = ["b": 1, "a": 2, "B": 3, "é": 4, "😀": 5, "\u{ffff}": 6, "aa": 7]
        #expect(value.serialized() == "{\"B\":3,\"a\":2,\"aa\":7,\"b\":1,\"é\":4,\"\u{ffff}\":6,\"😀\":5}")
    }

    @Test("parse reads every kind of value")
    func parseReadsValues() throws {
        let value = try JSON.parse(#" {"a": [1, -2, 2.5, -0, 1E2, true, false, null], "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "o": {}} "#)
        #expect(value["a"] == [1, -2, 2.5, 0, 100.0, true, false, nil])
        #expect(value["s"]?.stringValue == "x\"\\/\u{8}\u{c}\n\r\té😀")
        #expect(value["o"] == .object([:]))
        #expect(value["missing"] == nil)
    }

    @Test("integers that fit Int are .int, larger ones and fractions are .double")
    func numberKinds() throws {
        #expect(try JSON.parse("9223372036854775807") == .int(.max))
        #expect(try JSON.parse("-9223372036854775808") == .int(.min))
        #expect(try JSON.parse("9223372036854775808") == .double(9223372036854775808.0))
        #expect(try JSON.parse("-9223372036854775809") == .double(-9223372036854775809.0))
        #expect(try JSON.parse("1.0") == .double(1))
        #expect(try JSON.parse("1e2") == .double(100))
        #expect(try JSON.parse("1" + String(repeating: "0", count: 300)) == .double(1e300))
        #expect(throws: JSONError.self) { try JSON.parse(String(repeating: "9", count: 400)) }
    }

    @Test("parse rejects invalid documents with the byte offset of the problem", arguments: [
        ("", 0), ("   ", 3), ("[1,]", 3), ("{\"a\":1,}", 7), ("[1 2]", 3), ("01", 0), ("1.", 2), ("1e", 2), ("-", 0),
        (".5", 0), ("+1", 0), ("NaN", 0), ("Infinity", 0), ("[1] x", 4), ("{\"a\" 1}", 5), ("{1:2}", 1), ("tru", 0),
        ("nul", 0), ("\"abc", 0), ("\"a\nb\"", 2), ("\"\\x\"", 1), ("\"\\u12\"", 1), ("\"\\ud800\"", 1),
        ("\"\\udc00\"", 1), ("\"\\ud800\\u0041\"", 1), ("1e400", 0), ("-1e400", 0), ("[", 1), ("{", 1), ("// c\n1", 0),
        ("'a'", 0), ("[1,,2]", 3), ("\u{feff}\u{feff}1", 3),
    ])
    func parseRejects(input: String, offset: Int) {
        #expect(throws: JSONError.self) { try JSON.parse(input) }
        do {
            _ = try JSON.parse(input)
        } catch {
            #expect(error.offset == offset, "\(input.debugDescription): \(error)")
        }
    }

    @Test("parse rejects invalid UTF-8 inside strings")
    func parseRejectsBadUTF8() {
        for bad: [UInt8] in [[0x22, 0xff, 0x22], [0x22, 0xc3, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x22, 0xc0, 0xaf, 0x22],
                             [0x22, 0x5c, 0x6e, 0xff, 0x22]] {
            #expect(throws: JSONError.self) { try JSON.parse(bad) }
        }
    }

    @Test("a UTF-8 byte-order mark before the value is skipped")
    func byteOrderMarkIsSkipped() throws {
        #expect(try JSON.parse([0xef, 0xbb, 0xbf] + Array(utf8: "[1]")) == [1])
    }

    @Test("nesting is accepted up to 512 levels and refused beyond")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSON.parse(ok) }
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONError.self) { try JSON.parse(deep) }
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONError.self) { try JSON.parse(hostile) }
    }

    @Test("duplicate keys keep the last value, as Python does")
    func duplicateKeys() throws {
        #expect(try JSON.parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    @Test("parse then serialize round-trips Python's output byte for byte")
    func roundTrip() throws {
        let text = Self.sample.serialized(asciiOnly: true)
        #expect(try JSON.parse(text).serialized(asciiOnly: true) == text)
        #expect(try JSON.parse(Self.sample.serialized()) == Self.sample)
    }

    @Test("random and mutated inputs never crash the parser, and whatever parses survives a round trip")
    func fuzzParser() throws {
        var generator = SplitMix(seed: 0x15_0A)   // fixed: a failure replays
        let seed = Array(Self.sample.serialized().utf8)
        let alphabet = Array(#"{}[]",:0123456789-+.eE\u"tfnrl ab"#.utf8) + [0xff, 0xc3, 0xed, 0x00]
        var parsed = 0
        for _ in 0..<3000 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let i = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[i] = alphabet.randomElement(using: &generator)!
                case 1: bytes.remove(at: i)
                default: bytes.insert(alphabet.randomElement(using: &generator)!, at: i)
                }
            }
            let random = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            for input in [bytes, random] {
                guard let value = try? JSON.parse(input) else { continue }
                parsed += 1
                // Anything accepted serializes to text that parses back to the same value.
                #expect(try JSON.parse(value.serialized()) == value, "round trip of \(input)")
            }
        }
        #expect(parsed > 0)   // the mutations leave some inputs valid, so the round trip is exercised
    }

    @Test("subscripts and accessors read and update values")
    func accessors() {
        var value: JSON = ["n": 1, "d": 2.0, "s": "x", "b": true, "l": [1, 2], "o": ["k": nil]]
        #expect(value["n"]?.intValue == 1)
        #expect(value["d"]?.intValue == 2)
        #expect(value["d"]?.doubleValue == 2.0)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["b"]?.boolValue == true)
        #expect(value["l"]?[1] == 2)
        #expect(value["l"]?[2] == nil)
        #expect(value["o"]?["k"]?.isNull == true)
        #expect(value["l"]?.arrayValue?.count == 2)
        #expect(value["o"]?.objectValue?.keys.first == "k")
        #expect(value["s"]?.intValue == nil)
        value["n"] = 5
        value["s"] = nil
        #expect(value["n"] == 5 && value["s"] == nil)
        var notObject: JSON = [1]
        notObject["x"] = 1
        #expect(notObject == [1])
        #expect("\(["a": 1] as JSON)" == #"{"a":1}"#)
    }

    struct User: Codable, Equatable {
        var id: Int
        var name: String
        var tags: [String]
        var score: Double?
    }

    @Test("Codable values convert to and from JSON")
    func codableBridge() throws {
        let user = User(id: 7, name: "ada", tags: ["a"], score: 2.5)
        let json = try JSON(encoding: user)
        #expect(json == ["id": 7, "name": "ada", "tags": ["a"], "score": 2.5])
        #expect(try json.decode(User.self) == user)
        #expect(throws: (any Error).self) { try (["id": "x"] as JSON).decode(User.self) }
    }
}
