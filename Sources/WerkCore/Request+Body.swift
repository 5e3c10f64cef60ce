#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

extension Request {
    /// The lower-cased media type of the body (`application/json`), without parameters; nil when there
    /// is no Content-Type.
    public var mimeType: String? {
        guard let raw = headers["Content-Type"] else { return nil }
        let type = ASCII.trimmingWhitespace(raw.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0])
        return type.isEmpty ? nil : ASCII.lowercased(type)
    }

    /// Whether the body is JSON: `application/json` or any `+json` type, as Werkzeug's `is_json`.
    public var isJSON: Bool {
        guard let type = mimeType else { return false }
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    /// The whole body, read once and cached. Throws ``HTTPError`` 413 beyond ``maxContentLength``.
    public func data() async throws -> [UInt8] {
        try await body.collect(upTo: maxContentLength ?? Int.max)
    }

    /// The body decoded as UTF-8 (invalid sequences become U+FFFD).
    public func text() async throws -> String {
        String(decoding: try await data(), as: UTF8.self)
    }

    /// The body decoded from JSON into `T`. Throws ``HTTPError`` 415 when the Content-Type is not JSON
    /// (unless `force`), and 400 with the decoder's reason when the body is not valid JSON for `T`.
    public func decode<T: Decodable>(_ type: T.Type = T.self, force: Bool = false) async throws -> T {
        try requireJSON(force: force)
        let bytes = try await data()
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw HTTPError(.badRequest, "The request body is not valid JSON for \(T.self): \(Self.describe(error))")
        }
    }

    /// The body as a stream for reading large uploads chunk by chunk, capped at ``maxContentLength``:
    /// a declared Content-Length over the limit is a 413 at once, and a body that grows past it is a
    /// 413 when the chunk that crosses it is pulled. The stream can be taken once.
    public func bodyStream() throws -> ByteStream {
        guard let limit = maxContentLength else { return try body.stream() }
        if let declared = body.declaredLength, declared > limit { throw HTTPError.contentTooLarge(limit: limit) }
        return try body.stream().limited(to: limit)
    }

    /// The body as a ``JSON`` value. Throws ``HTTPError`` 415 when the Content-Type is not JSON (unless
    /// `force`) and 400 when the body is not valid JSON.
    public func json(force: Bool = false) async throws -> JSON {
        try requireJSON(force: force)
        let bytes = try await data()
        do {
            return try JSON.parse(bytes)
        } catch {
            throw HTTPError(.badRequest, "Failed to decode JSON object: \(error)")
        }
    }

    /// The fields of an `application/x-www-form-urlencoded` or `multipart/form-data` body, in order
    /// (the files of a multipart body are in ``files()``). Other content types give an empty result,
    /// as in Werkzeug. Throws ``HTTPError`` 413 when the body is larger than ``maxFormMemorySize``
    /// (for multipart: the fields together) or crosses a ``MultipartLimits`` limit, and 400 on a
    /// malformed escape or multipart body.
    public func form() async throws -> MultiDict {
        if mimeType == "multipart/form-data" { return try await parsedMultipart().fields }
        guard mimeType == "application/x-www-form-urlencoded" else { return MultiDict() }
        let limit = min(maxFormMemorySize, maxContentLength ?? Int.max)
        let bytes: [UInt8]
        do {
            bytes = try await body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw HTTPError(.contentTooLarge,
                            "The form body is larger than the \(limit)-byte limit (maxFormMemorySize).")
        }
        return try URLQuery.parse(String(decoding: bytes, as: UTF8.self))
    }

    private func requireJSON(force: Bool) throws {
        if !force && !isJSON {
            throw HTTPError(.unsupportedMediaType,
                            "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case DecodingError.typeMismatch(let type, let context):
            return "expected \(type) at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.valueNotFound(let type, let context):
            return "missing \(type) at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: return String(describing: error)
        }
    }
}
