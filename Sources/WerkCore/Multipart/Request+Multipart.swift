/// The limits ``Request/multipartLimits`` reads from the request's storage.
enum MultipartLimitsKey: StorageKey { typealias Value = MultipartLimits }

/// Fields and files of a `multipart/form-data` body, parsed once per request.
struct ParsedMultipart: Sendable {
    var fields = MultiDict()
    var files = UploadedFiles()
}

extension Request {
    /// The limits `multipart/form-data` bodies are parsed under (``MultipartLimits``' defaults unless
    /// a middleware or the handler set others). Kept in ``storage``, so requests that never set them
    /// pay nothing.
    public var multipartLimits: MultipartLimits {
        get { storage[MultipartLimitsKey.self] ?? MultipartLimits() }
        set { storage[MultipartLimitsKey.self] = newValue }
    }

    /// The files of a `multipart/form-data` body, by field name (Werkzeug's `request.files`). Parsing
    /// happens once, together with ``form()``: small files stay in memory, larger ones go to an
    /// unlinked temporary file (see ``MultipartLimits``). Other content types have no files.
    /// Throws ``HTTPError`` 413 when a limit is crossed and 400 when the body is malformed.
    public func files() async throws -> UploadedFiles {
        guard mimeType == "multipart/form-data" else { return UploadedFiles() }
        return try await parsedMultipart().files
    }

    /// The parts of a `multipart/form-data` body as a stream, for uploads too large to keep: the body
    /// is read from the connection only as the parts' bodies are pulled (backpressure), in flat
    /// memory. The body can be read this way once, and not together with ``form()``/``files()``.
    /// Throws ``HTTPError`` 400 when the body is not `multipart/form-data` with a valid boundary, 413
    /// when its declared length is over ``maxContentLength``.
    ///
    /// ```swift
    /// for try await part in try request.multipart() {
    ///     var size = 0
    ///     for try await chunk in part.body { size += chunk.count }
    ///     print(part.name, part.filename ?? "-", size)
    /// }
    /// ```
    public func multipart() throws -> MultipartParts {
        let boundary = try MultipartDecoder.boundary(fromContentType: headers["Content-Type"] ?? "")
        return try MultipartParts(stream: limitedBody(), boundary: boundary, limits: multipartLimits,
                                  maxFormMemorySize: maxFormMemorySize)
    }

    /// The body stream capped at ``maxContentLength``, with a 413 that names the limit.
    private func limitedBody() throws -> ByteStream {
        guard let limit = maxContentLength else { return try body.stream() }
        let message = "The request body is larger than the \(limit)-byte limit (maxContentLength)."
        if let declared = body.declaredLength, declared > limit { throw HTTPError(.contentTooLarge, message) }
        let limited = try body.stream().limited(to: limit)
        return ByteStream {
            var pulling = limited.makeAsyncIterator()   // it only holds the pull function: each pulls the same stream
            do { return try await pulling.next() } catch let error as HTTPError where error.status == .contentTooLarge {
                throw HTTPError(.contentTooLarge, message)
            }
        }
    }

    /// Parses the multipart body once; later calls (and copies of the request) get the cached result.
    func parsedMultipart() async throws -> ParsedMultipart {
        if let cached = body.multipartCache.withLock({ $0 }) { return cached }
        let limits = multipartLimits
        var result = ParsedMultipart()
        for try await part in try multipart() {
            if part.isFile {
                var spool = Spool(threshold: limits.spoolThreshold, directory: limits.temporaryDirectory)
                for try await chunk in part.body { try spool.write(chunk) }
                result.files.append(part.name, try spool.finish(part.head))
            } else {
                var bytes: [UInt8] = []
                for try await chunk in part.body { bytes.append(contentsOf: chunk) }
                result.fields.append(part.name, Self.decodeField(bytes, contentType: part.contentType))
            }
        }
        let parsed = result
        body.multipartCache.withLock { $0 = parsed }
        return parsed
    }

    /// A field's text in its part's charset: UTF-8 unless it names ISO-8859-1 (or ASCII); invalid
    /// bytes become U+FFFD, as Werkzeug's `errors="replace"`.
    static func decodeField(_ bytes: [UInt8], contentType: String?) -> String {
        if let contentType, let charset = ContentType(parsing: contentType)?.charset,
           ["iso-8859-1", "latin-1", "latin1"].contains(ASCII.lowercased(charset)) {
            var scalars = String.UnicodeScalarView()
            for b in bytes { scalars.append(Unicode.Scalar(b)) }
            return String(scalars)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Collects a file part: in memory up to the threshold, then in a temporary file. Bytes for the
/// file are gathered into writes of about 512 KiB (the server hands out chunks of a few KiB; a
/// write(2) per chunk would cost more than the parsing).
struct Spool {
    static let writeSize = 512 * 1024
    let threshold: Int
    let directory: String?
    private var memory: [UInt8] = []
    private var file: TemporaryFile?
    private var size = 0

    init(threshold: Int, directory: String?) {
        self.threshold = threshold
        self.directory = directory
    }

    mutating func write(_ chunk: [UInt8]) throws {
        size += chunk.count
        if file == nil && memory.count + chunk.count <= threshold {
            if memory.isEmpty { memory = chunk } else { memory.append(contentsOf: chunk) }
            return
        }
        if file == nil {
            file = try TemporaryFile.create(in: directory)
            memory.reserveCapacity(Self.writeSize + chunk.count)
        }
        memory.append(contentsOf: chunk)
        if memory.count >= Self.writeSize { try flush() }
    }

    private mutating func flush() throws {
        guard let file, !memory.isEmpty else { return }
        try memory.withUnsafeBytes { buffer in try file.append(buffer) }
        memory.removeAll(keepingCapacity: true)
    }

    mutating func finish(_ head: MultipartPartHead) throws -> UploadedFile {
        guard let file else { return UploadedFile(head: head, size: size, content: .memory(memory)) }
        try flush()
        memory = []
        return UploadedFile(head: head, size: size, content: .disk(file))
    }
}
