import Testing
import WerkTestSupport
@testable import WerkCore

@Suite("zlib streams")
struct ZlibTests {
    /// Inputs and Python 3.11's `zlib.compress(data).hex()` on zlib 1.2.13.
    static let pythonOutputs: [([UInt8], String)] = [
        ([], "789c030000000001"),
        (Array(utf8: "hello"), "789ccb48cdc9c90700062c0215"),
        ([UInt8](repeating: 97, count: 100), "789c4b4ca43d00007a4725e5"),
        (Array(utf8: #"{"user_id": 42, "cart": ["apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple", "apple"]}"#),
         "789cab562a2d4e2d8acf4c51b2523031d251504a4e2c2a01b2a395120b0a72529580224385115b0b004bf83c90"),
    ]

    @Test("compress is byte-identical to Python's zlib.compress at the default level")
    func compressMatchesPython() {
        for (input, expected) in Self.pythonOutputs {
            #expect(Hex.encode(Zlib.compress(input)) == expected)
        }
    }

    @Test("compress then decompress gives the input back, at every level")
    func roundTrip() throws {
        let input = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) }
        for level in [-1, 0, 1, 6, 9, 42] {
            let packed = Zlib.compress(input, level: level)
            #expect(try Zlib.decompress(packed, maxOutput: input.count) == input)
        }
    }

    @Test("decompress refuses to inflate past maxOutput, and accepts exactly maxOutput")
    func decompressEnforcesLimit() throws {
        let bomb = Zlib.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(bomb.count < 2000)
        #expect(throws: Zlib.Error.outputTooLarge(limit: 1000)) { try Zlib.decompress(bomb, maxOutput: 1000) }
        #expect(throws: Zlib.Error.outputTooLarge(limit: (1 << 20) - 1)) {
            try Zlib.decompress(bomb, maxOutput: (1 << 20) - 1)
        }
        #expect(try Zlib.decompress(bomb, maxOutput: 1 << 20).count == 1 << 20)
        #expect(throws: Zlib.Error.outputTooLarge(limit: 0)) { try Zlib.decompress(Zlib.compress([1]), maxOutput: 0) }
        #expect(try Zlib.decompress(Zlib.compress([]), maxOutput: 0) == [])
    }

    @Test("decompress throws on corrupt, truncated, empty and over-long input")
    func decompressRejectsBadInput() {
        let good = Zlib.compress(Array(utf8: "hello hello hello"))
        #expect(throws: Zlib.Error.self) { try Zlib.decompress([0x00, 0x01, 0x02], maxOutput: 100) }
        #expect(throws: Zlib.Error.truncated) { try Zlib.decompress([UInt8](), maxOutput: 100) }
        #expect(throws: Zlib.Error.truncated) { try Zlib.decompress(good.dropLast(3), maxOutput: 100) }
        #expect(throws: Zlib.Error.trailingData(count: 2)) { try Zlib.decompress(good + [0, 0], maxOutput: 100) }
        var badChecksum = good
        badChecksum[badChecksum.count - 1] ^= 0xff
        #expect(throws: Zlib.Error.self) { try Zlib.decompress(badChecksum, maxOutput: 100) }
        // Raw deflate (no zlib header) is not a zlib stream.
        #expect(throws: Zlib.Error.self) { try Zlib.decompress(good.dropFirst(2), maxOutput: 100) }
    }

    @Test("decompress never crashes on mutated streams and never returns more than its limit")
    func decompressSurvivesMutations() {
        let good = Zlib.compress(Array(utf8: String(repeating: "session data ", count: 40)))
        var generator = SplitMix(seed: 0x21B)   // fixed: a failure replays
        for _ in 0..<2000 {
            var mutated = good
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if let output = try? Zlib.decompress(mutated, maxOutput: 4096) { #expect(output.count <= 4096) }
        }
    }

    @Test("random bytes of random lengths survive compress and decompress unchanged")
    func randomRoundTrips() throws {
        var generator = SplitMix(seed: 0x2_1B)
        for _ in 0..<200 {
            let count = Int.random(in: 0...20_000, using: &generator)
            // Half the inputs compressible (a small alphabet), half not.
            let span: UInt8 = Bool.random(using: &generator) ? 4 : 255
            let input = (0..<count).map { _ in UInt8.random(in: 0...span, using: &generator) }
            #expect(try Zlib.decompress(Zlib.compress(input), maxOutput: count) == input)
        }
    }
}
