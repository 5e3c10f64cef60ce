import Testing
@testable import WerkCore

private struct Point: Codable, Sendable, Equatable { var x: Int; var y: Int; var label: String }

@Suite("Handler return values")
struct HandlerTests {
    @Test("a String becomes text/plain in UTF-8")
    func string() async throws {
        let response = try await Handler { _ in "héllo" }(Request())
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(try await response.collectBody() == Array("héllo".utf8))
    }

    @Test("a Substring becomes text/plain")
    func substring() async throws {
        let response = try await Handler { _ in "abcdef".dropFirst(3) }(Request())
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(try await response.collectBody() == Array("def".utf8))
    }

    @Test("bytes become application/octet-stream")
    func bytes() async throws {
        let response = try await Handler { _ in [UInt8]([0, 1, 255]) }(Request())
        #expect(response.headers["Content-Type"] == "application/octet-stream")
        #expect(try await response.collectBody() == [0, 1, 255])
    }

    @Test("a Response is passed through unchanged")
    func response() async throws {
        let response = try await Handler { _ in Response(status: .accepted, headers: ["X-A": "1"], body: .bytes([7])) }(Request())
        #expect(response.status == .accepted)
        #expect(response.headers["X-A"] == "1")
        #expect(response.headers["Content-Type"] == nil)
    }

    @Test("a JSON value becomes application/json")
    func json() async throws {
        let response = try await Handler { _ in JSON.object(["b": 1, "a": [true, .null]]) }(Request())
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: try await response.collectBody(), as: UTF8.self) == #"{"a":[true,null],"b":1}"#)
    }

    @Test("a Status becomes an empty response with that status")
    func status() async throws {
        let response = try await Handler { _ in Status.noContent }(Request())
        #expect(response.status == .noContent)
        #expect(try await response.collectBody().isEmpty)
    }

    @Test("an Encodable struct becomes JSON with sorted keys and unescaped slashes")
    func encodable() async throws {
        let response = try await Handler { _ in Point(x: 1, y: 2, label: "a/b") }(Request())
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: try await response.collectBody(), as: UTF8.self) == #"{"label":"a/b","x":1,"y":2}"#)
    }

    @Test("an Encodable array becomes a JSON array")
    func encodableArray() async throws {
        let response = try await Handler { _ in [Point(x: 0, y: 0, label: "o")] }(Request())
        #expect(String(decoding: try await response.collectBody(), as: UTF8.self) == #"[{"label":"o","x":0,"y":0}]"#)
    }

    @Test("a handler's layers are just the handler")
    func layers() {
        #expect(Handler { _ in "x" }.layers == ["Handler"])
        #expect(Handler { _ in "x" }.withLayers(["A", "B"]).description == "A\n  B")
    }

    @Test("respondCatchingErrors renders an HTTPError")
    func catchesHTTPError() async {
        let response = await Handler { _ -> Response in throw HTTPError(.gone) }.respondCatchingErrors(Request())
        #expect(response.status == .gone)
    }
}
