import Testing
@testable import WerkCore
import WerkTestSupport

@Suite("Werkzeug password hashes")
struct PasswordHashTests {
    @Test("every password_hashes vector verifies with the right password and fails with a wrong one")
    func vectorsVerify() throws {
        let vectors = try InteropVectors.section("password_hashes")
        #expect(vectors.count == 6)
        for vector in vectors {
            let hash = try #require(vector["hash"]?.stringValue)
            let password = try #require(vector["password"]?.stringValue)
            #expect(PasswordHash.check(hash, password), "\(hash)")
            #expect(!PasswordHash.check(hash, password + "!"))
        }
    }

    @Test("hashing with the vectors' fixed salt reproduces them, with the method expanded")
    func vectorsReproduce() throws {
        for vector in try InteropVectors.section("password_hashes") {
            let method = try #require(vector["method"]?.stringValue)
            let stored = try #require(vector["hash"]?.stringValue)
            if method == "pbkdf2:sha256:600000" { continue }  // the slow ones are covered by check above
            if method == "pbkdf2:sha256" || method == "scrypt" {
                #expect(try PasswordHash.hash(method: method, salt: "x", password: "p").method == stored.split(separator: "$")[0].description)
                continue
            }
            let (hex, expanded) = try PasswordHash.hash(method: method, salt: "abcdefghijklmnop", password: "correct horse")
            #expect("\(expanded)$abcdefghijklmnop$\(hex)" == stored)
        }
    }

    @Test("generate writes method$salt$hex with a random 16-character alphanumeric salt")
    func generateFormat() throws {
        let hash = try PasswordHash.generate("s3cret", method: "scrypt:1024:8:1")
        let parts = hash.split(separator: "$")
        #expect(parts.count == 3)
        #expect(parts[0] == "scrypt:1024:8:1")
        #expect(parts[1].count == 16 && parts[1].utf8.allSatisfy { PasswordHash.saltCharacters.contains($0) })
        #expect(parts[2].count == 128)
        #expect(PasswordHash.check(hash, "s3cret"))
        #expect(!PasswordHash.check(hash, "s3cret "))
        #expect(try PasswordHash.generate("s3cret", method: "scrypt:1024:8:1") != hash)  // fresh salt
        let pbkdf2 = try PasswordHash.generate("pw", method: "pbkdf2:sha512:1000", saltLength: 8)
        #expect(pbkdf2.hasPrefix("pbkdf2:sha512:1000$") && pbkdf2.split(separator: "$")[1].count == 8)
        #expect(PasswordHash.check(pbkdf2, "pw"))
        #expect(try PasswordHash.generate("pw", method: "pbkdf2:sha1:10").hasPrefix("pbkdf2:sha1:10$"))
    }

    @Test("the default method is scrypt:32768:8:1 and it verifies")
    func defaultMethod() throws {
        let hash = try PasswordHash.generate("correct horse")
        #expect(hash.hasPrefix("scrypt:32768:8:1$"))
        #expect(PasswordHash.check(hash, "correct horse"))
    }

    @Test("generate refuses unknown methods, bad parameters and a salt length below 1")
    func generateRefusesBadMethods() {
        for method in ["md5", "plain", "pbkdf2:md5", "pbkdf2:sha256:0", "pbkdf2:sha256:x", "pbkdf2:sha256:1:2",
                       "scrypt:1000:8:1", "scrypt:1024:8", "scrypt:a:b:c", "pbkdf2:sha256:99999999", ""] {
            #expect(throws: CryptoError.self, "\(method)") { try PasswordHash.generate("pw", method: method) }
        }
        #expect(throws: CryptoError.self) { try PasswordHash.generate("pw", saltLength: 0) }
    }

    @Test("check returns false for malformed hashes instead of throwing or crashing", arguments: [
        "", "$", "$$", "nodollar", "scrypt:1024:8:1$salt", "md5$salt$abc", "pbkdf2:sha256:1000$abc",
        "pbkdf2:sha256:1000$abcdefghijklmnop$25AEF7D3FDCFBC054811E301D9C02FA5EFEC2C4E2AB073A1245D9C4EFFE4AA9B",
        "pbkdf2:sha256:1000$abcdefghijklmnop$25aef7d3fdcfbc054811e301d9c02fa5efec2c4e2ab073a1245d9c4effe4aa9b$",
        "pbkdf2:sha256:-1$s$00", "pbkdf2:sha256:+1000$abcdefghijklmnop$00", "scrypt:0:8:1$s$00", "scrypt:3:8:1$s$00",
    ])
    func checkRejectsMalformed(hash: String) {
        #expect(!PasswordHash.check(hash, "correct horse"))
    }

    @Test("check refuses hostile parameters quickly instead of running them")
    func checkRefusesAbsurdParameters() {
        let start = ContinuousClock.now
        #expect(!PasswordHash.check("pbkdf2:sha256:999999999$s$00", "pw"))
        #expect(!PasswordHash.check("scrypt:1073741824:8:1$s$00", "pw"))
        #expect(!PasswordHash.check("scrypt:16384:1024:1$s$00", "pw"))
        #expect(!PasswordHash.check("scrypt:16384:8:1000$s$00", "pw"))
        #expect(ContinuousClock.now - start < .seconds(1))
    }
}
