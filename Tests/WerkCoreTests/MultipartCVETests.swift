import Testing
@testable import WerkCore

private func part(_ name: String, _ value: String) -> String {
    "--b\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
}

private func multipartRequest(_ body: [UInt8], boundary: String = "b") -> Request {
    Request(method: .post, target: "/", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
}

private func status(_ work: () async throws -> Void) async -> (Int, String)? {
    do { try await work(); return nil } catch let error as HTTPError { return (error.status.code, error.detail) } catch { return (-1, "\(error)") }
}

/// Feeds `body` in chunks of `size` and returns the largest number of bytes the decoder kept
/// pending (received, neither handed out nor dropped) after draining, and the body bytes handed out.
private func maxHeldBack(_ body: [UInt8], boundary: String, chunk size: Int, limits: MultipartLimits = MultipartLimits())
    async throws -> (held: Int, bodyBytes: Int) {
    var decoder = try MultipartDecoder(boundary: boundary, limits: limits)
    var handedOut = 0, held = 0
    var offset = 0
    while offset < body.count {
        await Task.yield()   // let other tests' tasks run between chunks
        let piece = Array(body[offset..<min(body.count, offset + size)])
        offset += piece.count
        decoder.receive(piece)
        while case let event = try decoder.next(), event != .needData {
            if case .data(let bytes, _) = event { handedOut += bytes.count }
        }
        held = max(held, decoder.buffer.count - decoder.start)
    }
    decoder.finish()
    while case let event = try decoder.next(), event != .end {
        if case .data(let bytes, _) = event { handedOut += bytes.count }
    }
    return (held, handedOut)
}

@Suite("Multipart CVE regressions")
struct MultipartCVETests {
    @Test("CVE-2023-25577 (Werkzeug): unlimited parts; part 1 001 is a 413 naming maxFormParts")
    func CVE_2023_25577() async throws {
        let body = Array((String(repeating: part("a", ""), count: 1_001) + "--b--\r\n").utf8)
        let result = await status { _ = try await multipartRequest(body).form() }
        #expect(result?.0 == 413 && result?.1.contains("maxFormParts") == true)
        let fine = Array((String(repeating: part("a", ""), count: 1_000) + "--b--\r\n").utf8)
        #expect(try await multipartRequest(fine).form().count == 1_000)
    }

    @Test("CVE-2024-49767 / GHSA-q34m-jh98-gwm2 (Werkzeug): the field memory limit holds across data events")
    func CVE_2024_49767() throws {
        // 600 000 bytes of one field, fed 1 000 bytes at a time: every event is small, the sum is not.
        let body = Array((part("big", String(repeating: "x", count: 600_000)) + "--b--").utf8)
        let cuts = Array(stride(from: 1_000, to: body.count, by: 1_000))
        let result = failure { _ = try decodeMultipart(body, boundary: "b", cuts: cuts) }
        #expect(result?.status == 413 && result?.message.contains("maxFormMemorySize") == true)
        // Several fields, each under the limit, together over it.
        let many = Array((String(repeating: part("f", String(repeating: "y", count: 100_000)), count: 6) + "--b--").utf8)
        #expect(failure { _ = try decodeMultipart(many, boundary: "b", cuts: cuts) }?.status == 413)
    }

    @Test("CVE-2023-46136 (Werkzeug): a large file part of CR and LF bytes is decoded in one pass, held back bytes stay bounded")
    func CVE_2023_46136() async throws {
        let content = [0x0D] + [UInt8](repeating: 0x0A, count: 2 << 20) + Array(String(repeating: "\r\n", count: 1 << 20).utf8)
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\n".utf8) + content
            + Array("\r\n--b--\r\n".utf8)
        let run = try await maxHeldBack(body, boundary: "b", chunk: 64 * 1024)
        #expect(run.bodyBytes == content.count)
        #expect(run.held <= 64 * 1024 + 8, "held back \(run.held) bytes")
    }

    @Test("CVE-2022-41725 (Go): header bytes across parts and file names are accounted; 413 naming the limit")
    func CVE_2022_41725() {
        let header = "X-Pad: " + String(repeating: "p", count: 8_000) + "\r\n"
        let body = Array((String(repeating: "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\(header)\r\n\r\n", count: 40)
                          + "--b--").utf8)
        let result = failure { _ = try decodeMultipart(body, boundary: "b") }
        #expect(result?.status == 413 && result?.message.contains("maxTotalHeaderBytes") == true)
    }

    @Test("CVE-2023-24536 (Go): many parts and many headers per part are bounded")
    func CVE_2023_24536() {
        let tiny = Array((String(repeating: "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n", count: 10_000) + "--b--").utf8)
        #expect(failure { _ = try decodeMultipart(tiny, boundary: "b") }?.message.contains("maxFormParts") == true)
        let headers = Array(("--b\r\nContent-Disposition: form-data; name=x\r\n" + String(repeating: "A:\r\n", count: 1_000)
                             + "\r\n\r\n--b--").utf8)
        #expect(failure { _ = try decodeMultipart(headers, boundary: "b") }?.message.contains("maxHeadersPerPart") == true)
    }

    @Test("CVE-2024-24762 (python-multipart): pathological Content-Type values parse in linear time")
    func CVE_2024_24762() throws {
        let attacks = [
            "multipart/form-data; boundary=b; a=\"" + String(repeating: "\\\"", count: 50_000),
            "multipart/form-data; boundary=b" + String(repeating: "; a", count: 50_000),
            "multipart/form-data; boundary=b;" + String(repeating: " ", count: 100_000) + "x=",
            "multipart/form-data; boundary=b; " + String(repeating: "!=", count: 50_000),
        ]
        for value in attacks {
            #expect(try MultipartDecoder.boundary(fromContentType: value) == "b")
        }
    }

    @Test("CVE-2024-53981 (python-multipart): CR/LF junk before the first and after the last boundary is skipped in bulk")
    func CVE_2024_53981() async throws {
        let junk = String(repeating: "\r\n", count: 500_000)
        var big = MultipartLimits()
        big.maxPreambleBytes = 1 << 20
        big.maxEpilogueBytes = 1 << 20
        let body = Array((junk + part("a", "1") + "--b--" + junk).utf8)
        let run = try await maxHeldBack(body, boundary: "b", chunk: 64 * 1024, limits: big)
        #expect(run.bodyBytes == 1)
        #expect(run.held <= 64 * 1024 + 8)
        // With the default limits the same body is refused, naming the limit.
        #expect(failure { _ = try decodeMultipart(body, boundary: "b") }?.message.contains("maxPreambleBytes") == true)
    }

    @Test("CVE-2024-47874 (Starlette): a huge part without a file name is a 413, even with no content-length limit")
    func CVE_2024_47874() async {
        let body = Array((part("text", String(repeating: "z", count: 2_000_000)) + "--b--").utf8)
        let request = multipartRequest(body)
        #expect(request.maxContentLength == nil)
        let result = await status { _ = try await request.form() }
        #expect(result?.0 == 413 && result?.1.contains("maxFormMemorySize") == true)
    }

    @Test("CVE-2025-61772 (Rack): part headers never closed by a blank line stop at 8 KiB, not at the end of the body")
    func CVE_2025_61772() throws {
        var decoder = try MultipartDecoder(boundary: "b")
        decoder.receive(Array("--b\r\nContent-Disposition: form-data; name=a\r\n".utf8))
        #expect(try decoder.next() == .needData)
        var fed = 0
        var result: (status: Int, message: String)? = nil
        while fed < 1 << 20, result == nil {
            decoder.receive(Array(repeating: UInt8(ascii: "h"), count: 1_000))
            fed += 1_000
            result = failure { _ = try decoder.next() }
        }
        #expect(result?.status == 413 && result?.message.contains("maxPartHeaderBytes") == true)
        #expect(fed <= 10_000)
    }

    @Test("Werkzeug's recurring parser bugs: a leading newline, empty fields, a CRLF split across chunks")
    func werkzeugRecurring() throws {
        let body = Array(("\r\n" + part("empty", "") + part("crlf", "a\r\nb") + "--b--\r\n").utf8)
        let whole = try decodeMultipart(body, boundary: "b")
        #expect(whole.map(\.description) == ["empty|-|", "crlf|-|a\r\nb"])
        for (i, byte) in body.enumerated() where byte == 0x0D {
            #expect(try decodeMultipart(body, boundary: "b", cuts: [i + 1]) == whole, "split inside the CRLF at \(i)")
        }
    }
}
