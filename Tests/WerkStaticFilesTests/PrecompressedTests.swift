import Testing
import WerkCore
@testable import WerkStaticFiles

@Suite("StaticFiles precompressed siblings")
struct PrecompressedTests {
    /// (Accept-Encoding or nil, the coding sent: "identity", a coding, or "406").
    static let rows: [(String?, String)] = [
        (nil, "identity"),
        ("", "identity"),
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, br", "br"),                        // equal quality: the preference order (br first)
        ("gzip;q=1, br;q=0.5", "gzip"),
        ("br;q=0.2, gzip;q=0.8", "gzip"),
        ("zstd", "identity"),                      // no .zst sibling
        ("zstd, gzip;q=0.5", "gzip"),
        ("identity;q=0, gzip", "gzip"),
        ("identity;q=0", "406"),
        ("*;q=0", "406"),
        ("zstd, identity;q=0", "406"),             // zstd is acceptable but missing
        ("*", "br"),
        ("br;q=0, *", "gzip"),
        ("gzip;q=0.5, identity", "identity"),       // identity ranks higher
        ("gzip;q=0.5, identity;q=0.5", "gzip"),     // a tie goes to the sibling
        ("x-gzip", "gzip"),
        ("GZIP", "gzip"),
        ("gzip;q=0", "identity"),
        ("deflate", "identity"),
        ("gzip;q=abc", "identity"),                 // an unreadable quality counts as 0
    ]

    static let plain = Array(String(repeating: "body { color: red }\n", count: 50).utf8)
    static let gz = Array("pretend gzip bytes".utf8)
    static let br = Array("pretend brotli bytes".utf8)

    @Test("a sibling is chosen by Accept-Encoding qualities, with identity;q=0 honoured", arguments: rows)
    func negotiation(_ row: (String?, String)) async throws {
        let site = Site()
        site.tree.write("public/site.css", Self.plain)
        site.tree.write("public/site.css.gz", Self.gz)
        site.tree.write("public/site.css.br", Self.br)
        var fields = Headers()
        if let accept = row.0 { fields.add("Accept-Encoding", accept) }
        let response = try await site.client().get("/static/site.css", headers: fields)
        #expect(response.headers["Vary"] == "Accept-Encoding")
        switch row.1 {
        case "406":
            #expect(response.status == .notAcceptable)
        case "identity":
            #expect(response.status == .ok)
            #expect(response.headers["Content-Encoding"] == nil)
            #expect(response.body == Self.plain)
            #expect(response.headers["ETag"] == Site.etag(size: Self.plain.count))
        default:
            #expect(response.status == .ok)
            #expect(response.headers["Content-Encoding"] == row.1, "\(row.0 ?? "-")")
            let bytes = row.1 == "gzip" ? Self.gz : Self.br
            #expect(response.body == bytes)
            #expect(response.headers["Content-Length"] == String(bytes.count))
            #expect(response.headers["Content-Type"] == "text/css; charset=utf-8")
            #expect(response.headers["ETag"] == Site.etag(size: bytes.count, variant: row.1))
        }
    }

    @Test("each variant has its own ETag, so a cached gzip tag does not validate the brotli bytes")
    func distinctTags() async throws {
        let site = Site()
        site.tree.write("public/site.css", Self.plain)
        site.tree.write("public/site.css.gz", Self.gz)
        site.tree.write("public/site.css.br", Array("pretend gzip bytes".utf8))   // same size and time as .gz
        let client = site.client()
        let gzip = try await client.get("/static/site.css", headers: ["Accept-Encoding": "gzip"])
        let brotli = try await client.get("/static/site.css", headers: ["Accept-Encoding": "br"])
        #expect(gzip.headers["ETag"] != brotli.headers["ETag"])
        let revalidate = try await client.get("/static/site.css", headers: headers([("Accept-Encoding", "br"), ("If-None-Match", gzip.headers["ETag"] ?? "")]))
        #expect(revalidate.status == .ok)
        let same = try await client.get("/static/site.css", headers: headers([("Accept-Encoding", "gzip"), ("If-None-Match", gzip.headers["ETag"] ?? "")]))
        #expect(same.status == .notModified)
        #expect(same.headers["Vary"] == "Accept-Encoding")
        // A range of a variant is a range of its encoded bytes, as nginx's gzip_static sends it.
        let ranged = try await client.get("/static/site.css", headers: headers([("Accept-Encoding", "gzip"), ("Range", "bytes=0-6")]))
        #expect(ranged.status == .partialContent)
        #expect(ranged.body == Array(Self.gz.prefix(7)))
        #expect(ranged.headers["Content-Encoding"] == "gzip")
    }

    @Test("precompressed lookups can be turned off, and then no Vary is sent")
    func disabled() async throws {
        let site = Site()
        site.tree.write("public/site.css", Self.plain)
        site.tree.write("public/site.css.gz", Self.gz)
        var options = SharedData.Options()
        options.precompressed = []
        let response = try await site.client(options).get("/static/site.css", headers: ["Accept-Encoding": "gzip"])
        #expect(response.body == Self.plain)
        #expect(response.headers["Vary"] == nil)
        #expect(response.headers["Content-Encoding"] == nil)
    }
}
