import Synchronization

/// The body of a ``Request``: bytes already in memory, or a stream read from the connection on demand.
///
/// It can be read once as a stream, or collected (and then read again as bytes as often as needed).
/// Copies of a request share one body, so middleware that read it leave the bytes for the handler.
public final class RequestBody: Sendable {
    private enum State {
        case bytes([UInt8])
        case stream(ByteStream)
        case reading
        case streamTaken
    }

    private let state: Mutex<State>
    /// The Content-Length the client announced, when it announced one.
    public let declaredLength: Int?
    /// The parsed `multipart/form-data` fields and files, once `form()` or `files()` read them.
    let multipartCache = Mutex<ParsedMultipart?>(nil)

    /// A body already in memory.
    public init(bytes: [UInt8]) {
        state = Mutex(.bytes(bytes))
        declaredLength = bytes.count
    }

    /// A body read from `stream`; `declaredLength` is the Content-Length when there was one.
    public init(stream: ByteStream, declaredLength: Int?) {
        state = Mutex(.stream(stream))
        self.declaredLength = declaredLength
    }

    /// The shared empty body.
    public static let empty = RequestBody(bytes: [])

    /// Whether the body is already in memory (not a stream still to read).
    public var isBuffered: Bool {
        state.withLock { if case .bytes = $0 { return true } else { return false } }
    }

    /// The whole body, read into memory once and cached. Throws ``HTTPError`` 413 when the body (or its
    /// declared length) exceeds `limit`, and 400 when the stream was already handed out.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        if let declaredLength, declaredLength > limit { throw HTTPError.contentTooLarge(limit: limit) }
        let taken: ByteStream? = try state.withLock { state in
            switch state {
            case .bytes: return nil
            case .stream(let stream):
                state = .reading
                return stream
            case .reading:
                throw HTTPError(.internalServerError, "The request body is being read by another task.")
            case .streamTaken:
                throw HTTPError(.internalServerError,
                                "The request body was already consumed as a stream and cannot be read again.")
            }
        }
        guard let stream = taken else {
            return try state.withLock { state in
                guard case .bytes(let bytes) = state else { return [] }
                if bytes.count > limit { throw HTTPError.contentTooLarge(limit: limit) }
                return bytes
            }
        }
        do {
            let bytes = try await stream.collect(upTo: limit)
            state.withLock { $0 = .bytes(bytes) }
            return bytes
        } catch {
            state.withLock { $0 = .streamTaken }
            throw error
        }
    }

    /// The body as a stream, for reading large uploads chunk by chunk. A buffered body is returned as
    /// one chunk; a streamed body can be taken only once. This is the raw stream, without the
    /// request's size limit: handlers should use ``Request/bodyStream()``, which enforces it.
    public func stream() throws -> ByteStream {
        try state.withLock { state in
            switch state {
            case .bytes(let bytes):
                return ByteStream(chunks: bytes.isEmpty ? [] : [bytes])
            case .stream(let stream):
                state = .streamTaken
                return stream
            case .reading, .streamTaken:
                throw HTTPError(.internalServerError, "The request body stream was already taken.")
            }
        }
    }
}
