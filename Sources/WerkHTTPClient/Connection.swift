import Synchronization

/// One kept-alive connection: its socket and the thread that does its I/O.
final class Connection: Sendable {
    let endpoint: HTTPEndpoint
    let socket: ClientSocket
    let thread: IOThread
    /// When it last went back to the pool (monotonic nanoseconds).
    let idleSince = Mutex<Int64>(0)

    init(endpoint: HTTPEndpoint, socket: ClientSocket, thread: IOThread) {
        self.endpoint = endpoint
        self.socket = socket
        self.thread = thread
    }

    deinit { thread.stop() }   // the socket closes when its last reference (here or a finishing job) goes

    /// Opens a connection (a thread first, then the connect on it) and runs `start` on the socket in
    /// the same job, so that nothing separates connecting from sending the request.
    static func open<T: Sendable>(_ endpoint: HTTPEndpoint, timeout: Duration,
                                  then start: @escaping @Sendable (ClientSocket) throws(HTTPClientError) -> T)
        async throws(HTTPClientError) -> (Connection, T) {
        guard let thread = IOThread() else { throw HTTPClientError(.io, "Cannot start a thread for the connection.") }
        do {
            let (socket, result) = try await thread.run { () throws(HTTPClientError) -> (ClientSocket, T) in
                let socket = try ClientSocket.connect(to: endpoint, timeout: timeout)
                return (socket, try start(socket))
            }
            return (Connection(endpoint: endpoint, socket: socket, thread: thread), result)
        } catch {
            thread.stop()
            throw error
        }
    }
}

/// Idle kept-alive connections per endpoint. A connection is in the pool or in one request's hands,
/// never both.
final class ConnectionPool: Sendable {
    private let idle = Mutex<[HTTPEndpoint: [Connection]]>([:])
    let maxIdlePerEndpoint: Int
    let idleTimeout: Duration

    init(maxIdlePerEndpoint: Int, idleTimeout: Duration) {
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
        self.idleTimeout = idleTimeout
    }

    /// A live idle connection to `endpoint`, most recently used first; stale and expired ones are closed.
    func take(_ endpoint: HTTPEndpoint) -> Connection? {
        let (seconds, attoseconds) = idleTimeout.components
        let oldest = Monotonic.now() - (seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        while true {
            let candidate = idle.withLock { $0[endpoint]?.popLast() }
            guard let connection = candidate else { return nil }
            if connection.idleSince.withLock({ $0 }) >= oldest && !connection.socket.isStale { return connection }
        }
    }

    /// Keeps `connection` for reuse, unless the pool for its endpoint is full.
    func put(_ connection: Connection) {
        connection.idleSince.withLock { $0 = Monotonic.now() }
        idle.withLock { pool in
            if pool[connection.endpoint, default: []].count < maxIdlePerEndpoint {
                pool[connection.endpoint, default: []].append(connection)
            }
        }
    }

    /// The number of idle connections (all endpoints).
    var idleCount: Int { idle.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// Closes every idle connection.
    func removeAll() { idle.withLock { $0.removeAll() } }
}
