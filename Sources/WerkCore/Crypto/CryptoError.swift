import CWerkCrypto

/// An error reported by libcrypto (or a bad argument caught before calling it).
///
/// The message names the operation and, when libcrypto queued one, its own error text, e.g.
/// `scrypt failed: memory limit exceeded (error:...)`.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in words, including libcrypto's reason when there was one.
    public let message: String

    /// Creates an error with the given message.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// An error for a failed libcrypto call: the operation name plus the drained OpenSSL error queue.
    package static func openSSL(_ operation: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.withUnsafeBufferPointer { ptr in
                String(decoding: UnsafeRawBufferPointer(ptr).prefix { $0 != 0 }, as: UTF8.self)
            }
            reasons.append(text)
        }
        if reasons.isEmpty { return CryptoError("\(operation) failed in libcrypto") }
        return CryptoError("\(operation) failed in libcrypto: " + reasons.joined(separator: "; "))
    }
}

/// Calls `body` with the bytes of `collection`, copying only when the collection is not contiguous.
@inline(__always)
package func withContiguousBytes<C: Collection<UInt8>, R>(_ collection: C, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = collection.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(collection).withUnsafeBytes(body)
}
