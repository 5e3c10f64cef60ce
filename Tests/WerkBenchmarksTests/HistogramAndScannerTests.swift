import Testing
@testable import WerkBenchmarks

@Suite("Latency histogram and response scanning")
struct HistogramAndScannerTests {
    @Test("percentiles are within the histogram's 1.6 % precision across magnitudes", arguments: [
        UInt64(1), 100, 127, 128, 1_000, 12_345, 999_999, 5_000_000_000,
    ])
    func precision(value: UInt64) {
        var histogram = LatencyHistogram()
        histogram.record(value)
        let reported = Double(histogram.value(atPercentile: 50))
        #expect(abs(reported - Double(value)) <= Double(value) * 0.016 + 0.5)
        #expect(histogram.minimum == value && histogram.maximum == value && histogram.count == 1)
    }

    @Test("p50, p90, p99 and p99.9 of 1...10 000 µs come out where they should")
    func percentiles() {
        var histogram = LatencyHistogram()
        for micros in 1...10_000 { histogram.record(UInt64(micros) * 1_000) }
        for (percentile, expected) in [(50.0, 5_000_000.0), (90, 9_000_000), (99, 9_900_000), (99.9, 9_990_000)] {
            let value = Double(histogram.value(atPercentile: percentile))
            #expect(abs(value - expected) <= expected * 0.016, "p\(percentile) = \(value)")
        }
        #expect(histogram.value(atPercentile: 100) == 10_000_000)
        #expect(abs(histogram.mean - 5_000_500) < 1)
    }

    @Test("merging histograms is the same as recording everything in one")
    func merge() {
        var a = LatencyHistogram(), b = LatencyHistogram(), all = LatencyHistogram()
        for value in stride(from: UInt64(10), to: 100_000, by: 37) {
            if value % 2 == 0 { a.record(value) } else { b.record(value) }
            all.record(value)
        }
        a.merge(b)
        #expect(a == all)
        var empty = LatencyHistogram()
        empty.merge(LatencyHistogram())
        #expect(empty.count == 0 && empty.value(atPercentile: 99) == 0)
    }

    @Test("every bucket's highest value maps back to that bucket")
    func bucketBounds() {
        for index in stride(from: 0, to: 128 + 57 * 64, by: 7) {
            let high = LatencyHistogram.highestEquivalentValue(index)
            #expect(LatencyHistogram.index(of: high) == index)
            #expect(LatencyHistogram.index(of: high &+ 1) == index + 1 || high == .max)
        }
    }

    private func scan(_ text: String, from start: Int = 0, head: Bool = false) -> (end: Int, status: Int)? {
        Array(text.utf8).withUnsafeBufferPointer { ResponseScanner.scan($0, from: start, headRequest: head) }
    }

    @Test("responses end after their Content-Length, chunked body or head", arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 43, 200),
        ("HTTP/1.1 200 OK\r\ncontent-length:5\r\n\r\nhelloHTTP/1.1", false, 42, 200),
        ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false, 45, 404),
        ("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", false, 40, 304),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, 38, 200),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false, 62, 200),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nTrailer: 1\r\n\r\n", false, 78, 200),
    ])
    func complete(text: String, head: Bool, end: Int, status: Int) throws {
        let found = try #require(scan(text, head: head))
        #expect(found.end == end)
        #expect(found.status == status)
    }

    @Test("incomplete responses are not taken for complete ones", arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "",
    ])
    func incomplete(text: String) {
        #expect(scan(text) == nil)
    }

    @Test("pipelined responses are found one after another")
    func pipelined() throws {
        let one = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let text = one + one + one
        var start = 0
        for _ in 0..<3 {
            let found = try #require(scan(text, from: start))
            start = found.end
        }
        #expect(start == text.utf8.count)
    }

    @Test("wrk's report is read for req/s, requests, percentiles and errors")
    func wrkReport() throws {
        let output = """
            Running 5s test @ http://127.0.0.1:8080/
              1 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   612.00us  300.00us   4.31ms   90.00%
              Latency Distribution
                 50%  296.00us
                 75%  500.00us
                 90%    1.20ms
                 99%    4.31ms
              544700 requests in 5.00s, 60.00MB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 7
            Requests/sec: 108940.00
            Transfer/sec:     12.00MB
            """
        let result = try #require(Wrk.parse(output, elapsedSeconds: 5.1))
        #expect(result.requests == 544_700)
        #expect(result.requestsPerSecond == 108_940)
        #expect(result.latency.p50 == 296_000)
        #expect(result.latency.p90 == 1_200_000)
        #expect(result.latency.p99 == 4_310_000)
        #expect(result.latency.p999 == nil)
        #expect(result.errorResponses == 7)
        #expect(result.socketErrors == 3)
        #expect(Wrk.parse("unable to connect", elapsedSeconds: 1) == nil)
    }

    @Test("requests become the same Request in process and the same bytes on the wire")
    func requests() {
        let login = BenchmarkRequest.post("/login", form: [("user", "ada lovelace"), ("next", "/a&b")],
                                          cookies: [("session", "abc")])
        let wire = String(decoding: login.wireBytes, as: UTF8.self)
        #expect(wire.hasPrefix("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"))
        #expect(wire.contains("Cookie: session=abc\r\n"))
        #expect(wire.hasSuffix("Content-Length: 31\r\n\r\nuser=ada+lovelace&next=%2Fa%26b"))
        let request = login.makeRequest()
        #expect(request.method == .post)
        #expect(request.headers["content-length"] == "31")
        #expect(request.headers["cookie"] == "session=abc")
        #expect(BenchmarkRequest.get("/x", headers: [("Host", "example.com")]).effectiveHeaders.map(\.name) == ["Host"])
    }
}
