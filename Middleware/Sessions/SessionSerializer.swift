/// How a session cookie is encoded and signed.
///
/// Both formats are itsdangerous `URLSafeTimedSerializer` tokens,
/// `payload.timestamp.signature`, whose payload is the session as Flask's tagged JSON (see
/// ``FlaskTaggedJSON``): compact, keys sorted, zlib-compressed when that saves more than one byte
/// (and then marked with a leading `.`), base64url without padding. They differ in the signature,
/// the JSON's escaping and when compression is tried:
///
/// | | ``werk`` (default) | ``flask`` |
/// |---|---|---|
/// | salt | `werk.session` | `cookie-session` |
/// | key derivation | `HMAC-SHA256(secret, salt)` | `HMAC-SHA1(secret, salt)` |
/// | signature | HMAC-SHA256, 32 bytes | HMAC-SHA1, 20 bytes |
/// | JSON | UTF-8 | ASCII only (`\uXXXX`) |
/// | compression tried | from 128 bytes of JSON | always (as Flask) |
/// | permanent cookie | `Expires` and `Max-Age` | `Expires` only |
///
/// In Python, a ``werk`` cookie is
/// `URLSafeTimedSerializer(key, salt="werk.session", serializer=TaggedJSONSerializer(),
/// signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256})`.
public enum SessionFormat: String, Sendable, Hashable, CaseIterable {
    /// Werk's own format: HMAC-SHA256 with the salt `werk.session`.
    case werk
    /// Flask 3.1's `SecureCookieSessionInterface`, byte for byte: a Werk service and a Flask app
    /// with the same `SECRET_KEY` read and write each other's `session` cookie.
    case flask

    /// The salt the format signs with unless another one is configured.
    public var defaultSalt: String {
        switch self {
        case .werk: "werk.session"
        case .flask: "cookie-session"
        }
    }

    /// The HMAC hash function (also used to derive the signing key from the secret).
    public var digest: HashFunction {
        switch self {
        case .werk: .sha256
        case .flask: .sha1
        }
    }
}

/// Turns session contents into a signed cookie value and back: the part of ``Sessions`` that does
/// not touch requests, usable on its own (to read a Flask cookie in a script, or to build cookies in
/// tests).
///
/// ```swift
/// let serializer = try SessionSerializer(format: .flask, secretKeys: ["dev-secret-key-for-docs"])
/// let cookie = try serializer.encode(["user_id": .int(42), "name": .string("alice")])
/// serializer.decode(cookie)      // ["name": .string("alice"), "user_id": .int(42)]
/// ```
///
/// `decode` never throws: a tampered, expired, future-dated, undecodable or non-object cookie is
/// `nil`, and so is one longer than ``maxCookieSize`` (checked before any work is done).
public struct SessionSerializer: Sendable {
    /// The format.
    public let format: SessionFormat
    /// The signed serializer underneath (keys, salt, digest, clock).
    public let serializer: URLSafeTimedSerializer
    /// The oldest cookie `decode` accepts, in seconds since it was signed. Flask applies its
    /// `PERMANENT_SESSION_LIFETIME` to every session, permanent or not, and so does Werk.
    public let maxAge: Int
    /// Cookie values longer than this many bytes are ignored without being verified.
    public let maxCookieSize: Int

    /// Creates a serializer. `secretKeyBytes` are oldest first: the last one signs, all of them
    /// verify (Flask's `[*SECRET_KEY_FALLBACKS, SECRET_KEY]`). `salt` nil means the format's
    /// ``SessionFormat/defaultSalt``. Throws ``SigningError/invalidConfiguration(_:)`` for an empty
    /// key list.
    public init(
        format: SessionFormat = .werk, secretKeyBytes: [[UInt8]], salt: String? = nil,
        maxAge: Int = Sessions.defaultLifetimeSeconds, maxCookieSize: Int = Sessions.defaultMaxCookieSize,
        clock: @escaping @Sendable () -> Int = TimestampSigner.systemClock
    ) throws(SigningError) {
        let signer = try Signer(secretKeyBytes: secretKeyBytes, salt: Array((salt ?? format.defaultSalt).utf8),
                                keyDerivation: .hmac, digest: format.digest)
        self.format = format
        self.serializer = URLSafeTimedSerializer(
            signer: TimestampSigner(signer: signer, clock: clock), sortKeys: true,
            asciiOnly: format == .flask, maxDecompressedSize: 1 << 20)
        self.maxAge = maxAge
        self.maxCookieSize = maxCookieSize
    }

    /// Creates a serializer from text keys (their UTF-8 bytes), oldest first; see
    /// ``init(format:secretKeyBytes:salt:maxAge:maxCookieSize:clock:)``.
    public init(
        format: SessionFormat = .werk, secretKeys: [String], salt: String? = nil,
        maxAge: Int = Sessions.defaultLifetimeSeconds, maxCookieSize: Int = Sessions.defaultMaxCookieSize,
        clock: @escaping @Sendable () -> Int = TimestampSigner.systemClock
    ) throws(SigningError) {
        try self.init(format: format, secretKeyBytes: secretKeys.map { Array($0.utf8) }, salt: salt, maxAge: maxAge,
                      maxCookieSize: maxCookieSize, clock: clock)
    }

    /// The current time of the serializer's clock, in Unix seconds.
    public var now: Int { serializer.signer.clock() }

    /// In the ``SessionFormat/werk`` format, JSON shorter than this many bytes is never compressed:
    /// zlib rarely shortens it, and trying costs more than the rest of the encoding.
    public static let werkCompressionThreshold = 128

    /// The signed cookie value for `values`, timestamped now. Throws only if libcrypto fails.
    public func encode(_ values: [String: FlaskTaggedJSON.Value]) throws(SigningError) -> String {
        let tagged = FlaskTaggedJSON.tag(.object(values))
        guard format == .werk else { return try serializer.dumps(tagged) }
        let json = tagged.serializedBytes(sortKeys: true, asciiOnly: false)
        guard json.count < SessionSerializer.werkCompressionThreshold else { return try serializer.dumps(jsonBytes: json) }
        return try serializer.signer.sign(base64URLOf: json)
    }

    /// The signed cookie value for plain JSON `values`.
    public func encode(json values: [String: JSON]) throws(SigningError) -> String {
        try encode(values.mapValues(FlaskTaggedJSON.Value.init))
    }

    /// The session in a cookie value, or nil when the cookie is not one this serializer signed
    /// within ``maxAge`` seconds, or cannot be decoded. Never throws and never traps, whatever the
    /// bytes.
    public func decode(_ cookieValue: some StringProtocol) -> [String: FlaskTaggedJSON.Value]? {
        guard !cookieValue.isEmpty, cookieValue.utf8.count <= maxCookieSize,
              let json = serializer.payloadJSONBytes(ofToken: cookieValue, maxAge: maxAge),
              case .object(let values)? = FlaskTaggedJSON.value(parsing: json) else { return nil }
        // Only a JSON object untags to an object, so this is also the check that the payload is one.
        return values
    }

    /// The session in a cookie value as plain JSON (tuples become arrays, bytes base64 strings; see
    /// ``FlaskTaggedJSON/Value/plainJSON``), or nil as for ``decode(_:)``.
    public func decodeJSON(_ cookieValue: some StringProtocol) -> [String: JSON]? {
        decode(cookieValue)?.mapValues(\.plainJSON)
    }
}
