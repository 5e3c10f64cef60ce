/// Anything that can answer requests: a ``Handler``, a stack, a `Router`, a `Dispatcher`, or any
/// ``Middleware`` (used alone, requests it passes on get 404). Every place that takes an
/// application, the server, ``TestClient``, `Mount` and `Dispatcher`, takes one of these, so
/// `Server(Dispatcher([...]))` and `TestClient(Router { ... })` work as written.
public protocol HandlerConvertible: Sendable {
    /// The handler that answers for this value; built once, when the application is set up.
    func makeHandler() -> Handler
}

extension Handler: HandlerConvertible {
    /// The handler itself.
    public func makeHandler() -> Handler { self }
}

extension Middleware {
    /// The layer at the end of a stack: what it passes on is answered 404 (``Handler/notFound``).
    public func makeHandler() -> Handler { Handler.compose([.middleware(self)]) }
}
