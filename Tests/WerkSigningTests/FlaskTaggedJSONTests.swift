import Testing
@testable import WerkCore
@testable import WerkSigning
import WerkTestSupport

@Suite("Flask session cookies and tagged JSON")
struct FlaskTaggedJSONTests {
    /// A cookie Flask 3.1.3 set (secret `k`, at `vectorTime`) for a session holding two flashed
    /// messages, bytes, an aware datetime, a UUID, Markup, a dict escaped with " di" and nested tuples.
    static let taggedCookie = ".eJx1jksLgkAUhf_KcNYDjaP2GFRoFQRRUbsIGXN6QGY4GkLMf--quGzzHe79zuJ8kV6f2t6NhTp9wWoKFMZafTPgOOiPyXF2fFSmqsqKxLZ8W_qfOTIokkQsd4tS7-MYjiPvv0QcG8OZkGytX0wKGTDhKxEoEbLV5thVjb0M5UcfdZpCeY5E0d9ERFnSRpMs6er10KIx3rhKcrTdGLJNb4nwpB-E09n8X8K5H6S8RAI.ZVPxAA.HgCwksreiNZMRZwHUpxyiLZVd9I"

    static let taggedValue: FlaskTaggedJSON.Value = .object([
        "_flashes": .array([.tuple([.string("message"), .string("Saved")]), .tuple([.string("error"), .string("Oops")])]),
        "b": .bytes([0x00, 0xff, 0x68, 0x69]),
        "d": .dateTime(1_704_164_645),  // 2024-01-02T03:04:05Z
        "esc": .object([" t": .int(1)]),
        "m": .markup("<b>x</b>"),
        "t": .tuple([.int(1), .tuple([.int(2), .string("x")])]),
        "u": .uuid("12345678-1234-5678-1234-567812345678"),
    ])

    @Test("every flask_sessions vector is produced byte for byte and verifies, with fallback keys")
    func flaskSessionVectors() throws {
        let vectors = try InteropVectors.section("flask_sessions")
        #expect(vectors.count == 5)
        for vector in vectors {
            let key = try #require(vector["secret_key"]?.stringValue)
            let fallbacks = try #require(vector["fallback_keys"]?.arrayValue).compactMap(\.stringValue)
            let cookie = try #require(vector["cookie"]?.stringValue)
            let session = try #require(vector["session"])
            let serializer = try URLSafeTimedSerializer.flaskSession(secretKey: key, fallbackKeys: fallbacks, clock: fixedClock)
            let loaded = try serializer.loads(cookie, maxAge: 2_678_400)
            #expect(try FlaskTaggedJSON.untag(loaded) == FlaskTaggedJSON.Value(session))
            if let signedWith = vector["signed_with"]?.stringValue {
                #expect(try serializer.dumps(session) != cookie)  // the newest key signs
                let old = try URLSafeTimedSerializer.flaskSession(secretKey: signedWith, clock: fixedClock)
                #expect(try old.dumps(FlaskTaggedJSON.tag(.init(session))) == cookie)
                // Without the fallback, the old cookie is refused.
                let strict = try URLSafeTimedSerializer.flaskSession(secretKey: key, clock: fixedClock)
                #expect(throws: SigningError.self) { try strict.loads(cookie) }
            } else {
                #expect(try serializer.dumps(FlaskTaggedJSON.tag(.init(session))) == cookie)
                #expect(cookie.hasPrefix(".") == (vector["compressed"] == true))
                #expect(vector["set_cookie"]?.stringValue == "session=\(cookie); HttpOnly; Path=/")
            }
        }
    }

    @Test("Flask session cookies expire after PERMANENT_SESSION_LIFETIME, inclusive")
    func flaskSessionLifetime() throws {
        let cookie = "eyJuIjoxfQ.ZVPxAA.DQU8FBhvGKlenRTo0yzn_mKIaks"
        let atLimit = try URLSafeTimedSerializer.flaskSession(secretKey: "new-key", clock: { vectorTime + 2_678_400 })
        #expect(try atLimit.loads(cookie, maxAge: 2_678_400) == ["n": 1])
        let past = try URLSafeTimedSerializer.flaskSession(secretKey: "new-key", clock: { vectorTime + 2_678_401 })
        #expect(throws: SigningError.self) { try past.loads(cookie, maxAge: 2_678_400) }
    }

    @Test("a cookie Flask wrote with tuples, bytes, datetime, UUID, Markup and an escaped dict decodes exactly")
    func flaskTaggedCookieDecodes() throws {
        let serializer = try URLSafeTimedSerializer.flaskSession(secretKey: "k", clock: fixedClock)
        let json = try serializer.loads(Self.taggedCookie, maxAge: 2_678_400)
        #expect(try FlaskTaggedJSON.untag(json) == Self.taggedValue)
        // And Werk writes the identical cookie for the same value.
        #expect(try serializer.dumps(FlaskTaggedJSON.tag(Self.taggedValue)) == Self.taggedCookie)
    }

    @Test("tag writes Flask's tagged form for each Python type")
    func tagMatchesFlask() {
        #expect(FlaskTaggedJSON.tag(Self.taggedValue).serialized(asciiOnly: true) == #"{"_flashes":[{" t":["message","Saved"]},{" t":["error","Oops"]}],"b":{" b":"AP9oaQ=="},"d":{" d":"Tue, 02 Jan 2024 03:04:05 GMT"},"esc":{" di":{" t__":1}},"m":{" m":"<b>x</b>"},"t":{" t":[1,{" t":[2,"x"]}]},"u":{" u":"12345678123456781234567812345678"}}"#)
        // Escaping applies only to one-key objects whose key is a tag, recursively.
        let value = FlaskTaggedJSON.Value(["x": [" di": 2], "y": [" t": 1, "z": 2], "w": [" x": 1]])
        #expect(FlaskTaggedJSON.tag(value).serialized() == #"{"w":{" x":1},"x":{" di":{" di__":2}},"y":{" t":1,"z":2}}"#)
        #expect(FlaskTaggedJSON.tag(.object([" di": .object([" t__": .int(1)])])).serialized()
            == #"{" di":{" di__":{" t__":1}}}"#)
    }

    @Test("untag reverses tag, including escaped dicts nested in escaped dicts")
    func untagReversesTag() throws {
        let values: [FlaskTaggedJSON.Value] = [
            Self.taggedValue, .object([" di": .object([" t__": .int(1)])]), .tuple([]), .bytes([]),
            .array([.object([" m": .string("x")])]), .double(2.5), .null, .uuid("00000000-0000-0000-0000-000000000000"),
        ]
        for value in values {
            #expect(try FlaskTaggedJSON.untag(FlaskTaggedJSON.tag(value)) == value)
        }
        let nested = try JSON.parse(#"{" di":{" di__":{" t__":1}}}"#)
        #expect(try FlaskTaggedJSON.untag(nested) == .object([" di": .object([" t__": .int(1)])]))
    }

    @Test("untag accepts the UUID spellings Python's UUID() accepts and normalizes them")
    func uuidSpellings() throws {
        for text in ["12345678123456781234567812345678", "{12345678-1234-5678-1234-567812345678}",
                     "urn:uuid:12345678-1234-5678-1234-567812345678", "12345678-1234-5678-1234-567812345678".uppercased()] {
            #expect(try FlaskTaggedJSON.untag([" u": .string(text)]) == .uuid("12345678-1234-5678-1234-567812345678"))
        }
    }

    @Test("invalid tag contents are errors, not crashes", arguments: [
        #"{" b":"%%%"}"#, #"{" b":1}"#, #"{" d":"yesterday"}"#, #"{" u":"1234"}"#, #"{" u":"zz345678123456781234567812345678"}"#,
        #"{" t":1}"#, #"{" m":[1]}"#, #"{" di":1}"#, #"{" di":{"a":1,"b":2}}"#, #"[{" t":{" b":"!"}}]"#,
    ])
    func invalidTags(text: String) throws {
        let json = try JSON.parse(text)
        #expect(throws: FlaskTaggedJSON.Error.self) { try FlaskTaggedJSON.untag(json) }
    }

    @Test("plainJSON drops the Python types to plain JSON")
    func plainJSONProjection() {
        #expect(Self.taggedValue.plainJSON["_flashes"] == [["message", "Saved"], ["error", "Oops"]])
        #expect(Self.taggedValue.plainJSON["b"] == "AP9oaQ==")
        #expect(Self.taggedValue.plainJSON["d"] == "Tue, 02 Jan 2024 03:04:05 GMT")
        #expect(FlaskTaggedJSON.Value(["a": [1, nil]]).plainJSON == ["a": [1, nil]])
    }
}

@Suite("FlaskTaggedJSON.Value description")
struct FlaskTaggedJSONDescriptionTests {
    @Test("values print as Python's repr, not as an enum dump", arguments: [
        (FlaskTaggedJSON.Value.object(["n": .int(1), "cart": .array([.string("apple")])]), "{'cart': ['apple'], 'n': 1}"),
        (.tuple([.int(1), .string("it's")]), "(1, 'it\\'s')"),
        (.tuple([.null]), "(None,)"),
        (.bytes([0, 0x61, 0x27, 0xff]), "b'\\x00a\\'\\xff'"),
        (.dateTime(1_700_000_000), "datetime(2023-11-14 22:13:20 UTC)"),
        (.dateTime(-1), "datetime(1969-12-31 23:59:59 UTC)"),
        (.uuid("12345678-1234-1234-1234-123456789abc"), "UUID('12345678-1234-1234-1234-123456789abc')"),
        (.markup("<b>\n"), "Markup('<b>\\n')"),
        (.bool(true), "True"), (.double(2.5), "2.5"),
    ])
    func description(value: FlaskTaggedJSON.Value, expected: String) {
        #expect(value.description == expected)
        #expect("\(value)" == expected)
        #expect(!String(reflecting: value).contains("WerkCore"))
    }
}
