import Testing
@testable import WerkCore

@Suite("Crypto wrappers on libcrypto")
struct CryptoTests {
    @Test("SHA-1, SHA-256 and SHA-512 match the FIPS 180 examples")
    func digestsMatchFIPSExamples() throws {
        #expect(try SHA1.hexHash("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(try SHA1.hexHash("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(try SHA256.hexHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try SHA256.hexHash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(try SHA512.hexHash("abc") == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    @Test("digests accept any byte collection, including slices and non-contiguous ones")
    func digestsAcceptCollections() throws {
        let bytes = Array(utf8: "xabcx")
        #expect(try SHA1.hash(bytes[1..<4]) == SHA1.hash("abc"))
        #expect(try SHA1.hash(Array(utf8: "abc").lazy.map { $0 }) == SHA1.hash("abc"))
        #expect(try HashFunction.sha256.hash("abc").count == 32)
    }

    @Test("HMAC matches RFC 2202 (SHA-1) and RFC 4231 (SHA-256, SHA-512) test cases")
    func hmacMatchesRFCs() throws {
        let key = [UInt8](repeating: 0x0b, count: 20)
        let message = Array(utf8: "Hi There")
        #expect(Hex.encode(try HMAC.authenticationCode(.sha1, key: key, message: message))
            == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(Hex.encode(try HMAC.authenticationCode(.sha256, key: key, message: message))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Hex.encode(try HMAC.authenticationCode(.sha512, key: key, message: message))
            == "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
            + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
        let jefe = Array(utf8: "Jefe"), question = Array(utf8: "what do ya want for nothing?")
        #expect(Hex.encode(try HMAC.authenticationCode(.sha256, key: jefe, message: question))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 4231 case 6: a key longer than the block size is hashed first.
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        #expect(Hex.encode(try HMAC.authenticationCode(
            .sha256, key: longKey, message: Array(utf8: "Test Using Larger Than Block-Size Key - Hash Key First")))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("HMAC works with an empty key and an empty message")
    func hmacWithEmptyInputs() throws {
        #expect(Hex.encode(try HMAC.authenticationCode(.sha256, key: [UInt8](), message: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("HMAC.isValid accepts the right MAC and rejects a changed or shortened one")
    func hmacValidation() throws {
        let mac = try HMAC.authenticationCode(.sha1, key: Array(utf8: "k"), message: Array(utf8: "m"))
        #expect(try HMAC.isValid(mac, .sha1, key: Array(utf8: "k"), message: Array(utf8: "m")))
        var changed = mac
        changed[19] ^= 1
        #expect(try !HMAC.isValid(changed, .sha1, key: Array(utf8: "k"), message: Array(utf8: "m")))
        #expect(try !HMAC.isValid(mac.dropLast(), .sha1, key: Array(utf8: "k"), message: Array(utf8: "m")))
    }

    @Test("a prepared HMAC key gives the one-shot result on every reuse of its pooled contexts")
    func preparedKeyMatchesOneShot() throws {
        for hash in HashFunction.allCases {
            let key = try HMACKey(hash, key: Array(utf8: "prepared"))
            for length in [0, 1, 55, 64, 200, 1000] {
                let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                let expected = try HMAC.authenticationCode(hash, key: Array(utf8: "prepared"), message: message)
                var out = [UInt8](repeating: 0, count: 64)
                for _ in 0..<3 {
                    let ok = message.withUnsafeBytes { m in out.withUnsafeMutableBufferPointer { key.compute(m, into: $0.baseAddress!) } }
                    #expect(ok)
                    #expect(Array(out.prefix(hash.digestLength)) == expected)
                }
            }
        }
    }

    @Test("PBKDF2 matches RFC 6070 (SHA-1) and RFC 7914 section 11 (SHA-256)")
    func pbkdf2MatchesRFCs() throws {
        let password = Array(utf8: "password"), salt = Array(utf8: "salt")
        #expect(Hex.encode(try PBKDF2.derive(password: password, salt: salt, iterations: 1, keyLength: 20, hash: .sha1))
            == "0c60c80f961f0e71f3a9b524af6012062fe037a6")
        #expect(Hex.encode(try PBKDF2.derive(password: password, salt: salt, iterations: 4096, keyLength: 20, hash: .sha1))
            == "4b007901b765489abead49d926f721d065a429c1")
        #expect(Hex.encode(try PBKDF2.derive(password: Array(utf8: "passwd"), salt: salt, iterations: 1, keyLength: 64))
            == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test("PBKDF2 refuses zero iterations and zero-length keys with a clear error")
    func pbkdf2RefusesBadParameters() {
        #expect(throws: CryptoError.self) { try PBKDF2.derive(password: [1], salt: [1], iterations: 0, keyLength: 20) }
        #expect(throws: CryptoError.self) { try PBKDF2.derive(password: [1], salt: [1], iterations: 1, keyLength: 0) }
    }

    @Test("scrypt matches the RFC 7914 section 12 test vectors")
    func scryptMatchesRFC7914() throws {
        #expect(Hex.encode(try Scrypt.derive(password: [UInt8](), salt: [UInt8](), n: 16, r: 1, p: 1, keyLength: 64))
            == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        #expect(Hex.encode(try Scrypt.derive(password: Array(utf8: "password"), salt: Array(utf8: "NaCl"),
                                             n: 1024, r: 8, p: 16, keyLength: 64))
            == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test("scrypt rejects an n that is not a power of two, and libcrypto refusals become CryptoError")
    func scryptRejectsBadParameters() {
        #expect(throws: CryptoError.self) { try Scrypt.derive(password: [1], salt: [1], n: 1000, r: 8, p: 1, keyLength: 64) }
        #expect(throws: CryptoError.self) { try Scrypt.derive(password: [1], salt: [1], n: 1, r: 8, p: 1, keyLength: 64) }
        #expect(throws: CryptoError.self) {
            try Scrypt.derive(password: [1], salt: [1], n: 1 << 40, r: 1 << 20, p: 1, keyLength: 64)
        }
        // OpenSSL itself refuses r * p >= 2^30; the error must carry its reason, not crash.
        do {
            _ = try Scrypt.derive(password: [1], salt: [1], n: 2, r: 1 << 20, p: 1 << 20, keyLength: 64)
            Issue.record("expected a CryptoError")
        } catch {
            #expect(error.message.contains("scrypt"))
        }
    }

    @Test("SecureRandom gives the requested number of bytes, different each time")
    func secureRandomBytes() throws {
        let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        #expect(try SecureRandom.bytes(0).isEmpty)
        #expect(throws: CryptoError.self) { try SecureRandom.bytes(-1) }
    }

    @Test("constantTimeEquals compares content and length")
    func constantTimeComparison() {
        #expect(constantTimeEquals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!constantTimeEquals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!constantTimeEquals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
        #expect(constantTimeEquals("token", "token"))
        #expect(!constantTimeEquals("token", "tokeN"))
        #expect(!constantTimeEquals("\u{e9}", "e\u{301}"))  // canonically equal, different bytes
    }

    @Test("hex encodes lower case and decodes either case, refusing odd lengths and non-hex")
    func hexRoundTrip() {
        #expect(Hex.encode([0x00, 0xde, 0xad, 0xff]) == "00deadff")
        #expect(Hex.decode("00DEadFF") == [0x00, 0xde, 0xad, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
