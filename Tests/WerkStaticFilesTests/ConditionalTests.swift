import Testing
import WerkCore
@testable import WerkStaticFiles

@Suite("StaticFiles validators and preconditions")
struct ConditionalTests {
    static let etag = Site.etag(size: 1000)
    static let weak = "W/" + etag
    static let earlier = "Mon, 13 Nov 2023 00:00:00 GMT"
    static let later = "Wed, 15 Nov 2023 00:00:00 GMT"

    @Test("the ETag is the modification time in nanoseconds and the size, in hex; Last-Modified is in seconds")
    func validators() async throws {
        let site = Site()
        let response = try await site.client().get("/static/a.txt")
        #expect(response.status == .ok)
        #expect(response.headers["ETag"] == "\"17979cfe3d85cd15-3e8\"")
        #expect(response.headers["ETag"] == Self.etag)
        #expect(response.headers["Last-Modified"] == Site.lastModified)
        #expect(response.headers["Accept-Ranges"] == "bytes")
        #expect(response.headers["Cache-Control"] == "public, max-age=43200")
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(response.headers["Content-Length"] == "1000")
        #expect(response.body == site.content)
        // Same size, another nanosecond: another tag (the inode plays no part).
        site.tree.setTime("public/a.txt", seconds: 1_700_000_000, nanoseconds: 123_456_790)
        let touched = try await site.client().get("/static/a.txt")
        #expect(touched.headers["ETag"] != Self.etag)
        #expect(touched.headers["Last-Modified"] == Site.lastModified)
    }

    /// (what, request headers, status). RFC 9110 §13.2.2: If-Match, If-Unmodified-Since,
    /// If-None-Match, If-Modified-Since, then If-Range and Range.
    static let rows: [(String, [(String, String)], Int)] = [
        ("no precondition", [], 200),
        ("If-None-Match with the tag", [("If-None-Match", etag)], 304),
        ("If-None-Match with the weak form (weak comparison)", [("If-None-Match", weak)], 304),
        ("If-None-Match with another tag", [("If-None-Match", "\"other\"")], 200),
        ("If-None-Match: *", [("If-None-Match", "*")], 304),
        ("If-None-Match with a list holding the tag", [("If-None-Match", "\"x\", \(etag)")], 304),
        ("If-Modified-Since the exact date", [("If-Modified-Since", Site.lastModified)], 304),
        ("If-Modified-Since a later date", [("If-Modified-Since", later)], 304),
        ("If-Modified-Since an earlier date", [("If-Modified-Since", earlier)], 200),
        ("If-Modified-Since that is not a date", [("If-Modified-Since", "yesterday")], 200),
        ("If-None-Match wins over If-Modified-Since", [("If-None-Match", "\"other\""), ("If-Modified-Since", later)], 200),
        ("If-Match with the tag", [("If-Match", etag)], 200),
        ("If-Match with another tag", [("If-Match", "\"other\"")], 412),
        ("If-Match with the weak form (strong comparison)", [("If-Match", weak)], 412),
        ("If-Match: *", [("If-Match", "*")], 200),
        ("If-Unmodified-Since an earlier date", [("If-Unmodified-Since", earlier)], 412),
        ("If-Unmodified-Since a later date", [("If-Unmodified-Since", later)], 200),
        ("If-Unmodified-Since is ignored when If-Match is present", [("If-Match", etag), ("If-Unmodified-Since", earlier)], 200),
        ("If-Match is evaluated before If-None-Match", [("If-Match", "\"other\""), ("If-None-Match", etag)], 412),
        ("If-Unmodified-Since is evaluated before If-None-Match", [("If-Unmodified-Since", earlier), ("If-None-Match", etag)], 412),
        ("a 304 precondition wins over a Range", [("If-None-Match", etag), ("Range", "bytes=0-9")], 304),
        ("a Range applies after a holding If-Match", [("If-Match", etag), ("Range", "bytes=0-9")], 206),
        ("a failing If-Match wins over a Range", [("If-Match", "\"other\""), ("Range", "bytes=0-9")], 412),
        ("a failing If-Unmodified-Since wins over an unsatisfiable Range", [("If-Unmodified-Since", earlier), ("Range", "bytes=5000-")], 412),
    ]

    @Test("preconditions are evaluated in RFC 9110 order", arguments: rows)
    func preconditions(_ row: (String, [(String, String)], Int)) async throws {
        let site = Site()
        let response = try await site.client().get("/static/a.txt", headers: headers(row.1))
        #expect(response.status.code == row.2, "\(row.0)")
        switch row.2 {
        case 304:
            #expect(response.body.isEmpty)
            #expect(response.headers["ETag"] == Self.etag)
            #expect(response.headers["Cache-Control"] == "public, max-age=43200")
            #expect(response.headers["Vary"] == "Accept-Encoding")
            #expect(response.headers["Content-Type"] == nil)
            #expect(response.headers["Last-Modified"] == nil, "ETag is there, so Last-Modified is left out")
        case 412:
            #expect(response.headers["ETag"] == Self.etag)
            #expect(response.text.contains("precondition"))
        case 200:
            #expect(response.body == site.content)
        default:
            #expect(response.headers["Content-Range"] == "bytes 0-9/1000")
        }
    }

    @Test("HEAD answers the same status and headers as GET, without a body")
    func head() async throws {
        let site = Site()
        let client = site.client()
        let get = try await client.get("/static/a.txt")
        let head = try await client.head("/static/a.txt")
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        #expect(head.headers["Content-Length"] == "1000")
        #expect(head.headers["ETag"] == get.headers["ETag"])
        let notModified = try await client.head("/static/a.txt", headers: ["If-None-Match": Self.etag])
        #expect(notModified.status == .notModified)
        let ranged = try await client.head("/static/a.txt", headers: ["Range": "bytes=0-9"])
        #expect(ranged.status == .partialContent)
        #expect(ranged.headers["Content-Length"] == "10")
        #expect(ranged.body.isEmpty)
    }
}
