import Synchronization

/// What the profiler does per request: decide whether to sample, start the record, and when the
/// response is known (or its stream has ended) turn the record into a ``RequestProfile`` and send
/// it to the ring, the report and the files.
final class ProfilerEngine: Sendable {
    let options: Options
    let store: ProfileStore
    /// The sampling decision's inputs, unpacked once so that an unsampled request touches only these.
    private let mode: Mode
    private let everyNth: Int
    private let header: String
    private let cookiePrefix: String
    private let authorize: @Sendable (Request) -> Bool

    typealias Options = Profiler.Options
    private enum Mode { case every, nth, requested, never }

    /// Whether every request is sampled (no request takes the uninstrumented layers).
    var samplesEveryRequest: Bool { mode == .every }

    private let ui: ProfilerUI?
    /// The UI's path without its trailing slash (empty: no UI), compared with each request's path.
    private let uiBase: String

    init(options: Options, store: ProfileStore) {
        self.options = options
        self.store = store
        ui = options.uiPath.map { ProfilerUI(path: $0, store: store, authorize: options.authorize) }
        uiBase = ui?.base ?? ""
        authorize = options.authorize
        var nth = 1, header = "", cookiePrefix = ""
        switch options.sampling {
        case .everyRequest: mode = .every
        case .everyNth(let n): mode = .nth; nth = max(n, 1)
        case .requested(let name, let cookie): mode = .requested; header = name; cookiePrefix = cookie + "="
        case .never: mode = .never
        }
        everyNth = nth
        self.header = header
        self.cookiePrefix = cookiePrefix
    }

    /// Whether the request is for the UI (its path starts with the UI's path): one byte comparison
    /// for most requests.
    @inline(__always)
    func isForUI(_ request: Request) -> Bool {
        let base = uiBase.utf8, path = request.pathInfo.utf8
        guard !base.isEmpty, path.count >= base.count else { return false }
        return path.starts(with: base)
    }

    /// The UI's answer; nil when the path only starts like the UI's (`/__profilerX`).
    func answerUI(_ request: Request) throws -> Response? { try ui?.respond(to: request) }

    /// A new record when `request` is sampled, nil otherwise.
    @inline(__always)
    func begin(_ request: Request) -> Recording? {
        switch mode {
        case .every:
            break
        case .nth:
            guard store.sampled.wrappingAdd(1, ordering: .relaxed).oldValue % everyNth == 0 else { return nil }
        case .requested:
            guard isRequested(request, header: header), authorize(request) else { return nil }
        case .never:
            return nil
        }
        return Recording(id: store.makeID(), clock: options.clock, rootName: request.method.rawValue,
                         maxFrames: options.maxFramesPerRequest)
    }

    /// Whether the request carries the header or the cookie: one pass over the header fields, read in
    /// place; names are compared only when their lengths match, and nothing is allocated unless a
    /// `Cookie` field mentions the cookie.
    private func isRequested(_ request: Request, header: String) -> Bool {
        let headerLength = header.utf8.count, cookiePrefix = self.cookiePrefix
        return request.headers.fields.withUnsafeBufferPointer { fields in
            for index in fields.indices {
                let length = fields[index].name.utf8.count
                if length == headerLength, ASCII.equalsIgnoringCase(fields[index].name, header) { return true }
                if length == 6, ASCII.equalsIgnoringCase(fields[index].name, "Cookie"), fields[index].value.contains(cookiePrefix),
                   request.cookies[String(cookiePrefix.dropLast())] != nil {
                    return true
                }
            }
            return false
        }
    }

    /// The response, with the profile's link and `Server-Timing`; the profile ends now, or when a
    /// streamed body ends.
    func end(_ recording: Recording, request: Request, response: Response) -> Response {
        var response = response
        if options.serverTiming {
            response.headers.add("Server-Timing", ServerTiming.header(for: recording, entries: options.serverTimingEntries))
        }
        if options.links != .none, let uiPath = options.uiPath {
            let link = ProfilerLinks.link(request: request, uiPath: uiPath, id: recording.id)
            if options.links == .toolbar, let injected = ProfilerLinks.injectToolbar(into: response, link: link, recording: recording) {
                response = injected
            } else {
                response.headers.set(ProfilerLinks.headerName, link)
            }
        }
        guard case .stream(let stream, let length) = response.body else {
            complete(recording, request: request, response: response, responseSize: response.body.knownLength, error: nil)
            return response
        }
        let bodyFrame = recording.enter("response body", .body)
        let answered = response  // its body is the handler's stream, which knows nothing of the watcher (no cycle)
        let watcher = StreamWatcher { [self] sent, failed in
            recording.exit(bodyFrame, failed: failed)
            complete(recording, request: request, response: answered, responseSize: sent, error: nil)
        }
        response.body = .stream(ByteStream {
            var pulling = stream.makeAsyncIterator()
            do {
                guard let chunk = try await pulling.next() else {
                    watcher.ended(failed: false)
                    return nil
                }
                watcher.add(chunk.count)
                return chunk
            } catch {
                watcher.ended(failed: true)
                throw error
            }
        }, length: length)
        return response
    }

    /// The stack threw: the profile ends with the error's status.
    func end(_ recording: Recording, request: Request, error: any Error) {
        complete(recording, request: request, response: nil, responseSize: nil, error: error)
    }

    private func complete(_ recording: Recording, request: Request, response: Response?, responseSize: Int?, error: (any Error)?) {
        let status = response?.status.code ?? (error as? HTTPError)?.status.code ?? 500
        guard let state = recording.finish(failed: error != nil || status >= 500) else { return }
        let record = FinishedRecord(
            id: recording.id, method: request.method.rawValue, target: request.target, scriptName: request.scriptName,
            pathInfo: request.pathInfo, status: status, errorType: error.map { String(describing: type(of: $0)) },
            startedAt: recording.wallStart, startTime: recording.startTime, requestSize: request.contentLength,
            responseSize: responseSize, requestHeaders: request.headers, responseHeaders: response?.headers, state: state)
        store.add(record)
        guard options.report != nil || options.profileDirectory != nil else { return }
        let profile = record.profile
        if let report = options.report { report.write(ProfileReport.text(for: profile, sortBy: report.sortBy, restrictions: report.restrictions)) }
        if let directory = options.profileDirectory {
            ProfileFiles.write(profile, directory: directory, format: options.filenameFormat, formats: options.fileFormats)
        }
    }
}

/// Counts the bytes of a streamed body and reports its end once: at the last chunk, at an error, or
/// when the stream is dropped unread (the client went away).
final class StreamWatcher: Sendable {
    private let state = Mutex<(sent: Int, done: Bool)>((0, false))
    private let onEnd: @Sendable (Int, Bool) -> Void

    init(onEnd: @escaping @Sendable (Int, Bool) -> Void) { self.onEnd = onEnd }

    func add(_ count: Int) { state.withLock { $0.sent &+= count } }

    func ended(failed: Bool) {
        let sent: Int? = state.withLock { state in
            if state.done { return nil }
            state.done = true
            return state.sent
        }
        if let sent { onEnd(sent, failed) }
    }

    deinit { ended(failed: true) }
}
