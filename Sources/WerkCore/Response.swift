#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// An HTTP response, as a value: status, ordered headers and a ``Body``.
///
/// ```swift
/// var response = Response.text("Hello")
/// response.headers.set("Cache-Control", "no-store")
/// response.setCookie("theme", "dark", maxAge: 3600)
/// ```
///
/// Content-Length: the server and the test client send it whenever the body's length is known (see
/// ``contentLength``), so a response does not have to carry the header itself.
public struct Response: Sendable {
    /// The status.
    public var status: Status
    /// The header fields in the order they will be sent.
    public var headers: Headers
    /// The body.
    public var body: Body

    /// A response; the default is an empty 200.
    public init(status: Status = .ok, headers: Headers = Headers(), body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is `bytes` with the given Content-Type.
    public init(status: Status = .ok, contentType: String, bytes: [UInt8]) {
        self.init(status: status, headers: ["Content-Type": contentType], body: .bytes(bytes))
    }

    /// The length to send as Content-Length: the header when set, otherwise the body's known length.
    /// Nil for a stream of unknown length (sent chunked) and for statuses that have no body.
    public var contentLength: Int? {
        if status.forbidsBody { return nil }
        if let header = headers["Content-Length"], let n = Int(header) { return n }
        return body.knownLength
    }

    /// `text/plain; charset=utf-8`.
    public static func text(_ text: String, status: Status = .ok) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", bytes: Array(text.utf8))
    }

    /// `text/html; charset=utf-8`.
    public static func html(_ html: String, status: Status = .ok) -> Response {
        Response(status: status, contentType: "text/html; charset=utf-8", bytes: Array(html.utf8))
    }

    /// A ``JSON`` value as `application/json` (compact, keys sorted).
    public static func json(_ value: JSON, status: Status = .ok) -> Response {
        Response(status: status, contentType: "application/json", bytes: value.serializedBytes())
    }

    /// An `Encodable` value as `application/json` (keys sorted, `/` not escaped).
    public static func json(encoding value: some Encodable, status: Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, contentType: "application/json", bytes: Array(try encoder.encode(value)))
    }

    /// A redirect to `location` with Werkzeug's small HTML body. Use 301, 302, 303, 307 or 308; only
    /// 307 and 308 tell clients to repeat the method and body. Relative locations stay relative; the
    /// header is escaped as Werkzeug's `iri_to_uri` does (`/a b` is sent as `/a%20b`, non-ASCII as
    /// UTF-8 escapes), so it can never inject a header; the body shows the location as given.
    public static func redirect(to location: String, status: Status = .found) -> Response {
        let safeLocation = String(location.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" })
        let escaped = HTML.escape(safeLocation)
        let html = "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
            + "<p>You should be redirected automatically to the target URL: <a href=\"\(escaped)\">\(escaped)</a>. If not, click the link.\n"
        var response = Response.html(html, status: status)
        response.headers.set("Location", PercentEncoding.encodeIRI(safeLocation))
        return response
    }

    /// Reads the whole body into memory (a stream is consumed; a file region is read from disk).
    public func collectBody(upTo limit: Int = .max) async throws -> [UInt8] {
        switch body {
        case .empty: return []
        case .bytes(let bytes): return bytes
        case .stream(let stream, _): return try await stream.collect(upTo: limit)
        case .file(let region): return try FileReader.read(region)
        }
    }
}
