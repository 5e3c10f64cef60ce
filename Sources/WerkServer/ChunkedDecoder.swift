import Glibc
import WerkCore

/// Decodes a chunked request body (RFC 9112 §7.1) incrementally, in place in the read buffer:
/// chunk sizes in hex, chunk extensions (validated and ignored), the data, and a trailer section
/// (validated and discarded).
struct ChunkedDecoder {
    private enum State {
        case size
        case data(Int)
        case dataEnd
        case trailer
        case done
    }

    private var state: State = .size
    private var trailerBytes = 0
    /// The longest chunk-size line (with extensions) accepted.
    static let maxSizeLine = 4096

    /// One step's result: how many bytes were consumed, and where the body data is (in the input).
    struct Step {
        var consumed: Int
        var dataStart: Int
        var dataCount: Int
    }

    /// Whether the last chunk and the trailers have been read.
    var isDone: Bool { if case .done = state { return true } else { return false } }

    /// Consumes as much of `b[0..<count]` as possible, stopping after the first piece of data.
    /// `dataCount == 0` with `isDone == false` means more input is needed.
    mutating func decode(_ b: UnsafePointer<UInt8>, count: Int, maxTrailerBytes: Int) throws(ParseError) -> Step {
        var i = 0
        while true {
            switch state {
            case .done:
                return Step(consumed: i, dataStart: i, dataCount: 0)
            case .size:
                let window = min(count - i, Self.maxSizeLine)
                guard window > 0, let found = memchr(b + i, 10, window) else {
                    if count - i >= Self.maxSizeLine { throw ParseError(.badRequest, "A chunk size line is too long.") }
                    return Step(consumed: i, dataStart: i, dataCount: 0)
                }
                let lf = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - b
                guard lf > i, b[lf - 1] == 13 else { throw ParseError(.badRequest, "A chunk size line must end with CRLF.") }
                var size = 0, digits = 0, k = i
                while k < lf - 1, let d = Self.hexValue(b[k]) {
                    guard digits < 15 else { throw ParseError(.badRequest, "A chunk size is too large.") }
                    size = size << 4 | d
                    digits += 1
                    k += 1
                }
                guard digits > 0 else { throw ParseError(.badRequest, "A chunk size is missing or not hexadecimal.") }
                // Optional whitespace, then chunk extensions: ; name[=value] ...
                while k < lf - 1 && (b[k] == 32 || b[k] == 9) { k += 1 }
                if k < lf - 1 {
                    guard b[k] == 59 else { throw ParseError(.badRequest, "A chunk size is followed by invalid characters.") }
                    while k < lf - 1 {
                        let c = b[k]
                        guard c == 9 || (c >= 32 && c != 127) else {
                            throw ParseError(.badRequest, "A chunk extension has an invalid character.")
                        }
                        k += 1
                    }
                }
                i = lf + 1
                state = size == 0 ? .trailer : .data(size)
            case .data(let remaining):
                let available = count - i
                if available == 0 { return Step(consumed: i, dataStart: i, dataCount: 0) }
                let n = min(available, remaining)
                state = n == remaining ? .dataEnd : .data(remaining - n)
                return Step(consumed: i + n, dataStart: i, dataCount: n)
            case .dataEnd:
                if count - i < 2 { return Step(consumed: i, dataStart: i, dataCount: 0) }
                guard b[i] == 13, b[i + 1] == 10 else { throw ParseError(.badRequest, "Chunk data must be followed by CRLF.") }
                i += 2
                state = .size
            case .trailer:
                guard count > i, let found = memchr(b + i, 10, count - i) else {
                    if trailerBytes + count - i > maxTrailerBytes {
                        throw ParseError(.requestHeaderFieldsTooLarge, "The trailer section is too large.")
                    }
                    return Step(consumed: i, dataStart: i, dataCount: 0)
                }
                let lf = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - b
                guard lf > i, b[lf - 1] == 13 else { throw ParseError(.badRequest, "A trailer line must end with CRLF.") }
                trailerBytes += lf + 1 - i
                if trailerBytes > maxTrailerBytes {
                    throw ParseError(.requestHeaderFieldsTooLarge, "The trailer section is too large.")
                }
                if lf - 1 == i {
                    state = .done
                    return Step(consumed: lf + 1, dataStart: lf + 1, dataCount: 0)
                }
                try Self.validateField(b + i, count: lf - 1 - i)
                i = lf + 1
            }
        }
    }

    /// A trailer field: token, colon, value without control characters; no obs-fold.
    private static func validateField(_ p: UnsafePointer<UInt8>, count: Int) throws(ParseError) {
        var k = 0
        while k < count && ASCII.isTokenByte(p[k]) { k += 1 }
        guard k > 0, k < count, p[k] == 58 else { throw ParseError(.badRequest, "A trailer field is malformed.") }
        k += 1
        while k < count {
            let c = p[k]
            guard c == 9 || (c >= 32 && c != 127) else { throw ParseError(.badRequest, "A trailer field has an invalid character.") }
            k += 1
        }
    }

    @inline(__always)
    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: Int(c - 48)
        case 65...70: Int(c - 55)
        case 97...102: Int(c - 87)
        default: nil
        }
    }
}
