import WerkCore

/// Signs values and verifies them, byte-compatible with itsdangerous's `Signer`.
///
/// A signed value is `value + separator + base64url(HMAC(derivedKey, value))` without `=` padding.
///
/// ```swift
/// let signer = try Signer(secretKeys: ["secret-key"])
/// let token = try signer.sign("hello")        // "hello.GIG_I5genEs4rf1bcDRWLO8Yso4"
/// try signer.unsign(token)                    // "hello"
/// ```
///
/// **Key rotation.** `secretKeys` lists keys oldest first, like itsdangerous and Flask's
/// `[*SECRET_KEY_FALLBACKS, SECRET_KEY]`: the **last** key signs, and every key verifies (newest
/// first). Keys are derived once, at initialization, so signing costs one HMAC.
///
/// Signatures are compared in constant time, on their base64 text, so a non-canonical encoding of
/// the right digest is rejected too (itsdangerous accepts it).
public struct Signer: Sendable {
    /// How the HMAC key is derived from a secret key and the salt (itsdangerous's `key_derivation`).
    public enum KeyDerivation: String, Sendable, Hashable, CaseIterable {
        /// `digest(salt + key)`.
        case concat
        /// `digest(salt + "signer" + key)`: itsdangerous's default.
        case djangoConcat = "django-concat"
        /// `HMAC(key, salt)`: what Flask sessions use.
        case hmac
        /// The secret key itself.
        case none
    }

    /// The salt, which separates signatures made for different purposes.
    public let salt: [UInt8]
    /// The separator between value and signature; never a base64url character.
    public let separator: [UInt8]
    /// How keys are derived.
    public let keyDerivation: KeyDerivation
    /// The hash for key derivation and for the HMAC.
    public let digest: HashFunction
    /// The derived keys, newest first, prepared for HMAC.
    let derivedKeys: [HMACKey]

    /// Creates a signer from secret keys given as bytes, oldest first (the last one signs).
    ///
    /// Throws `.invalidConfiguration` for an empty key list or a separator that is empty or contains
    /// a base64url character (`A-Z a-z 0-9 - _ =`), and `.crypto` if key derivation fails.
    public init(
        secretKeyBytes: [[UInt8]], salt: some Collection<UInt8> = Array("itsdangerous.Signer".utf8),
        separator: String = ".", keyDerivation: KeyDerivation = .djangoConcat, digest: HashFunction = .sha1
    ) throws(SigningError) {
        guard !secretKeyBytes.isEmpty else { throw .invalidConfiguration("at least one secret key is required") }
        let sep = Array(separator.utf8)
        guard !sep.isEmpty, !sep.contains(where: Signer.isBase64URLByte) else {
            throw .invalidConfiguration("the separator \"\(separator)\" is empty or contains a base64url character")
        }
        self.salt = Array(salt)
        self.separator = sep
        self.keyDerivation = keyDerivation
        self.digest = digest
        var keys: [HMACKey] = []
        do throws(CryptoError) {
            for key in secretKeyBytes.reversed() {
                let derived = try Signer.deriveKey(key, salt: self.salt, method: keyDerivation, digest: digest)
                keys.append(try HMACKey(digest, key: derived))
            }
        } catch {
            throw .crypto(error)
        }
        self.derivedKeys = keys
    }

    /// Creates a signer from secret keys given as text (their UTF-8 bytes), oldest first.
    public init(
        secretKeys: [String], salt: String = "itsdangerous.Signer", separator: String = ".",
        keyDerivation: KeyDerivation = .djangoConcat, digest: HashFunction = .sha1
    ) throws(SigningError) {
        try self.init(secretKeyBytes: secretKeys.map { Array($0.utf8) }, salt: Array(salt.utf8),
                      separator: separator, keyDerivation: keyDerivation, digest: digest)
    }

    /// The key itsdangerous would use for HMAC, for one secret key.
    static func deriveKey(
        _ key: [UInt8], salt: [UInt8], method: KeyDerivation, digest: HashFunction
    ) throws(CryptoError) -> [UInt8] {
        switch method {
        case .concat: return try digest.hash(salt + key)
        case .djangoConcat: return try digest.hash(salt + Array("signer".utf8) + key)
        case .hmac: return try HMAC.authenticationCode(digest, key: key, message: salt)
        case .none: return key
        }
    }

    /// The base64url signature of `value` under the newest key.
    public func signature(for value: some Collection<UInt8>) throws(SigningError) -> String {
        var result: String? = nil
        withContiguousBytes(value) { message in
            result = Signer.signature(message, key: derivedKeys[0])
        }
        guard let result else { throw .crypto(CryptoError.openSSL("HMAC-\(digest.rawValue)")) }
        return result
    }

    /// `value + separator + signature`, as bytes.
    public func sign(bytes value: some Collection<UInt8>) throws(SigningError) -> [UInt8] {
        var out = Array(value)
        let sig = try signature(for: out)
        out.append(contentsOf: separator)
        out.append(contentsOf: sig.utf8)
        return out
    }

    /// `value + separator + signature`.
    public func sign(_ value: String) throws(SigningError) -> String {
        String(decoding: try sign(bytes: value.utf8), as: UTF8.self)
    }

    /// Whether `signature` (base64url text) signs `value` under any of the keys.
    public func verify(_ value: some Collection<UInt8>, signature: some Collection<UInt8>) -> Bool {
        withContiguousBytes(value) { message in
            withContiguousBytes(signature) { candidate in
                for key in derivedKeys {
                    guard let expected = Signer.signature(message, key: key) else { return false }
                    if constantTimeEquals(expected.utf8, candidate) { return true }
                }
                return false
            }
        }
    }

    /// Whether `candidate` (base64url text) signs `message` under any of the keys, without
    /// allocating: each expected signature is encoded into a stack buffer and compared in constant
    /// time, as ``verify(_:signature:)`` does.
    func verify(raw message: UnsafeRawBufferPointer, signature candidate: UnsafeRawBufferPointer) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 + 88) { buffer -> Bool in
            let digestBytes = buffer.baseAddress!
            let text = digestBytes + 64
            for key in derivedKeys {
                guard key.compute(message, into: digestBytes) else { return false }
                let count = Base64.encode(UnsafeRawBufferPointer(start: digestBytes, count: key.hash.digestLength),
                                          urlSafe: true, padding: false, into: text)
                if constantTimeEquals(UnsafeRawBufferPointer(start: text, count: count), candidate) { return true }
            }
            return false
        }
    }

    /// Appends the separator and the signature of everything in `token` (under the newest key);
    /// false if libcrypto fails.
    func appendSignature(to token: inout [UInt8]) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 + 88) { buffer -> Bool in
            let digestBytes = buffer.baseAddress!
            let text = digestBytes + 64
            let key = derivedKeys[0]
            guard token.withUnsafeBytes({ key.compute($0, into: digestBytes) }) else { return false }
            let count = Base64.encode(UnsafeRawBufferPointer(start: digestBytes, count: key.hash.digestLength),
                                      urlSafe: true, padding: false, into: text)
            token.append(contentsOf: separator)
            token.append(contentsOf: UnsafeBufferPointer(start: text, count: count))
            return true
        }
    }

    /// The last occurrence of the separator in `bytes`, as a range of offsets.
    func lastSeparator(in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        let n = separator.count
        guard n <= bytes.count else { return nil }
        if n == 1 {
            let sep = separator[0]
            var i = bytes.count - 1
            while i >= 0 {
                if bytes[i] == sep { return i..<i + 1 }
                i -= 1
            }
            return nil
        }
        var start = bytes.count - n
        while start >= 0 {
            var i = 0
            while i < n && bytes[start + i] == separator[i] { i += 1 }
            if i == n { return start..<start + n }
            start -= 1
        }
        return nil
    }

    /// The value of a signed token, split at the last separator, after checking its signature.
    /// Throws `.badSignature` when there is no separator or the signature does not match.
    public func unsign(bytes token: some Collection<UInt8>) throws(SigningError) -> [UInt8] {
        let bytes = Array(token)
        guard let split = Signer.lastRange(of: separator, in: bytes) else {
            throw .badSignature("no separator \"\(String(decoding: separator, as: UTF8.self))\" found in the value")
        }
        let value = Array(bytes[..<split.lowerBound])
        guard verify(value, signature: bytes[split.upperBound...]) else {
            throw .badSignature("the signature does not match")
        }
        return value
    }

    /// The value of a signed token, after checking its signature (see `unsign(bytes:)`).
    public func unsign(_ token: String) throws(SigningError) -> String {
        String(decoding: try unsign(bytes: token.utf8), as: UTF8.self)
    }

    /// Whether a signed token is valid under any of the keys.
    public func validate(_ token: String) -> Bool {
        (try? unsign(bytes: token.utf8)) != nil
    }

    /// The unsigned value and the reason it failed, for `TimestampSigner` (which, like itsdangerous,
    /// still reads the timestamp of a token whose signature failed, to report it).
    func unsignKeepingValue(_ bytes: [UInt8]) -> (value: [UInt8]?, error: SigningError?) {
        guard let split = Signer.lastRange(of: separator, in: bytes) else {
            return (nil, .badSignature("no separator \"\(String(decoding: separator, as: UTF8.self))\" found in the value"))
        }
        let value = Array(bytes[..<split.lowerBound])
        if verify(value, signature: bytes[split.upperBound...]) { return (value, nil) }
        return (value, .badSignature("the signature does not match"))
    }

    /// Computes the base64url HMAC without intermediate arrays; `nil` if libcrypto fails.
    static func signature(_ message: UnsafeRawBufferPointer, key: HMACKey) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer -> String? in
            guard key.compute(message, into: buffer.baseAddress!) else { return nil }
            return Base64.encode(UnsafeBufferPointer(rebasing: buffer[0..<key.hash.digestLength]), urlSafe: true, padding: false)
        }
    }

    /// The range of the last occurrence of `needle` in `haystack`.
    static func lastRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard needle.count <= haystack.count else { return nil }
        var start = haystack.count - needle.count
        while start >= 0 {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return start..<start + needle.count }
            start -= 1
        }
        return nil
    }

    static func isBase64URLByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="):
            true
        default: false
        }
    }
}
