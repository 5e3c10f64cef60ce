/// The parts of a `multipart/form-data` body, read from the request as they are consumed
/// (``Request/multipart()``). Each part's body is read only when the handler pulls it, so an upload
/// of any size goes through in flat memory and the socket is read no faster than the handler
/// writes; a part whose body is not read is skipped (read and dropped) when the next part is asked for.
///
/// ```swift
/// for try await part in try request.multipart() {
///     for try await chunk in part.body { _ = chunk }
/// }
/// ```
public struct MultipartParts: AsyncSequence, Sendable {
    /// One part.
    public typealias Element = MultipartPart
    /// Reading can fail: a limit (413), a malformed body (400), a client that went away.
    public typealias Failure = any Error

    let reader: MultipartReader

    /// Parts read from `stream` with `boundary` (the sans-IO ``MultipartDecoder`` fed from a stream).
    public init(stream: ByteStream, boundary: String, limits: MultipartLimits = MultipartLimits(),
                maxFormMemorySize: Int = 500_000) throws(HTTPError) {
        reader = MultipartReader(
            decoder: try MultipartDecoder(boundary: boundary, limits: limits, maxFormMemorySize: maxFormMemorySize),
            source: stream.makeAsyncIterator())
    }

    /// Pulls the next part.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: MultipartReader
        /// The next part, or nil after the closing boundary.
        public mutating func next() async throws -> MultipartPart? { try await reader.nextPart() }
    }

    /// An iterator over the parts (there is one reader: iterate once).
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
}

/// One part of a streamed multipart body: its head and its body as a stream.
public struct MultipartPart: Sendable {
    /// The part's name, file name, content type and headers.
    public let head: MultipartPartHead
    /// The body, pulled from the request as it is read. Valid until the next part is asked for.
    public let body: MultipartPartBody

    /// The field name.
    public var name: String { head.name }
    /// The file name as sent, nil for a plain field.
    public var filename: String? { head.filename }
    /// The part's Content-Type header, if any.
    public var contentType: String? { head.contentType }
    /// The part's headers.
    public var headers: Headers { head.headers }
    /// Whether the part is a file.
    public var isFile: Bool { head.isFile }

    /// The whole body in memory; 413 when it is larger than `limit`.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            if bytes.count + chunk.count > limit {
                throw HTTPError(.contentTooLarge, "The part '\(name)' is larger than \(limit) bytes.")
            }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }
}

/// The body of one ``MultipartPart``: non-empty chunks, read on demand.
public struct MultipartPartBody: AsyncSequence, Sendable {
    /// A chunk of bytes.
    public typealias Element = [UInt8]
    /// Reading can fail.
    public typealias Failure = any Error

    let reader: MultipartReader
    let index: Int

    /// Pulls the next chunk.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: MultipartReader
        let index: Int
        /// The next chunk, or nil at the end of the part (or once the reader moved past it).
        public mutating func next() async throws -> [UInt8]? { try await reader.nextChunk(of: index) }
    }

    /// An iterator over the chunks.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader, index: index) }
}

/// Drives a ``MultipartDecoder`` from a ``ByteStream``, pulling a chunk only when the decoder needs
/// one. One consumer at a time by contract (an iterator and the bodies of the parts it hands out are
/// read in turn, as `for try await` loops do): the state is not locked.
final class MultipartReader: @unchecked Sendable {
    private var decoder: MultipartDecoder
    private var source: ByteStream.AsyncIterator
    private var currentPart = 0
    private var bodyDone = true
    private var ended = false
    private var failure: (any Error)?

    init(decoder: MultipartDecoder, source: ByteStream.AsyncIterator) {
        self.decoder = decoder
        self.source = source
    }

    /// The next event that is not `needData`, pulling from the source as needed.
    private func event() async throws -> MultipartEvent {
        if let failure { throw failure }
        do {
            while true {
                let event = try decoder.next()
                guard case .needData = event else { return event }
                if let chunk = try await source.next() { decoder.receive(chunk) } else { decoder.finish() }
            }
        } catch {
            failure = error
            throw error
        }
    }

    func nextPart() async throws -> MultipartPart? {
        while !ended {
            switch try await event() {
            case .part(let head):
                currentPart += 1
                bodyDone = false
                return MultipartPart(head: head, body: MultipartPartBody(reader: self, index: currentPart))
            case .data(_, let isLast):
                if isLast { bodyDone = true }   // the rest of a body nobody read
            case .end:
                ended = true
            case .needData:
                break
            }
        }
        return nil
    }

    func nextChunk(of index: Int) async throws -> [UInt8]? {
        guard index == currentPart, !bodyDone else { return nil }
        while true {
            guard case .data(let bytes, let isLast) = try await event() else { return nil }
            if isLast { bodyDone = true }
            if !bytes.isEmpty { return bytes }
            if isLast { return nil }
        }
    }
}
