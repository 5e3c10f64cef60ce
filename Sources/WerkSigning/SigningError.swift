import WerkCore

/// Why a signer or serializer refused a token (or its own configuration).
///
/// The cases mirror itsdangerous's exceptions: `badSignature` (`BadSignature`), `badTimeSignature`
/// (`BadTimeSignature`), `signatureExpired` (`SignatureExpired`) and `badPayload` (`BadPayload`).
/// Use `isSignatureFailure` to treat every "not trustworthy" outcome alike, as Flask does when it
/// silently starts a fresh session.
public enum SigningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The token has no separator, or its signature does not match any key.
    case badSignature(String)
    /// A timestamped token whose signature does not match (`signedAt` is the claimed, unverified
    /// time when it could be read), or whose timestamp is missing or malformed.
    case badTimeSignature(String, signedAt: Int?)
    /// The signature is valid but the token is older than `maxAge` seconds, or dated in the future
    /// (`age` < 0). `signedAt` is the verified Unix time of signing.
    case signatureExpired(age: Int, maxAge: Int, signedAt: Int)
    /// The signature is valid but the payload cannot be decoded (base64, zlib or JSON).
    case badPayload(String)
    /// The signer was configured wrongly (e.g. no keys, or a separator from the base64 alphabet).
    case invalidConfiguration(String)
    /// libcrypto failed while deriving a key or computing a signature.
    case crypto(CryptoError)

    /// True for every case that means "this token is not valid": bad, expired or undecodable.
    public var isSignatureFailure: Bool {
        switch self {
        case .badSignature, .badTimeSignature, .signatureExpired, .badPayload: true
        case .invalidConfiguration, .crypto: false
        }
    }

    /// A sentence saying what was wrong.
    public var description: String {
        switch self {
        case .badSignature(let reason): "bad signature: \(reason)"
        case .badTimeSignature(let reason, let signedAt):
            "bad time signature: \(reason)" + (signedAt.map { " (claims to be signed at \($0))" } ?? "")
        case .signatureExpired(let age, let maxAge, _):
            age < 0 ? "signature age \(age) < 0 seconds (signed in the future)"
                : "signature age \(age) > \(maxAge) seconds"
        case .badPayload(let reason): "bad payload: \(reason)"
        case .invalidConfiguration(let reason): "invalid signer configuration: \(reason)"
        case .crypto(let error): error.description
        }
    }
}
