import WerkCore

/// Sends requests to a ``Handler`` in process, like Werkzeug's test `Client`: no sockets, a cookie jar,
/// optional redirect following. With a live transport (`LiveTransport`) the same calls
/// go over a real connection.
///
/// ```swift
/// let client = TestClient(app)
/// let response = try await client.post("/login", body: .form([("user", "alice")]))
/// #expect(response.status == .seeOther)
/// let page = try await client.get("/", followRedirects: true)
/// #expect(page.text.contains("alice"))
/// ```
public struct TestClient: Sendable {
    /// How requests are delivered.
    public let transport: any TestTransport
    /// The cookies kept between requests; nil when cookies are off.
    public let cookieJar: CookieJar?
    /// The scheme, host and root path requests go to (`http://localhost`). A path in it is where the
    /// application is mounted, as in Werkzeug: with `https://example.com/app`, `get("/me")` requests
    /// `https://example.com/app/me` with ``Request/scriptName`` `/app` and ``Request/pathInfo`` `/me`.
    public var baseURL: String
    /// Whether requests follow redirects unless a call says otherwise.
    public var followRedirects: Bool
    /// The most redirects one call follows before throwing ``TestClientError/tooManyRedirects(_:)``.
    public var maxRedirects: Int = 20
    /// Headers sent with every request (a call's own headers win).
    public var defaultHeaders: Headers = Headers()

    /// A client calling `app` (a ``Handler``, a stack, a router, any ``HandlerConvertible``) in process.
    public init(_ app: some HandlerConvertible, baseURL: String = "http://localhost", followRedirects: Bool = false,
                useCookies: Bool = true) {
        self.init(transport: InProcessTransport(app), baseURL: baseURL, followRedirects: followRedirects,
                  useCookies: useCookies)
    }

    /// A client over any transport.
    public init(transport: any TestTransport, baseURL: String = "http://localhost", followRedirects: Bool = false,
                useCookies: Bool = true) {
        self.init(transport: transport, baseURL: baseURL, followRedirects: followRedirects,
                  cookieJar: useCookies ? CookieJar() : nil)
    }

    /// A client calling `app` in process with a given cookie jar (for example one with a fake
    /// clock: `CookieJar(now: { fakeNow })`), or nil for no cookies.
    public init(_ app: some HandlerConvertible, baseURL: String = "http://localhost", followRedirects: Bool = false,
                cookieJar: CookieJar?) {
        self.init(transport: InProcessTransport(app), baseURL: baseURL, followRedirects: followRedirects,
                  cookieJar: cookieJar)
    }

    /// A client over any transport with a given cookie jar, or nil for no cookies.
    public init(transport: any TestTransport, baseURL: String = "http://localhost", followRedirects: Bool = false,
                cookieJar: CookieJar?) {
        self.transport = transport
        self.baseURL = baseURL
        self.followRedirects = followRedirects
        self.cookieJar = cookieJar
    }

    /// The stored cookie named `name` for the base URL's host (any path), if any and not expired.
    public func cookie(named name: String) -> CookieJar.Cookie? {
        guard let host = try? TestURL(baseURL).hostName else { return nil }
        return cookieJar?.cookies(for: host).filter { $0.name == name }.max { $0.path.count < $1.path.count }
    }

    /// Stores a cookie for the base URL's host, as if the application had set it (no-op without a jar).
    public func setCookie(_ name: String, _ value: String, path: String = "/") {
        guard let host = try? TestURL(baseURL).hostName else { return }
        cookieJar?.set(name, value, domain: host, path: path)
    }

    /// GET.
    public func get(_ path: String, query: [(String, String)] = [], headers: Headers = Headers(),
                    followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request(.get, path, query: query, headers: headers, followRedirects: followRedirects)
    }

    /// HEAD.
    public func head(_ path: String, query: [(String, String)] = [], headers: Headers = Headers(),
                     followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request(.head, path, query: query, headers: headers, followRedirects: followRedirects)
    }

    /// DELETE.
    public func delete(_ path: String, query: [(String, String)] = [], headers: Headers = Headers(),
                       body: TestBody = .none, followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request(.delete, path, query: query, headers: headers, body: body, followRedirects: followRedirects)
    }

    /// OPTIONS.
    public func options(_ path: String, query: [(String, String)] = [], headers: Headers = Headers(),
                        followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request(.options, path, query: query, headers: headers, followRedirects: followRedirects)
    }

    /// POST.
    public func post(_ path: String, query: [(String, String)] = [], headers: Headers = Headers(),
                     body: TestBody = .none, followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request(.post, path, query: query, headers: headers, body: body, followRedirects: followRedirects)
    }

    /// PUT.
    public func put(_ path: String, query: [(String, String)] = [], headers: Headers = Headers(),
                    body: TestBody = .none, followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request(.put, path, query: query, headers: headers, body: body, followRedirects: followRedirects)
    }

    /// PATCH.
    public func patch(_ path: String, query: [(String, String)] = [], headers: Headers = Headers(),
                      body: TestBody = .none, followRedirects: Bool? = nil) async throws -> TestResponse {
        try await request(.patch, path, query: query, headers: headers, body: body, followRedirects: followRedirects)
    }

    /// Sends a request with any method. `path` is relative to the application's root (the base URL's
    /// path) unless it is an absolute URL; it may carry its own query string, and `query` pairs are
    /// appended to it. Redirects (301, 302, 303, 305, 307, 308) are followed when asked: 307 and 308
    /// repeat the method and body, the others switch to GET (HEAD stays HEAD) and drop the body.
    public func request(_ method: Method, _ path: String, query: [(String, String)] = [],
                        headers: Headers = Headers(), body: TestBody = .none,
                        followRedirects: Bool? = nil) async throws -> TestResponse {
        var target = path
        if !query.isEmpty {
            // The query goes before a fragment (`/p#top` + a=1 is `/p?a=1#top`), or the fragment would eat it.
            let fragment = target.firstIndex(of: "#") ?? target.endIndex
            var head = String(target[..<fragment])
            head += (head.contains("?") ? "&" : "?") + URLQuery.encode(query)
            target = head + target[fragment...]
        }
        let base = try TestURL(baseURL)
        let root = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
        if target.hasPrefix("/") && !target.hasPrefix("//") { target = root + target }
        var location = try base.resolve(target)
        var method = method
        var body = body
        var headers = headers
        var history: [TestResponse] = []
        var seen: Set<String> = []

        while true {
            let request = makeRequest(method, location, headers: headers, body: body, base: base)
            let sent = try await transport.send(request)
            cookieJar?.receive(sent.headers, host: location.hostName, path: location.path)
            let response = TestResponse(status: sent.status, headers: sent.headers, body: sent.body,
                                        request: request, history: history)

            let redirectCodes = [301, 302, 303, 305, 307, 308]
            guard followRedirects ?? self.followRedirects, redirectCodes.contains(sent.status.code),
                  let next = sent.headers["Location"] else { return response }

            let newLocation = try location.resolve(next)
            guard newLocation.hostName == location.hostName else {
                throw TestClientError.externalRedirect(newLocation.description)
            }
            if !seen.insert("\(method) \(location)").inserted || history.count >= maxRedirects {
                throw history.count >= maxRedirects
                    ? TestClientError.tooManyRedirects(history.count)
                    : TestClientError.redirectLoop(newLocation.description)
            }
            history.append(response)
            if sent.status.code != 307 && sent.status.code != 308 {
                if method != .head { method = .get }
                body = .none
                // The body is gone: so are the headers that described it (as in Werkzeug's resolve_redirect).
                headers.remove("Content-Type")
                headers.remove("Content-Length")
                headers.remove("Transfer-Encoding")
            }
            location = newLocation
        }
    }

    private func makeRequest(_ method: Method, _ location: TestURL, headers: Headers, body: TestBody,
                             base: TestURL) -> Request {
        var all = Headers()
        all.set("Host", location.authority)
        for field in defaultHeaders where !headers.contains(field.name) { all.add(field.name, field.value) }
        all.add(contentsOf: headers)
        if let type = body.contentType, !all.contains("Content-Type") { all.set("Content-Type", type) }
        if !body.bytes.isEmpty || method == .post || method == .put || method == .patch {
            all.setIfAbsent("Content-Length", String(body.bytes.count))
        }
        if let cookie = cookieJar?.header(host: location.hostName, path: location.path,
                                          secure: location.scheme == "https"), !all.contains("Cookie") {
            all.add("Cookie", cookie)
        }
        var request = Request(method: method, target: location.pathAndQuery, headers: all,
                              body: body.bytes.isEmpty ? .empty : RequestBody(bytes: body.bytes),
                              scheme: location.scheme, remoteAddress: "127.0.0.1")
        // Mount the application at the base URL's path, as Werkzeug's EnvironBuilder does.
        let root = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
        if !root.isEmpty, request.pathInfo.hasPrefix(root + "/") || request.pathInfo == root {
            request.scriptName = root
            request.pathInfo = String(request.pathInfo.dropFirst(root.count))
        }
        return request
    }
}

/// Why a ``TestClient`` call failed without a response.
public enum TestClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A redirect pointed back to a URL already visited with the same method.
    case redirectLoop(String)
    /// More redirects than ``TestClient/maxRedirects``.
    case tooManyRedirects(Int)
    /// A redirect to another host, which an in-process client cannot reach.
    case externalRedirect(String)
    /// A URL the client could not understand.
    case invalidURL(String)

    /// What went wrong, in a sentence.
    public var description: String {
        switch self {
        case .redirectLoop(let url): "Redirect loop detected at \(url)."
        case .tooManyRedirects(let n): "Gave up after following \(n) redirects."
        case .externalRedirect(let url): "Following an external redirect to \(url) is not supported."
        case .invalidURL(let url): "Invalid URL '\(url)'."
        }
    }
}
