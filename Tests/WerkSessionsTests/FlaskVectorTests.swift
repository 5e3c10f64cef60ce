import Testing
import WerkCore
import WerkTestSupport
import WerkSessions
import WerkSigning
import WerkTesting

/// The `flask_sessions` vectors: cookies Flask 3.1 wrote with its clock pinned at 1700000000.
@Suite struct FlaskVectorTests {
    /// Sessions configured like the vector's Flask app (Flask's SameSite default is unset).
    func flaskSessions(_ vector: JSON, clock: Int = vectorTime) -> Sessions {
        let fallbacks = vector["fallback_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return Sessions(secretKeys: fallbacks + [vector["secret_key"]!.stringValue!], format: .flask, sameSite: nil,
                        clock: { clock })
    }

    @Test("every vector with a Set-Cookie is written byte for byte")
    func everyVectorWithASetCookieIsWrittenByteForByte() async throws {
        let vectors = try TestPaths.flaskSessionVectors().filter { $0["set_cookie"] != nil }
        #expect(vectors.count == 4)
        for vector in vectors {
            let values = try #require(vector["session"]?.objectValue)
            let app = sessionApp(flaskSessions(vector)) { request in
                for (key, value) in values { request.session[key] = value }
                return .text("ok")
            }
            let response = try await TestClient(app).get("/")
            #expect(response.headers.values(for: "Set-Cookie") == [vector["set_cookie"]!.stringValue!])
            #expect(response.headers["Vary"] == "Cookie")
            let compressed = vector["compressed"]?.boolValue == true
            #expect(vector["cookie"]!.stringValue!.hasPrefix(".") == compressed)
        }
    }

    @Test("every vector cookie is read back")
    func everyVectorCookieIsReadBack() async throws {
        for vector in try TestPaths.flaskSessionVectors() {
            let app = sessionApp(flaskSessions(vector)) { request in .json(.object(request.session.dictionary)) }
            let response = try await app(requestWithCookie(vector["cookie"]!.stringValue!))
            let body = try JSON.parse(try await response.collectBody())
            #expect(body == vector["session"]!, "\(vector)")
        }
    }

    @Test("the old key vector verifies only while the old key is a fallback")
    func theOldKeyVectorVerifiesOnlyWhileTheOldKeyIsAFallback() throws {
        let vector = try #require(try TestPaths.flaskSessionVectors().first { $0["signed_with"] != nil })
        let cookie = vector["cookie"]!.stringValue!
        let withFallback = try SessionSerializer(format: .flask, secretKeys: ["old-key", "new-key"], clock: { vectorTime })
        #expect(withFallback.decodeJSON(cookie) == ["n": 1])
        let withoutFallback = try SessionSerializer(format: .flask, secretKeys: ["new-key"], clock: { vectorTime })
        #expect(withoutFallback.decodeJSON(cookie) == nil)
    }

    @Test("the serializer alone matches the vectors")
    func theSerializerAloneMatchesTheVectors() throws {
        for vector in try TestPaths.flaskSessionVectors() where vector["set_cookie"] != nil {
            let fallbacks = vector["fallback_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let serializer = try SessionSerializer(format: .flask, secretKeys: fallbacks + [vector["secret_key"]!.stringValue!],
                                                   clock: { vectorTime })
            #expect(try serializer.encode(json: vector["session"]!.objectValue!) == vector["cookie"]!.stringValue!)
        }
    }

    @Test("a vector cookie expires after thirty one days even when not permanent")
    func aVectorCookieExpiresAfterThirtyOneDaysEvenWhenNotPermanent() throws {
        let vector = try TestPaths.flaskSessionVectors()[0]
        let cookie = vector["cookie"]!.stringValue!
        let maxAge = try #require(vector["max_age_seconds"]?.intValue)
        for (offset, valid) in [(0, true), (maxAge, true), (maxAge + 1, false), (-1, false)] {
            let serializer = try SessionSerializer(format: .flask, secretKeys: ["dev-secret-key-for-docs"],
                                                   clock: { vectorTime + offset })
            #expect((serializer.decode(cookie) != nil) == valid, "offset \(offset)")
        }
    }

    @Test("Flask tags survive a round trip")
    func flaskTagsSurviveARoundTrip() throws {
        let serializer = try SessionSerializer(format: .flask, secretKeys: ["k"], clock: { vectorTime })
        let values: [String: FlaskTaggedJSON.Value] = [
            "_flashes": .array([.tuple([.string("message"), .string("Saved ✓")])]),
            "raw": .bytes([0, 1, 2, 255]),
            "when": .dateTime(1_704_164_645),
            "id": .uuid("12345678-1234-5678-1234-567812345678"),
            "html": .markup("<b>hi</b>"),
            "escaped": .object([" t": .int(1)]),
        ]
        let cookie = try serializer.encode(values)
        #expect(serializer.decode(cookie) == values)
        // The payload is Flask's tagged, ASCII-only JSON.
        let payload = try serializer.serializer.signer.unsign(bytes: Array(cookie.utf8))
        let json = try serializer.serializer.decodePayload(payload)
        #expect(json["raw"] == [" b": "AAEC/w=="])
        #expect(json["escaped"] == [" di": [" t__": 1]])
        #expect(!json.serialized(asciiOnly: true).utf8.contains { $0 >= 0x80 })
    }
}
