/// The life of one HTTP/1.1 connection as an explicit state machine, without I/O: `Connection`
/// asks it what to do and tells it what happened; the transitions are unit-tested on their own.
///
/// ```
///            ┌────────────── requestFinished (keep-alive, body read) ─────────────┐
///            ▼                                                                     │
///   ┌──► awaitingHead ── requestStarted ──► responding ── requestFinished ─────────┤
///   │        │                                  (unread body, keep-alive)          │
///   │        │ errorResponse / shutdown                     ▼                      │
///   │        │                                        drainingBody                 │
///   └────────┼──────────── bodyDrained ──────────────────┘  │ drainAbandoned,      │
///            ▼                                               ▼ shutdown             │
///     closingAfterFlush ◄──────────────────────────────────────────────────────────┘
///            │ startLingering                     (requestFinished without keep-alive)
///            ▼
///        lingering ──────► closed  (any state closes on a fatal error, a timeout or the peer)
/// ```
///
/// Next to the phase it keeps the facts that outlive one phase: whether the current response may
/// keep the connection open, whether the peer has closed its side, whether the server is shutting
/// down, and whether closing must linger (the client may still be sending).
struct ConnectionState: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// Waiting for (or reading) the next request head; nothing in flight.
        case awaitingHead
        /// A request is in flight: its handler runs or its response is being written.
        case responding
        /// The response is done but the handler left part of the request body unread: it is read
        /// and discarded before the next head.
        case drainingBody
        /// No more requests: the connection closes once the queued output is written.
        case closingAfterFlush
        /// The write side is shut; what the client still sends is read and discarded for a moment
        /// so that the last response is not destroyed by a TCP reset.
        case lingering
        /// The socket is closed.
        case closed
    }

    /// What the finished request left of its body.
    enum BodyLeft: Sendable, Equatable {
        /// Nothing: the handler read it all, or there was none.
        case none
        /// Some of it is still coming and can be drained.
        case unread
        /// The client waits for `100 Continue` before sending it, which was never sent.
        case neverRequested
    }

    /// What `Connection` must do when shutdown begins.
    enum ShutdownAction: Sendable, Equatable {
        /// Close now: the connection is idle.
        case closeNow
        /// Flush what is queued, then close (`closingAfterFlush`).
        case closeAfterFlush
        /// Nothing now: the response in flight closes the connection when it ends.
        case closeAfterResponse
        /// Nothing: already closing.
        case none
    }

    private(set) var phase: Phase = .awaitingHead
    /// Whether the response in flight (or the next one) lets the connection stay open.
    private(set) var keepAlive = true
    /// Whether the client has closed its side (read returned 0).
    private(set) var peerClosed = false
    /// Whether the server is shutting down (no new requests after the current one).
    private(set) var shuttingDown = false
    /// Whether closing must linger because the client may still be sending (an error answered
    /// early, or a body left unread).
    private(set) var lingerOnClose = false

    var isClosed: Bool { phase == .closed }
    var isResponding: Bool { phase == .responding }
    /// Whether buffered input may be parsed (as the next head, or drained as the last body).
    var readsRequests: Bool { phase == .awaitingHead || phase == .drainingBody }

    // MARK: Transitions

    /// A request head was parsed and dispatched.
    mutating func requestStarted(keepAlive requested: Bool) {
        assert(phase == .awaitingHead, "a request started while \(phase)")
        phase = .responding
        keepAlive = requested && !shuttingDown
    }

    /// The response in flight must close the connection (`Connection: close` from the handler, an
    /// unframed or truncated body, a body that cannot be drained, a timeout).
    mutating func refuseKeepAlive() {
        keepAlive = false
    }

    /// The request's response is complete (queued). Returns the new phase.
    @discardableResult
    mutating func requestFinished(bodyLeft: BodyLeft) -> Phase {
        guard phase == .responding else { return phase }
        if bodyLeft == .neverRequested { keepAlive = false }
        if !keepAlive || shuttingDown {
            keepAlive = false
            if bodyLeft == .unread { lingerOnClose = true }
            phase = .closingAfterFlush
        } else {
            phase = bodyLeft == .unread ? .drainingBody : .awaitingHead
        }
        return phase
    }

    /// The unread rest of the last body has been read and discarded.
    mutating func bodyDrained() {
        if phase == .drainingBody { phase = .awaitingHead }
    }

    /// The rest of the last body is too large to drain, or malformed: close after the output.
    mutating func drainAbandoned() {
        guard phase == .drainingBody else { return }
        keepAlive = false
        lingerOnClose = true
        phase = .closingAfterFlush
    }

    /// A request could not be parsed (or its head timed out): an error response was queued and the
    /// connection closes after it, lingering.
    mutating func errorResponseQueued() {
        guard phase != .closed else { return }
        keepAlive = false
        lingerOnClose = true
        if phase != .lingering { phase = .closingAfterFlush }
    }

    /// The client closed its side of the connection.
    mutating func peerClosedInput() {
        peerClosed = true
    }

    /// The server begins a graceful shutdown. `idle`: between two requests of a keep-alive
    /// connection, nothing queued or buffered. `requestPending`: waiting for a head that has not come
    /// yet on a fresh connection, or has partly come.
    mutating func beginShutdown(idle: Bool, requestPending: Bool = false) -> ShutdownAction {
        shuttingDown = true
        switch phase {
        case .closed:
            return .none
        case .awaitingHead where requestPending && !idle:
            // A connection accepted just before (no request yet) or part-way through a head: its
            // request is answered (with `Connection: close`) rather than dropped, within the
            // header timeout and the shutdown deadline.
            keepAlive = false
            return .none
        case .awaitingHead, .drainingBody, .closingAfterFlush, .lingering:
            if idle { return .closeNow }
            keepAlive = false
            switch phase {
            case .awaitingHead: phase = .closingAfterFlush
            case .drainingBody: lingerOnClose = true; phase = .closingAfterFlush
            default: return .none
            }
            return .closeAfterFlush
        case .responding:
            keepAlive = false
            return .closeAfterResponse
        }
    }

    /// Whether the connection, its output written, should now close (gracefully).
    var closesAfterFlush: Bool { phase == .closingAfterFlush }

    /// Whether closing now needs lingering: the client may still be sending, or bytes it sent
    /// are unread. False when it has closed its side.
    func mustLinger(bufferedInput: Bool) -> Bool {
        !peerClosed && (bufferedInput || lingerOnClose)
    }

    /// The write side was shut; reading continues (and discards) until the peer closes.
    mutating func startLingering() {
        assert(phase == .closingAfterFlush || phase == .lingering, "lingering while \(phase)")
        phase = .lingering
    }

    /// The socket is closed. False when it already was.
    mutating func close() -> Bool {
        guard phase != .closed else { return false }
        phase = .closed
        return true
    }

    // MARK: Interest

    /// Whether the socket should be watched for input: while lingering; while a handler waits for
    /// body bytes; between requests unless the output queue is full (backpressure on pipelining);
    /// never once the peer closed or while a response is in flight.
    func wantsRead(bodyWaiting: Bool, outputFull: Bool) -> Bool {
        switch phase {
        case .lingering: return true
        case .closed: return false
        default: break
        }
        if peerClosed { return false }
        if bodyWaiting { return true }
        switch phase {
        case .responding, .closingAfterFlush: return false
        case .drainingBody: return true
        default: return !outputFull
        }
    }
}
