import CWerkCrypto

/// PBKDF2 (RFC 8018) with HMAC, on libcrypto's `PKCS5_PBKDF2_HMAC`.
///
/// ```swift
/// let key = try PBKDF2.derive(password: Array("pw".utf8), salt: Array("salt".utf8),
///                             iterations: 600_000, keyLength: 32, hash: .sha256)
/// ```
public enum PBKDF2 {
    /// Derives `keyLength` bytes. Throws for non-positive iterations or lengths, or if libcrypto fails.
    public static func derive(
        password: some Collection<UInt8>, salt: some Collection<UInt8>, iterations: Int, keyLength: Int,
        hash: HashFunction = .sha256
    ) throws(CryptoError) -> [UInt8] {
        guard iterations > 0, iterations <= Int(Int32.max) else {
            throw CryptoError("PBKDF2 iterations must be between 1 and \(Int32.max), got \(iterations)")
        }
        guard keyLength > 0, keyLength <= 1 << 20 else {
            throw CryptoError("PBKDF2 key length must be between 1 and 1048576 bytes, got \(keyLength)")
        }
        guard password.count <= Int(Int32.max), salt.count <= Int(Int32.max) else {
            throw CryptoError("PBKDF2 password or salt is too long")
        }
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: keyLength) { buffer, count in
            ok = withContiguousBytes(password) { pw in
                withContiguousBytes(salt) { s in
                    let p = (pw.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte))
                        .assumingMemoryBound(to: CChar.self)
                    let sp = (s.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte))
                        .assumingMemoryBound(to: UInt8.self)
                    return PKCS5_PBKDF2_HMAC(p, Int32(pw.count), sp, Int32(s.count), Int32(iterations),
                                             hash.evp, Int32(keyLength), buffer.baseAddress) == 1
                }
            }
            count = ok ? keyLength : 0
        }
        guard ok else { throw CryptoError.openSSL("PBKDF2-\(hash.rawValue)") }
        return out
    }
}

/// scrypt (RFC 7914), on libcrypto's `EVP_PBE_scrypt`.
///
/// ```swift
/// let key = try Scrypt.derive(password: Array("pw".utf8), salt: Array("salt".utf8),
///                             n: 32768, r: 8, p: 1, keyLength: 64)
/// ```
public enum Scrypt {
    /// Derives `keyLength` bytes with cost `n` (a power of two above 1), block size `r` and
    /// parallelism `p`. libcrypto's memory limit is set to exactly what the parameters need,
    /// 128·r·(n + p + 2) bytes (32 MiB for Werkzeug's default 32768/8/1), so bound `n` and `r`
    /// yourself before deriving from untrusted parameters. Throws for invalid parameters or if
    /// libcrypto refuses them.
    public static func derive(
        password: some Collection<UInt8>, salt: some Collection<UInt8>, n: Int, r: Int, p: Int, keyLength: Int
    ) throws(CryptoError) -> [UInt8] {
        guard n > 1, n & (n - 1) == 0 else {
            throw CryptoError("scrypt n must be a power of two greater than 1, got \(n)")
        }
        guard r > 0, p > 0, r <= 1 << 20, p <= 1 << 20 else {
            throw CryptoError("scrypt r and p must be positive, got r=\(r) p=\(p)")
        }
        guard keyLength > 0, keyLength <= 1 << 20 else {
            throw CryptoError("scrypt key length must be between 1 and 1048576 bytes, got \(keyLength)")
        }
        // libcrypto needs 128·r·(n + p + 2) bytes; pass exactly that as its memory limit (Python's
        // hashlib callers pass 132·n·r, which is the same order but too small for tiny n).
        let (np2, overflow1) = n.addingReportingOverflow(p + 2)
        let (rowBytes, overflow2) = (128 * r).multipliedReportingOverflow(by: np2)
        guard !overflow1, !overflow2 else {
            throw CryptoError("scrypt parameters n=\(n) r=\(r) p=\(p) need too much memory")
        }
        let maxMemory = UInt64(rowBytes) + 1
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: keyLength) { buffer, count in
            ok = withContiguousBytes(password) { pw in
                withContiguousBytes(salt) { s in
                    let pp = (pw.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte))
                        .assumingMemoryBound(to: CChar.self)
                    let sp = (s.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte))
                        .assumingMemoryBound(to: UInt8.self)
                    return EVP_PBE_scrypt(pp, pw.count, sp, s.count, UInt64(n), UInt64(r), UInt64(p),
                                          maxMemory, buffer.baseAddress, keyLength) == 1
                }
            }
            count = ok ? keyLength : 0
        }
        guard ok else { throw CryptoError.openSSL("scrypt (n=\(n) r=\(r) p=\(p))") }
        return out
    }
}
