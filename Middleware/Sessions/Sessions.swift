/// Signed-cookie sessions: the session lives in a cookie signed with HMAC, so there is no
/// server-side store and any number of processes share sessions as long as they share the keys.
///
/// ```swift
/// let app = Stack {
///     Sessions(secretKeys: ["old-key", "current-key"])      // oldest first: the last one signs
///     Handler { request in
///         let visits = (request.session.int("visits") ?? 0) + 1
///         request.session["visits"] = .int(visits)
///         return "Visit number \(visits)"
///     }
/// }
/// ```
///
/// Per request:
/// - The cookie is read lazily: nothing is verified unless the handler touches ``Request/session``.
/// - A tampered, expired, future-dated, undecodable or oversized cookie gives an empty session,
///   never an error.
/// - `Vary: Cookie` is added whenever the session was accessed.
/// - `Set-Cookie` is sent only when the session was modified (or refreshed, see ``Refresh``); a
///   modified session that is now empty deletes the cookie the request carried.
/// - Permanent sessions (``Session/permanent``) get `Expires` (and, in the ``SessionFormat/werk``
///   format, `Max-Age`) of now + ``lifetime``; others are browser-session cookies. Every cookie is
///   rejected on load once it is older than ``lifetime``, as in Flask.
/// - A cookie longer than ``maxCookieSize`` (4 093 bytes, Werkzeug's limit) is never written: the
///   middleware throws ``SessionError/cookieTooLarge(cookieName:size:limit:)``.
/// - When the handler throws an ``HTTPError`` (a redirect after login, a 403), the error is turned
///   into its response here so that the session is still saved; other errors propagate and the
///   session is not saved.
/// - The session is saved when the handler returns its response; changes made afterwards (e.g. while a
///   streamed body is produced) are not written.
public struct Sessions: Middleware {
    /// Flask's `PERMANENT_SESSION_LIFETIME`: 31 days, in seconds.
    public static let defaultLifetimeSeconds = 2_678_400
    /// Werkzeug's `max_cookie_size`: the largest `Set-Cookie` value browsers reliably keep.
    public static let defaultMaxCookieSize = 4093

    /// When a cookie whose values did not change is sent again with a new timestamp (and, when
    /// permanent, a new expiry), like Flask's `SESSION_REFRESH_EACH_REQUEST`. Only permanent
    /// sessions are refreshed; browser sessions are written only when modified, as in Flask.
    public enum Refresh: Sendable, Hashable {
        /// Only modified sessions are written.
        case never
        /// A permanent session is re-sent on every request whose handler accessed it (the default:
        /// untouched requests cost nothing).
        case whenAccessed
        /// A permanent session is re-sent on every request that carries one, accessed or not: Flask's
        /// exact behaviour, at the price of verifying the cookie on every request.
        case always
    }

    /// The cookie format (``SessionFormat/werk`` by default).
    public var format: SessionFormat { serializer.format }
    /// Signs and verifies the cookie value.
    public let serializer: SessionSerializer
    /// The cookie name (`session`).
    public let cookieName: String
    /// The cookie's `Domain`; nil (the default) makes a host-only cookie.
    public let domain: String?
    /// The cookie's `Path` (`/`).
    public let path: String
    /// Whether the cookie carries `Secure` (default false, as in Flask; turn it on behind HTTPS).
    public let secure: Bool
    /// Whether the cookie carries `HttpOnly` (default true: scripts cannot read it).
    public let httpOnly: Bool
    /// The cookie's `SameSite` (default `Lax`); nil leaves the attribute out.
    public let sameSite: SetCookie.SameSite?
    /// Whether the cookie carries `Partitioned` (CHIPS; implies `Secure`).
    public let partitioned: Bool
    /// How long a permanent cookie lives and how old any cookie may be when read, in seconds.
    public let lifetime: Int
    /// When unmodified sessions are sent again.
    public let refresh: Refresh
    /// The largest `Set-Cookie` value, in bytes, the middleware writes, and the largest cookie value
    /// it reads.
    public let maxCookieSize: Int
    /// `name=` and the attributes of a browser-session cookie, serialized by ``SetCookie`` once.
    private let browserCookiePrefix: String
    private let browserCookieSuffix: String

    /// Sessions signed with `secretKeys`, oldest first: the last key signs, every key verifies, so a
    /// key is rotated by appending the new one and dropping the oldest later. Stops the program when
    /// `secretKeys` is empty (a configuration mistake). `clock` (Unix seconds) is for tests.
    public init(
        secretKeys: [String], format: SessionFormat = .werk, cookieName: String = "session",
        domain: String? = nil, path: String = "/", secure: Bool = false, httpOnly: Bool = true,
        sameSite: SetCookie.SameSite? = .lax, partitioned: Bool = false,
        lifetime: Duration = .seconds(Sessions.defaultLifetimeSeconds), refresh: Refresh = .whenAccessed,
        maxCookieSize: Int = Sessions.defaultMaxCookieSize, salt: String? = nil,
        clock: @escaping @Sendable () -> Int = TimestampSigner.systemClock
    ) {
        self.init(secretKeyBytes: secretKeys.map { Array($0.utf8) }, format: format, cookieName: cookieName,
                  domain: domain, path: path, secure: secure, httpOnly: httpOnly, sameSite: sameSite,
                  partitioned: partitioned, lifetime: lifetime, refresh: refresh, maxCookieSize: maxCookieSize,
                  salt: salt, clock: clock)
    }

    /// Sessions signed with secret keys given as bytes (Flask allows a `bytes` `SECRET_KEY`); see
    /// ``init(secretKeys:format:cookieName:domain:path:secure:httpOnly:sameSite:partitioned:lifetime:refresh:maxCookieSize:salt:clock:)``.
    public init(
        secretKeyBytes: [[UInt8]], format: SessionFormat = .werk, cookieName: String = "session",
        domain: String? = nil, path: String = "/", secure: Bool = false, httpOnly: Bool = true,
        sameSite: SetCookie.SameSite? = .lax, partitioned: Bool = false,
        lifetime: Duration = .seconds(Sessions.defaultLifetimeSeconds), refresh: Refresh = .whenAccessed,
        maxCookieSize: Int = Sessions.defaultMaxCookieSize, salt: String? = nil,
        clock: @escaping @Sendable () -> Int = TimestampSigner.systemClock
    ) {
        precondition(!secretKeyBytes.isEmpty, "Sessions: at least one secret key is required (secretKeys: [key])")
        let seconds = Int(lifetime.components.seconds)
        do throws(SigningError) {
            serializer = try SessionSerializer(format: format, secretKeyBytes: secretKeyBytes, salt: salt,
                                               maxAge: seconds, maxCookieSize: maxCookieSize, clock: clock)
        } catch {
            preconditionFailure("Sessions: could not set up signing: \(error)")
        }
        self.cookieName = cookieName
        self.domain = domain
        self.path = path
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.partitioned = partitioned
        self.lifetime = seconds
        self.refresh = refresh
        self.maxCookieSize = maxCookieSize
        let template = SetCookie(name: cookieName, value: "", path: path, domain: domain, secure: secure,
                                 httpOnly: httpOnly, sameSite: sameSite, partitioned: partitioned).headerValue(now: 0)
        let equals = template.firstIndex(of: "=")!
        browserCookiePrefix = String(template[...equals])
        browserCookieSuffix = String(template[template.index(after: equals)...])
    }

    /// `Sessions`.
    public var name: String { "Sessions" }

    /// Attaches a lazily loaded ``Session`` to each request and writes it back into the response.
    public func wrap(_ next: Handler) -> Handler {
        let config = self
        let shared = Session.Source.Shared(cookieName: cookieName, serializer: serializer)
        let respond: @Sendable (Request) async throws -> Response = { request in
            let (request, session) = config.attachSession(to: request, shared)
            do {
                return try config.finish(session, try await next(request), request)
            } catch let error as HTTPError {
                return try config.finish(session, error.response(for: request), request)
            }
        }
        guard let nextSynchronously = next.synchronous else { return Handler(layers: ["Sessions"], respond, synchronous: nil) }
        return Handler(layers: ["Sessions"], respond, synchronous: { request in
            let (request, session) = config.attachSession(to: request, shared)
            do {
                return try config.finish(session, try nextSynchronously(request), request)
            } catch let error as HTTPError {
                return try config.finish(session, error.response(for: request), request)
            }
        })
    }

    /// The request with a lazily loaded session in its storage, and that session.
    private func attachSession(to request: Request, _ shared: Session.Source.Shared) -> (Request, Session) {
        var request = request
        let session = Session(source: Session.Source(headers: request.headers, shared: shared))
        request.storage[SessionStorageKey.self] = session
        return (request, session)
    }

    /// `response` with the session saved into it.
    private func finish(_ session: Session, _ response: Response, _ request: Request) throws(SessionError) -> Response {
        var response = response
        try save(session, into: &response)
        return response
    }

    /// Writes the session's cookie into `response` when it needs writing (see the type's notes).
    func save(_ session: Session, into response: inout Response) throws(SessionError) {
        var state = session.snapshotForSaving(load: false)
        if !state.loaded {
            guard refresh == .always else { return }
            state = session.snapshotForSaving(load: true)
            guard state.cookiePresent else { return }
        }
        if state.accessed { Sessions.addVaryCookie(&response.headers) }
        if state.values.isEmpty {
            if state.modified && state.cookiePresent {
                response.headers.add("Set-Cookie", cookie(value: "", permanent: false).deletionHeaderValue)
            }
            return
        }
        let permanent = state.values[Session.permanentKey] == .bool(true)
        guard state.modified || (permanent && refresh != .never) else { return }
        let value: String
        do throws(SigningError) {
            value = try serializer.encode(state.values)
        } catch {
            throw .signingFailed(error)
        }
        // A signed value is base64url and dots only, so it is never quoted: a browser-session cookie
        // is the name, the value and attributes that were serialized once, at init.
        let header = permanent ? cookie(value: value, permanent: true).headerValue(now: serializer.now)
            : browserCookiePrefix + value + browserCookieSuffix
        let size = header.utf8.count
        guard size <= maxCookieSize else {
            throw .cookieTooLarge(cookieName: cookieName, size: size, limit: maxCookieSize)
        }
        response.headers.add("Set-Cookie", header)
    }

    /// The cookie with this configuration's attributes.
    func cookie(value: String, permanent: Bool) -> SetCookie {
        var cookie = SetCookie(name: cookieName, value: value, path: path, domain: domain, secure: secure,
                               httpOnly: httpOnly, sameSite: sameSite, partitioned: partitioned)
        if permanent {
            cookie.expires = serializer.now + lifetime
            if format == .werk { cookie.maxAge = lifetime }
        }
        return cookie
    }

    /// Adds `Cookie` to the `Vary` header unless it is already there.
    static func addVaryCookie(_ headers: inout Headers) {
        guard headers.contains("Vary"), let existing = headers.combinedValue(for: "Vary") else {
            headers.add("Vary", "Cookie")
            return
        }
        var vary = HeaderSet(parsing: existing)
        if vary.insert("Cookie") { headers.set("Vary", vary.headerValue) }
    }
}

/// Where ``Sessions`` keeps the request's ``Session``.
enum SessionStorageKey: StorageKey {
    typealias Value = Session
}

extension Request {
    /// The session that ``Sessions`` attached to this request.
    ///
    /// Using it on a request that did not go through ``Sessions`` is a mistake in the stack and
    /// stops the program with a message saying so; check ``sessionIfPresent`` when unsure. Setting
    /// it attaches a session yourself (e.g. `Session(["user": "alice"])` in a handler's unit test).
    public var session: Session {
        get {
            guard let session = storage[SessionStorageKey.self] else {
                preconditionFailure("request.session was used, but this request did not pass through the Sessions "
                                    + "middleware: add Sessions(secretKeys: [...]) to the stack before this handler.")
            }
            return session
        }
        set { storage[SessionStorageKey.self] = newValue }
    }

    /// The session that ``Sessions`` attached to this request, or nil without that middleware.
    public var sessionIfPresent: Session? { storage[SessionStorageKey.self] }
}
