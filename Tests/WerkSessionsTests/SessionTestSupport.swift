#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import WerkCore
import WerkTestSupport
import WerkSessions
import WerkSigning

/// The vectors' pinned time: 2023-11-14T22:13:20Z.
let vectorTime = 1_700_000_000

/// A clock tests can move.
final class TestClock: Sendable {
    private let seconds: Atomic<Int>
    init(_ start: Int = vectorTime) { seconds = Atomic(start) }
    var now: Int { seconds.load(ordering: .relaxed) }
    func set(_ value: Int) { seconds.store(value, ordering: .relaxed) }
    func advance(_ by: Int) { seconds.add(by, ordering: .relaxed) }
    var function: @Sendable () -> Int { { self.now } }
}

/// Paths next to this file and next to the repository.
enum TestPaths {
    /// This file's path with symbolic links resolved.
    static var thisFile: String {
        guard let resolved = realpath("\(#filePath)", nil) else { return "\(#filePath)" }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `<repo>/Tests/WerkSessionsTests`.
    static var testsDirectory: String {
        var components = thisFile.split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast()
        return components.joined(separator: "/")
    }

    /// The `flask_sessions` section of the interop vectors; a missing file fails the test.
    static func flaskSessionVectors() throws -> [JSON] { try InteropVectors.section("flask_sessions") }
}

/// A stack with sessions in front of `handler`.
func sessionApp(_ sessions: Sessions, _ handler: @escaping @Sendable (Request) async throws -> Response) -> Handler {
    Stack {
        sessions
        Handler(handler)
    }
}

/// A stack that answers every request with the session as JSON, after applying `?set=<k>&value=<json>`,
/// `?remove=<k>`, `?clear=1` and `?permanent=1|0` in that order (`?touch=0` answers without reading).
func echoApp(_ sessions: Sessions) -> Handler {
    sessionApp(sessions, echoSession)
}

/// ``echoApp(_:)`` with a handler that has a synchronous form (the server's inline path).
func echoAppSynchronous(_ sessions: Sessions) -> Handler {
    Stack {
        sessions
        Handler(layers: ["Handler"], synchronous: echoSession)
    }
}

@Sendable func echoSession(_ request: Request) throws -> Response {
    let query = try request.query
    let session = request.session
    if let key = query["set"], let value = query["value"] { session[key] = try JSON.parse(value) }
    if let key = query["remove"] { session.removeValue(forKey: key) }
    if query["clear"] == "1" { session.clear() }
    if let permanent = query["permanent"] { session.permanent = permanent == "1" }
    if query["touch"] == "0" { return .text("untouched") }
    return .json(.object(session.dictionary))
}

/// The `name=value` part of the first `Set-Cookie` of a response.
func cookiePair(_ headers: Headers) -> String? {
    headers["Set-Cookie"].map { String($0.split(separator: ";", maxSplits: 1)[0]) }
}

/// The value of the first `Set-Cookie` of a response.
func cookieValue(_ headers: Headers) -> String? {
    cookiePair(headers).map { String($0.split(separator: "=", maxSplits: 1).dropFirst().first ?? "") }
}

/// A request carrying `session=<value>`.
func requestWithCookie(_ value: String, target: String = "/", name: String = "session") -> Request {
    Request(target: target, headers: ["Host": "localhost", "Cookie": "\(name)=\(value)"])
}
