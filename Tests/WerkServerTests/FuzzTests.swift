import Glibc
import Testing
import WerkTestSupport
import WerkCore
@testable import WerkServer
import WerkTesting

/// Random and mutated input must never crash or hang the parser or the server.
@Suite("Fuzz-like robustness")
struct FuzzTests {
    static let seeds: [String] = [
        "GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nT: v\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    ]

    static func mutate(_ seed: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var bytes = seed
        let interesting: [UInt8] = [0, 9, 10, 13, 32, 58, 59, 44, 48, 70, 102, 127, 128, 255]
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            guard !bytes.isEmpty else { break }
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: bytes[i] = interesting.randomElement(using: &rng)!
            case 1: bytes[i] = UInt8.random(in: 0...255, using: &rng)
            case 2: bytes.remove(at: i)
            case 3: bytes.insert(interesting.randomElement(using: &rng)!, at: i)
            default: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + 8)], at: i)
            }
        }
        return bytes
    }

    @Test("the parser and chunked decoder survive 20 000 mutated and random inputs")
    func parserFuzz() {
        var rng = SplitMix(seed: 0x5EED)
        let limits = ParserLimits(maxRequestLine: 8192, maxHeaderBytes: 65536, maxHeaderCount: 100)
        var accepted = 0, rejected = 0
        for round in 0..<20_000 {
            let input: [UInt8] = round % 4 == 3
                ? (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : Self.mutate(Array(Self.seeds[round % Self.seeds.count].utf8), &rng)
            input.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                var scanner = HeadScanner()
                // Feed in two pieces, as the network might.
                let split = Int.random(in: 0...buffer.count, using: &rng)
                do throws(ParseError) {
                    _ = try scanner.findEnd(base, count: split, limits: limits)
                    guard let end = try scanner.findEnd(base, count: buffer.count, limits: limits) else { return }
                    let head = try HTTPParser.parseHead(base, length: end, limits: limits)
                    accepted += 1
                    if head.chunked {
                        var decoder = ChunkedDecoder()
                        var offset = end
                        while offset < buffer.count && !decoder.isDone {
                            let step = try decoder.decode(base + offset, count: buffer.count - offset, maxTrailerBytes: 1024)
                            if step.consumed == 0 && step.dataCount == 0 { break }
                            offset += step.consumed
                        }
                    }
                } catch {
                    rejected += 1
                    #expect([400, 413, 414, 417, 431, 501, 505].contains(error.status.code))
                }
            }
        }
        #expect(accepted > 100 && rejected > 100)
    }

    @Test("the server survives 300 mutated requests and still answers a valid one")
    func wireFuzz() async throws {
        try await withServer(configure: { $0.headerReadTimeout = .milliseconds(500); $0.bodyReadTimeout = .milliseconds(500) }) { address in
            var rng = SplitMix(seed: 42)
            var inputs: [[UInt8]] = []
            for round in 0..<300 { inputs.append(Self.mutate(Array(Self.seeds[round % Self.seeds.count].utf8), &rng)) }
            let batches = stride(from: 0, to: inputs.count, by: 50).map { Array(inputs[$0..<min($0 + 50, inputs.count)]) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in batches {
                    group.addTask {
                        try await ThreadRunner.run {
                            for input in batch {
                                let socket = try BlockingSocket(address, timeout: .seconds(10))
                                try? socket.send(input)
                                _ = shutdown(socket.fd, Int32(SHUT_WR))
                                _ = try? socket.readToEnd()   // the server answers or closes; never hangs
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let response = try await exchange(address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == .ok)
        }
    }
}
