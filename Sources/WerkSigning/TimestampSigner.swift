#if canImport(Glibc)
import WerkCore
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `Signer` that also signs the time, byte-compatible with itsdangerous's `TimestampSigner`.
///
/// A token is `value + sep + base64url(timestamp) + sep + signature`, where the timestamp is the Unix
/// time in seconds as a big-endian integer with leading zero bytes stripped (1700000000 → `ZVPxAA`),
/// and the signature covers everything before the last separator.
///
/// ```swift
/// let signer = try TimestampSigner(secretKeys: ["secret-key"])
/// let token = try signer.sign("hello")              // "hello.ZVPxAA.UQx3EIPGLNk6IyY28rz4wwlRRWI" at 1700000000
/// let value = try signer.unsign(token, maxAge: 3600)
/// ```
///
/// Expiry follows itsdangerous exactly: with `age = now - timestamp`, a token is accepted when
/// `0 <= age <= maxAge`; `age == maxAge` is still valid, `maxAge + 1` is `.signatureExpired`.
public struct TimestampSigner: Sendable {
    /// The signer underneath (keys, salt, separator, digest).
    public let signer: Signer
    /// The current Unix time in seconds; replace it in tests.
    public let clock: @Sendable () -> Int

    /// The system clock, in whole seconds (`int(time.time())` in Python).
    public static let systemClock: @Sendable () -> Int = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec)
    }

    /// Wraps an existing signer.
    public init(signer: Signer, clock: @escaping @Sendable () -> Int = TimestampSigner.systemClock) {
        self.signer = signer
        self.clock = clock
    }

    /// Creates a timestamp signer; the arguments are `Signer`'s (keys oldest first, the last signs).
    public init(
        secretKeys: [String], salt: String = "itsdangerous.Signer", separator: String = ".",
        keyDerivation: Signer.KeyDerivation = .djangoConcat, digest: HashFunction = .sha1,
        clock: @escaping @Sendable () -> Int = TimestampSigner.systemClock
    ) throws(SigningError) {
        self.signer = try Signer(secretKeys: secretKeys, salt: salt, separator: separator,
                                 keyDerivation: keyDerivation, digest: digest)
        self.clock = clock
    }

    /// The timestamp as itsdangerous encodes it: big-endian, leading zero bytes stripped, base64url.
    static func encodeTimestamp(_ timestamp: Int) -> String {
        var value = UInt64(clamping: timestamp)
        var bytes: [UInt8] = []
        while value > 0 {
            bytes.insert(UInt8(truncatingIfNeeded: value), at: 0)
            value >>= 8
        }
        return Base64.encode(bytes, urlSafe: true, padding: false)
    }

    /// The timestamp from its base64url text, or `nil` when it is not valid base64url, longer than
    /// 8 bytes, or beyond `Int.max`.
    static func decodeTimestamp(_ text: some Collection<UInt8>) -> Int? {
        withContiguousBytes(text) { decodeTimestamp(raw: $0) }
    }

    /// ``decodeTimestamp(_:)`` over raw bytes.
    static func decodeTimestamp(raw text: UnsafeRawBufferPointer) -> Int? {
        guard text.count <= 12 else { return nil }
        // Base64.decode's rules, without its buffer: at most 8 bytes fit in the integer directly.
        var count = text.count
        while count > 0 && text[count - 1] == UInt8(ascii: "=") { count -= 1 }
        let padding = text.count - count
        guard count % 4 != 1, padding <= 2, padding == 0 || (count + padding) % 4 == 0, count * 3 / 4 <= 8 else {
            return nil
        }
        var value: UInt64 = 0
        var acc: UInt32 = 0
        var bits: UInt32 = 0
        for i in 0..<count {
            guard let v = Base64.value(of: text[i], urlSafe: true) else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                value = value << 8 | UInt64(UInt8(truncatingIfNeeded: acc >> bits))
            }
        }
        return Int(exactly: value)
    }

    /// Signs the base64url (unpadded) encoding of `payload`, optionally preceded by `.` (the mark
    /// of a compressed payload), with the current time: the same token as
    /// `sign(("." or "") + Base64.encode(payload, urlSafe: true, padding: false))`, built in one
    /// buffer.
    public func sign(base64URLOf payload: some Collection<UInt8>, dotPrefixed: Bool = false) throws(SigningError) -> String {
        var token: [UInt8] = []
        let encodedCount = Base64.encodedCount(payload.count, padding: false)
        token.reserveCapacity((dotPrefixed ? 1 : 0) + encodedCount + 2 * signer.separator.count + 12 + 88)
        if dotPrefixed { token.append(UInt8(ascii: ".")) }
        let start = token.count
        withContiguousBytes(payload) { payload in
            token.append(contentsOf: repeatElement(0, count: encodedCount))
            token.withUnsafeMutableBufferPointer { out in
                _ = Base64.encode(payload, urlSafe: true, padding: false, into: out.baseAddress! + start)
            }
        }
        token.append(contentsOf: signer.separator)
        TimestampSigner.appendTimestamp(clock(), to: &token)
        guard signer.appendSignature(to: &token) else {
            throw .crypto(CryptoError.openSSL("HMAC-\(signer.digest.rawValue)"))
        }
        return String(decoding: token, as: UTF8.self)
    }

    /// Appends the timestamp as ``encodeTimestamp(_:)`` writes it.
    static func appendTimestamp(_ timestamp: Int, to out: inout [UInt8]) {
        let value = UInt64(clamping: timestamp)
        let count = (64 - value.leadingZeroBitCount + 7) / 8
        withUnsafeBytes(of: value.bigEndian) { raw in
            let significant = UnsafeRawBufferPointer(rebasing: raw[(8 - count)...])
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: Base64.encodedCount(count, padding: false)))
            out.withUnsafeMutableBufferPointer { buffer in
                _ = Base64.encode(significant, urlSafe: true, padding: false, into: buffer.baseAddress! + start)
            }
        }
    }

    /// Signs `value` with the current time, as bytes.
    public func sign(bytes value: some Collection<UInt8>) throws(SigningError) -> [UInt8] {
        var timed = Array(value)
        timed.append(contentsOf: signer.separator)
        timed.append(contentsOf: TimestampSigner.encodeTimestamp(clock()).utf8)
        return try signer.sign(bytes: timed)
    }

    /// Signs `value` with the current time.
    public func sign(_ value: String) throws(SigningError) -> String {
        String(decoding: try sign(bytes: value.utf8), as: UTF8.self)
    }

    /// Verifies a token and returns its value and signing time (Unix seconds).
    ///
    /// Throws `.badSignature` when the token has no separator at all, `.badTimeSignature` when the
    /// signature does not match or the timestamp is missing or malformed, and `.signatureExpired`
    /// when `maxAge` is given and the age is above it or negative. The order of the checks is
    /// itsdangerous's, so the same token fails with the same kind of error.
    public func unsignWithTimestamp(
        bytes token: some Collection<UInt8>, maxAge: Int? = nil
    ) throws(SigningError) -> (value: [UInt8], timestamp: Int) {
        let (verified, signatureError) = signer.unsignKeepingValue(Array(token))
        let result = verified ?? []
        guard let split = Signer.lastRange(of: signer.separator, in: result) else {
            if let signatureError { throw signatureError }
            throw .badTimeSignature("timestamp missing", signedAt: nil)
        }
        let value = Array(result[..<split.lowerBound])
        let timestamp = TimestampSigner.decodeTimestamp(result[split.upperBound...])
        if let signatureError {
            guard case .badSignature(let reason) = signatureError else { throw signatureError }
            throw .badTimeSignature(reason, signedAt: timestamp)
        }
        guard let timestamp else { throw .badTimeSignature("malformed timestamp", signedAt: nil) }
        if let maxAge {
            let (age, overflow) = clock().subtractingReportingOverflow(timestamp)
            if overflow || age > maxAge || age < 0 {
                throw .signatureExpired(age: overflow ? Int.min : age, maxAge: maxAge, signedAt: timestamp)
            }
        }
        return (value, timestamp)
    }

    /// The length of the value in a valid token, or nil when `unsignWithTimestamp(bytes:maxAge:)`
    /// would throw: the same checks, in place, without copying the token or allocating.
    func verifiedValueCount(_ token: UnsafeRawBufferPointer, maxAge: Int?) -> Int? {
        guard let split = signer.lastSeparator(in: token) else { return nil }
        let signed = UnsafeRawBufferPointer(rebasing: token[..<split.lowerBound])
        guard signer.verify(raw: signed, signature: UnsafeRawBufferPointer(rebasing: token[split.upperBound...])),
              let inner = signer.lastSeparator(in: signed),
              let timestamp = TimestampSigner.decodeTimestamp(raw: UnsafeRawBufferPointer(rebasing: signed[inner.upperBound...]))
        else { return nil }
        if let maxAge {
            let (age, overflow) = clock().subtractingReportingOverflow(timestamp)
            if overflow || age > maxAge || age < 0 { return nil }
        }
        return inner.lowerBound
    }

    /// Verifies a token and returns its value and signing time (see `unsignWithTimestamp(bytes:maxAge:)`).
    public func unsignWithTimestamp(_ token: String, maxAge: Int? = nil) throws(SigningError) -> (value: String, timestamp: Int) {
        let (value, timestamp) = try unsignWithTimestamp(bytes: token.utf8, maxAge: maxAge)
        return (String(decoding: value, as: UTF8.self), timestamp)
    }

    /// Verifies a token (and its age, when `maxAge` is given) and returns the value.
    public func unsign(bytes token: some Collection<UInt8>, maxAge: Int? = nil) throws(SigningError) -> [UInt8] {
        try unsignWithTimestamp(bytes: token, maxAge: maxAge).value
    }

    /// Verifies a token (and its age, when `maxAge` is given) and returns the value.
    public func unsign(_ token: String, maxAge: Int? = nil) throws(SigningError) -> String {
        try unsignWithTimestamp(token, maxAge: maxAge).value
    }

    /// Whether the token is valid (and, with `maxAge`, not expired).
    public func validate(_ token: String, maxAge: Int? = nil) -> Bool {
        (try? unsignWithTimestamp(bytes: token.utf8, maxAge: maxAge)) != nil
    }
}
