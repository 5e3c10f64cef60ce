/// Password hashes in Werkzeug's format, `method$salt$hexdigest`, compatible with
/// `werkzeug.security.generate_password_hash` / `check_password_hash` in both directions.
///
/// ```swift
/// let stored = try PasswordHash.generate("correct horse")
/// // "scrypt:32768:8:1$4FWxJJ8EG22JVRir$c88d4f…" (random salt)
/// PasswordHash.check(stored, "correct horse")     // true
/// ```
///
/// Methods: `scrypt` (= `scrypt:32768:8:1`, the default), `scrypt:N:r:p`, `pbkdf2`
/// (= `pbkdf2:sha256:1000000`), `pbkdf2:HASH`, `pbkdf2:HASH:ITERATIONS` with HASH one of `sha1`,
/// `sha256`, `sha512`. The expanded method is what gets stored. The salt is used as its ASCII text.
///
/// `check` recomputes with the parameters stored in the hash, so a hostile or corrupted hash
/// string could ask for any amount of work; it refuses parameters beyond `maximumPBKDF2Iterations`,
/// `maximumScryptMemory`, `maximumScryptParallelism` instead of running them.
public enum PasswordHash {
    /// The PBKDF2 iteration count used for `pbkdf2` without a count (Werkzeug 3.1's default).
    public static let defaultPBKDF2Iterations = 1_000_000
    /// The largest PBKDF2 iteration count `generate` and `check` accept (ten times the default).
    public static let maximumPBKDF2Iterations = 10_000_000
    /// The most memory an scrypt hash may need (`128·N·r` bytes) for `generate` and `check`:
    /// 256 MiB, i.e. N up to 2^18 at r = 8 (the default needs 32 MiB).
    public static let maximumScryptMemory = 256 << 20
    /// The largest scrypt parallelism `p` accepted.
    public static let maximumScryptParallelism = 16

    /// The characters of generated salts (Werkzeug's `SALT_CHARS`).
    static let saltCharacters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    /// Hashes `password` with a fresh random salt of `saltLength` characters from `[A-Za-z0-9]`.
    /// Throws for an unknown method, parameters out of range, or `saltLength` < 1.
    public static func generate(_ password: String, method: String = "scrypt", saltLength: Int = 16) throws(CryptoError) -> String {
        guard saltLength > 0 else { throw CryptoError("salt length must be at least 1, got \(saltLength)") }
        let salt = try randomSalt(saltLength)
        let (hex, expanded) = try hash(method: method, salt: salt, password: password)
        return "\(expanded)$\(salt)$\(hex)"
    }

    /// Whether `password` matches the stored `hash`. Malformed hashes, unknown methods and
    /// parameters beyond the limits give `false`. The final comparison is constant-time.
    public static func check(_ hash: String, _ password: String) -> Bool {
        let parts = hash.split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        guard let (hex, _) = try? self.hash(method: String(parts[0]), salt: String(parts[1]), password: password) else {
            return false
        }
        return constantTimeEquals(hex.utf8, parts[2].utf8)
    }

    /// The hex digest and the expanded method for `method`, like Werkzeug's `_hash_internal`.
    static func hash(method: String, salt: String, password: String) throws(CryptoError) -> (hex: String, method: String) {
        let fields = method.split(separator: ":", omittingEmptySubsequences: false)
        let args = fields.dropFirst()
        switch fields[0] {
        case "scrypt":
            var (n, r, p) = (1 << 15, 8, 1)
            if !args.isEmpty {
                guard args.count == 3, let nn = parseCount(args[args.startIndex]), let rr = parseCount(args[args.startIndex + 1]),
                      let pp = parseCount(args[args.startIndex + 2])
                else { throw CryptoError("'scrypt' takes 3 integer arguments: scrypt:N:r:p") }
                (n, r, p) = (nn, rr, pp)
            }
            guard n <= maximumScryptMemory / 128, r <= maximumScryptMemory / 128 / n,
                  p <= maximumScryptParallelism
            else { throw CryptoError("scrypt parameters N=\(n) r=\(r) p=\(p) exceed the configured limits") }
            let key = try Scrypt.derive(password: password.utf8, salt: salt.utf8, n: n, r: r, p: p, keyLength: 64)
            return (Hex.encode(key), "scrypt:\(n):\(r):\(p)")
        case "pbkdf2":
            guard args.count <= 2 else { throw CryptoError("'pbkdf2' takes at most 2 arguments: pbkdf2:HASH:ITERATIONS") }
            let hashName = args.first.map(String.init) ?? "sha256"
            guard let function = HashFunction(rawValue: hashName) else {
                throw CryptoError("unsupported pbkdf2 hash '\(hashName)': use sha1, sha256 or sha512")
            }
            var iterations = defaultPBKDF2Iterations
            if args.count == 2 {
                guard let count = parseCount(args[args.startIndex + 1]) else {
                    throw CryptoError("pbkdf2 iterations must be a positive integer")
                }
                iterations = count
            }
            guard iterations <= maximumPBKDF2Iterations else {
                throw CryptoError("pbkdf2 iterations \(iterations) exceed the limit of \(maximumPBKDF2Iterations)")
            }
            let key = try PBKDF2.derive(password: password.utf8, salt: salt.utf8, iterations: iterations,
                                        keyLength: function.digestLength, hash: function)
            return (Hex.encode(key), "pbkdf2:\(hashName):\(iterations)")
        default:
            throw CryptoError("invalid hash method '\(fields[0])': use scrypt or pbkdf2")
        }
    }

    /// A positive decimal integer of at most 9 digits (plain digits only, unlike Python's `int()`).
    private static func parseCount(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }),
              let value = Int(text), value > 0 else { return nil }
        return value
    }

    /// A salt of `length` characters drawn uniformly from `saltCharacters` (rejection sampling).
    static func randomSalt(_ length: Int) throws(CryptoError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        while out.count < length {
            for byte in try SecureRandom.bytes(length * 2) where byte < 248 && out.count < length {
                out.append(saltCharacters[Int(byte) % 62])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension PasswordHash {
    /// ``generate(_:method:saltLength:)`` on ``WorkerPool/shared``: hashing takes tens of
    /// milliseconds of CPU by design, which must not stall an event loop. Use this form in handlers.
    public static func generate(_ password: String, method: String = "scrypt", saltLength: Int = 16,
                                on pool: WorkerPool = .shared) async throws -> String {
        try await pool.run { try generate(password, method: method, saltLength: saltLength) }
    }

    /// ``check(_:_:)`` on ``WorkerPool/shared``, off the event loop. Use this form in handlers.
    /// Throws only when the pool is saturated (503 with `Retry-After`).
    public static func check(_ hash: String, _ password: String, on pool: WorkerPool = .shared) async throws -> Bool {
        try await pool.run { check(hash, password) }
    }
}

