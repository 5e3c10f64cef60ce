import Testing
import WerkCore

private func field(_ name: String, _ value: String, boundary: String = "b") -> String {
    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
}

private func limits(_ change: (inout MultipartLimits) -> Void) -> MultipartLimits {
    var l = MultipartLimits()
    change(&l)
    return l
}

/// A case: a body, the limits, the status and a word the message must contain.
struct LimitCase: Sendable, CustomTestStringConvertible {
    var label: String
    var body: [UInt8]
    var limits = MultipartLimits()
    var maxFormMemorySize = 500_000
    var status: Int
    var mentions: String
    var testDescription: String { label }
}

private let limitCases: [LimitCase] = [
    LimitCase(label: "more parts than maxParts",
              body: Array((field("a", "1") + field("b", "2") + field("c", "3") + "--b--").utf8),
              limits: limits { $0.maxParts = 2 }, status: 413, mentions: "maxFormParts"),
    LimitCase(label: "a part header over 8 KiB",
              body: Array(("--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Big: " + String(repeating: "x", count: 9000)
                           + "\r\n\r\nv\r\n--b--").utf8), status: 413, mentions: "maxPartHeaderBytes"),
    LimitCase(label: "more header lines than maxHeadersPerPart",
              body: Array(("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
                           + String(repeating: "X-A: 1\r\n", count: 40) + "\r\nv\r\n--b--").utf8),
              status: 413, mentions: "maxHeadersPerPart"),
    LimitCase(label: "header bytes across parts over maxTotalHeaderBytes",
              body: Array((field("a", "1") + field("b", "2") + field("c", "3") + "--b--").utf8),
              limits: limits { $0.maxTotalHeaderBytes = 100 }, status: 413, mentions: "maxTotalHeaderBytes"),
    LimitCase(label: "a file name longer than maxFilenameLength",
              body: Array(("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"" + String(repeating: "n", count: 1025)
                           + "\"\r\n\r\nv\r\n--b--").utf8), status: 413, mentions: "maxFilenameLength"),
    LimitCase(label: "a preamble over maxPreambleBytes",
              body: Array((String(repeating: "junk\r\n", count: 12_000) + field("a", "1") + "--b--").utf8),
              status: 413, mentions: "maxPreambleBytes"),
    LimitCase(label: "an epilogue over maxEpilogueBytes",
              body: Array((field("a", "1") + "--b--\r\n" + String(repeating: "junk\r\n", count: 12_000)).utf8),
              status: 413, mentions: "maxEpilogueBytes"),
    LimitCase(label: "fields together over maxFormMemorySize",
              body: Array((field("a", String(repeating: "x", count: 600)) + field("b", String(repeating: "y", count: 600))
                           + "--b--").utf8), maxFormMemorySize: 1000, status: 413, mentions: "maxFormMemorySize"),
    LimitCase(label: "a nested multipart/mixed part",
              body: Array(("--b\r\nContent-Disposition: form-data; name=\"files\"\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
                           + "--c\r\nContent-Disposition: file; filename=\"a.txt\"\r\n\r\nA\r\n--c--\r\n--b--").utf8),
              status: 400, mentions: "allowsNestedMultipart"),
    LimitCase(label: "no closing boundary", body: Array((field("a", "1") + "--b").utf8), status: 400, mentions: "closing boundary"),
    LimitCase(label: "no boundary at all", body: Array("just text".utf8), status: 400, mentions: "no boundary line"),
    LimitCase(label: "an empty body", body: [], status: 400, mentions: "no boundary line"),
    LimitCase(label: "a part without Content-Disposition",
              body: Array("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--".utf8), status: 400, mentions: "Content-Disposition"),
    LimitCase(label: "a part without a name",
              body: Array("--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--".utf8), status: 400, mentions: "name"),
    LimitCase(label: "a header line without a colon",
              body: Array("--b\r\nContent-Disposition: form-data; name=a\r\nbroken\r\n\r\nv\r\n--b--".utf8),
              status: 400, mentions: "':'"),
    LimitCase(label: "a body ending inside part headers",
              body: Array("--b\r\nContent-Disposition: form-data; name=a\r\n".utf8), status: 400, mentions: "headers"),
]

@Suite("Multipart limits")
struct MultipartLimitsTests {
    @Test("each limit and each malformed body gives its status and names the limit", arguments: limitCases)
    func limit(_ c: LimitCase) {
        let result = failure {
            _ = try decodeMultipart(c.body, boundary: "b", limits: c.limits, maxFormMemorySize: c.maxFormMemorySize)
        }
        #expect(result?.status == c.status, "\(c.label): \(String(describing: result))")
        #expect(result?.message.contains(c.mentions) == true, "\(c.label): \(result?.message ?? "no error")")
    }

    @Test("the defaults are the documented ones")
    func defaults() {
        let l = MultipartLimits()
        #expect(l.maxParts == 1_000 && l.maxPartHeaderBytes == 8_192 && l.maxHeadersPerPart == 32)
        #expect(l.maxTotalHeaderBytes == 262_144 && l.maxBoundaryLength == 70 && l.maxFilenameLength == 1_024)
        #expect(l.maxPreambleBytes == 65_536 && l.maxEpilogueBytes == 65_536 && !l.allowsNestedMultipart)
        #expect(l.spoolThreshold == 512_000)
    }

    @Test("a boundary of 70 characters is accepted, 71 is a 400 naming maxBoundaryLength")
    func boundaryLength() throws {
        let ok = String(repeating: "a", count: 70)
        #expect(try decodeMultipart(Array((field("x", "1", boundary: ok) + "--\(ok)--").utf8), boundary: ok).count == 1)
        let result = failure { _ = try MultipartDecoder(boundary: String(repeating: "a", count: 71)) }
        #expect(result?.status == 400 && result?.message.contains("maxBoundaryLength") == true)
        #expect(failure { _ = try MultipartDecoder(boundary: "") }?.status == 400)
        #expect(failure { _ = try MultipartDecoder(boundary: "a\r\nb") }?.status == 400)
    }

    @Test("limits just at their value pass")
    func atTheLimit() throws {
        let body = Array((field("a", "1") + field("b", "2") + "--b--").utf8)
        #expect(try decodeMultipart(body, boundary: "b", limits: limits { $0.maxParts = 2 }).count == 2)
        #expect(try decodeMultipart(body, boundary: "b", maxFormMemorySize: 2).count == 2)
        #expect(failure { _ = try decodeMultipart(body, boundary: "b", maxFormMemorySize: 1) }?.status == 413)
    }

    @Test("a nested multipart part is kept opaque when allowsNestedMultipart is set")
    func nestedAllowed() throws {
        let body = Array(("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"m\"\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
                          + "--c\r\n\r\nA\r\n--c--\r\n--b--").utf8)
        let parts = try decodeMultipart(body, boundary: "b", limits: limits { $0.allowsNestedMultipart = true })
        #expect(parts.count == 1 && parts[0].body == Array("--c\r\n\r\nA\r\n--c--".utf8))
    }
}
