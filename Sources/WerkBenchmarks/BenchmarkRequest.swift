// What a benchmark sends: the same description becomes a `Request` in process and HTTP/1.1 bytes on
// the wire, so both measurements answer the same requests.

/// One request a benchmark sends to a stack: method, target, headers, cookies and body.
///
/// ```swift
/// let requests: [BenchmarkRequest] = [
///     .get("/"),
///     .get("/account", cookies: ["session": "abc"]),
///     .post("/login", form: ["user": "ada", "password": "secret"]),
/// ]
/// ```
public struct BenchmarkRequest: Sendable, Equatable {
    /// The request method.
    public var method: Method
    /// The request target in origin form (`/path?query`).
    public var target: String
    /// Header fields, in order. `Host` defaults to `127.0.0.1`; `Content-Length` is set from the body.
    public var headers: [(name: String, value: String)]
    /// Cookies, sent in one `Cookie` header.
    public var cookies: [(name: String, value: String)]
    /// The request body.
    public var body: [UInt8]

    /// A request with everything explicit.
    public init(method: Method = .get, target: String = "/", headers: [(name: String, value: String)] = [],
                cookies: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.cookies = cookies
        self.body = body
    }

    /// A GET of `target`.
    public static func get(_ target: String, headers: [(name: String, value: String)] = [],
                           cookies: [(name: String, value: String)] = []) -> BenchmarkRequest {
        BenchmarkRequest(method: .get, target: target, headers: headers, cookies: cookies)
    }

    /// A POST of `body` (bytes) to `target`, with the given `Content-Type`.
    public static func post(_ target: String, body: [UInt8], contentType: String = "application/octet-stream",
                            headers: [(name: String, value: String)] = [],
                            cookies: [(name: String, value: String)] = []) -> BenchmarkRequest {
        BenchmarkRequest(method: .post, target: target, headers: [("Content-Type", contentType)] + headers,
                         cookies: cookies, body: body)
    }

    /// A POST of an urlencoded form (`application/x-www-form-urlencoded`) to `target`.
    public static func post(_ target: String, form: [(String, String)],
                            headers: [(name: String, value: String)] = [],
                            cookies: [(name: String, value: String)] = []) -> BenchmarkRequest {
        let encoded = form.map { "\(formEscaped($0.0))=\(formEscaped($0.1))" }.joined(separator: "&")
        return post(target, body: Array(encoded.utf8), contentType: "application/x-www-form-urlencoded",
                    headers: headers, cookies: cookies)
    }

    /// A line for tables: `GET /path`.
    public var summary: String { "\(method.rawValue) \(target)" }

    /// The header fields as sent: `Host` first unless given, the `Cookie` header, `Content-Length`
    /// for a body or a method that carries one.
    public var effectiveHeaders: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        if !headers.contains(where: { ASCII.lowercased($0.name) == "host" }) { fields.append(("Host", "127.0.0.1")) }
        fields += headers
        if !cookies.isEmpty {
            fields.append(("Cookie", cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")))
        }
        if !body.isEmpty || method == .post || method == .put || method == .patch {
            if !headers.contains(where: { ASCII.lowercased($0.name) == "content-length" }) {
                fields.append(("Content-Length", String(body.count)))
            }
        }
        return fields
    }

    /// The request as the server would parse it (the in-process runner copies it per call).
    public func makeRequest() -> Request {
        Request(method: method, target: target, headers: Headers(effectiveHeaders.map { ($0.name, $0.value) }),
                body: body.isEmpty ? .empty : RequestBody(bytes: body))
    }

    /// The request as HTTP/1.1 bytes on a keep-alive connection.
    public var wireBytes: [UInt8] {
        var text = "\(method.rawValue) \(target) HTTP/1.1\r\n"
        for field in effectiveHeaders { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }

    /// Whether two requests send the same method, target, fields, cookies and body.
    public static func == (a: BenchmarkRequest, b: BenchmarkRequest) -> Bool {
        a.method == b.method && a.target == b.target && a.body == b.body
            && a.headers.elementsEqual(b.headers) { $0 == $1 } && a.cookies.elementsEqual(b.cookies) { $0 == $1 }
    }
}

/// `application/x-www-form-urlencoded` escaping: unreserved bytes kept, space as `+`, the rest `%XX`.
private func formEscaped(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "*"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        case UInt8(ascii: " "):
            out += "+"
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
        }
    }
    return out
}
