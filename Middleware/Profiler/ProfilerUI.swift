/// The web UI: a page, its script and style, and JSON under the UI's path. Every answer is refused
/// (403) unless `authorize` accepts the request.
struct ProfilerUI: Sendable {
    /// `/__profiler` (no trailing slash).
    let base: String
    let store: ProfileStore
    let authorize: @Sendable (Request) -> Bool

    init(path: String, store: ProfileStore, authorize: @escaping @Sendable (Request) -> Bool) {
        var base = path.hasPrefix("/") ? path : "/" + path
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.store = store
        self.authorize = authorize
    }

    /// The UI's answer when `request` is for the UI, nil otherwise (the request goes on).
    @inline(__always)
    func respond(to request: Request) throws -> Response? {
        let path = request.pathInfo.utf8
        guard path.count >= base.utf8.count, path.starts(with: base.utf8) else { return nil }
        let rest = path.dropFirst(base.utf8.count)
        if rest.isEmpty { return try answer(request, page: "") }
        guard rest.first == UInt8(ascii: "/") else { return nil }
        return try answer(request, page: String(Substring(rest.dropFirst())))
    }

    private func answer(_ request: Request, page: String) throws -> Response {
        guard authorize(request) else {
            throw HTTPError(.forbidden, "The profiler's pages answer only clients its authorize check accepts "
                            + "(by default, loopback addresses).")
        }
        guard request.method == .get || request.method == .head else {
            throw HTTPError(.methodNotAllowed, "The profiler's pages are read-only: use GET.", headers: ["Allow": "GET, HEAD"])
        }
        switch page {
        case "":
            if !request.pathInfo.hasSuffix("/") {
                return Response.redirect(to: ProfilerLinks.encoded(request.scriptName + base) + "/", status: .movedPermanently)
            }
            return asset(ProfilerAssets.html, type: "text/html; charset=utf-8")
        case "app.js": return asset(ProfilerAssets.script, type: "text/javascript; charset=utf-8")
        case "app.css": return asset(ProfilerAssets.style, type: "text/css; charset=utf-8")
        case "api/profiles": return json(.array(store.all().map(ProfileJSON.summary)))
        case "api/routes": return json(.array(RouteStatistics.compute(store.all()).map(ProfileJSON.route)))
        default:
            return try profilePage(page)
        }
    }

    /// `api/profiles/<id>`, `profiles/<id>.trace.json`, `profiles/<id>.speedscope.json`.
    private func profilePage(_ page: String) throws -> Response {
        let notFound = HTTPError(.notFound, "No such profiler page, or the profile left the ring of the last \(store.capacity).")
        if page.hasPrefix("api/profiles/") {
            guard let id = Int(page.dropFirst("api/profiles/".count)), let profile = store.profile(id: id) else { throw notFound }
            return json(ProfileJSON.detail(profile))
        }
        guard page.hasPrefix("profiles/") else { throw notFound }
        let file = page.dropFirst("profiles/".count)
        for format in Profiler.FileFormat.allCases where file.hasSuffix(format.fileExtension) {
            guard let id = Int(file.dropLast(format.fileExtension.count)), let profile = store.profile(id: id) else { throw notFound }
            var response = json(format == .chromeTrace ? TraceFormats.chromeTrace(profile) : TraceFormats.speedscope(profile))
            response.headers.set("Content-Disposition", "attachment; filename=\"profile-\(id)\(format.fileExtension)\"")
            return response
        }
        throw notFound
    }

    private func asset(_ text: String, type: String) -> Response {
        var response = Response(status: .ok, contentType: type, bytes: Array(text.utf8))
        secure(&response)
        return response
    }

    private func json(_ value: JSON) -> Response {
        var response = Response(status: .ok, contentType: "application/json", bytes: value.serializedBytes())
        secure(&response)
        return response
    }

    /// The UI runs only its own script and style, is not framed, sniffed or cached.
    private func secure(_ response: inout Response) {
        response.headers.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                             + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        response.headers.set("X-Content-Type-Options", "nosniff")
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("Referrer-Policy", "no-referrer")
    }
}

/// The JSON the UI reads.
enum ProfileJSON {
    static func summary(_ profile: RequestProfile) -> JSON {
        var object: [String: JSON] = [
            "id": .int(profile.id), "method": .string(profile.method), "path": .string(profile.path),
            "target": .string(profile.target), "routeKey": .string(profile.routeKey), "status": .int(profile.status),
            "startedAt": .int(Int(profile.startedAt)), "duration": .int(Int(profile.duration)),
            "name": .string(profile.spanName), "frames": .int(profile.frames.count),
        ]
        if let route = profile.route { object["route"] = .string(route) }
        if let size = profile.requestSize { object["requestSize"] = .int(size) }
        if let size = profile.responseSize { object["responseSize"] = .int(size) }
        return .object(object)
    }

    static func detail(_ profile: RequestProfile) -> JSON {
        guard case .object(var object) = summary(profile) else { return .null }
        object["frames"] = .array(profile.frames.map { frame in
            .object(["name": .string(frame.name), "kind": .string(frame.kind.rawValue), "parent": .int(frame.parent),
                     "depth": .int(frame.depth), "start": .int(Int(frame.start)), "end": .int(Int(frame.end)),
                     "self": .int(Int(frame.selfTime)), "failed": .bool(frame.failed), "unfinished": .bool(frame.unfinished)])
        })
        object["events"] = .array(profile.events.map { .object(["name": .string($0.name), "at": .int(Int($0.at)), "frame": .int($0.frame)]) })
        object["counters"] = .array(profile.counters.map { .array([.string($0.name), .int($0.value)]) })
        object["requestHeaders"] = .array(profile.requestHeaders.map { .array([.string($0.name), .string($0.value)]) })
        object["responseHeaders"] = .array(profile.responseHeaders.map { .array([.string($0.name), .string($0.value)]) })
        object["attributes"] = .array(profile.attributes.map { .array([.string($0.key), .string($0.value)]) })
        object["droppedFrames"] = .int(profile.droppedFrames)
        if let error = profile.errorType { object["errorType"] = .string(error) }
        return .object(object)
    }

    static func route(_ statistics: RouteStatistics) -> JSON {
        func percentiles(_ p: RouteStatistics.Percentiles) -> JSON {
            .object(["p50": .int(Int(p.p50)), "p95": .int(Int(p.p95)), "p99": .int(Int(p.p99))])
        }
        return .object([
            "route": .string(statistics.route), "count": .int(statistics.count), "total": percentiles(statistics.total),
            "layers": .array(statistics.layers.map { .object(["name": .string($0.name), "kind": .string($0.kind.rawValue),
                                                              "count": .int($0.count), "self": percentiles($0.selfTime)]) }),
        ])
    }
}
