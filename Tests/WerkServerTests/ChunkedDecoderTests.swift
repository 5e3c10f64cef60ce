import Testing
import WerkCore
@testable import WerkServer

/// The chunked body decoder on byte arrays, without sockets: the data it yields, where it stops,
/// what it rejects, and that any split of the input into reads yields the same body.
@Suite("Chunked decoder (sans I/O)")
struct ChunkedDecoderTests {
    struct Decoded: Equatable {
        var data: [UInt8] = []
        /// The size of each data piece handed out.
        var pieces: [Int] = []
        var done = false
        /// Input bytes left unconsumed (what follows the body: the next request).
        var rest: [UInt8] = []
    }

    /// Feeds `input` in reads of at most `read` bytes into a buffer, decoding as the connection
    /// does (consumed bytes leave the front of the buffer).
    static func decode(_ input: [UInt8], read: Int = .max, maxTrailerBytes: Int = 64) throws(ParseError) -> Decoded {
        var decoder = ChunkedDecoder()
        var buffer: [UInt8] = []
        var offset = 0
        var result = Decoded()
        while !decoder.isDone {
            if offset < input.count {
                let n = min(read, input.count - offset)
                buffer += input[offset..<offset + n]
                offset += n
            }
            while !decoder.isDone {
                let step: ChunkedDecoder.Step = try buffer.withUnsafeBufferPointer { (b) throws(ParseError) in
                    guard let base = b.baseAddress else { return ChunkedDecoder.Step(consumed: 0, dataStart: 0, dataCount: 0) }
                    return try decoder.decode(base, count: b.count, maxTrailerBytes: maxTrailerBytes)
                }
                if step.dataCount > 0 {
                    result.data += buffer[step.dataStart..<step.dataStart + step.dataCount]
                    result.pieces.append(step.dataCount)
                }
                buffer.removeFirst(step.consumed)
                if step.consumed == 0 && step.dataCount == 0 { break }
            }
            if offset >= input.count && !decoder.isDone { break }
        }
        result.done = decoder.isDone
        result.rest = buffer + input[offset...]
        return result
    }

    static func decode(_ text: String, read: Int = .max) throws(ParseError) -> Decoded {
        try decode(Array(text.utf8), read: read)
    }

    @Test("well-formed bodies decode to their data", arguments: [
        ("5\r\nhello\r\n0\r\n\r\n", "hello"),
        ("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
        ("A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij"),
        ("005\r\nhello\r\n000\r\n\r\n", "hello"),
        ("3;name=value;flag\r\nabc\r\n0;last\r\n\r\n", "abc"),
        ("3 ;ext\r\nabc\r\n0\r\n\r\n", "abc"),
        ("3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY: two words\r\n\r\n", "abc"),
        ("0\r\n\r\n", ""),
    ])
    func wellFormed(_ text: String, _ body: String) throws {
        let decoded = try Self.decode(text)
        #expect(decoded.done)
        #expect(String(decoding: decoded.data, as: UTF8.self) == body)
        #expect(decoded.rest.isEmpty)
    }

    @Test("every split of the input into reads yields the same body and pieces never exceed a chunk")
    func everySplit() throws {
        let text = "4;x=y\r\nWiki\r\n7\r\npedia i\r\nB\r\nn \r\nchunks.\r\n0\r\nT: v\r\n\r\n"
        for read in 1...text.utf8.count {
            let decoded = try Self.decode(text, read: read)
            #expect(decoded.done, "read size \(read)")
            #expect(String(decoding: decoded.data, as: UTF8.self) == "Wikipedia in \r\nchunks.", "read size \(read)")
            #expect(decoded.pieces.allSatisfy { $0 <= 11 })
        }
    }

    @Test("one step hands out one chunk's data, then stops")
    func stopsAfterData() throws {
        let decoded = try Self.decode("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        #expect(decoded.pieces == [3, 2])
    }

    @Test("bytes after the body are left for the next request")
    func leavesTheRest() throws {
        let decoded = try Self.decode("1\r\na\r\n0\r\n\r\nGET / HTTP/1.1\r\n")
        #expect(decoded.done)
        #expect(String(decoding: decoded.rest, as: UTF8.self) == "GET / HTTP/1.1\r\n")
    }

    @Test("an unfinished body asks for more input", arguments: ["", "5", "5\r\nhel", "5\r\nhello", "5\r\nhello\r\n0\r\n", "0\r\nT: 1\r\n"])
    func unfinished(_ text: String) throws {
        let decoded = try Self.decode(text)
        #expect(!decoded.done)
    }

    @Test("malformed bodies are rejected with the right status", arguments: [
        ("z\r\n", 400, "not hexadecimal"),
        ("\r\n", 400, "not hexadecimal"),
        ("5\nhello\r\n", 400, "CRLF"),
        ("5\r\nhelloXY0\r\n\r\n", 400, "followed by CRLF"),
        ("5 x\r\nhello\r\n", 400, "invalid characters"),
        ("5;a\u{01}\r\nhello\r\n", 400, "extension"),
        ("1000000000000000\r\n", 400, "too large"),
        ("\(String(repeating: "0", count: 4100))", 400, "too long"),
        ("0\r\nnot a field\r\n\r\n", 400, "malformed"),
        ("0\r\nX: a\u{01}\r\n\r\n", 400, "invalid character"),
        ("0\r\nX: a\n\r\n", 400, "CRLF"),
        ("0\r\nX: \(String(repeating: "v", count: 80))\r\n\r\n", 431, "too large"),
        ("0\r\nX: \(String(repeating: "v", count: 80))", 431, "too large"),
    ])
    func rejected(_ text: String, _ status: Int, _ fragment: String) {
        do {
            let decoded = try Self.decode(text)
            Issue.record("accepted: \(decoded)")
        } catch {
            #expect(error.status.code == status)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }
}
