import CWerkCrypto

/// A hash function from libcrypto, used by digests, HMAC, PBKDF2 and the signers.
///
/// ```swift
/// let digest = try HashFunction.sha256.hash(Array("abc".utf8))   // 32 bytes
/// ```
public enum HashFunction: String, Sendable, Hashable, CaseIterable {
    /// SHA-1 (20 bytes). Broken for collisions, still fine inside HMAC; Flask and itsdangerous default to it.
    case sha1
    /// SHA-256 (32 bytes).
    case sha256
    /// SHA-512 (64 bytes).
    case sha512

    /// The digest size in bytes: 20, 32 or 64.
    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// The algorithm name libcrypto uses.
    var openSSLName: String {
        switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha512: "SHA512"
        }
    }

    /// The block size in bytes (64 for SHA-1 and SHA-256, 128 for SHA-512).
    public var blockLength: Int { self == .sha512 ? 128 : 64 }

    /// The digest of `bytes`.
    public func hash(_ bytes: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        let length = digestLength
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            ok = withContiguousBytes(bytes) { digest($0, into: buffer.baseAddress!) }
            count = ok ? length : 0
        }
        guard ok else { throw CryptoError.openSSL("\(rawValue) digest") }
        return out
    }

    /// The digest of the UTF-8 bytes of `string`.
    public func hash(_ string: String) throws(CryptoError) -> [UInt8] {
        try hash(string.utf8)
    }

    /// Writes the digest of `input` to `out` (which holds at least `digestLength` bytes); false on failure.
    func digest(_ input: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) -> Bool {
        var size: UInt32 = 0
        let base = input.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte)
        return EVP_Digest(base, input.count, out, &size, evp, nil) == 1 && Int(size) == digestLength
    }

    /// The libcrypto algorithm object, fetched once.
    var evp: OpaquePointer? {
        switch self {
        case .sha1: CryptoGlobals.sha1
        case .sha256: CryptoGlobals.sha256
        case .sha512: CryptoGlobals.sha512
        }
    }
}

/// Algorithm objects fetched from the default provider once per process. Fetching is what makes
/// `EVP_sha256()`-style implicit lookups slow on OpenSSL 3; explicitly fetched objects are immutable,
/// reference counted and documented as safe to share between threads.
enum CryptoGlobals {
    // The pointers are written once, here, and only read afterwards; OpenSSL guarantees
    // fetched EVP_MD objects can be used concurrently from any thread.
    nonisolated(unsafe) static let sha1: OpaquePointer? = EVP_MD_fetch(nil, "SHA1", nil)
    // Same invariant as `sha1`.
    nonisolated(unsafe) static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)
    // Same invariant as `sha1`.
    nonisolated(unsafe) static let sha512: OpaquePointer? = EVP_MD_fetch(nil, "SHA512", nil)
    // Same invariant as `sha1`: a fetched EVP_MAC is immutable and shareable between threads.
    nonisolated(unsafe) static let hmac: OpaquePointer? = EVP_MAC_fetch(nil, "HMAC", nil)
    // A readable byte to pass instead of a NULL pointer for empty input. Never written.
    nonisolated(unsafe) static let emptyByte: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()
}

/// A hash function as a type, so code can be generic over it: `SHA1`, `SHA256`, `SHA512`.
public protocol DigestFunction {
    /// The hash function this type stands for.
    static var function: HashFunction { get }
}

extension DigestFunction {
    /// The digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        try function.hash(bytes)
    }

    /// The digest of the UTF-8 bytes of `string`.
    public static func hash(_ string: String) throws(CryptoError) -> [UInt8] {
        try function.hash(string.utf8)
    }

    /// The digest of `bytes` as lower-case hex, like Python's `hexdigest()`.
    public static func hexHash(_ bytes: some Collection<UInt8>) throws(CryptoError) -> String {
        Hex.encode(try function.hash(bytes))
    }

    /// The digest of the UTF-8 bytes of `string` as lower-case hex.
    public static func hexHash(_ string: String) throws(CryptoError) -> String {
        Hex.encode(try function.hash(string.utf8))
    }
}

/// SHA-1 (FIPS 180-4), 20-byte digests. `try SHA1.hexHash("abc")` is `a9993e36…`.
public enum SHA1: DigestFunction {
    /// `.sha1`.
    public static var function: HashFunction { .sha1 }
}

/// SHA-256 (FIPS 180-4), 32-byte digests.
public enum SHA256: DigestFunction {
    /// `.sha256`.
    public static var function: HashFunction { .sha256 }
}

/// SHA-512 (FIPS 180-4), 64-byte digests.
public enum SHA512: DigestFunction {
    /// `.sha512`.
    public static var function: HashFunction { .sha512 }
}
