import WerkCore

/// Signs JSON values into URL-safe, timestamped tokens: itsdangerous's `URLSafeTimedSerializer`,
/// which is also the format of Flask's session cookie.
///
/// The payload is compact JSON, zlib-compressed when that saves more than one byte (and then marked
/// with a leading `.`), base64url without padding; then `TimestampSigner` signs it.
///
/// ```swift
/// let serializer = try URLSafeTimedSerializer(secretKeys: ["secret-key"])
/// let token = try serializer.dumps(["a": 1, "b": [1, 2]])    // "eyJhIjoxLCJiIjpbMSwyXX0.ZVPxAA.…"
/// let value = try serializer.loads(token, maxAge: 3600)     // {"a":1,"b":[1,2]}
/// ```
///
/// For Flask's cookie use `URLSafeTimedSerializer.flaskSession(secretKey:fallbackKeys:)` and convert
/// values with `FlaskTaggedJSON`.
public struct URLSafeTimedSerializer: Sendable {
    /// The timestamp signer underneath.
    public let signer: TimestampSigner
    /// Whether object keys are sorted in the JSON (itsdangerous keeps insertion order; Flask sorts).
    public let sortKeys: Bool
    /// Whether non-ASCII characters are written as `\uXXXX` (Flask: yes; plain itsdangerous: no).
    public let asciiOnly: Bool
    /// The largest payload `loads` inflates from a compressed token, in bytes.
    public let maxDecompressedSize: Int

    /// Creates a serializer. The defaults are itsdangerous's: salt `itsdangerous`, django-concat key
    /// derivation, HMAC-SHA1, UTF-8 JSON. Keys are oldest first; the last one signs.
    public init(
        secretKeys: [String], salt: String = "itsdangerous", keyDerivation: Signer.KeyDerivation = .djangoConcat,
        digest: HashFunction = .sha1, sortKeys: Bool = true, asciiOnly: Bool = false,
        maxDecompressedSize: Int = 1 << 20, clock: @escaping @Sendable () -> Int = TimestampSigner.systemClock
    ) throws(SigningError) {
        let signer = try Signer(secretKeys: secretKeys, salt: salt, keyDerivation: keyDerivation, digest: digest)
        self.init(signer: TimestampSigner(signer: signer, clock: clock), sortKeys: sortKeys, asciiOnly: asciiOnly,
                  maxDecompressedSize: maxDecompressedSize)
    }

    /// Creates a serializer over an existing timestamp signer.
    public init(signer: TimestampSigner, sortKeys: Bool = true, asciiOnly: Bool = false, maxDecompressedSize: Int = 1 << 20) {
        self.signer = signer
        self.sortKeys = sortKeys
        self.asciiOnly = asciiOnly
        self.maxDecompressedSize = maxDecompressedSize
    }

    /// A serializer configured like Flask 3.1's `SecureCookieSessionInterface`: salt
    /// `cookie-session`, HMAC key derivation, HMAC-SHA1, sorted keys, ASCII-only JSON. `fallbackKeys`
    /// are `SECRET_KEY_FALLBACKS` (they verify, never sign). Check age with `maxAge: 2_678_400`
    /// (Flask's default `PERMANENT_SESSION_LIFETIME`, 31 days).
    public static func flaskSession(
        secretKey: String, fallbackKeys: [String] = [], salt: String = "cookie-session",
        clock: @escaping @Sendable () -> Int = TimestampSigner.systemClock
    ) throws(SigningError) -> URLSafeTimedSerializer {
        try URLSafeTimedSerializer(secretKeys: fallbackKeys + [secretKey], salt: salt, keyDerivation: .hmac,
                                   digest: .sha1, sortKeys: true, asciiOnly: true, clock: clock)
    }

    /// The payload part of a token: base64url of the JSON, or `.` + base64url of its zlib stream.
    public func encodePayload(_ value: JSON) -> String {
        let json = value.serializedBytes(sortKeys: sortKeys, asciiOnly: asciiOnly)
        let compressed = Zlib.compress(json)
        if compressed.count < json.count - 1 {
            return "." + Base64.encode(compressed, urlSafe: true, padding: false)
        }
        return Base64.encode(json, urlSafe: true, padding: false)
    }

    /// The JSON value of a payload part (the inverse of `encodePayload`). Throws `.badPayload`.
    public func decodePayload(_ payload: some Collection<UInt8>) throws(SigningError) -> JSON {
        var bytes = Substring(decoding: payload, as: UTF8.self)
        let compressed = bytes.first == "."
        if compressed { bytes = bytes.dropFirst() }
        guard var json = Base64.decode(bytes, urlSafe: true) else {
            throw .badPayload("the payload is not valid base64url")
        }
        if compressed {
            do throws(Zlib.Error) {
                json = try Zlib.decompress(json, maxOutput: maxDecompressedSize)
            } catch {
                throw .badPayload("could not decompress the payload: \(error)")
            }
        }
        do throws(JSONError) {
            return try JSON.parse(json)
        } catch {
            throw .badPayload("the payload is not valid JSON: \(error)")
        }
    }

    /// The JSON bytes in a valid token (signature and age checked, base64url and zlib undone), or nil
    /// when ``loads(_:maxAge:)`` would throw for a reason other than the JSON itself. Works in place on
    /// the token's bytes: no copies of the token, and one buffer for the decoded payload.
    ///
    /// ```swift
    /// if let json = serializer.payloadJSONBytes(ofToken: cookie, maxAge: 3600) { ... }
    /// ```
    public func payloadJSONBytes(ofToken token: some StringProtocol, maxAge: Int? = nil) -> [UInt8]? {
        withContiguousBytes(token.utf8) { token -> [UInt8]? in
            guard let count = signer.verifiedValueCount(token, maxAge: maxAge) else { return nil }
            var payload = UnsafeRawBufferPointer(rebasing: token[..<count])
            let compressed = payload.first == UInt8(ascii: ".")
            if compressed { payload = UnsafeRawBufferPointer(rebasing: payload[1...]) }
            var json: [UInt8] = []
            guard Base64.decode(payload, urlSafe: true, appendingTo: &json) else { return nil }
            if compressed {
                do throws(Zlib.Error) {
                    json = try Zlib.decompress(json, maxOutput: maxDecompressedSize)
                } catch {
                    return nil
                }
            }
            return json
        }
    }

    /// Signs `value` with the current time and returns the token.
    public func dumps(_ value: JSON) throws(SigningError) -> String {
        try dumps(jsonBytes: value.serializedBytes(sortKeys: sortKeys, asciiOnly: asciiOnly))
    }

    /// Signs JSON that is already serialized (with this serializer's `sortKeys` and `asciiOnly`,
    /// for the token to be the one ``dumps(_:)`` makes), compressing it as ``encodePayload(_:)`` does.
    public func dumps(jsonBytes json: [UInt8]) throws(SigningError) -> String {
        // encodePayload's choice, written straight into the token's buffer.
        let compressed = Zlib.compress(json)
        if compressed.count < json.count - 1 {
            return try signer.sign(base64URLOf: compressed, dotPrefixed: true)
        }
        return try signer.sign(base64URLOf: json)
    }

    /// Verifies a token (its signature, and its age when `maxAge` is given) and returns the value
    /// with the Unix time it was signed. The signature is checked before anything is decoded.
    public func loadsWithTimestamp(_ token: String, maxAge: Int? = nil) throws(SigningError) -> (value: JSON, timestamp: Int) {
        let (payload, timestamp) = try signer.unsignWithTimestamp(bytes: token.utf8, maxAge: maxAge)
        return (try decodePayload(payload), timestamp)
    }

    /// Verifies a token (its signature, and its age when `maxAge` is given) and returns the value.
    public func loads(_ token: String, maxAge: Int? = nil) throws(SigningError) -> JSON {
        try loadsWithTimestamp(token, maxAge: maxAge).value
    }
}
