#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import WerkTestSupport
@testable import WerkCore
@testable import WerkSigning

/// Round trips through the real Flask 3.1 (python3 with Flask: skipped with a message without it,
/// and a failure under CI, which installs it). Werk signs a session, Flask's own `SecureCookieSessionInterface` verifies and
/// untags it, then signs it again, and Werk verifies Flask's cookie.
@Suite("Flask interop through python3", .requires(.flask))
struct FlaskInteropTests {
    static let script = #"""
import sys, json, uuid
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup
app = Flask("werk-interop"); app.secret_key = sys.argv[1]
with app.app_context():
    s = SecureCookieSessionInterface().get_signing_serializer(app)
    data = s.loads(sys.argv[2], max_age=60)
    def plain(v):
        if isinstance(v, Markup): return {"markup": str(v)}
        if isinstance(v, tuple): return {"tuple": [plain(x) for x in v]}
        if isinstance(v, bytes): return {"bytes": v.hex()}
        if isinstance(v, uuid.UUID): return {"uuid": str(v)}
        if hasattr(v, "isoformat"): return {"datetime": int(v.timestamp())}
        if isinstance(v, list): return [plain(x) for x in v]
        if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
        return v
    print(json.dumps(plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=True))
    print(s.dumps(data))
"""#

    /// Runs python3 with the script and arguments (all URL-safe ASCII), returning stdout lines.
    static func runPython(_ arguments: [String]) throws -> [String] {
        struct Failed: Error { let message: String }
        let scriptPath = "/tmp/werk-flask-interop-\(getpid()).py"
        guard let file = fopen(scriptPath, "w") else { throw Failed(message: "cannot write \(scriptPath)") }
        fputs(script, file)
        fclose(file)
        defer { unlink(scriptPath) }
        let command = "python3 \(scriptPath) " + arguments.map { "'\($0)'" }.joined(separator: " ") + " 2>&1"
        guard let pipe = popen(command, "r") else { throw Failed(message: "cannot start python3") }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, pipe)
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        let status = pclose(pipe)
        let text = String(decoding: output, as: UTF8.self)
        guard status == 0 else { throw Failed(message: "python3 failed (\(status)): \(text)") }
        return text.split(separator: "\n").map(String.init)
    }

    @Test("Flask verifies a Werk-made session cookie and Werk verifies Flask's, tags included")
    func roundTripThroughFlask() throws {
        let key = "werk-interop-\(try randomToken(bytes: 8))"
        let value: FlaskTaggedJSON.Value = .object([
            "_flashes": .array([.tuple([.string("message"), .string("Grüße ✓")])]),
            "bytes": .bytes([0, 1, 254, 255]),
            "when": .dateTime(1_704_164_645),
            "id": .uuid("12345678-1234-5678-1234-567812345678"),
            "html": .markup("<b>ok</b>"),
            "escaped": .object([" t": .int(1)]),
            "nested": .object(["list": .array([.int(1), .double(2.5), .bool(true), .null, .string("😀")])]),
            "cart": .array(Array(repeating: .string("apple"), count: 30)),  // long enough to be compressed
        ])
        let serializer = try URLSafeTimedSerializer.flaskSession(secretKey: key)
        let cookie = try serializer.dumps(FlaskTaggedJSON.tag(value))
        #expect(cookie.hasPrefix("."))
        let lines = try Self.runPython([key, cookie])
        try #require(lines.count == 2, "\(lines)")
        #expect(lines[0] == #"{"_flashes":[{"tuple":["message","Gr\u00fc\u00dfe \u2713"]}],"bytes":{"bytes":"0001feff"},"cart":["apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple","apple"],"escaped":{" t":1},"html":{"markup":"<b>ok</b>"},"id":{"uuid":"12345678-1234-5678-1234-567812345678"},"nested":{"list":[1,2.5,true,null,"\ud83d\ude00"]},"when":{"datetime":1704164645}}"#)
        let flaskCookie = lines[1]
        #expect(try FlaskTaggedJSON.untag(serializer.loads(flaskCookie, maxAge: 60)) == value)
        // Same payload and key; only the timestamp can differ, so the payload part is identical.
        #expect(flaskCookie.split(separator: ".").dropLast(2) == cookie.split(separator: ".").dropLast(2))
    }
}
