import Synchronization

/// Compresses dynamic responses with gzip or deflate (zlib), as the client's Accept-Encoding asks.
///
/// ```swift
/// let app = Stack {
///     Compress()                                  // outermost: compresses what the app returns
///     Handler { _ in Response.text(String(repeating: "Werk ", count: 1000)) }
/// }
/// ```
///
/// A response is compressed when all of these hold, and left alone otherwise:
/// - the client accepts `gzip` or `deflate` with q > 0 (gzip wins ties);
/// - the status carries a body and is not 206, and there is no Content-Range;
/// - it has no Content-Encoding yet (precompressed files from `SharedData` stay as they are) and no
///   `Cache-Control: no-transform`;
/// - its Content-Type is compressible (`text/*`, JSON, XML, JavaScript, SVG, … see
///   ``Options/compressibleTypes``);
/// - its body is bytes of at least ``Options/minimumSize``, or a stream (compressed as it flows,
///   unless its known length is below the minimum). File bodies go out untouched with `sendfile`
///   (serve `.gz`/`.br` siblings for those).
///
/// A compressed response loses Content-Length (a stream is sent chunked) and Accept-Ranges, its
/// strong ETag becomes weak (the bytes differ, the meaning does not, as nginx does), and every
/// response that could be compressed gets `Vary: Accept-Encoding`, compressed or not.
public struct Compress: Middleware {
    /// What and how to compress.
    public struct Options: Sendable {
        /// Smaller bodies are sent as they are (default 1024 bytes).
        public var minimumSize = 1024
        /// zlib's level, 1 (fast) … 9 (small); default 6.
        public var level = 6
        /// Media types compressed: exact types, `text/*`-style prefixes, or suffixes such as
        /// `+json` and `+xml` (matched without parameters, case-insensitively).
        public var compressibleTypes: [String] = [
            "text/*", "application/json", "application/javascript", "application/x-javascript",
            "application/xml", "application/xhtml+xml", "application/rss+xml", "application/atom+xml",
            "application/manifest+json", "application/ld+json", "application/graphql", "application/wasm",
            "image/svg+xml", "image/x-icon", "image/bmp", "font/ttf", "font/otf", "application/vnd.ms-fontobject",
            "+json", "+xml",
        ]
        /// Defaults as above.
        public init() {}
    }

    /// The options.
    public let options: Options

    /// A compressor with `options`.
    public init(options: Options = Options()) { self.options = options }

    /// Wraps `next`; synchronous when `next` is (compressing bytes never suspends; a stream is
    /// compressed lazily as the adapter pulls it).
    public func wrap(_ next: Handler) -> Handler {
        let options = self.options
        return next.mapResponse { request, response in Compress.compress(response, for: request, options: options) }
    }

    /// The coding chosen for this request: gzip or deflate (RFC 9110 §12.5.3 qualities), or nil.
    static func coding(for request: Request) -> (name: String, format: Deflater.Format)? {
        guard let accept = request.headers.combinedValue(for: "Accept-Encoding") else { return nil }
        var gzip = 0.0, deflate = 0.0, star: Double? = nil, sawGzip = false, sawDeflate = false
        for element in accept.split(separator: ",").prefix(32) {
            let parts = element.split(separator: ";")
            guard let first = parts.first else { continue }
            let coding = ASCII.trimmingWhitespace(first)
            var q = 1.0
            for parameter in parts.dropFirst() {
                let p = ASCII.trimmingWhitespace(parameter)
                if p.count >= 2, ASCII.equalsIgnoringCase(p.prefix(2), "q=") {
                    q = Double(String(p.dropFirst(2))).map { min(max($0, 0), 1) } ?? 0
                }
            }
            if ASCII.equalsIgnoringCase(coding, "gzip") || ASCII.equalsIgnoringCase(coding, "x-gzip") { gzip = q; sawGzip = true }
            else if ASCII.equalsIgnoringCase(coding, "deflate") { deflate = q; sawDeflate = true }
            else if coding == "*" { star = q }
        }
        if !sawGzip, let star { gzip = star }
        if !sawDeflate, let star { deflate = star }
        if gzip > 0 && gzip >= deflate { return ("gzip", .gzip) }
        if deflate > 0 { return ("deflate", .zlib) }
        return nil
    }

    /// Whether `contentType` (with parameters) is in `types`.
    static func isCompressible(_ contentType: String, types: [String]) -> Bool {
        let mime = ASCII.lowercased(ASCII.trimmingWhitespace(Substring(contentType.split(separator: ";", maxSplits: 1).first ?? "")))
        for type in types {
            if type.hasPrefix("+") { if mime.hasSuffix(type) { return true } }
            else if type.hasSuffix("/*") { if mime.hasPrefix(type.dropLast()) { return true } }
            else if mime == type { return true }
        }
        return false
    }

    /// `response` compressed for `request` when the rules allow, otherwise unchanged (plus Vary).
    static func compress(_ response: Response, for request: Request, options: Options) -> Response {
        let status = response.status
        guard !status.forbidsBody, status != .partialContent, !response.headers.contains("Content-Range"),
              !response.headers.contains("Content-Encoding"),
              let type = response.headers["Content-Type"], isCompressible(type, types: options.compressibleTypes) else {
            return response
        }
        if let cacheControl = response.headers.combinedValue(for: "Cache-Control"),
           cacheControl.split(separator: ",").contains(where: { ASCII.equalsIgnoringCase(ASCII.trimmingWhitespace($0), "no-transform") }) {
            return response
        }
        let large: Bool
        switch response.body {
        case .bytes(let bytes): large = bytes.count >= options.minimumSize
        case .stream(_, let length): large = length.map { $0 >= options.minimumSize } ?? true
        case .empty, .file: return response
        }
        guard large else { return response }
        var result = response
        addVary(&result.headers)
        guard let coding = coding(for: request) else { return result }
        result.headers.remove("Content-Length")
        result.headers.remove("Accept-Ranges")
        result.headers.add("Content-Encoding", coding.name)
        if let etag = result.headers["ETag"], !etag.hasPrefix("W/") { result.headers.set("ETag", "W/" + etag) }
        switch response.body {
        case .bytes(let bytes):
            result.body = .bytes(Deflater(format: coding.format, level: options.level).compress(bytes, finish: true))
        case .stream(let stream, _):
            result.body = .stream(compressedStream(stream, format: coding.format, level: options.level), length: nil)
        case .empty, .file:
            break
        }
        return result
    }

    /// Adds `Accept-Encoding` to Vary unless it is there (or Vary is `*`).
    static func addVary(_ headers: inout Headers) {
        guard let vary = headers.combinedValue(for: "Vary") else { headers.add("Vary", "Accept-Encoding"); return }
        let items = vary.split(separator: ",").map { ASCII.trimmingWhitespace($0) }
        if items.contains(where: { $0 == "*" || ASCII.equalsIgnoringCase($0, "accept-encoding") }) { return }
        headers.set("Vary", vary + ", Accept-Encoding")
    }

    /// `stream` compressed chunk by chunk: each source chunk is flushed (`Z_SYNC_FLUSH`) so a
    /// client sees data as the application produces it; the end writes the trailer.
    static func compressedStream(_ stream: ByteStream, format: Deflater.Format, level: Int) -> ByteStream {
        let state = Mutex<Deflater?>(Deflater(format: format, level: level))
        let source = SourceBox(stream)
        return ByteStream {
            while true {
                guard state.withLock({ $0 != nil }) else { return nil }
                let chunk = try await source.next()
                let out: [UInt8] = state.withLock { deflater in
                    guard let active = deflater else { return [] }
                    if let chunk { return active.compress(chunk, flush: true) }
                    deflater = nil
                    return active.compress([UInt8](), finish: true)
                }
                if !out.isEmpty { return out }
            }
        }
    }

    /// The source stream's iterator. Only the adapter pulls a response body, one chunk at a time,
    /// so the iterator is never used concurrently.
    final class SourceBox: @unchecked Sendable {
        private var iterator: ByteStream.AsyncIterator
        init(_ stream: ByteStream) { iterator = stream.makeAsyncIterator() }
        func next() async throws -> [UInt8]? { try await iterator.next() }
    }
}
