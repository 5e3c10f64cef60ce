/// A content coding a precompressed sibling file may have: `style.css.br`, `style.css.zst`,
/// `style.css.gz` next to `style.css`.
public enum ContentCoding: String, Sendable, CaseIterable {
    /// Brotli, `.br`.
    case brotli = "br"
    /// Zstandard, `.zst`.
    case zstd = "zstd"
    /// gzip, `.gz`.
    case gzip = "gzip"

    /// The sibling's file name suffix, with the dot.
    public var fileExtension: String {
        switch self {
        case .brotli: ".br"
        case .zstd: ".zst"
        case .gzip: ".gz"
        }
    }
}

/// How a file response gets its entity tag.
public enum FileETag: Sendable, Equatable {
    /// Werk's strong tag from the modification time in nanoseconds and the size (see the
    /// StaticFiles article): `"<mtime-ns hex>-<size hex>"`.
    case automatic
    /// No ETag (conditional requests then rely on Last-Modified).
    case none
    /// This tag (a precompressed variant gets `-<coding>` appended to its value).
    case custom(ETag)
}

/// How a file response gets its Last-Modified date.
public enum FileDate: Sendable, Equatable {
    /// The file's modification time, in whole seconds.
    case automatic
    /// No Last-Modified.
    case none
    /// This date, in epoch seconds.
    case custom(Int)
}

/// What ``Response/file(_:for:options:)`` sends besides the bytes (Werkzeug's `send_file` arguments).
///
/// ```swift
/// var options = FileOptions()
/// options.downloadName = "report 2026.pdf"
/// options.asAttachment = true
/// options.maxAge = 3600
/// ```
public struct FileOptions: Sendable {
    /// The Content-Type; nil picks it from the extension in ``mimeTypes``, else ``fallbackContentType``.
    public var contentType: String? = nil
    /// The extension table.
    public var mimeTypes: MIMETypes = .standard
    /// The Content-Type for unknown extensions.
    public var fallbackContentType = "application/octet-stream"
    /// The name the browser shows or saves under (`Content-Disposition`, with `filename*` when
    /// it is not ASCII); nil: no Content-Disposition unless ``asAttachment``, then the file's name.
    public var downloadName: String? = nil
    /// `Content-Disposition: attachment` (a download) instead of `inline`.
    public var asAttachment = false
    /// Seconds the response may be cached: `public, max-age=N`; nil sends `no-cache` (revalidate
    /// every time, as Werkzeug's `send_file` does by default); 0 sends `max-age=0`.
    public var maxAge: Int? = nil
    /// Adds `immutable` to Cache-Control (for fingerprinted file names whose bytes never change).
    public var immutable = false
    /// An explicit Cache-Control value, used instead of ``maxAge`` and ``immutable``.
    public var cacheControl: String? = nil
    /// The entity tag.
    public var etag: FileETag = .automatic
    /// The Last-Modified date.
    public var lastModified: FileDate = .automatic
    /// Whether conditional requests (304/412) and ranges (206/416) are answered; off, every GET is
    /// a plain 200.
    public var conditional = true
    /// Precompressed siblings to look for, in order of preference at equal quality.
    public var precompressed: [ContentCoding] = []
    /// The most ranges a multi-range request may ask for after coalescing (more: the whole file).
    public var maxRanges = 16

    /// SharedData's cache of file representations (validators, Content-Type, small files' bytes);
    /// nil: derived on every request and always sent with `sendfile`.
    var memoryCache: RepresentationCache? = nil

    /// The default options (no caching by default, as `send_file`).
    public init() {}

    /// The Cache-Control value these options send.
    var cacheControlValue: String {
        if let cacheControl { return cacheControl }
        guard let maxAge else { return immutable ? "no-cache, immutable" : "no-cache" }
        var value = maxAge > 0 ? "public, max-age=\(maxAge)" : "max-age=0"
        if immutable { value += ", immutable" }
        return value
    }
}
