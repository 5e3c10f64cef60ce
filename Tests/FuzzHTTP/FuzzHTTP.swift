// A libFuzzer harness for the server's request parsing: the head scanner fed in two pieces, the
// strict head parser, the chunked decoder, and the `Request` built from an accepted head with every
// typed header parser applied to it. It reaches the parser's internals with `@testable import`, so
// it needs a debug build (SwiftPM enables testability there).
//
//   Fuzz (libFuzzer provides main):
//     swift build --sanitize=fuzzer -Xswiftc -DWERK_LIBFUZZER --product FuzzHTTP --scratch-path .build-fuzz
//     SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FuzzHTTP -dict=Tests/FuzzHTTP/http.dict \
//         -max_total_time=300 /tmp/fuzz-corpus Tests/FuzzHTTP/corpus
//   Replay inputs (a crash file, the corpus) in a normal build:
//     swift run FuzzHTTP Tests/FuzzHTTP/corpus/*
//
// A rejected request must be one of the statuses the server sends for bad input; anything else,
// and any crash, is a finding.

#if DEBUG
import WerkCore
@testable import WerkServer

private let limits = ParserLimits(maxRequestLine: 8192, maxHeaderBytes: 65536, maxHeaderCount: 100)
private let rejectionStatuses: Set<Int> = [400, 413, 414, 417, 431, 501, 505]

/// Runs one input through everything the server does with bytes from a client before the handler.
func fuzzOne(_ input: UnsafeBufferPointer<UInt8>) {
    guard let first = input.first else { return }
    // The first byte says where the network split the input; the rest is the request.
    let bytes = UnsafeBufferPointer(rebasing: input[1...])
    guard let start = bytes.baseAddress else { return }
    let split = bytes.isEmpty ? 0 : Int(first) % (bytes.count + 1)
    var scanner = HeadScanner()
    do throws(ParseError) {
        _ = try scanner.findEnd(start, count: split, limits: limits)
        guard let end = try scanner.findEnd(start, count: bytes.count, limits: limits) else { return }
        let head = try HTTPParser.parseHead(start, length: end, limits: limits)
        if head.chunked { decodeChunked(start + end, count: bytes.count - end) }
        exercise(Request(method: head.method, target: head.target, version: head.version, headers: head.headers,
                         body: .empty, scheme: "http", remoteAddress: "127.0.0.1"))
    } catch {
        precondition(rejectionStatuses.contains(error.status.code), "unexpected status \(error.status.code)")
    }
    decodeChunked(start, count: bytes.count)
}

/// Decodes a chunked body until it ends, fails or needs more bytes.
private func decodeChunked(_ base: UnsafePointer<UInt8>, count: Int) {
    var decoder = ChunkedDecoder()
    var offset = 0
    do throws(ParseError) {
        while offset < count && !decoder.isDone {
            let step = try decoder.decode(base + offset, count: count - offset, maxTrailerBytes: 1024)
            precondition(step.consumed <= count - offset && step.dataStart + step.dataCount <= count - offset,
                         "the chunked decoder stepped outside its input")
            if step.consumed == 0 && step.dataCount == 0 { break }
            offset += step.consumed
        }
    } catch {
        precondition(rejectionStatuses.contains(error.status.code), "unexpected status \(error.status.code)")
    }
}

/// Everything a handler might ask of a request's target and headers.
private func exercise(_ request: Request) {
    _ = try? request.query
    _ = request.cookies
    _ = request.url
    _ = request.fullPath
    _ = try? request.validatedHost()
    _ = request.acceptMIME.bestMatch(["text/html", "application/json"])
    _ = request.acceptLanguages.bestMatch(["en-US", "de"])
    _ = request.acceptLanguages
    _ = request.acceptEncodings
    _ = request.cacheControl
    _ = request.contentType
    _ = request.ifNoneMatch
    _ = request.ifModifiedSince
    _ = request.ifRange
    _ = request.range
    _ = request.authorization
    _ = request.contentLength
}

#if WERK_LIBFUZZER
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzOne(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#else
import WerkTestSupport

/// Replays the files named on the command line (crash files, a corpus).
@main
enum ReplayInputs {
    static func main() { replayFuzzInputs(harness: "FuzzHTTP", fuzzOne) }
}
#endif

#else
/// Release builds cannot reach the parser's internals: say how to build the harness.
@main
enum FuzzHTTPNeedsDebug {
    static func main() {
        print("FuzzHTTP reaches the parser with @testable import: build it in debug (see Tests/FuzzHTTP/FuzzHTTP.swift).")
    }
}
#endif
