import Testing
import Synchronization
@testable import WerkCore
import WerkTesting

private struct Login: Codable, Sendable, Equatable { var user: String; var age: Int }

/// A stream that counts how many chunks were pulled.
private func countingStream(_ chunks: [[UInt8]], pulls: CoreCounter) -> ByteStream {
    let remaining = Mutex(chunks[...])
    return ByteStream {
        let chunk = remaining.withLock { $0.popFirst() }
        if chunk != nil { pulls.increment() }
        return chunk
    }
}

private func streamed(_ chunks: [[UInt8]], declared: Int? = nil, headers: Headers = Headers(),
                      pulls: CoreCounter = CoreCounter()) -> Request {
    Request(target: "/", headers: headers,
            body: RequestBody(stream: countingStream(chunks, pulls: pulls), declaredLength: declared))
}

private func status(of body: () async throws -> Void) async -> Int? {
    do { try await body(); return nil } catch let error as HTTPError { return error.status.code } catch { return -1 }
}

@Suite("Request body")
struct RequestBodyTests {
    @Test("data() reads a streamed body once and caches it")
    func dataCached() async throws {
        let pulls = CoreCounter()
        let r = streamed([[1, 2], [3]], pulls: pulls)
        #expect(!r.body.isBuffered)
        #expect(try await r.data() == [1, 2, 3])
        #expect(pulls.value == 2)
        #expect(r.body.isBuffered)
        #expect(try await r.data() == [1, 2, 3])
        #expect(pulls.value == 2)
    }

    @Test("a streamed body is read incrementally, one chunk per pull")
    func incremental() async throws {
        let pulls = CoreCounter()
        let r = streamed([[1], [2], [3]], pulls: pulls)
        var iterator = try r.body.stream().makeAsyncIterator()
        #expect(pulls.value == 0)
        #expect(try await iterator.next() == [1])
        #expect(pulls.value == 1)
        #expect(try await iterator.next() == [2])
        #expect(pulls.value == 2)
        #expect(try await iterator.next() == [3])
        #expect(try await iterator.next() == nil)
    }

    @Test("a streamed body can be taken once; reading it again is an error")
    func streamOnce() async throws {
        let r = streamed([[1]])
        _ = try r.body.stream()
        #expect(throws: HTTPError.self) { try r.body.stream() }
        #expect(await status { _ = try await r.data() } == 500)
    }

    @Test("a buffered body can be streamed repeatedly as one chunk")
    func bufferedStream() async throws {
        let r = Request(target: "/", body: [9, 8])
        #expect(try await r.body.stream().collect(upTo: 10) == [9, 8])
        #expect(try await r.body.stream().collect(upTo: 10) == [9, 8])
        #expect(try await Request(target: "/").body.stream().collect(upTo: 10) == [])
    }

    @Test("a declared length over maxContentLength is a 413 before anything is read")
    func declaredTooLarge() async {
        let pulls = CoreCounter()
        var r = streamed([[1, 2, 3]], declared: 3, pulls: pulls)
        r.maxContentLength = 2
        #expect(await status { _ = try await r.data() } == 413)
        #expect(pulls.value == 0)
    }

    @Test("an undeclared stream over maxContentLength is a 413 once the limit is passed")
    func streamTooLarge() async {
        let pulls = CoreCounter()
        var r = streamed([[1, 2], [3, 4], [5, 6], [7, 8]], pulls: pulls)
        r.maxContentLength = 3
        #expect(await status { _ = try await r.data() } == 413)
        #expect(pulls.value == 2)   // the rest is not read
    }

    @Test("a buffered body over maxContentLength is a 413, and exactly at it is fine")
    func bufferedLimit() async throws {
        var r = Request(target: "/", body: [1, 2, 3])
        r.maxContentLength = 3
        #expect(try await r.data() == [1, 2, 3])
        r.maxContentLength = 2
        #expect(await status { _ = try await r.data() } == 413)
    }

    @Test("text() decodes UTF-8 and replaces invalid sequences")
    func text() async throws {
        #expect(try await Request(target: "/", body: Array("héllo".utf8)).text() == "héllo")
        #expect(try await Request(target: "/", body: [0x61, 0xFF, 0x62]).text() == "a\u{FFFD}b")
    }

    @Test("json() parses a JSON body")
    func json() async throws {
        let r = Request(target: "/", headers: ["Content-Type": "application/json"], body: Array(#"{"a":[1,"x"]}"#.utf8))
        let value = try await r.json()
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1]?.stringValue == "x")
    }

    @Test("json() is a 415 when the Content-Type is not JSON", arguments: [nil, "text/plain", "application/x-www-form-urlencoded"])
    func json415(contentType: String?) async {
        var headers = Headers()
        if let contentType { headers.add("Content-Type", contentType) }
        let r = Request(target: "/", headers: headers, body: Array("{}".utf8))
        #expect(await status { _ = try await r.json() } == 415)
        do {
            _ = try await r.json()
        } catch let error as HTTPError {   // Werkzeug's exact wording
            #expect(error.detail == "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("json(force:) ignores the Content-Type")
    func jsonForce() async throws {
        let r = Request(target: "/", headers: ["Content-Type": "text/plain"], body: Array("[true]".utf8))
        #expect(try await r.json(force: true)[0]?.boolValue == true)
    }

    @Test("json() is a 400 on a body that is not JSON", arguments: ["{", "", "{'a':1}", "[1,]", "nul"])
    func json400(body: String) async {
        let r = Request(target: "/", headers: ["Content-Type": "application/json"], body: Array(body.utf8))
        #expect(await status { _ = try await r.json() } == 400)
    }

    @Test("decode(_:) decodes into a Decodable type")
    func decode() async throws {
        let r = Request(target: "/", headers: ["Content-Type": "application/json; charset=utf-8"],
                        body: Array(#"{"user":"al","age":3}"#.utf8))
        #expect(try await r.decode(Login.self) == Login(user: "al", age: 3))
    }

    @Test("decode(_:) is a 400 naming the problem when the JSON does not fit the type")
    func decode400() async {
        let r = Request(target: "/", headers: ["Content-Type": "application/json"], body: Array(#"{"user":"al"}"#.utf8))
        do {
            _ = try await r.decode(Login.self)
            Issue.record("expected a 400")
        } catch let error as HTTPError {
            #expect(error.status == .badRequest)
            #expect(error.detail.contains("age"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("decode(_:) is a 415 without a JSON Content-Type unless forced")
    func decode415() async throws {
        let r = Request(target: "/", body: Array(#"{"user":"al","age":3}"#.utf8))
        #expect(await status { _ = try await r.decode(Login.self) } == 415)
        #expect(try await r.decode(Login.self, force: true).age == 3)
    }

    @Test("form() parses an urlencoded body in order")
    func form() async throws {
        let r = Request(target: "/", headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                        body: Array("a=1&b=x+y&a=%C3%BC&c".utf8))
        let form = try await r.form()
        #expect(form.pairs.map { "\($0.key)=\($0.value)" } == ["a=1", "b=x y", "a=ü", "c="])
    }

    @Test("form() gives nothing for other content types", arguments: [nil, "text/plain", "application/json"])
    func formOtherTypes(contentType: String?) async throws {
        var headers = Headers()
        if let contentType { headers.add("Content-Type", contentType) }
        let r = Request(target: "/", headers: headers, body: Array("a=1".utf8))
        #expect(try await r.form().isEmpty)
    }

    @Test("form() accepts exactly maxFormMemorySize (500 000 by default) and answers 413 beyond")
    func formLimit() async throws {
        let headers: Headers = ["Content-Type": "application/x-www-form-urlencoded"]
        let exact = Request(target: "/", headers: headers, body: Array(("a=" + String(repeating: "x", count: 499_998)).utf8))
        #expect(exact.maxFormMemorySize == 500_000)
        #expect(try await exact.form()["a"]?.count == 499_998)
        let over = Request(target: "/", headers: headers, body: Array(("a=" + String(repeating: "x", count: 499_999)).utf8))
        #expect(await status { _ = try await over.form() } == 413)
    }

    @Test("form() follows a lowered maxFormMemorySize and a streamed body")
    func formLimitStreamed() async throws {
        var r = streamed([Array("a=12".utf8), Array("34".utf8)],
                         headers: ["Content-Type": "application/x-www-form-urlencoded"])
        r.maxFormMemorySize = 5
        #expect(await status { _ = try await r.form() } == 413)
        var ok = streamed([Array("a=12".utf8), Array("3".utf8)],
                          headers: ["Content-Type": "application/x-www-form-urlencoded"])
        ok.maxFormMemorySize = 5
        #expect(try await ok.form()["a"] == "123")
    }

    @Test("form() is a 400 on a malformed escape")
    func formMalformed() async {
        let r = Request(target: "/", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array("a=%zz".utf8))
        #expect(await status { _ = try await r.form() } == 400)
    }

    @Test("a 413 from data() renders through the stack")
    func tooLargeThroughStack() async throws {
        let app = Handler { request in
            var limited = request
            limited.maxContentLength = 4
            return try await limited.text()
        }
        let client = TestClient(app)
        #expect(try await client.post("/", body: .text("1234")).text == "1234")
        #expect(try await client.post("/", body: .text("12345")).status == .contentTooLarge)
    }
}

@Suite("Request body streams with a size limit")
struct RequestBodyStreamLimitTests {
    static func streamed(_ chunks: [[UInt8]], declared: Int?) -> RequestBody {
        RequestBody(stream: ByteStream(chunks: chunks), declaredLength: declared)
    }

    @Test("bodyStream passes a body within maxContentLength through unchanged")
    func withinLimit() async throws {
        var request = Request(method: .post, target: "/", body: Self.streamed([[1, 2], [3]], declared: nil))
        request.maxContentLength = 3
        var seen: [UInt8] = []
        for try await chunk in try request.bodyStream() { seen += chunk }
        #expect(seen == [1, 2, 3])
    }

    @Test("bodyStream throws 413 when the streamed body grows past maxContentLength")
    func growsPastLimit() async throws {
        var request = Request(method: .post, target: "/", body: Self.streamed([[1, 2], [3, 4]], declared: nil))
        request.maxContentLength = 3
        var iterator = try request.bodyStream().makeAsyncIterator()
        #expect(try await iterator.next() == [1, 2])
        await #expect(throws: HTTPError.self) { _ = try await iterator.next() }
    }

    @Test("bodyStream refuses a declared Content-Length over the limit before reading anything")
    func declaredTooLarge() throws {
        var request = Request(method: .post, target: "/", body: Self.streamed([[1]], declared: 10))
        request.maxContentLength = 5
        #expect(throws: HTTPError.self) { _ = try request.bodyStream() }
    }
}
