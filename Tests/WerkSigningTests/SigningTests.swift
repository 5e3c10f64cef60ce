import Testing
@testable import WerkCore
@testable import WerkSigning
import WerkTestSupport

/// A fixed clock for signing tests: 2023-11-14T22:13:20Z, the time the interop vectors were made.
let vectorTime = 1_700_000_000
let fixedClock: @Sendable () -> Int = { vectorTime }

@Suite("itsdangerous-compatible signers")
struct SigningTests {
    @Test("every itsdangerous vector is reproduced byte for byte and verifies")
    func itsdangerousVectors() throws {
        let vectors = try InteropVectors.section("itsdangerous")
        #expect(vectors.count == 3)
        for vector in vectors {
            let key = try #require(vector["secret_key"]?.stringValue)
            let token = try #require(vector["token"]?.stringValue)
            switch vector["kind"]?.stringValue {
            case "Signer":
                let signer = try Signer(secretKeys: [key])
                #expect(try signer.sign(#require(vector["value"]?.stringValue)) == token)
                #expect(try signer.unsign(token) == vector["value"]?.stringValue)
            case "TimestampSigner":
                let signer = try TimestampSigner(secretKeys: [key], clock: fixedClock)
                #expect(try signer.sign(#require(vector["value"]?.stringValue)) == token)
                #expect(try signer.unsign(token, maxAge: 0) == vector["value"]?.stringValue)
            case "URLSafeTimedSerializer":
                let serializer = try URLSafeTimedSerializer(
                    secretKeys: [key], salt: #require(vector["salt"]?.stringValue), clock: fixedClock)
                let value = try #require(vector["value"])
                #expect(try serializer.dumps(value) == token)
                #expect(try serializer.loads(token) == value)
            default:
                Issue.record("unknown vector kind \(vector)")
            }
        }
    }

    @Test("every key derivation and digest matches itsdangerous", arguments: [
        (Signer.KeyDerivation.concat, HashFunction.sha1, "value.Vcz0K4_n5OfhvujHJIOWGXDJPhE"),
        (.concat, .sha256, "value.q6nnZnGTu0C70h1ba78v76dhzDjrrMYGRTApCtqn9uA"),
        (.concat, .sha512, "value.l6rZn_T4jOy3uNBQfkYlEYEcfE3lPXTjRqZt16ODxFX0g0udlHc_j9RmnlKd3hCfEJKpq_zWwU9SaJHtINoBxQ"),
        (.djangoConcat, .sha1, "value.OWGgR0_s7da2FDl_kORNSUkZGu8"),
        (.djangoConcat, .sha256, "value.CbJKsWrXTf1PTvAHOM1IN9FlnSCEjFW55mMsgIUsT5c"),
        (.djangoConcat, .sha512, "value.LOmJDBpft0b1ZYkZKuDtIITXirextERANPpcuyf1M71mFy6ELoobUkzcuHaeAKLG3eGwmjYqJRcANqWD010ipg"),
        (.hmac, .sha1, "value.2quecLnoadPfZj6pqOPxzjgtn74"),
        (.hmac, .sha256, "value.CJ6jb2J91vtY_cB9eHOVRh7u02oLmjx3C-Fry4XUJY4"),
        (.hmac, .sha512, "value.BT8W-EWEQZ85pKX2Q6ln1HTtYzpLSNdFd1y49jqyFCTGbiFBrXXQm1J3IWXXi04OqakHrZMxp4GN0tgi7Jt9Sw"),
        (.none, .sha1, "value.KR0bPVhdBT1d8GpHRrZeO1VF_ew"),
        (.none, .sha256, "value.3PlbGR1YsrxiVQ7L4uUzWD1R3xS8ky7fH-T7KDk8YHw"),
        (.none, .sha512, "value.JVMcxfhPJkJnSIn9sT65GoIl_GBNV75eR8cseuZwoSlpWmtBkSfUNHRSQZKv68QznZkCQKTuqPVnv2Zu5CXUCA"),
    ])
    func keyDerivationsMatch(derivation: Signer.KeyDerivation, digest: HashFunction, expected: String) throws {
        let signer = try Signer(secretKeys: ["secret-key"], salt: "my-salt", keyDerivation: derivation, digest: digest)
        #expect(try signer.sign("value") == expected)
        #expect(try signer.unsign(expected) == "value")
    }

    @Test("a custom separator and values containing the separator work as in itsdangerous")
    func separators() throws {
        let signer = try Signer(secretKeys: ["k"], separator: "~")
        #expect(try signer.sign("a.b") == "a.b~zZY6NjwnrVzlYZTF9_KigDnScZY")
        let dotted = try Signer(secretKeys: ["k"])
        #expect(try dotted.unsign(dotted.sign("a.b.c")) == "a.b.c")
        #expect(try dotted.unsign(dotted.sign("")) == "")
    }

    @Test("the last key signs and every key verifies (key rotation)")
    func keyRotation() throws {
        let rotated = try Signer(secretKeys: ["old", "new"])
        #expect(try rotated.sign("x") == "x._IVuD-Dff1u8veG-yhaOp_5IHVg")
        let oldOnly = try Signer(secretKeys: ["old"]), newOnly = try Signer(secretKeys: ["new"])
        #expect(try rotated.sign("x") == newOnly.sign("x"))
        #expect(try rotated.unsign(oldOnly.sign("x")) == "x")
        #expect(try rotated.unsign(newOnly.sign("x")) == "x")
        #expect(try rotated.validate(oldOnly.sign("x")) && !newOnly.validate(oldOnly.sign("x")))
        #expect(throws: SigningError.self) { try newOnly.unsign(oldOnly.sign("x")) }
        let other = try Signer(secretKeys: ["other"])
        #expect(throws: SigningError.badSignature("the signature does not match")) { try rotated.unsign(other.sign("x")) }
    }

    @Test("a different salt or digest does not verify")
    func saltAndDigestSeparateSignatures() throws {
        let a = try Signer(secretKeys: ["k"], salt: "a"), b = try Signer(secretKeys: ["k"], salt: "b")
        #expect(throws: SigningError.self) { try b.unsign(a.sign("v")) }
        let sha256 = try Signer(secretKeys: ["k"], digest: .sha256)
        #expect(throws: SigningError.self) { try sha256.unsign(Signer(secretKeys: ["k"]).sign("v")) }
    }

    @Test("a bad configuration is an error, not a crash")
    func badConfiguration() {
        #expect(throws: SigningError.self) { try Signer(secretKeys: []) }
        for separator in ["", "a", "-", "_", "=", "x."] {
            #expect(throws: SigningError.self) { try Signer(secretKeys: ["k"], separator: separator) }
        }
    }

    @Test("changing any single byte of a signed token makes it invalid")
    func everyByteTamperedIsRejected() throws {
        let serializer = try URLSafeTimedSerializer.flaskSession(secretKey: "k", clock: fixedClock)
        for value: JSON in [["user_id": 42], ["cart": .array(Array(repeating: "apple", count: 20))]] {
            let token = Array(try serializer.dumps(value).utf8)
            for i in token.indices {
                for replacement in Set([token[i] ^ 0x01, token[i] ^ 0x20, UInt8(ascii: "A"), UInt8(ascii: "."), 0x00]) {
                    var tampered = token
                    tampered[i] = replacement
                    if tampered == token { continue }
                    let text = String(decoding: tampered, as: UTF8.self)
                    #expect(throws: SigningError.self, "byte \(i) -> \(replacement)") {
                        try serializer.loads(text, maxAge: 100)
                    }
                }
                var shortened = token
                shortened.remove(at: i)
                #expect(throws: SigningError.self) { try serializer.loads(String(decoding: shortened, as: UTF8.self)) }
            }
        }
    }

    @Test("one signer used from many tasks at once signs and verifies correctly")
    func concurrentUse() async throws {
        let serializer = try URLSafeTimedSerializer.flaskSession(secretKey: "k", fallbackKeys: ["old"], clock: fixedClock)
        let old = try URLSafeTimedSerializer.flaskSession(secretKey: "old", clock: fixedClock)
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var failures = 0
                    for i in 0..<300 {
                        let value: JSON = ["task": .int(task), "i": .int(i)]
                        let signer = i.isMultiple(of: 3) ? old : serializer
                        guard let token = try? signer.dumps(value), (try? serializer.loads(token)) == value else {
                            failures += 1
                            continue
                        }
                        var forged = Array(token.utf8)
                        forged[0] ^= 1
                        if (try? serializer.loads(String(decoding: forged, as: UTF8.self))) != nil { failures += 1 }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }

    @Test("a token exactly maxAge seconds old is accepted, one second older is expired")
    func expiryBoundary() throws {
        let token = try TimestampSigner(secretKeys: ["k"], clock: fixedClock).sign("v")
        let later = try TimestampSigner(secretKeys: ["k"], clock: { vectorTime + 100 })
        #expect(try later.unsign(token, maxAge: 100) == "v")
        #expect(throws: SigningError.signatureExpired(age: 101, maxAge: 100, signedAt: vectorTime)) {
            try TimestampSigner(secretKeys: ["k"], clock: { vectorTime + 101 }).unsign(token, maxAge: 100)
        }
        #expect(try later.unsign(token) == "v")  // no maxAge: no expiry
        let (value, timestamp) = try later.unsignWithTimestamp(token, maxAge: 1000)
        #expect(value == "v" && timestamp == vectorTime)
    }

    @Test("a token signed in the future is expired when an age is checked")
    func futureTokensAreExpired() throws {
        let token = try TimestampSigner(secretKeys: ["k"], clock: { vectorTime + 5 }).sign("v")
        let now = try TimestampSigner(secretKeys: ["k"], clock: fixedClock)
        #expect(throws: SigningError.signatureExpired(age: -5, maxAge: 60, signedAt: vectorTime + 5)) {
            try now.unsign(token, maxAge: 60)
        }
    }

    @Test("timestamp errors are told apart like itsdangerous's exceptions")
    func timestampErrorKinds() throws {
        let timed = try TimestampSigner(secretKeys: ["k"], clock: fixedClock)
        let plain = try Signer(secretKeys: ["k"])
        // No separator at all: BadSignature.
        #expect(throws: SigningError.badSignature("no separator \".\" found in the value")) { try timed.unsign("garbage") }
        // Valid signature but no timestamp inside: BadTimeSignature("timestamp missing").
        #expect(throws: SigningError.badTimeSignature("timestamp missing", signedAt: nil)) {
            try timed.unsign(plain.sign("novalue"))
        }
        // Valid signature over a malformed timestamp.
        #expect(throws: SigningError.badTimeSignature("malformed timestamp", signedAt: nil)) {
            try timed.unsign(plain.sign("v.!!!"))
        }
        #expect(throws: SigningError.badTimeSignature("malformed timestamp", signedAt: nil)) {
            try timed.unsign(plain.sign("v.AAAAAAAAAAAA"))  // 9 bytes: more than 64 bits
        }
        // Wrong signature: BadTimeSignature carrying the (unverified) claimed time.
        let token = try timed.sign("v")
        let forged = String(token.dropLast(4)) + "AAAA"
        #expect(throws: SigningError.badTimeSignature("the signature does not match", signedAt: vectorTime)) {
            try timed.unsign(forged)
        }
        #expect(!timed.validate(forged) && timed.validate(token))
        #expect(SigningError.signatureExpired(age: 2, maxAge: 1, signedAt: 0).isSignatureFailure)
        #expect(!SigningError.invalidConfiguration("x").isSignatureFailure)
    }

    @Test("an empty value and a zero timestamp round-trip like itsdangerous")
    func edgeValues() throws {
        let timed = try TimestampSigner(secretKeys: ["secret-key"], clock: fixedClock)
        #expect(try timed.sign("") == ".ZVPxAA.VXja0dsEe9ppV6ftALRkyioY5Rs")
        #expect(try timed.unsign(".ZVPxAA.VXja0dsEe9ppV6ftALRkyioY5Rs") == "")
        let epoch = try TimestampSigner(secretKeys: ["k"], clock: { 0 })
        #expect(try epoch.unsignWithTimestamp(epoch.sign("v")).timestamp == 0)
    }

    @Test("garbage, truncated, non-base64 and huge tokens are rejected with an error")
    func garbageIsRejected() throws {
        let serializer = try URLSafeTimedSerializer(secretKeys: ["k"], clock: fixedClock)
        let inputs = ["", ".", "..", "...", "a.b.c", "a.b.c.d", "\u{0}", "é.é.é", ".eJx.ZVPxAA.x", String(repeating: "A", count: 100_000),
                      String(repeating: ".", count: 10_000), "eyJhIjoxfQ.ZVPxAA", "eyJhIjoxfQ..", "%%%.ZVPxAA.%%%"]
        for input in inputs {
            #expect(throws: SigningError.self) { try serializer.loads(input) }
        }
    }

    @Test("a validly signed but undecodable payload is a badPayload error")
    func badPayloads() throws {
        let timed = try TimestampSigner(secretKeys: ["k"], clock: fixedClock)
        let serializer = URLSafeTimedSerializer(signer: timed)
        func isBadPayload(_ token: String, _ serializer: URLSafeTimedSerializer) -> Bool {
            do {
                _ = try serializer.loads(token)
                return false
            } catch {
                if case .badPayload = error { return true }
                return false
            }
        }
        for payload in ["!!!", "e30x", ".AAAA", ".", "", Base64.encode(Array("{bad json".utf8), urlSafe: true, padding: false)] {
            #expect(isBadPayload(try timed.sign(payload), serializer), "\(payload)")
        }
        // A signed payload that inflates past the limit is refused (zip-bomb guard).
        let big = "." + Base64.encode(Zlib.compress(Array(("[" + String(repeating: "1,", count: 1000) + "1]").utf8)),
                                      urlSafe: true, padding: false)
        #expect(isBadPayload(try timed.sign(big), URLSafeTimedSerializer(signer: timed, maxDecompressedSize: 100)))
        #expect(try serializer.loads(timed.sign(big)).arrayValue?.count == 1001)
    }

    @Test("URLSafeTimedSerializer compresses only when it saves more than one byte, marked by a leading dot")
    func compressionRule() throws {
        let serializer = try URLSafeTimedSerializer(secretKeys: ["secret-key"], clock: fixedClock)
        let long: JSON = ["x": .string(String(repeating: "y", count: 100))]
        #expect(try serializer.dumps(long) == ".eJyrVqpQslKqpANQqgUAWi8xdw.ZVPxAA.FHW7dgVw7iG342BYFKDrkMbgEu4")
        #expect(try serializer.loads(serializer.dumps(long)) == long)
        #expect(!serializer.encodePayload(["a": 1]).hasPrefix("."))
        let unicode: JSON = ["n": [1.5, 1e16, nil, true], "text": "grüße ✓"]
        #expect(try serializer.dumps(unicode)
            == "eyJuIjpbMS41LDFlKzE2LG51bGwsdHJ1ZV0sInRleHQiOiJncsO8w59lIOKckyJ9.ZVPxAA.Kw69hNN9cd1nOUxJFN5ky74qd6s")
    }
}
