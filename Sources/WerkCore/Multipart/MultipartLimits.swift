/// The limits a `multipart/form-data` body is parsed under. Every one of them bounds something a
/// client controls; crossing one is a ``HTTPError`` 413 (400 for a malformed body) whose message names
/// the limit, so the person reading the log knows which knob to turn.
///
/// Two more limits live on ``Request`` because urlencoded forms share them:
/// ``Request/maxContentLength`` (the whole body) and ``Request/maxFormMemorySize`` (all non-file
/// fields together, 500 000 bytes by default, counted across every data event).
///
/// ```swift
/// var limits = MultipartLimits()
/// limits.maxParts = 50
/// limits.spoolThreshold = 64 * 1024
/// ```
public struct MultipartLimits: Sendable, Equatable {
    /// The most parts in one body (Werkzeug's `max_form_parts`, Go's 1 000). Default 1 000.
    public var maxParts: Int = 1_000
    /// The most bytes of header lines in one part. Default 8 KiB.
    public var maxPartHeaderBytes: Int = 8 * 1024
    /// The most header lines in one part. Default 32.
    public var maxHeadersPerPart: Int = 32
    /// The most header bytes across all parts together. Default 256 KiB.
    public var maxTotalHeaderBytes: Int = 256 * 1024
    /// The longest boundary accepted (RFC 2046 allows 70). Default 70.
    public var maxBoundaryLength: Int = 70
    /// The longest file name, in UTF-8 bytes, as sent (a full Windows path included). Default 1 024.
    public var maxFilenameLength: Int = 1_024
    /// The most bytes before the first boundary (clients send none). Default 64 KiB.
    public var maxPreambleBytes: Int = 64 * 1024
    /// The most bytes after the closing boundary (clients send a line break). Default 64 KiB.
    public var maxEpilogueBytes: Int = 64 * 1024
    /// Whether a part may itself be `multipart/*` (RFC 7578 deprecates `multipart/mixed` for several
    /// files per field; browsers never send it). Default false: such a part is a 400. When true, its
    /// body is an opaque file, never parsed recursively.
    public var allowsNestedMultipart = false
    /// Files up to this size stay in memory; a larger one moves to an unlinked temporary file
    /// (Werkzeug's `SpooledTemporaryFile(max_size=500 KiB)`). Default 512 000 bytes.
    public var spoolThreshold: Int = 500 * 1024
    /// The directory temporary files are created in (they are unlinked at once, so they never show
    /// up there). Nil: `$TMPDIR`, or `/tmp`.
    public var temporaryDirectory: String? = nil

    /// The defaults above.
    public init() {}
}
