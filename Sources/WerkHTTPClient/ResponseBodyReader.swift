import Synchronization

/// Reads a response body from its connection as the consumer pulls, one piece per pull (so a slow
/// consumer slows the upstream: backpressure through the socket buffers). When the body has been read
/// to its end the connection goes back to the pool; when it fails, or the stream is dropped early, the
/// connection is closed. A body that stops early is an error, never a short body taken as complete.
final class ResponseBodyReader: Sendable {
    private enum Phase: Sendable {
        case length(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytes: Int)
        case untilClose
        case finished
    }

    private let connection: Mutex<Connection?>
    private let phase: Mutex<Phase>
    private let pool: ConnectionPool
    private let reusable: Bool
    private let idle: Duration
    private let maxChunkLine = 4096
    private let maxTrailerBytes: Int

    init(connection: Connection, framing: ResponseHead.Framing, reusable: Bool, pool: ConnectionPool,
         idle: Duration, maxTrailerBytes: Int) {
        self.connection = Mutex(connection)
        switch framing {
        case .none: phase = Mutex(.finished)
        case .length(let n): phase = Mutex(.length(remaining: n))
        case .chunked: phase = Mutex(.chunkSize)
        case .untilClose: phase = Mutex(.untilClose)
        }
        self.pool = pool
        self.reusable = reusable
        self.idle = idle
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// The body as a stream; pulling reads the socket. Releasing the stream before its end closes
    /// the connection.
    func stream() -> ByteStream {
        let lifetime = BodyLifetime(self)
        return ByteStream { try await lifetime.reader.next() }
    }

    /// Hands the connection back (reusable and fully read) or drops it.
    func finish(success: Bool) {
        guard let connection = connection.withLock({ c -> Connection? in defer { c = nil }; return c }) else { return }
        phase.withLock { $0 = .finished }
        if success && reusable { pool.put(connection) }
    }

    fileprivate func next() async throws(HTTPClientError) -> [UInt8]? {
        guard let connection = connection.withLock({ $0 }) else { return nil }
        let current = phase.withLock { $0 }
        if case .finished = current { finish(success: true); return nil }
        let idle = self.idle, maxChunkLine = self.maxChunkLine, maxTrailerBytes = self.maxTrailerBytes
        do {
            let (chunk, nextPhase) = try await connection.thread.run { () throws(HTTPClientError) -> ([UInt8]?, Phase) in
                try Self.step(current, connection.socket, idle: idle, maxChunkLine: maxChunkLine, maxTrailerBytes: maxTrailerBytes)
            }
            phase.withLock { $0 = nextPhase }
            if chunk == nil { finish(success: true) }
            return chunk
        } catch {
            finish(success: false)
            throw error
        }
    }

    /// Reads until there is a piece of body to return (or the end), on the connection's thread.
    private static func step(_ start: Phase, _ socket: ClientSocket, idle: Duration, maxChunkLine: Int,
                             maxTrailerBytes: Int) throws(HTTPClientError) -> ([UInt8]?, Phase) {
        var phase = start
        while true {
            switch phase {
            case .finished:
                return (nil, .finished)
            case .length(let remaining):
                if socket.available == 0, try !socket.fill(Deadline(idle, .idle)) {
                    throw HTTPClientError(.connectionClosed, "The upstream closed the connection with \(remaining) bytes of the body still to come.")
                }
                let piece = socket.take(upTo: remaining)
                return (piece, remaining == piece.count ? .finished : .length(remaining: remaining - piece.count))
            case .untilClose:
                if socket.available == 0, try !socket.fill(Deadline(idle, .idle)) { return (nil, .finished) }
                return (socket.take(upTo: socket.available), .untilClose)
            case .chunkData(let remaining):
                if socket.available == 0, try !socket.fill(Deadline(idle, .idle)) {
                    throw HTTPClientError(.connectionClosed, "The upstream closed the connection in the middle of a chunk.")
                }
                let piece = socket.take(upTo: remaining)
                return (piece, remaining == piece.count ? .chunkDataEnd : .chunkData(remaining: remaining - piece.count))
            case .chunkDataEnd:
                let line = try readLine(socket, limit: 2, idle: idle)
                guard line.isEmpty else { throw HTTPClientError(.malformedResponse, "Chunk data is not followed by CRLF.") }
                phase = .chunkSize
            case .chunkSize:
                let line = try readLine(socket, limit: maxChunkLine, idle: idle)
                var size = 0, digits = 0
                for byte in line {
                    guard let digit = hexValue(byte) else {
                        guard digits > 0, byte == UInt8(ascii: ";") || byte == 32 || byte == 9 else {
                            throw HTTPClientError(.malformedResponse, "A chunk size is not hexadecimal.")
                        }
                        break
                    }
                    guard digits < 15 else { throw HTTPClientError(.tooLarge, "A chunk size is too large.") }
                    size = size << 4 | digit
                    digits += 1
                }
                guard digits > 0 else { throw HTTPClientError(.malformedResponse, "A chunk size is missing.") }
                phase = size == 0 ? .trailers(bytes: 0) : .chunkData(remaining: size)
            case .trailers(let bytes):
                let line = try readLine(socket, limit: maxTrailerBytes - bytes, idle: idle)
                if line.isEmpty { return (nil, .finished) }
                phase = .trailers(bytes: bytes + line.count + 2)
            }
        }
    }

    /// One CRLF-terminated line (without the CRLF).
    private static func readLine(_ socket: ClientSocket, limit: Int, idle: Duration) throws(HTTPClientError) -> [UInt8] {
        guard limit >= 0, let lf = try socket.indexOfLineFeed(limit: max(limit, 2), Deadline(idle, .idle)) else {
            throw HTTPClientError(limit < 0 ? .tooLarge : .connectionClosed,
                                  limit < 0 ? "The trailer section is too large." : "The upstream closed the connection in the middle of a chunked body.")
        }
        guard lf > 0, socket.byte(at: lf - 1) == 13 else { throw HTTPClientError(.malformedResponse, "A chunk line must end with CRLF.") }
        let line = socket.peek(0..<(lf - 1))
        socket.consume(lf + 1)
        return line
    }

    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: Int(c - 48)
        case 65...70: Int(c - 55)
        case 97...102: Int(c - 87)
        default: nil
        }
    }
}

/// Drops the connection when a response body stream is released before its end.
final class BodyLifetime: Sendable {
    let reader: ResponseBodyReader
    init(_ reader: ResponseBodyReader) { self.reader = reader }
    deinit { reader.finish(success: false) }
}
