extension HTTPError {
    /// The response for this error: Werkzeug's HTML page, or JSON
    /// (`{"error":{"code":404,"message":"…","name":"Not Found"}}`) when `json` is true.
    public func response(json: Bool = false) -> Response {
        if !json, message == nil, headers.isEmpty, let page = StandardErrorPages.page(for: status) { return page }
        return rendered(json: json)
    }

    /// The page or JSON rendered for this error's status, message and headers.
    func rendered(json: Bool) -> Response {
        var response: Response
        if status.forbidsBody {
            response = Response(status: status)
        } else if json {
            response = .json(["error": ["code": .int(status.code), "name": .string(name), "message": .string(detail)]],
                             status: status)
        } else {
            let text = HTML.escape(detail).replacingNewlines(with: "<br>")
            response = .html("<!doctype html>\n<html lang=en>\n<title>\(status.code) \(HTML.escape(name))</title>\n"
                             + "<h1>\(HTML.escape(name))</h1>\n<p>\(text)</p>\n", status: status)
        }
        for field in headers { response.headers.add(field.name, field.value) }
        return response
    }

    /// The response for this error, in the format `request` prefers (see ``prefersJSON(_:)``).
    public func response(for request: Request) -> Response {
        response(json: HTTPError.prefersJSON(request))
    }

    /// The response for any error escaping a stack: an ``HTTPError`` renders itself, anything else is a
    /// plain 500 whose body says nothing about the error.
    ///
    /// This is the one place where errors become responses, for the server and the test client
    /// alike: a 5xx is also reported on the error log (``ErrorLog/report(_:status:request:)``,
    /// written to ``Log/current``) with the error's type and description and the request line.
    public static func response(for error: any Error, request: Request) -> Response {
        let response: Response
        if let httpError = error as? HTTPError {
            response = httpError.response(for: request)
        } else {
            response = HTTPError(.internalServerError).response(for: request)
        }
        if response.status.code >= 500 { ErrorLog.report(error, status: response.status, request: request) }
        return response
    }

    /// Whether the client ranks `application/json` above `text/html` in its `Accept` header. Without
    /// an Accept header, a request with a JSON body gets JSON.
    public static func prefersJSON(_ request: Request) -> Bool {
        guard let accept = request.headers.combinedValue(for: "Accept") else { return request.isJSON }
        // Without "json" or a wildcard (`application/*`, `*/*`) JSON scores 0: skip the full parse.
        guard accept.utf8.contains(UInt8(ascii: "*")) || (accept.utf8.count >= 4 && mentionsJSON(accept)) else {
            return false
        }
        let mime = MIMEAccept(parsing: accept)
        return mime.quality(for: "application/json") > mime.quality(for: "text/html")
    }
}

private func mentionsJSON(_ accept: String) -> Bool {
    let bytes = Array(accept.utf8)
    for i in 0...(bytes.count - 4)
    where ASCII.lowercase(bytes[i]) == UInt8(ascii: "j") && ASCII.lowercase(bytes[i + 1]) == UInt8(ascii: "s")
        && ASCII.lowercase(bytes[i + 2]) == UInt8(ascii: "o") && ASCII.lowercase(bytes[i + 3]) == UInt8(ascii: "n") {
        return true
    }
    return false
}

extension String {
    fileprivate func replacingNewlines(with replacement: String) -> String {
        guard utf8.contains(10) else { return self }
        return split(separator: "\n", omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// The HTML page of every 4xx and 5xx status with its standard reason and description, rendered
/// once: a bare `HTTPError(.notFound)` (a router miss, a scanner's probe) costs a copy, not a render.
enum StandardErrorPages {
    static let first = 400
    static let pages: [Response] = (first..<600).map { HTTPError(Status($0)).rendered(json: false) }

    /// The prerendered page for `status`, when it carries its standard reason phrase.
    static func page(for status: Status) -> Response? {
        let index = status.code - first
        guard index >= 0, index < pages.count else { return nil }
        let page = pages[index]
        return page.status.reasonPhrase == status.reasonPhrase ? page : nil
    }
}
