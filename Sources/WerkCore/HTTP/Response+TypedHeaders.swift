/// Typed accessors for a response's headers. Getters parse the current header; setters write the
/// serialized value (replacing any existing field) and remove the header for `nil` or an empty value.
///
/// ```swift
/// var response = Response.text("hi")
/// response.cacheControl.maxAge = 60          // Cache-Control: max-age=60
/// response.cacheControl.public = true        // Cache-Control: max-age=60, public
/// response.vary.insert("Accept-Encoding")    // Vary: Accept-Encoding
/// response.etag = ETag("v1")                 // ETag: "v1"
/// response.lastModified = 784_111_777        // Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT
/// ```
extension Response {
    /// `Cache-Control`. Mutating it in place rewrites the header.
    public var cacheControl: ResponseCacheControl {
        get { headers.combinedValue(for: "Cache-Control").map { ResponseCacheControl(parsing: $0) } ?? ResponseCacheControl() }
        set { setHeader("Cache-Control", newValue.isEmpty ? nil : newValue.headerValue) }
    }

    /// `Vary`, a case-insensitive set.
    public var vary: HeaderSet {
        get { HeaderSet(parsing: headers.combinedValue(for: "Vary") ?? "") }
        set { setHeader("Vary", newValue.isEmpty ? nil : newValue.headerValue) }
    }

    /// `Allow` (the methods a 405 answer lists).
    public var allow: HeaderSet {
        get { HeaderSet(parsing: headers.combinedValue(for: "Allow") ?? "") }
        set { setHeader("Allow", newValue.isEmpty ? nil : newValue.headerValue) }
    }

    /// `ETag`.
    public var etag: ETag? {
        get { headers["ETag"].flatMap { ETag(parsing: $0) } }
        set { setHeader("ETag", newValue?.headerValue) }
    }

    /// `Last-Modified` in epoch seconds.
    public var lastModified: Int? {
        get { headers["Last-Modified"].flatMap { HTTPDate.parse($0) } }
        set { setHeader("Last-Modified", newValue.map(HTTPDate.format)) }
    }

    /// `Expires` in epoch seconds.
    public var expires: Int? {
        get { headers["Expires"].flatMap { HTTPDate.parse($0) } }
        set { setHeader("Expires", newValue.map(HTTPDate.format)) }
    }

    /// `Content-Type` with its parameters.
    public var contentType: ContentType? {
        get { headers["Content-Type"].flatMap { ContentType(parsing: $0) } }
        set { setHeader("Content-Type", newValue?.headerValue) }
    }

    /// `Content-Range` (for 206 and 416 answers).
    public var contentRange: ContentRange? {
        get { headers["Content-Range"].flatMap { ContentRange(parsing: $0) } }
        set { setHeader("Content-Range", newValue?.headerValue) }
    }

    /// `Content-Disposition`.
    public var contentDisposition: ContentDisposition? {
        get { headers["Content-Disposition"].flatMap { ContentDisposition(parsing: $0) } }
        set { setHeader("Content-Disposition", newValue?.headerValue) }
    }

    /// `WWW-Authenticate` (a single challenge).
    public var wwwAuthenticate: WWWAuthenticate? {
        get { headers["WWW-Authenticate"].flatMap { WWWAuthenticate(parsing: $0) } }
        set { setHeader("WWW-Authenticate", newValue?.headerValue) }
    }

    private mutating func setHeader(_ name: String, _ value: String?) {
        if let value { headers.set(name, value) } else { headers.remove(name) }
    }
}
