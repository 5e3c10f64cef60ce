import Synchronization
import Testing
import WerkCore
@testable import WerkServer

/// The server's error log and access log (issue 9, item 3: a handler's error was invisible).
@Suite("Server logging")
struct ServerLoggingTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "the database is on fire" }
    }

    /// Throws on /fail, answers 503 on /busy and 404 elsewhere, logs through Log.current on /note.
    static let synchronousApp = Handler(layers: ["Handler"], synchronous: { request in
        switch request.pathInfo {
        case "/fail": throw Boom()
        case "/busy": throw HTTPError.retryLater(.serviceUnavailable, afterSeconds: 5)
        case "/note":
            Log.current.info("noted \(request.pathInfo)", label: "notes", fields: [LogField("user", "alice")])
            return Response.text("ok")
        default: throw HTTPError(.notFound)
        }
    })
    /// The same behind an async layer: the task path.
    static let asyncApp = Stack {
        MiddlewareFunction("PassThrough") { request, next in try await next(request) }
        synchronousApp
    }

    @Test("an error that becomes a 500 is logged with its type, description and request line (inline and task paths)",
          arguments: [0, 1])
    func errorBecomes500(path: Int) async throws {
        let recorder = LogRecorder()
        let app = path == 0 ? Self.synchronousApp : Self.asyncApp
        try await withServer(app, configure: { $0.errorLogger = recorder }) { address in
            let failed = try await exchange(address, "GET /fail?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(failed.status == .internalServerError)
            #expect(!String(decoding: failed.body, as: UTF8.self).contains("fire"))   // the client learns nothing
            _ = try await exchange(address, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        let records = recorder.records
        #expect(records.count == 1)   // the 404 is not an error
        let record = try #require(records.first)
        #expect(record.level == .error && record.label == "werk")
        let fields = Dictionary(uniqueKeysWithValues: record.fields.map { ($0.key, $0.value) })
        #expect(fields["status"] == .int(500))
        #expect(fields["error_type"] == .string(String(reflecting: Boom.self)))
        #expect(fields["error"] == .string("the database is on fire"))
        #expect(fields["request"] == .string("GET /fail?x=1 HTTP/1.1"))
        #expect(fields["remote"] == .string("127.0.0.1"))
        #expect(record.message.contains("GET /fail?x=1 HTTP/1.1") && record.message.contains("500"))
    }

    @Test("a 5xx HTTPError thrown on purpose is logged as a warning")
    func deliberate503() async throws {
        let recorder = LogRecorder()
        try await withServer(Self.asyncApp, configure: { $0.errorLogger = recorder }) { address in
            let busy = try await exchange(address, "GET /busy HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(busy.status == .serviceUnavailable)
        }
        #expect(recorder.records.map(\.level) == [.warning])
        #expect(recorder.records.first?.fields.contains(LogField("status", 503)) == true)
    }

    @Test("handlers and middleware reach the server's error logger through Log.current (inline and task paths)",
          arguments: [0, 1])
    func middlewareLogger(path: Int) async throws {
        let recorder = LogRecorder()
        let app = path == 0 ? Self.synchronousApp : Self.asyncApp
        try await withServer(app, configure: { $0.errorLogger = recorder }) { address in
            let response = try await exchange(address, "GET /note HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == .ok)
        }
        let record = try #require(recorder.records.first)
        #expect(record.message == "noted /note" && record.label == "notes" && record.level == .info)
        #expect(record.fields == [LogField("user", "alice")])
    }

    @Test("the access log goes to its own logger, separate from the error log, one line per request")
    func accessLogSeparate() async throws {
        let lines = Mutex<[String]>([])
        let errors = LogRecorder()
        try await withServer(Self.synchronousApp, configure: {
            $0.accessLog = true
            $0.accessLogger = LineLogger(.lines { line in lines.withLock { $0.append(line) } })
            $0.errorLogger = errors
        }) { address in
            _ = try await exchange(address, "GET /note?q=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await exchange(address, "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n")
            try await pollUntil { lines.withLock { $0.count } == 2 }
        }
        let written = lines.withLock { $0 }
        #expect(written[0].hasPrefix("127.0.0.1 - - ["))
        #expect(written[0].hasSuffix("] \"GET /note?q=1 HTTP/1.1\" 200 2"))
        #expect(written[1].hasSuffix("\"GET /fail HTTP/1.1\" 500 \(HTTPError(.internalServerError).response().contentLength ?? 0)"))
        #expect(errors.records.map(\.label) == ["notes", "werk"])   // no access line in the error log
    }

    @Test("access records carry the entry for custom loggers, and JSON lines have the fields")
    func accessRecords() async throws {
        let recorder = LogRecorder()
        let json = Mutex<[String]>([])
        try await withServer(Self.synchronousApp, configure: { $0.accessLog = true; $0.accessLogger = recorder }) { address in
            _ = try await exchange(address, "GET /note HTTP/1.1\r\nHost: x\r\n\r\n")
            try await pollUntil { recorder.records.count == 1 }
        }
        let entry = try #require(recorder.records.first?.access)
        #expect(entry == AccessLogEntry(remoteAddress: "127.0.0.1", requestLine: "GET /note HTTP/1.1", status: 200, bytes: 2))
        try await withServer(Self.synchronousApp, configure: {
            $0.accessLog = true
            $0.accessLogger = LineLogger(.lines { line in json.withLock { $0.append(line) } }, format: .json)
        }) { address in
            _ = try await exchange(address, "GET /note HTTP/1.1\r\nHost: x\r\n\r\n")
            try await pollUntil { json.withLock { $0.count } == 1 }
        }
        let parsed = try JSON.parse(json.withLock { $0[0] })
        #expect(parsed["label"] == "access" && parsed["status"] == 200 && parsed["bytes"] == 2)
        #expect(parsed["request"] == "GET /note HTTP/1.1" && parsed["remote"] == "127.0.0.1")
    }

    @Test("an 8 KB request target gives an access line cut to maxLineLength with the marker")
    func longAccessLine() async throws {
        let lines = Mutex<[String]>([])
        let target = "/" + String(repeating: "a", count: 8000)
        try await withServer(Self.synchronousApp, configure: {
            $0.accessLog = true
            $0.accessLogger = LineLogger(.lines { line in lines.withLock { $0.append(line) } }, maxLineLength: 512)
        }) { address in
            _ = try await exchange(address, "GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
            try await pollUntil { lines.withLock { $0.count } == 1 }
        }
        let line = lines.withLock { $0[0] }
        #expect(line.utf8.count <= 512)
        #expect(line.hasSuffix(LineLogger.truncationMarker))
    }

    @Test("a response stream that fails after the head is logged")
    func streamFailure() async throws {
        struct Broken: Error {}
        let recorder = LogRecorder()
        let app = Handler { _ in
            let stream = ByteStream { () async throws -> [UInt8]? in throw Broken() }
            return Response(status: .ok, body: .stream(stream, length: nil))
        }
        try await withServer(app, configure: { $0.errorLogger = recorder }) { address in
            _ = try? await exchange(address, "GET /s HTTP/1.1\r\nHost: x\r\n\r\n")
            try await pollUntil { !recorder.records.isEmpty }
        }
        let record = try #require(recorder.records.first)
        #expect(record.level == .error && record.message.contains("GET /s HTTP/1.1"))
        #expect(record.fields.contains(LogField("error_type", .string(String(reflecting: Broken.self)))))
    }
}
