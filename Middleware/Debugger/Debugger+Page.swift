extension DebuggerContext {
    /// The 500 for an error that reached the Debugger: the page (HTML, JSON or text by `Accept`),
    /// logged as a text traceback. A client that may not see pages (not loopback, untrusted Host)
    /// gets the error rethrown: the adapter's plain 500, which reveals nothing.
    func page(for error: any Error, request outerRequest: Request, trail: DebuggerTrail, layers: [String]) async throws -> Response {
        guard clientAllowed(outerRequest), hostTrusted(outerRequest) else { throw error }
        // The request as the innermost layer the error left saw it (with that layer's storage).
        let marks = trail.marks(for: DiagnosticError.errors(from: error))
        let request = marks.first?.request ?? outerRequest
        let report = await makeReport(for: error, request: request, layers: layers, markedDepth: marks.first?.depth)
        ErrorLog.report(error, status: .internalServerError, request: request)
        Log.current.error("\(request.method) \(request.target) failed:\n" + DiagnosticPage.text(report), label: "debugger")

        let accept = request.headers.combinedValue(for: "Accept") ?? ""
        if HTTPError.prefersJSON(request) {
            return Response.json(DiagnosticPage.json(report), status: .internalServerError)
        }
        guard accept.contains("text/html") || accept.contains("application/xhtml") else {
            return Response.text(DiagnosticPage.text(report), status: .internalServerError)
        }
        let id = (try? randomToken(bytes: 12)) ?? String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let secret = (try? randomToken(bytes: 20)) ?? ""
        let page = DebuggerPage(id: id, secret: secret, error: error, request: request)
        pages.withLock { pages in
            pages.append(page)
            if pages.count > max(1, configuration.pagesKept) { pages.removeFirst(pages.count - max(1, configuration.pagesKept)) }
        }
        let now = LogRecord.now()
        let cookie = request.cookies[pin.cookieName]
        let unlocked = pin.pin == nil || cookie.map { pin.acceptsCookie($0, now: now) } == true
        let inspector = DiagnosticPage.InspectorEmbedding(
            endpoint: request.scriptName + configuration.endpointPath, pageID: id, secret: secret,
            pinRequired: !unlocked, roots: inspectorRoots(for: page).map(\.name))
        let options = DiagnosticPage.Options(editorURL: configuration.editorURL, curlCommand: Self.curlCommand(for: request),
                                             inspector: inspector)
        var response = Response.html(DiagnosticPage.html(report, options: options), status: .internalServerError)
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("X-Content-Type-Options", "nosniff")
        return response
    }

    /// The report: the error chain, the throw site of the outermost error that has one (else the
    /// catch site), the layers, the request's data.
    func makeReport(for error: any Error, request: Request, layers inner: [String], markedDepth: Int?) async -> DiagnosticReport {
        let chain = DiagnosticError.errors(from: error)
        var notes: [String] = []
        var frames: [DiagnosticFrame] = []
        var origin = DiagnosticReport.FramesOrigin.throwSite
        if let index = chain.firstIndex(where: { ThrowSites.backtrace(for: $0) != nil }),
           let backtrace = ThrowSites.backtrace(for: chain[index]) {
            frames = backtrace.frames()
            if index > 0 { notes.append("The frames are where the underlying \(String(reflecting: type(of: chain[index]))) was thrown.") }
        } else {
            origin = .catchSite
            frames = CapturedBacktrace.here()?.frames() ?? []
            notes.append("Nothing was recorded where the error was thrown (a typed throw, or a throw before the Debugger "
                         + "was installed): the frames are where the Debugger caught it.")
        }
        // `inner` are the layers inside the Debugger, one name each, outermost (depth 1) first.
        let marked = (markedDepth ?? 0) - 1
        let layers = [DiagnosticLayer("Debugger")] + inner.enumerated().map { DiagnosticLayer($1, isMarked: $0 == marked) }
        return DiagnosticReport(errors: chain.map(DiagnosticError.init), frames: frames, framesOrigin: origin,
                                layers: layers, sections: await Self.sections(for: request), notes: notes)
    }

    /// The named values the inspector starts from.
    func inspectorRoots(for page: DebuggerPage) -> [(name: String, value: Any)] {
        var roots: [(name: String, value: Any)] = [("error", page.error), ("request", page.request)]
        let values = Self.storageValues(page.request.storage)
        if let session = values.first(where: { String(describing: type(of: $0)).hasSuffix("Session") }) {
            roots.append(("session", session))
        }
        roots.append(("storage", values.map(StorageValue.init)))
        return roots
    }

    /// The values in a request's storage (read with `Mirror`: the storage's entries are its own).
    static func storageValues(_ storage: Storage) -> [Any] {
        guard let entries = Mirror(reflecting: storage).children.first(where: { $0.label == "entries" })?.value else { return [] }
        return Mirror(reflecting: entries).children.compactMap { entry in
            Mirror(reflecting: entry.value).children.first { $0.label == "value" }.map { Inspector.unwrapped($0.value) }
        }
    }

    static func sections(for request: Request) async -> [DiagnosticSection] {
        var overview = [
            DiagnosticField("method", request.method.description), DiagnosticField("URL", request.url),
            DiagnosticField("target", request.target), DiagnosticField("version", request.version.description),
            DiagnosticField("script name", request.scriptName), DiagnosticField("path info", request.pathInfo),
        ]
        if let remote = request.remoteAddress { overview.append(DiagnosticField("remote address", remote)) }
        var sections = [
            DiagnosticSection("Request", overview),
            DiagnosticSection("Headers", request.headers.map { DiagnosticField($0.name, $0.value) }),
            DiagnosticSection("Cookies", request.cookies.map { DiagnosticField($0.key, $0.value) }),
        ]
        if let query = try? request.query {
            sections.append(DiagnosticSection("Query", query.map { DiagnosticField($0.key, $0.value) }))
        } else {
            sections.append(DiagnosticSection("Query", [DiagnosticField("(malformed)", request.queryString)]))
        }
        let formTypes = ["application/x-www-form-urlencoded", "multipart/form-data"]
        if request.body.isBuffered, let type = request.mimeType, formTypes.contains(type), let form = try? await request.form() {
            sections.append(DiagnosticSection("Form", form.map { DiagnosticField($0.key, $0.value) }))
        }
        let values = storageValues(request.storage)
        if let session = values.first(where: { String(describing: type(of: $0)).hasSuffix("Session") }) {
            let fields = Mirror(reflecting: session).children.map {
                DiagnosticField($0.label ?? "?", clipped(String(describing: Inspector.unwrapped($0.value))))
            }
            sections.append(DiagnosticSection("Session", fields))
        }
        sections.append(DiagnosticSection("Storage", values.map {
            DiagnosticField(String(reflecting: type(of: $0)), clipped(String(describing: $0)))
        }))
        return sections
    }

    static func clipped(_ text: String, to limit: Int = 4_000) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    /// `curl` repeating the request (method, URL, headers; a body is not repeated).
    static func curlCommand(for request: Request) -> String {
        func quoted(_ text: String) -> String { "'" + text.replacing("'", with: "'\\''") + "'" }
        var parts = ["curl"]
        if request.method != .get { parts += ["-X", quoted(request.method.description)] }
        parts.append(quoted(request.url))
        for field in request.headers where ASCII.lowercased(field.name) != "content-length" {
            parts += ["-H", quoted("\(field.name): \(field.value)")]
        }
        return parts.joined(separator: " ")
    }
}

/// A storage value in the inspector, labelled with its type.
struct StorageValue: CustomReflectable {
    let value: Any
    var customMirror: Mirror {
        Mirror(self, children: [String(reflecting: type(of: value)): value as Any], displayStyle: .struct)
    }
}
