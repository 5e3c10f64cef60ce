import Testing
@testable import WerkCore
@testable import WerkSigning

/// The allocation-free fast paths used by the session middleware must agree with the general paths
/// they shortcut: cookie lookup vs the full Cookie parse, tag-free JSON parsing vs parse + untag,
/// verifying a token's payload bytes vs `loads`, and signing serialized JSON vs `dumps`.
@Suite("Fast paths agree with the general paths")
struct FastPathEquivalenceTests {
    static let cookieHeaders = [
        "session=abc.def; theme=dark", "a=1; session=\"quoted \\\"x\\\"\"; session=second", "=session=bad; session=ok",
        "theme=dark", "", "session=", "session", "  session  =  spaced  ; x=1", "sessionx=1; xsession=2",
        "a=1;session=tight;b=2", "é=1; session=ü",
    ]

    @Test("Cookies.value(named:in:) gives what Cookies.parse gives for that name", arguments: cookieHeaders)
    func cookieLookup(header: String) {
        for name in ["session", "theme", "a", "é", "missing", "x"] {
            #expect(Cookies.value(named: name, in: header) == Cookies.parse(header)[name], "name \(name)")
        }
    }

    static let jsonDocuments = [
        #"{"a":1,"b":[1,2.5,true,null],"c":{"d":"x"}}"#, #"{" t":["x",1]}"#, #"{"k":{" b":"aGk="}}"#,
        #"{"s":"quote \" inside, space after quote"}"#, #"{"u":"\u0020t"}"#, #"[]"#, #"{"#, #"{"a":}"#, #""plain""#,
        #"{"nested":{" di":{" t__":1}}}"#, #"{"unicode":"gr\u00fc\u00dfe \u2713"}"#,
    ]

    @Test("FlaskTaggedJSON.value(parsing:) equals untag(JSON.parse(...)), and fails on the same inputs", arguments: jsonDocuments)
    func taggedParse(document: String) {
        let bytes = Array(document.utf8)
        let general: FlaskTaggedJSON.Value? = (try? JSON.parse(bytes)).flatMap { try? FlaskTaggedJSON.untag($0) }
        #expect(FlaskTaggedJSON.value(parsing: bytes) == general)
    }

    @Test("payloadJSONBytes(ofToken:) verifies like loads and yields the same JSON")
    func payloadBytes() throws {
        let serializer = try URLSafeTimedSerializer(secretKeys: ["secret-key"], clock: { 1_700_000_000 })
        for value: JSON in [["a": 1, "b": [1, 2]], ["cart": .array(Array(repeating: "apple", count: 20))], [:]] {
            let token = try serializer.dumps(value)
            let bytes = try #require(serializer.payloadJSONBytes(ofToken: token, maxAge: 60))
            #expect(try JSON.parse(bytes) == serializer.loads(token, maxAge: 60))
            var tampered = Array(token.utf8)
            tampered[tampered.count / 2] ^= 1
            #expect(serializer.payloadJSONBytes(ofToken: String(decoding: tampered, as: UTF8.self)) == nil)
        }
    }

    @Test("dumps(jsonBytes:) writes the same token as dumps(_:) for the same JSON")
    func dumpsBytes() throws {
        let serializer = try URLSafeTimedSerializer(secretKeys: ["k"], clock: { 1_700_000_000 })
        for value: JSON in [["n": 1], ["cart": .array(Array(repeating: "apple", count: 20))], ["s": "grüße"]] {
            #expect(try serializer.dumps(jsonBytes: value.serializedBytes()) == serializer.dumps(value))
        }
    }
}
