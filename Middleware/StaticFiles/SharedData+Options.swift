extension SharedData {
    /// How `SharedData` serves its exports.
    ///
    /// | option | default | what it does |
    /// |---|---|---|
    /// | `disallow` | `[]` | glob patterns (`fnmatch`) for names never served: a miss |
    /// | `indexFiles` | `[]` | names served for a directory URL ending in `/` (`["index.html"]`) |
    /// | `listsDirectories` | `false` | an HTML listing (escaped, sorted) for a directory without an index |
    /// | `allowsDotfiles` | `false` | serve names with a segment starting with `.` |
    /// | `allowsSymlinksOutsideRoot` | `false` | follow symbolic links that resolve outside the export's folder |
    /// | `maxAge` | `43200` | `Cache-Control: public, max-age=…` (Werkzeug's 12 hours) |
    /// | `immutable` | `false` | adds `immutable` (fingerprinted assets) |
    /// | `cacheControl` | nil | an explicit Cache-Control value instead |
    /// | `fallbackContentType` | `application/octet-stream` | for unknown extensions |
    /// | `mimeTypes` | `MIMETypes.standard` | the extension table |
    /// | `precompressed` | `[.brotli, .zstd, .gzip]` | siblings looked for, by Accept-Encoding |
    /// | `etag`, `lastModified` | on | validators |
    /// | `maxRanges` | `16` | ranges per request after coalescing; more get the whole file |
    /// | `memoryCacheMaxFileSize` | 32 KiB | files up to this size served from memory, revalidated by `stat` |
    public struct Options: Sendable {
        /// Glob patterns (`*`, `?`, `[...]`, as `fnmatch(3)`) matched against the path below the
        /// export (`css/site.css`) and against the file name (`site.css`); a match is a miss.
        public var disallow: [String] = []
        /// Files to serve for a directory URL ending in `/`, first match wins (off by default).
        public var indexFiles: [String] = []
        /// Whether a directory URL without an index file gets an HTML listing (off by default).
        public var listsDirectories = false
        /// Whether names with a segment starting with `.` (`.env`, `.git/config`) are served.
        public var allowsDotfiles = false
        /// Whether symbolic links may point outside the export's folder.
        public var allowsSymlinksOutsideRoot = false
        /// `public, max-age=` seconds; 0 sends `max-age=0` (revalidate every time).
        public var maxAge = 43_200
        /// Adds `immutable` to Cache-Control.
        public var immutable = false
        /// An explicit Cache-Control, instead of `maxAge` and `immutable`.
        public var cacheControl: String? = nil
        /// The Content-Type for unknown extensions.
        public var fallbackContentType = "application/octet-stream"
        /// The extension table.
        public var mimeTypes: MIMETypes = .standard
        /// Precompressed siblings looked for (`.br`, `.zst`, `.gz`), preferred in this order.
        public var precompressed: [ContentCoding] = [.brotli, .zstd, .gzip]
        /// Whether responses carry Werk's strong ETag.
        public var etag = true
        /// Whether responses carry Last-Modified.
        public var lastModified = true
        /// The most ranges served in one multipart response (after coalescing).
        public var maxRanges = 16
        /// Files up to this size are kept in memory and revalidated by `stat` on each request,
        /// instead of being opened and sent with `sendfile` (0: always `sendfile`). Every file's
        /// validators and Content-Type are kept in header form either way. Measured:
        /// about twice the requests per second for a 1 KiB file (see the StaticFiles article).
        public var memoryCacheMaxFileSize = 32 * 1024
        /// The most bytes the memory cache holds (file bytes plus a fixed 256 bytes per file).
        public var memoryCacheCapacity = 16 * 1024 * 1024

        /// The defaults in the table above.
        public init() {}

        /// The per-file options these imply.
        var fileOptions: FileOptions {
            var file = FileOptions()
            file.mimeTypes = mimeTypes
            file.fallbackContentType = fallbackContentType
            file.maxAge = maxAge
            file.immutable = immutable
            file.cacheControl = cacheControl
            file.cacheControl = file.cacheControlValue
            file.etag = etag ? .automatic : .none
            file.lastModified = lastModified ? .automatic : .none
            file.precompressed = precompressed
            file.maxRanges = maxRanges
            return file
        }
    }
}
