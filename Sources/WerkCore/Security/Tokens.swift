/// A random URL-safe token: `bytes` random bytes as base64url without padding (Python's
/// `secrets.token_urlsafe`), e.g. for CSRF tokens or reset links. 32 bytes give 43 characters.
public func randomToken(bytes: Int = 32) throws(CryptoError) -> String {
    Base64.encode(try SecureRandom.bytes(bytes), urlSafe: true, padding: false)
}
