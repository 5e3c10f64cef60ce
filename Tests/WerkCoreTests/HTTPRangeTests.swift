import Testing
import WerkCore

@Suite("Range, Content-Range and If-Range")
struct HTTPRangeTests {
    @Test("parses Range headers like parse_range_header", arguments: [
        ("bytes=0-99", "bytes", [[0, 100]], "bytes=0-99"),
        ("bytes=-500", "bytes", [[-500, nil]], "bytes=-500"),
        ("bytes=9500-", "bytes", [[9500, nil]], "bytes=9500-"),
        ("bytes=0-0,-1", "bytes", [[0, 1], [-1, nil]], "bytes=0-0,-1"),
        ("bytes=0-1,2-3", "bytes", [[0, 2], [2, 4]], "bytes=0-1,2-3"),
        ("Bytes = 0-9", "bytes", [[0, 10]], "bytes=0-9"),
        ("items=0-9", "items", [[0, 10]], "items=0-9"),
        ("bytes= 1 - 2 ", "bytes", [[1, 3]], "bytes=1-2"),
    ] as [(String, String, [[Int?]], String)])
    func parse(header: String, units: String, ranges: [[Int?]], serialized: String) throws {
        let r = try #require(RangeHeader(parsing: header))
        #expect(r.units == units)
        #expect(r.ranges.map { [$0.start, $0.end] } == ranges)
        #expect(r.headerValue == serialized)
    }

    @Test("rejects malformed or unordered Range headers", arguments: [
        "bytes=5-2", "bytes=x", "bytes=0-1,1-2", "bytes=-1,0-1", "bytes=0-9,", "bytes=--5", "bytes=+1-2",
        "bytes=1-2-3", "bytes=", "0-9", "bytes=10-5-", "bytes=0-99999999999999999999", "",
    ])
    func parseInvalid(header: String) {
        #expect(RangeHeader(parsing: header) == nil)
    }

    @Test("resolves a single range against a length like range_for_length", arguments: [
        ("bytes=0-99", 1000, 0..<100), ("bytes=0-99", 5, 0..<5), ("bytes=-500", 1000, 500..<1000),
        ("bytes=-500", 5, 0..<5), ("bytes=9500-", 1000, nil), ("bytes=10-", 1000, 10..<1000),
        ("bytes=0-0,-1", 1000, nil), ("items=0-9", 1000, nil), ("bytes=1000-", 1000, nil), ("bytes=0-0", 0, nil),
    ] as [(String, Int, Range<Int>?)])
    func rangeForLength(header: String, length: Int, range: Range<Int>?) throws {
        let r = try #require(RangeHeader(parsing: header))
        #expect(r.rangeFor(length: length) == range)
    }

    @Test("builds the Content-Range for a satisfiable range")
    func contentRangeForLength() throws {
        #expect(try #require(RangeHeader(parsing: "bytes=0-99")).contentRange(length: 1000)?.headerValue == "bytes 0-99/1000")
        #expect(try #require(RangeHeader(parsing: "bytes=-500")).contentRange(length: 1000)?.headerValue == "bytes 500-999/1000")
        #expect(try #require(RangeHeader(parsing: "bytes=2000-")).contentRange(length: 1000) == nil)
        #expect(try #require(RangeHeader(parsing: "bytes=0-1,5-6,-2")).satisfiableRanges(length: 6) == [0..<2, 5..<6, 4..<6])
    }

    @Test("parses Content-Range like parse_content_range_header", arguments: [
        ("bytes 0-9/100", 0, 10, 100, "bytes 0-9/100"),
        ("bytes */100", nil, nil, 100, "bytes */100"),
        ("bytes 0-9/*", 0, 10, nil, "bytes 0-9/*"),
        ("bytes */*", nil, nil, nil, "bytes */*"),
        (" bytes  0-9/100 ", 0, 10, 100, "bytes 0-9/100"),
    ] as [(String, Int?, Int?, Int?, String)])
    func contentRange(header: String, start: Int?, stop: Int?, length: Int?, serialized: String) throws {
        let c = try #require(ContentRange(parsing: header))
        #expect(c.start == start && c.stop == stop && c.length == length)
        #expect(c.headerValue == serialized)
    }

    @Test("rejects invalid Content-Range values", arguments: [
        "bytes 9-0/100", "bytes 100-109/100", "bytes 0-9", "bytes0-9/100", "bytes x-9/100", "bytes */-1", "bytes 0-9/-5", "",
    ])
    func contentRangeInvalid(header: String) {
        #expect(ContentRange(parsing: header) == nil)
    }

    @Test("an unsatisfied range is written as bytes */length")
    func unsatisfied() {
        #expect(ContentRange(unsatisfiedLength: 100).headerValue == "bytes */100")
        #expect(ContentRange(range: 0..<10, length: 100).description == "bytes 0-9/100")
    }

    @Test("If-Range holds a date or an entity tag", arguments: [
        (#""abc""#, IfRange.etag(ETag("abc")), #""abc""#),
        (#"W/"abc""#, .etag(ETag("abc", weak: true)), #"W/"abc""#),
        ("Sun, 06 Nov 1994 08:49:37 GMT", .date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT"),
        ("abc", .etag(ETag("abc")), #""abc""#),
    ])
    func ifRange(header: String, value: IfRange, serialized: String) {
        #expect(IfRange(parsing: header) == value)
        #expect(IfRange(parsing: header)?.headerValue == serialized)
        #expect(IfRange(parsing: "") == nil)
    }
}
