import Glibc
import Synchronization
import Testing
import WerkCore
import WerkTesting

/// The logging interface: levels, text and JSON lines, bounded lines, the error log of the test
/// client (issue 9, item 3).
@Suite("Logging")
struct LoggingTests {
    private func lines(format: LineLogger.Format = .text, level: LogLevel = .info, max: Int = 4096)
        -> (LineLogger, @Sendable () -> [String]) {
        let collected = Mutex<[String]>([])
        let logger = LineLogger(.lines { line in collected.withLock { $0.append(line) } }, format: format, level: level,
                                maxLineLength: max)
        return (logger, { collected.withLock { $0 } })
    }

    @Test("text lines: time, level, label, message and key=value fields; access records are Common Log Format")
    func textLines() {
        let (logger, written) = lines()
        logger.log(LogRecord(level: .error, label: "werk", message: "it broke",
                             fields: [LogField("status", 500), LogField("error", "two words \"quoted\""), LogField("k", "v")],
                             epochSeconds: 784_111_777))
        let entry = AccessLogEntry(remoteAddress: "10.0.0.1", requestLine: "GET / HTTP/1.1", status: 200, bytes: 5)
        logger.log(LogRecord(level: .info, label: LogRecord.accessLabel, message: entry.commonLogLine(epochSeconds: 0),
                             epochSeconds: 0, access: entry))
        #expect(written() == [
            #"1994-11-06T08:49:37Z ERROR werk: it broke status=500 error="two words \"quoted\"" k=v"#,
            #"10.0.0.1 - - [01/Jan/1970:00:00:00 +0000] "GET / HTTP/1.1" 200 5"#,
        ])
    }

    @Test("control characters are escaped, so one record is one line")
    func escaping() {
        let (logger, written) = lines()
        logger.error("line one\nline two\r\u{1b}[31m", label: "app", fields: [LogField("why", "a\tb")])
        let line = written()[0]
        #expect(line.hasSuffix(#"ERROR app: line one\nline two\r\x1b[31m why="a\tb""#))
        #expect(!line.contains("\n"))
    }

    @Test("JSON lines are objects with time, level, label, message and the fields")
    func jsonLines() throws {
        let (logger, written) = lines(format: .json)
        logger.log(LogRecord(level: .warning, label: "werk", message: "slow", fields: [LogField("ms", 1200)],
                             epochSeconds: 0))
        let entry = AccessLogEntry(remoteAddress: "::1", requestLine: "-", status: 400, bytes: nil)
        logger.log(LogRecord(level: .info, label: "access", message: "", epochSeconds: 0, access: entry))
        #expect(written()[0] == #"{"time":"1970-01-01T00:00:00Z","level":"warning","label":"werk","message":"slow","ms":1200}"#)
        #expect(written()[1] == #"{"time":"1970-01-01T00:00:00Z","level":"info","label":"access","remote":"::1","request":"-","status":400,"bytes":null}"#)
    }

    @Test("levels below the logger's level are dropped without building the message")
    func levels() {
        let (logger, written) = lines(level: .warning)
        let built = Atomic<Int>(0)
        func message() -> String { built.add(1, ordering: .relaxed); return "built" }
        logger.info(message())
        logger.debug(message())
        logger.warning(message())
        #expect(written().count == 1)
        #expect(built.load(ordering: .relaxed) == 1)
        #expect(LogLevel(name: "critical") == .critical && LogLevel(name: "loud") == nil)
        #expect(LogLevel.allCases.sorted() == [.debug, .info, .warning, .error, .critical])
    }

    @Test("long lines are cut at the limit with the marker, text and JSON (which stays valid)",
          arguments: [LineLogger.Format.text, .json])
    func bounded(format: LineLogger.Format) throws {
        let (logger, written) = lines(format: format, max: 200)
        let long = String(repeating: "é", count: 3000)   // two bytes each: cuts must not split one
        logger.error(long, label: "app", fields: [LogField("target", .string("/" + String(repeating: "x", count: 5000)))])
        let line = written()[0]
        #expect(line.utf8.count <= 200)
        #expect(line.contains(LineLogger.truncationMarker))
        #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)
        if format == .json {
            let parsed = try JSON.parse(line)
            #expect(parsed["level"] == "error")
        }
    }

    @Test("a file logger appends lines to its file; a bad path is a thrown LogFileError")
    func fileLogger() throws {
        let path = "/tmp/werk-logging-test-\(getpid()).log"
        defer { unlink(path) }
        let logger = try LineLogger(file: path)
        logger.info("first")
        logger.info("second")
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &buffer, buffer.count)
        let text = String(decoding: buffer[0..<max(0, n)], as: UTF8.self)
        #expect(text.split(separator: "\n").map { $0.hasSuffix("INFO app: first") || $0.hasSuffix("INFO app: second") } == [true, true])
        #expect { try LineLogger(file: "/nonexistent-dir/x.log") } throws: { error in
            "\(error)".contains("/nonexistent-dir/x.log")
        }
    }

    struct Broken: Error, ErrorLogDetails {
        var logFields: [LogField] { [LogField("thrown_at", "App.swift:42")] }
    }

    @Test("the test client logs a 500 on the logger it was given, with the fields an error adds; by default nothing")
    func testClientErrorLog() async throws {
        let app = Handler { request -> Response in
            if request.pathInfo == "/bad-header" { return Response(status: .ok, headers: ["X-Bad": "a\r\nb"]) }
            throw Broken()
        }
        let recorder = LogRecorder()
        let client = TestClient(transport: InProcessTransport(app, logger: recorder))
        #expect(try await client.get("/boom").status == .internalServerError)
        #expect(try await client.get("/bad-header").status == .internalServerError)
        let records = recorder.records
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.level == .error })
        #expect(records[0].fields.contains(LogField("thrown_at", "App.swift:42")))
        #expect(records[0].fields.contains(LogField("request", "GET /boom HTTP/1.1")))
        #expect(records[1].fields.contains(LogField("error_type", .string(String(reflecting: HTTPError.self)))))

        // The default client binds a discarding logger: quiet tests.
        #expect(try await TestClient(app).get("/boom").status == .internalServerError)
        #expect(Log.current is DiscardingLogger)
    }

    @Test("middleware reach the logger through Log.current in the test client")
    func middlewareThroughTestClient() async throws {
        let audit = MiddlewareFunction("Audit") { request, next in
            Log.current.info("saw \(request.pathInfo)", label: "audit")
            return try await next(request)
        }
        let recorder = LogRecorder()
        let app = Stack { audit; Handler { _ in "ok" } }
        _ = try await TestClient(transport: InProcessTransport(app, logger: recorder)).get("/x")
        #expect(recorder.records.map(\.message) == ["saw /x"])
        #expect(recorder.records.first?.label == "audit")
    }

    @Test("a LogRecorder keeps at most its capacity, dropping the oldest")
    func recorderCapacity() {
        let recorder = LogRecorder(capacity: 2)
        for i in 0..<3 { recorder.info("\(i)") }
        #expect(recorder.records.map(\.message) == ["1", "2"])
        recorder.removeAll()
        #expect(recorder.records.isEmpty)
    }
}
