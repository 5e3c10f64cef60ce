import Synchronization

/// What the layers deep in a stack learn about a request, kept for the layers around them that
/// report on it (the profiler, an access log, a tracing exporter): the route template the request
/// matched, in OpenTelemetry's `http.route` form.
///
/// A reporting layer installs notes on the request it passes on and reads them once `next` has
/// answered; the layers that know something (the router) write to the notes when there are any. Notes
/// are a reference in the request's storage, so what an inner layer writes on its copy of the request
/// reaches the layer that installed them; reporting layers never depend on the layers that write.
///
/// ```swift
/// struct RouteLog: Middleware {
///     func wrap(_ next: Handler) -> Handler {
///         Handler { request in
///             var request = request
///             let notes = request.installNotes()
///             let response = try await next(request)
///             print(request.method, notes.route ?? request.pathInfo, response.status.code)
///             return response
///         }
///     }
/// }
/// ```
///
/// Without notes installed, a layer that would write pays one storage look-up (``Request/notes`` is nil).
public final class RequestNotes: Sendable {
    private let state = Mutex<String?>(nil)

    /// Empty notes.
    public init() {}

    /// The route template the request matched, from the application's root: the router's mount
    /// point followed by the matched rule (`/api/users/<int:id>`); nil when no router matched. When
    /// routers are nested, the innermost one that matched writes last.
    public var route: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

enum RequestNotesKey: StorageKey { typealias Value = RequestNotes }

extension Request {
    /// The notes a layer around this one installed (see ``RequestNotes``), or nil: write to them
    /// when present.
    public var notes: RequestNotes? { storage[RequestNotesKey.self] }

    /// The request's notes, installed now unless a layer further out already did (then both read
    /// the same notes). Pass this request on to `next`, then read the notes.
    @discardableResult
    public mutating func installNotes() -> RequestNotes {
        if let notes { return notes }
        let notes = RequestNotes()
        storage[RequestNotesKey.self] = notes
        return notes
    }
}
