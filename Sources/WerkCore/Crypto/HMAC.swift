import CWerkCrypto

/// HMAC (RFC 2104) on libcrypto.
///
/// ```swift
/// let mac = try HMAC.authenticationCode(.sha256, key: Array("key".utf8), message: Array("msg".utf8))
/// try HMAC.isValid(mac, .sha256, key: key, message: message)   // constant-time check
/// ```
public enum HMAC {
    /// The HMAC of `message` under `key`, `hash.digestLength` bytes long.
    public static func authenticationCode(
        _ hash: HashFunction, key: some Collection<UInt8>, message: some Collection<UInt8>
    ) throws(CryptoError) -> [UInt8] {
        let length = hash.digestLength
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            ok = withContiguousBytes(key) { k in
                withContiguousBytes(message) { m in compute(hash, key: k, message: m, into: buffer.baseAddress!) }
            }
            count = ok ? length : 0
        }
        guard ok else { throw CryptoError.openSSL("HMAC-\(hash.rawValue)") }
        return out
    }

    /// Whether `mac` is the HMAC of `message` under `key`, compared in constant time.
    public static func isValid(
        _ mac: some Collection<UInt8>, _ hash: HashFunction, key: some Collection<UInt8>,
        message: some Collection<UInt8>
    ) throws(CryptoError) -> Bool {
        let expected = try authenticationCode(hash, key: key, message: message)
        return constantTimeEquals(expected, mac)
    }

    /// Writes the HMAC to `out` (at least `hash.digestLength` bytes) without allocating; false on failure.
    static func compute(
        _ hash: HashFunction, key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer,
        into out: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        guard key.count <= Int(Int32.max) else { return false }
        var size: UInt32 = 0
        let k = key.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte)
        let m = (message.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte)).assumingMemoryBound(to: UInt8.self)
        let result = CWerkCrypto.HMAC(hash.evp, k, Int32(key.count), m, message.count, out, &size)
        return result != nil && Int(size) == hash.digestLength
    }
}

/// Whether two byte sequences are equal, in time that depends only on their lengths.
///
/// Uses `CRYPTO_memcmp`. Lengths are not secret: when they differ the answer is `false`, after
/// comparing `a` with itself so the time still does not depend on the content.
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    withContiguousBytes(a) { x in
        withContiguousBytes(b) { y in
            let px = x.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte)
            guard x.count == y.count else {
                _ = CRYPTO_memcmp(px, px, x.count)
                return false
            }
            let py = y.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte)
            return CRYPTO_memcmp(px, py, x.count) == 0
        }
    }
}

/// Whether two strings have the same UTF-8 bytes, compared in constant time (see the byte version).
/// Unlike `==`, this does not treat canonically equivalent strings (`é` vs `e` + U+0301) as equal.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    constantTimeEquals(a.utf8, b.utf8)
}
