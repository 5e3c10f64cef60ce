#if canImport(Glibc)
import Glibc
#endif
import Testing
import WerkCore
@testable import WerkStaticFiles

@Suite("StaticFiles ranges")
struct RangeTests {
    static let disjoint17 = "bytes=" + (0..<17).map { "\($0 * 20)-\($0 * 20 + 4)" }.joined(separator: ",")
    static let disjoint16 = "bytes=" + (0..<16).map { "\($0 * 20)-\($0 * 20 + 4)" }.joined(separator: ",")
    static let overlapping500 = "bytes=" + Array(repeating: "0-999", count: 500).joined(separator: ",")
    static let overlapping40 = "bytes=" + Array(repeating: "0-999", count: 40).joined(separator: ",")

    /// (Range header, expected status, expected Content-Range or the parts' ranges joined by "|").
    static let rows: [(String, Int, String?)] = [
        ("bytes=0-99", 206, "bytes 0-99/1000"),
        ("bytes=900-", 206, "bytes 900-999/1000"),
        ("bytes=-100", 206, "bytes 900-999/1000"),
        ("bytes=-2000", 206, "bytes 0-999/1000"),
        ("bytes=0-1", 206, "bytes 0-1/1000"),                  // Safari's probe
        ("bytes=0-0", 206, "bytes 0-0/1000"),
        ("bytes=999-999", 206, "bytes 999-999/1000"),
        ("bytes=990-2000", 206, "bytes 990-999/1000"),
        ("bytes=0-999", 206, "bytes 0-999/1000"),
        ("bytes=0-99999999999999999999999", 206, "bytes 0-999/1000"),
        ("BYTES=0-9", 206, "bytes 0-9/1000"),
        ("bytes=0-9,", 206, "bytes 0-9/1000"),                 // an empty list element
        ("bytes=0-9,2000-3000", 206, "bytes 0-9/1000"),        // the unsatisfiable one is dropped
        ("bytes=1000-", 416, "bytes */1000"),
        ("bytes=1000-1005", 416, "bytes */1000"),
        ("bytes=-0", 416, "bytes */1000"),
        ("bytes=5000-6000,7000-", 416, "bytes */1000"),
        ("bytes=5-2", 200, nil),                               // invalid: the header is ignored
        ("bytes=abc", 200, nil),
        ("bytes=", 200, nil),
        ("bytes=1-2-3", 200, nil),
        ("bytes=--5", 200, nil),
        ("items=0-5", 200, nil),                               // an unknown unit is ignored
        ("0-5", 200, nil),
        ("bytes=0-9,20-29", 206, "bytes 0-9/1000|bytes 20-29/1000"),
        ("bytes=50-59,0-9", 206, "bytes 50-59/1000|bytes 0-9/1000"),  // the order asked is kept
        ("bytes=0-9,-10", 206, "bytes 0-9/1000|bytes 990-999/1000"),
        ("bytes=0-9,5-20", 206, "bytes 0-20/1000"),            // overlapping: coalesced
        ("bytes=0-9,10-19", 206, "bytes 0-19/1000"),           // adjacent: coalesced
        ("bytes=500-599,0-9,550-", 206, "bytes 0-9/1000|bytes 500-999/1000"),  // merged, then sorted
        (overlapping40, 206, "bytes 0-999/1000"),              // 40 copies of one range: one part
        (disjoint16, 206, (0..<16).map { "bytes \($0 * 20)-\($0 * 20 + 4)/1000" }.joined(separator: "|")),
        (disjoint17, 200, nil),                                // more than maxRanges parts: the whole file
        (overlapping500, 200, nil),                            // more than 4 × maxRanges specs: not even parsed
    ]

    @Test("Range requests: single, suffix, open, multiple, coalesced, capped, unsatisfiable, invalid", arguments: rows)
    func ranges(_ row: (String, Int, String?)) async throws {
        let site = Site()
        let response = try await site.client().get("/static/a.txt", headers: ["Range": row.0])
        #expect(response.status.code == row.1, "\(row.0)")
        #expect(response.headers["Accept-Ranges"] == "bytes")
        switch row.1 {
        case 200:
            #expect(response.body == site.content)
            #expect(response.headers["Content-Range"] == nil)
        case 416:
            #expect(response.headers["Content-Range"] == row.2)
        default:
            let expected = row.2!.split(separator: "|").map(String.init)
            if expected.count == 1 {
                #expect(response.headers["Content-Range"] == expected[0])
                let range = Self.bounds(expected[0])
                #expect(response.body == Array(site.content[range]))
                #expect(response.headers["Content-Length"] == String(range.count))
                #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
            } else {
                let type = response.headers["Content-Type"] ?? ""
                #expect(type.hasPrefix("multipart/byteranges; boundary="))
                #expect(response.headers["Content-Range"] == nil)
                #expect(response.headers["Content-Length"] == String(response.body.count))
                let parts = try #require(multipartParts(response.body, contentType: type))
                #expect(parts.map(\.range) == expected)
                for part in parts {
                    #expect(part.type == "text/plain; charset=utf-8")
                    #expect(part.bytes == Array(site.content[Self.bounds(part.range)]))
                }
            }
        }
    }

    /// `bytes a-b/len` → a..<b+1.
    static func bounds(_ contentRange: String) -> Range<Int> {
        let spec = contentRange.dropFirst(6).split(separator: "/")[0].split(separator: "-")
        return Int(spec[0])!..<(Int(spec[1])! + 1)
    }

    static let ifRangeRows: [(String, String, Int)] = [
        ("the current strong tag", Site.etag(size: 1000), 206),
        ("another tag", "\"other\"", 200),
        ("the weak form of the tag (a weak tag never matches)", "W/" + Site.etag(size: 1000), 200),
        ("the exact Last-Modified date", Site.lastModified, 206),
        ("another date", "Wed, 15 Nov 2023 00:00:00 GMT", 200),
        ("something that is neither", "garbage", 200),
    ]

    @Test("If-Range with a strong ETag or the exact date keeps the range; anything else sends the whole file", arguments: ifRangeRows)
    func ifRange(_ row: (String, String, Int)) async throws {
        let site = Site()
        let response = try await site.client().get("/static/a.txt", headers: headers([("Range", "bytes=10-19"), ("If-Range", row.1)]))
        #expect(response.status.code == row.2, "\(row.0)")
        #expect(response.body == (row.2 == 206 ? Array(site.content[10..<20]) : site.content))
    }

    @Test("an If-Range without a Range changes nothing")
    func ifRangeAlone() async throws {
        let site = Site()
        let response = try await site.client().get("/static/a.txt", headers: ["If-Range": "\"other\""])
        #expect(response.status == .ok)
    }

    @Test("an empty file is a 200 with no body, and a range of it is ignored (200, as nginx and Go)")
    func emptyFile() async throws {
        let site = Site()
        site.tree.write("public/empty.txt", [UInt8]())
        let client = site.client()
        let whole = try await client.get("/static/empty.txt")
        #expect(whole.status == .ok)
        #expect(whole.headers["Content-Length"] == "0")
        #expect(whole.body.isEmpty)
        #expect(whole.headers["ETag"] == Site.etag(size: 0))
        for range in ["bytes=0-0", "bytes=0-", "bytes=-1"] {
            let ranged = try await client.get("/static/empty.txt", headers: ["Range": range])
            #expect(ranged.status == .ok, "\(range)")
            #expect(ranged.headers["Content-Length"] == "0")
            #expect(ranged.headers["Content-Range"] == nil)
        }
    }

    @Test("a sparse file over 4 GiB: lengths and offsets past 2^32 are exact")
    func sparseLargeFile() async throws {
        let site = Site()
        let path = site.tree.root + "/public/big.bin"
        let size = 5 * 1024 * 1024 * 1024 + 7
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        try #require(ftruncate(fd, off_t(size)) == 0)
        let marker = Array("past-four-GiB!".utf8)
        let offset = (1 << 32) + 10
        #expect(marker.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) } == marker.count)
        let tail = Array("the end".utf8)
        #expect(tail.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(size - tail.count)) } == tail.count)
        close(fd)
        let client = site.client()
        let head = try await client.head("/static/big.bin")
        #expect(head.headers["Content-Length"] == String(size))
        let ranged = try await client.get("/static/big.bin", headers: ["Range": "bytes=\(offset)-\(offset + marker.count - 1)"])
        #expect(ranged.status == .partialContent)
        #expect(ranged.headers["Content-Range"] == "bytes \(offset)-\(offset + marker.count - 1)/\(size)")
        #expect(ranged.body == marker)
        let suffix = try await client.get("/static/big.bin", headers: ["Range": "bytes=-7"])
        #expect(suffix.headers["Content-Range"] == "bytes \(size - 7)-\(size - 1)/\(size)")
        #expect(suffix.body == tail)
        let multi = try await client.get("/static/big.bin", headers: ["Range": "bytes=\(offset)-\(offset + 3),-3"])
        let parts = try #require(multipartParts(multi.body, contentType: multi.headers["Content-Type"] ?? ""))
        #expect(parts.map(\.bytes) == [Array(marker.prefix(4)), Array(tail.suffix(3))])
        #expect(parts.map(\.range) == ["bytes \(offset)-\(offset + 3)/\(size)", "bytes \(size - 3)-\(size - 1)/\(size)"])
    }

    /// (header, length, resolution) for the parser alone.
    static let resolutionRows: [(String, Int, RangeResolution)] = [
        ("bytes=0-4", 10, .single(0..<5)),
        ("bytes = 2-", 10, .single(2..<10)),
        ("bytes=-3", 10, .single(7..<10)),
        ("bytes=0-0,-1", 1, .single(0..<1)),
        ("bytes=0-1,3-4", 10, .multiple([0..<2, 3..<5])),
        ("bytes=3-4,0-1", 10, .multiple([3..<5, 0..<2])),
        ("bytes=0-4,2-8", 10, .single(0..<9)),
        ("bytes=10-", 10, .unsatisfiable),
        ("bytes=0-", 0, .whole),
        ("bytes=x", 10, .whole),
        ("bytes=1-0", 10, .whole),
        ("bytes=1 2-3", 10, .whole),
        ("", 10, .whole),
    ]

    @Test("RangeResolution.resolve reads the header as RFC 9110 §14.1.2 defines it", arguments: resolutionRows)
    func resolution(_ row: (String, Int, RangeResolution)) {
        #expect(RangeResolution.resolve(row.0, length: row.1, maxRanges: 16) == row.2, "\(row.0)")
    }
}
