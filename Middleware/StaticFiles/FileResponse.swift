extension Response {
    /// The file at `path` as a response to `request`, like Werkzeug's `send_file`: Content-Type from
    /// the extension, a strong ETag and Last-Modified, conditional requests (304, 412), ranges (206,
    /// `multipart/byteranges`, 416), and the body sent with `sendfile(2)` by the server.
    ///
    /// ```swift
    /// let download = Handler { request in
    ///     try Response.file("/srv/reports/q3.pdf", for: request, downloadName: "Q3 résumé.pdf", asAttachment: true)
    /// }
    /// ```
    ///
    /// Throws 404 when `path` is not a regular file. `path` is trusted: join untrusted names with
    /// `safeJoin` first (or serve a folder with `SharedData`).
    public static func file(_ path: String, for request: Request, contentType: String? = nil,
                            downloadName: String? = nil, asAttachment: Bool = false, maxAge: Int? = nil,
                            etag: FileETag = .automatic) throws -> Response {
        var options = FileOptions()
        options.contentType = contentType
        options.downloadName = downloadName
        options.asAttachment = asAttachment
        options.maxAge = maxAge
        options.etag = etag
        return try file(path, for: request, options: options)
    }

    /// The file at `path` as a response to `request`, with every option of ``FileOptions``.
    public static func file(_ path: String, for request: Request, options: FileOptions) throws -> Response {
        guard let status = FileStatus.of(path), status.kind == .regular else {
            throw HTTPError(.notFound, "The requested file was not found.")
        }
        return FileServing.respond(to: request, path: path, status: status, options: options,
                                   cacheControl: options.cacheControlValue)
    }
}

/// The representation logic shared by ``Response/file(_:for:options:)`` and `SharedData`.
enum FileServing {
    static let acceptRanges = "bytes"

    /// The response for the regular file `path` (already checked: `status`).
    static func respond(to request: Request, path: String, status: FileStatus, options: FileOptions,
                        cacheControl: String) -> Response {
        var headers = Headers()
        headers.reserveCapacity(8)

        // Precompressed siblings.
        var filePath = path
        var file = status
        var coding: ContentCoding? = nil
        if !options.precompressed.isEmpty {
            switch choosePrecompressed(path: path, accept: request.headers.combinedValue(for: "Accept-Encoding"),
                                       offered: options.precompressed) {
            case .identity: break
            case .variant(let chosen, let siblingPath, let siblingStatus):
                coding = chosen
                filePath = siblingPath
                file = siblingStatus
            case .notAcceptable:
                var response = HTTPError(.notAcceptable, "The client accepts none of the encodings this file is available in (identity;q=0).")
                    .response(for: request)
                response.headers.add("Vary", "Accept-Encoding")
                return response
            }
        }

        let representation = options.memoryCache?.representation(path: filePath, coding: coding, identity: file.identity) {
            derive(path: path, file: file, coding: coding, options: options)
        } ?? derive(path: path, file: file, coding: coding, options: options)
        let etag = representation.etag
        let lastModified = representation.lastModified
        let etagValue = representation.etagHeader
        let type = representation.contentType

        // Validators and caching headers go on 200, 206 and 304 alike.
        if let etagValue { headers.add("ETag", etagValue) }
        if let text = representation.lastModifiedHeader { headers.add("Last-Modified", text) }
        headers.add("Cache-Control", cacheControl)
        if !options.precompressed.isEmpty { headers.add("Vary", "Accept-Encoding") }

        var rangeHeader: String? = nil
        let isGetOrHead = request.method == .get || request.method == .head
        if options.conditional {
            let fields = request.headers
            let conditions = ConditionalRequest(
                ifNoneMatch: fields.combinedValue(for: "If-None-Match"), ifModifiedSince: fields["If-Modified-Since"],
                ifMatch: fields.combinedValue(for: "If-Match"), ifUnmodifiedSince: fields["If-Unmodified-Since"],
                ifRange: fields["If-Range"], range: fields["Range"])
            if conditions.ifNoneMatch != nil || conditions.ifModifiedSince != nil || conditions.ifMatch != nil
                || conditions.ifUnmodifiedSince != nil {
                switch conditions.evaluate(etag: etag, lastModified: lastModified, isGetOrHead: isGetOrHead) {
                case .proceed: break
                case .notModified:
                    // RFC 9110 §15.4.5: the validators, Cache-Control and Vary; Last-Modified only
                    // helps a cache when there is no ETag.
                    if etagValue != nil, lastModified != nil { headers.remove("Last-Modified") }
                    return Response(status: .notModified, headers: headers)
                case .preconditionFailed:
                    var response = HTTPError(.preconditionFailed, "A precondition of the request (If-Match, If-Unmodified-Since or If-None-Match) does not hold for the current version of this file.")
                        .response(for: request)
                    if let etagValue { response.headers.add("ETag", etagValue) }
                    return response
                }
            }
            // Ranges are defined for GET (HEAD mirrors it); another method gets the whole file.
            if isGetOrHead, conditions.range != nil, conditions.rangeApplies(etag: etag, lastModified: lastModified) {
                rangeHeader = conditions.range
            }
            headers.add("Accept-Ranges", acceptRanges)
        }
        if let coding { headers.add("Content-Encoding", coding.rawValue) }
        if options.asAttachment || options.downloadName != nil {
            let name = sanitizedDownloadName(options.downloadName ?? baseName(path))
            headers.add("Content-Disposition",
                        ContentDisposition(type: options.asAttachment ? "attachment" : "inline", filename: name).headerValue)
        }

        let size = file.size
        let identity = file.identity
        switch rangeHeader.map({ RangeResolution.resolve($0, length: size, maxRanges: options.maxRanges) }) ?? .whole {
        case .whole:
            headers.add("Content-Type", type)
            if let bytes = representation.bytes {
                return Response(status: .ok, headers: headers, body: .bytes(bytes))
            }
            return Response(status: .ok, headers: headers,
                            body: .file(FileRegion(path: filePath, offset: 0, count: size, identity: identity)))
        case .single(let range):
            headers.add("Content-Type", type)
            headers.add("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)")
            return Response(status: .partialContent, headers: headers,
                            body: .file(FileRegion(path: filePath, offset: range.lowerBound, count: range.count, identity: identity)))
        case .multiple(let ranges):
            let multipart = MultipartRanges(ranges: ranges, total: size, partType: type)
            headers.add("Content-Type", multipart.contentType)
            return Response(status: .partialContent, headers: headers,
                            body: .stream(multipart.stream(path: filePath, identity: identity), length: multipart.length))
        case .unsatisfiable:
            var response = HTTPError.rangeNotSatisfiable(length: size).response(for: request)
            response.headers.add("Accept-Ranges", acceptRanges)
            if let etagValue { response.headers.add("ETag", etagValue) }
            return response
        }
    }

    /// The validators and Content-Type of one version of a file, computed (the cache keeps them).
    static func derive(path: String, file: FileStatus, coding: ContentCoding?, options: FileOptions) -> FileRepresentation {
        let etag: ETag?
        switch options.etag {
        case .automatic: etag = file.entityTag(variant: coding?.rawValue)
        case .none: etag = nil
        case .custom(let tag): etag = coding.map { ETag(tag.value + "-" + $0.rawValue, weak: tag.isWeak) } ?? tag
        }
        let lastModified: Int?
        switch options.lastModified {
        case .automatic: lastModified = file.modificationSeconds
        case .none: lastModified = nil
        case .custom(let date): lastModified = date
        }
        let type = options.contentType ?? options.mimeTypes.contentType(forPath: path) ?? options.fallbackContentType
        return FileRepresentation(identity: file.identity, etag: etag, etagHeader: etag?.headerValue,
                                  lastModified: lastModified, lastModifiedHeader: lastModified.map(HTTPDate.format),
                                  contentType: type)
    }

    /// The last path component.
    static func baseName(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    /// The name without control characters and path separators (it goes into a header).
    static func sanitizedDownloadName(_ name: String) -> String {
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.filter {
            $0.value >= 0x20 && $0.value != 0x7F && $0 != "/" && $0 != "\\"
        }))
        return cleaned.isEmpty ? "download" : cleaned
    }
}
