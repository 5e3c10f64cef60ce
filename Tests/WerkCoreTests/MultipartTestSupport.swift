import WerkCore

/// One decoded part: its head and its whole body.
struct DecodedPart: Equatable, CustomStringConvertible {
    var head: MultipartPartHead
    var body: [UInt8]
    var description: String { "\(head.name)|\(head.filename ?? "-")|\(String(decoding: body, as: UTF8.self))" }
}

/// Decodes `body` fed in pieces cut at `cuts` (offsets), checking the event order on the way:
/// data only inside a part, one last data event per part, `end` only at the end.
func decodeMultipart(_ body: [UInt8], boundary: String, cuts: [Int] = [], limits: MultipartLimits = MultipartLimits(),
                     maxFormMemorySize: Int = 500_000) throws -> [DecodedPart] {
    var decoder = try MultipartDecoder(boundary: boundary, limits: limits, maxFormMemorySize: maxFormMemorySize)
    var parts: [DecodedPart] = []
    var inBody = false
    var previous = 0
    var pieces: [ArraySlice<UInt8>] = []
    for cut in cuts.sorted() where cut > previous && cut < body.count {
        pieces.append(body[previous..<cut])
        previous = cut
    }
    pieces.append(body[previous...])
    func drain() throws -> Bool {
        while true {
            switch try decoder.next() {
            case .needData: return false
            case .end:
                precondition(!inBody, "end inside a part")
                return true
            case .part(let head):
                precondition(!inBody, "a part inside a part")
                parts.append(DecodedPart(head: head, body: []))
                inBody = true
            case .data(let bytes, let isLast):
                precondition(inBody, "data outside a part")
                precondition(!bytes.isEmpty || isLast, "an empty data event that is not the last")
                parts[parts.count - 1].body += bytes
                if isLast { inBody = false }
            }
        }
    }
    for piece in pieces {
        decoder.receive(Array(piece))
        _ = try drain()
    }
    decoder.finish()
    guard try drain() else { throw HTTPError(.internalServerError, "the decoder did not end") }
    return parts
}

/// The HTTP status a throwing call failed with (nil when it did not fail, -1 for another error).
func failure(_ body: () throws -> Void) -> (status: Int, message: String)? {
    do { try body(); return nil } catch let error as HTTPError {
        return (error.status.code, error.detail)
    } catch { return (-1, "\(error)") }
}

/// A multipart body from lines joined with CRLF.
func crlf(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }
