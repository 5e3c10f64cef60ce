import Testing
import WerkCore
@testable import WerkCompress
import WerkTesting

@Suite("Compress")
struct CompressTests {
    static let text = String(repeating: "Werk compresses text. ", count: 200)

    static func app(_ response: @escaping @Sendable () -> Response, options: Compress.Options = Compress.Options()) -> Handler {
        Stack {
            Compress(options: options)
            Handler { _ in response() }
        }
    }

    /// (Accept-Encoding, expected Content-Encoding or nil).
    static let negotiation: [(String?, String?)] = [
        (nil, nil), ("", nil), ("gzip", "gzip"), ("deflate", "deflate"), ("gzip, deflate", "gzip"),
        ("deflate, gzip;q=0.5", "deflate"), ("gzip;q=0, deflate", "deflate"), ("gzip;q=0, deflate;q=0", nil),
        ("*", "gzip"), ("*;q=0", nil), ("br", nil), ("br, gzip;q=0.1", "gzip"), ("x-gzip", "gzip"), ("GZip", "gzip"),
        ("identity", nil),
    ]

    @Test("the coding is negotiated by Accept-Encoding qualities, gzip winning ties", arguments: negotiation)
    func negotiate(_ row: (String?, String?)) async throws {
        let client = TestClient(Self.app { Response.text(Self.text) })
        var fields = Headers()
        if let accept = row.0 { fields.add("Accept-Encoding", accept) }
        let response = try await client.get("/", headers: fields)
        #expect(response.headers["Content-Encoding"] == row.1, "\(row.0 ?? "-")")
        #expect(response.headers["Vary"] == "Accept-Encoding")
        switch row.1 {
        case "gzip": #expect(try Zlib.decompress(response.body, maxOutput: 1 << 20, format: .gzip) == Array(Self.text.utf8))
        case "deflate": #expect(try Zlib.decompress(response.body, maxOutput: 1 << 20, format: .zlib) == Array(Self.text.utf8))
        default: #expect(response.text == Self.text)
        }
        if row.1 != nil {
            #expect(response.body.count < Self.text.utf8.count / 5)
            #expect(response.headers["Content-Length"] == String(response.body.count))
        }
    }

    /// (what, response, compressed?, Vary added?).
    static let skips: [(String, @Sendable () -> Response, Bool, Bool)] = [
        ("text", { Response.text(text) }, true, true),
        ("JSON", { Response(status: .ok, contentType: "application/json", bytes: Array(text.utf8)) }, true, true),
        ("a +json type", { Response(status: .ok, contentType: "application/problem+json", bytes: Array(text.utf8)) }, true, true),
        ("SVG", { Response(status: .ok, contentType: "image/svg+xml", bytes: Array(text.utf8)) }, true, true),
        ("a 404 page", { Response(status: .notFound, contentType: "text/html", bytes: Array(text.utf8)) }, true, true),
        ("below the minimum size", { Response.text("short") }, false, false),
        ("a PNG", { Response(status: .ok, contentType: "image/png", bytes: Array(text.utf8)) }, false, false),
        ("no Content-Type", { Response(status: .ok, body: .bytes(Array(text.utf8))) }, false, false),
        ("already encoded", { var r = Response.text(text); r.headers.add("Content-Encoding", "br"); return r }, false, false),
        ("no-transform", { var r = Response.text(text); r.headers.add("Cache-Control", "public, no-transform"); return r }, false, false),
        ("a 206", { var r = Response.text(text); r.status = .partialContent; r.headers.add("Content-Range", "bytes 0-9/99"); return r }, false, false),
        ("a 304", { Response(status: .notModified, headers: ["Content-Type": "text/plain"]) }, false, false),
        ("a file body", { Response(status: .ok, headers: ["Content-Type": "text/plain"], body: .file(FileRegion(path: "/dev/null", count: 0))) }, false, false),
    ]

    @Test("compressible types only, above the minimum size, never ranges, encoded bodies or no-transform", arguments: skips)
    func skipping(_ row: (String, @Sendable () -> Response, Bool, Bool)) async throws {
        let response = try await TestClient(Self.app(row.1)).get("/", headers: ["Accept-Encoding": "gzip"])
        #expect((response.headers["Content-Encoding"] == "gzip") == row.2, "\(row.0)")
        #expect(response.headers.values(for: "Vary").contains("Accept-Encoding") == row.3, "\(row.0)")
    }

    @Test("a strong ETag becomes weak, Accept-Ranges goes, an existing Vary is extended")
    func headerAdjustments() async throws {
        let app = Self.app {
            var r = Response.text(Self.text)
            r.headers.add("ETag", "\"v1\"")
            r.headers.add("Accept-Ranges", "bytes")
            r.headers.add("Vary", "Cookie")
            return r
        }
        let response = try await TestClient(app).get("/", headers: ["Accept-Encoding": "gzip"])
        #expect(response.headers["ETag"] == "W/\"v1\"")
        #expect(response.headers["Accept-Ranges"] == nil)
        #expect(response.headers["Vary"] == "Cookie, Accept-Encoding")
    }

    @Test("a streamed body is compressed as it flows, each chunk decodable when it arrives")
    func streamed() async throws {
        let chunks = (0..<20).map { Array("chunk \($0): \(String(repeating: "x", count: 300))\n".utf8) }
        let app = Self.app { Response(status: .ok, headers: ["Content-Type": "text/plain"], body: .stream(ByteStream(chunks: chunks), length: nil)) }
        let response = await app.respondCatchingErrors(Request(target: "/", headers: ["Accept-Encoding": "gzip"]))
        #expect(response.headers["Content-Encoding"] == "gzip")
        guard case .stream(let stream, let length) = response.body else { Issue.record("not a stream"); return }
        #expect(length == nil)
        var pieces: [[UInt8]] = []
        for try await piece in stream { pieces.append(piece) }
        #expect(pieces.count >= 20, "one compressed piece per source chunk at least")
        #expect(try Zlib.decompress(pieces.flatMap { $0 }, maxOutput: 1 << 20, format: .gzip) == chunks.flatMap { $0 })
        // A short known-length stream stays as it is.
        let small = Self.app { Response(status: .ok, headers: ["Content-Type": "text/plain"], body: .stream(ByteStream(chunks: [[1, 2]]), length: 2)) }
        #expect(try await TestClient(small).get("/", headers: ["Accept-Encoding": "gzip"]).headers["Content-Encoding"] == nil)
    }

    @Test("options: the minimum size and the types are configurable; the layer keeps the synchronous form")
    func options() async throws {
        var options = Compress.Options()
        options.minimumSize = 1
        options.compressibleTypes = ["image/png"]
        let png = Self.app({ Response(status: .ok, contentType: "image/png", bytes: [1, 2, 3]) }, options: options)
        #expect(try await TestClient(png).get("/", headers: ["Accept-Encoding": "gzip"]).headers["Content-Encoding"] == "gzip")
        #expect(png.synchronous != nil)
        #expect(png.layers.first == "Compress")
    }
}
