/// Typed, parsed views of a request's headers. Each property parses on access (nothing is cached),
/// so read it once into a local when it is used several times.
///
/// ```swift
/// let type = request.acceptMIME.bestMatch(["application/json", "text/html"], default: "text/html")
/// if case .notModified = request.conditional.evaluate(etag: tag, lastModified: mtime, isGetOrHead: true) { … }
/// if let credentials = request.authorization, credentials.scheme == "basic" { … }
/// ```
extension Request {
    /// `Accept`, all fields combined; empty (accepting nothing) when absent.
    public var acceptMIME: MIMEAccept { MIMEAccept(parsing: headers.combinedValue(for: "Accept")) }

    /// `Accept-Language`, all fields combined.
    public var acceptLanguages: LanguageAccept { LanguageAccept(parsing: headers.combinedValue(for: "Accept-Language")) }

    /// `Accept-Charset`, all fields combined.
    public var acceptCharsets: CharsetAccept { CharsetAccept(parsing: headers.combinedValue(for: "Accept-Charset")) }

    /// `Accept-Encoding`, all fields combined.
    public var acceptEncodings: EncodingAccept { EncodingAccept(parsing: headers.combinedValue(for: "Accept-Encoding")) }

    /// `Cache-Control`; no directives when absent.
    public var cacheControl: RequestCacheControl {
        headers.combinedValue(for: "Cache-Control").map { RequestCacheControl(parsing: $0) } ?? RequestCacheControl()
    }

    /// `Content-Type` with its parameters, or `nil` when absent or not `type/subtype`.
    public var contentType: ContentType? { headers["Content-Type"].flatMap { ContentType(parsing: $0) } }

    /// `If-None-Match`; empty when absent.
    public var ifNoneMatch: ETags { ETags(parsing: headers.combinedValue(for: "If-None-Match")) }

    /// `If-Match`; empty when absent.
    public var ifMatch: ETags { ETags(parsing: headers.combinedValue(for: "If-Match")) }

    /// `If-Modified-Since` in epoch seconds, or `nil` when absent or invalid.
    public var ifModifiedSince: Int? { headers["If-Modified-Since"].flatMap { HTTPDate.parse($0) } }

    /// `If-Unmodified-Since` in epoch seconds, or `nil` when absent or invalid.
    public var ifUnmodifiedSince: Int? { headers["If-Unmodified-Since"].flatMap { HTTPDate.parse($0) } }

    /// `If-Range`, or `nil` when absent.
    public var ifRange: IfRange? { headers["If-Range"].flatMap { IfRange(parsing: $0) } }

    /// `Range`, or `nil` when absent or malformed (a malformed `Range` is ignored, RFC 9110 §14.2).
    public var range: RangeHeader? { headers["Range"].flatMap { RangeHeader(parsing: $0) } }

    /// `Authorization`, or `nil` when absent or undecodable.
    public var authorization: Authorization? { headers["Authorization"].flatMap { Authorization(parsing: $0) } }

    /// The conditional headers, ready for ``ConditionalRequest/evaluate(etag:lastModified:isGetOrHead:)``.
    public var conditional: ConditionalRequest {
        ConditionalRequest(ifNoneMatch: headers.combinedValue(for: "If-None-Match"),
                           ifModifiedSince: headers["If-Modified-Since"],
                           ifMatch: headers.combinedValue(for: "If-Match"),
                           ifUnmodifiedSince: headers["If-Unmodified-Since"],
                           ifRange: headers["If-Range"],
                           range: headers["Range"])
    }
}
