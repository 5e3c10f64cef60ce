// A libFuzzer harness for the multipart/form-data decoder (WerkCore's MultipartDecoder). Each input
// is decoded twice, in one piece and in chunks, under small limits so that every limit is reached:
// a crash, a status other than 400/413, or two decodings that disagree is a finding.
//
// Input layout: byte 0 picks the boundary (a list that includes regular-expression characters),
// byte 1 the chunk size (1...64) and byte 2 the offset of an extra split; the rest is the body.
//
//   Fuzz (libFuzzer provides main):
//     swift build --sanitize=fuzzer -Xswiftc -DWERK_LIBFUZZER --product FuzzMultipart --scratch-path .build-fuzz
//     SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FuzzMultipart -dict=Tests/FuzzMultipart/multipart.dict \
//         -max_total_time=600 /tmp/fuzz-multipart Tests/FuzzMultipart/corpus
//   Under AddressSanitizer as well: add --sanitize=address (and another --scratch-path).
//   Replay inputs (a crash file, the corpus) in a normal build:
//     swift run FuzzMultipart Tests/FuzzMultipart/corpus/*

#if DEBUG
@testable import WerkCore
#else
import WerkCore
#endif

private let boundaries = ["b", "XyZ", "----WebKitFormBoundaryjdSFhcARk8fyGNy6", "a.b*c+?(x)|[y]^$\\", "-", "--", "x y"]

private let limits: MultipartLimits = {
    var l = MultipartLimits()
    l.maxParts = 8
    l.maxPartHeaderBytes = 256
    l.maxHeadersPerPart = 6
    l.maxTotalHeaderBytes = 1024
    l.maxFilenameLength = 64
    l.maxPreambleBytes = 512
    l.maxEpilogueBytes = 512
    return l
}()

/// What one decoding gave: the parts (head and body) or the status it failed with.
private enum Outcome: Equatable {
    case parts([MultipartPartHead], [[UInt8]])
    case failed(Int)
}

private func decode(_ body: UnsafeBufferPointer<UInt8>, boundary: String, chunk: Int, split: Int) -> Outcome {
    var heads: [MultipartPartHead] = []
    var bodies: [[UInt8]] = []
    do throws(HTTPError) {
        var decoder = try MultipartDecoder(boundary: boundary, limits: limits, maxFormMemorySize: 2048)
        var inBody = false
        func drain() throws(HTTPError) -> Bool {
            while true {
                switch try decoder.next() {
                case .needData: return false
                case .end:
                    precondition(!inBody, "end inside a part")
                    return true
                case .part(let head):
                    precondition(!inBody, "a part inside a part")
                    checkDisposition(head)
                    heads.append(head)
                    bodies.append([])
                    inBody = true
                case .data(let bytes, let isLast):
                    precondition(inBody, "data outside a part")
                    precondition(!bytes.isEmpty || isLast, "an empty data event that is not the last")
                    bodies[bodies.count - 1] += bytes
                    if isLast { inBody = false }
                }
            }
        }
        var offset = 0
        while offset < body.count {
            let end = offset < split && split < min(body.count, offset + chunk) ? split : min(body.count, offset + chunk)
            decoder.receive(Array(body[offset..<end]))
            offset = end
            _ = try drain()
        }
        decoder.finish()
        let ended = try drain()
        precondition(ended, "the decoder did not end after finish()")
    } catch {
        precondition(error.status.code == 400 || error.status.code == 413, "unexpected status \(error.status.code)")
        return .failed(error.status.code)
    }
    precondition(bodies.reduce(0) { $0 + $1.count } <= body.count, "more body bytes than input bytes")
    return .parts(heads, bodies)
}

/// The fast path for plain Content-Disposition headers must agree with the general parser.
private func checkDisposition(_ head: MultipartPartHead) {
    #if DEBUG
    guard let raw = head.headers["Content-Disposition"], let plain = MultipartDisposition.parsePlain(raw) else { return }
    let general = ContentDisposition(parsing: raw)
    precondition(plain.name == general?.name && plain.filename == general?.filename, "fast path disagrees on \(raw)")
    #endif
}

/// Decodes one input in one piece and in chunks; the two must agree.
func fuzzOne(_ input: UnsafeBufferPointer<UInt8>) {
    guard input.count >= 3 else { return }
    let boundary = boundaries[Int(input[0]) % boundaries.count]
    let chunk = Int(input[1]) % 64 + 1
    let body = UnsafeBufferPointer(rebasing: input[3...])
    let split = body.isEmpty ? 0 : Int(input[2]) % (body.count + 1)
    let whole = decode(body, boundary: boundary, chunk: max(1, body.count), split: 0)
    let pieces = decode(body, boundary: boundary, chunk: chunk, split: split)
    precondition(whole == pieces, "one piece and chunks of \(chunk) disagree: \(whole) vs \(pieces)")
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
    static func main() { replayFuzzInputs(harness: "FuzzMultipart", fuzzOne) }
}
#endif
