import CWerkCrypto

/// Cryptographically secure random bytes from libcrypto's `RAND_bytes`.
///
/// ```swift
/// let key = try SecureRandom.bytes(32)
/// ```
public enum SecureRandom {
    /// `count` random bytes. Throws if the generator is not seeded or `count` is negative.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        guard count >= 0, count <= Int(Int32.max) else {
            throw CryptoError("random byte count must be between 0 and \(Int32.max), got \(count)")
        }
        if count == 0 { return [] }
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            ok = RAND_bytes(buffer.baseAddress, Int32(count)) == 1
            initialized = ok ? count : 0
        }
        guard ok else { throw CryptoError.openSSL("RAND_bytes") }
        return out
    }
}
