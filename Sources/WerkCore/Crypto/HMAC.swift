import CWerkCrypto
import Synchronization

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
    package static func compute(
        _ hash: HashFunction, key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer,
        into out: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        guard let context = HMACKey.newContext(hash, key: key) else { return false }
        defer { EVP_MAC_CTX_free(context) }
        return HMACKey.finish(context, hash, message: message, into: out)
    }
}

/// An HMAC key prepared once, for keys used many times (the signers' derived keys): a keyed
/// libcrypto MAC context is set up once, and computations reuse a small pool of copies of it, which
/// skips the algorithm lookup, the key setup and the allocations of a fresh context on every call.
package final class HMACKey: @unchecked Sendable {
    // Invariant that makes this Sendable: `template` is created and keyed in `init`, never passed
    // to a mutating libcrypto call afterwards (only to `EVP_MAC_CTX_dup`, which reads its const
    // source), and freed only in `deinit`. Every other context is owned by one holder at a time:
    // the `idle` pool (behind its mutex) or the single call that took it out.
    private let template: OpaquePointer
    private let idle = Mutex<[ContextBox]>([])
    private static let poolCapacity = 8
    /// The hash function of this key.
    package let hash: HashFunction

    /// A context pointer with a single owner at a time (see the class invariant).
    private struct ContextBox: @unchecked Sendable {
        let context: OpaquePointer
    }

    package init(_ hash: HashFunction, key: some Collection<UInt8>) throws(CryptoError) {
        guard let context = withContiguousBytes(key, { HMACKey.newContext(hash, key: $0) }) else {
            throw CryptoError.openSSL("HMAC-\(hash.rawValue) key setup")
        }
        self.template = context
        self.hash = hash
    }

    deinit {
        EVP_MAC_CTX_free(template)
        for box in idle.withLock({ $0 }) { EVP_MAC_CTX_free(box.context) }
    }

    /// Writes the HMAC of `message` to `out` (at least `hash.digestLength` bytes); false on failure.
    package func compute(_ message: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) -> Bool {
        var context: OpaquePointer? = nil
        // A reused context is re-initialized with its stored key (what OpenSSL's HMAC does for a
        // NULL key); should a provider refuse that, the context is dropped for a fresh copy.
        if let reused = idle.withLock({ $0.popLast() }) {
            if EVP_MAC_init(reused.context, nil, 0, nil) == 1 {
                context = reused.context
            } else {
                EVP_MAC_CTX_free(reused.context)
            }
        }
        guard let context = context ?? EVP_MAC_CTX_dup(template) else { return false }
        let ok = HMACKey.finish(context, hash, message: message, into: out)
        let pooled = ok && idle.withLock { contexts -> Bool in
            guard contexts.count < HMACKey.poolCapacity else { return false }
            contexts.append(ContextBox(context: context))
            return true
        }
        if !pooled { EVP_MAC_CTX_free(context) }
        return ok
    }

    /// A new MAC context keyed with `key`, or nil if libcrypto fails.
    static func newContext(_ hash: HashFunction, key: UnsafeRawBufferPointer) -> OpaquePointer? {
        guard let context = EVP_MAC_CTX_new(CryptoGlobals.hmac) else { return nil }
        let keyed = hash.openSSLName.withCString { name in
            var params = [
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, UnsafeMutablePointer(mutating: name), 0),
                OSSL_PARAM_construct_end(),
            ]
            let k = (key.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte)).assumingMemoryBound(to: UInt8.self)
            return EVP_MAC_init(context, k, key.count, &params) == 1
        }
        guard keyed else {
            EVP_MAC_CTX_free(context)
            return nil
        }
        return context
    }

    static func finish(
        _ context: OpaquePointer, _ hash: HashFunction, message: UnsafeRawBufferPointer,
        into out: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        let m = (message.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte)).assumingMemoryBound(to: UInt8.self)
        guard EVP_MAC_update(context, m, message.count) == 1 else { return false }
        var length = 0
        return EVP_MAC_final(context, out, &length, hash.digestLength) == 1 && length == hash.digestLength
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
