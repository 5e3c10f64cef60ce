import Glibc

/// Times every layer of the stack inside it, and the spans the application opens, per request; shows
/// the result in a web UI, in `Server-Timing`, in a text report and in trace files.
///
/// ```swift
/// let app = Stack {
///     Profiler()                        // every layer below is timed, no code in them
///     Compress()
///     Handler { request in
///         try await request.profile.span("db query") { try await Task.sleep(for: .milliseconds(2)) }
///         return "done"
///     }
/// }
/// // http://127.0.0.1:8000/__profiler/ lists the last 100 requests with their flame charts.
/// ```
///
/// The profiler is a ``LayerInstrumenting`` middleware: when the stack is built, each layer inside it
/// (and the terminal handler) is wrapped so that entering and leaving it is timed; a layer's self
/// time is its total minus the time spent in `next`. A synchronous stack stays synchronous. A request
/// that is not sampled (see ``Options/sampling``) pays the sampling decision only: it goes down the
/// same layers built a second time without the profiler's instrumentation (``wrap(_:plain:)``;
/// measured in the Profiling article).
///
/// The UI (``Options/uiPath``) and its data answer only the clients ``Options/authorize`` accepts:
/// by default loopback clients; others get 403. A profile ends when the response's last byte is
/// produced: for a streamed body, when the stream ends (a `response body` frame covers it).
public struct Profiler: LayerInstrumenting {
    /// The options.
    public let options: Options
    let store: ProfileStore

    /// A profiler with `options`.
    public init(options: Options = Options()) {
        self.options = options
        store = ProfileStore(capacity: options.capacity)
    }

    /// The finished profiles the UI shows, newest first.
    public var profiles: [RequestProfile] { store.all() }

    /// The finished profile numbered `id`, while it is in the ring.
    public func profile(id: Int) -> RequestProfile? { store.profile(id: id) }

    /// Whether the request comes from a loopback address (`127.0.0.0/8`, `::1`, `::ffff:127.x.y.z`):
    /// the default of ``Options/authorize``.
    @Sendable
    public static func isLoopback(_ request: Request) -> Bool {
        guard let address = request.remoteAddress else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }

    /// Writes `text` to standard error: the default of ``Report/write``.
    @Sendable
    public static func writeToStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }

    /// The profiler around `next` alone (outside a ``Stack``, where nothing is instrumented): see
    /// ``wrap(_:plain:)``.
    public func wrap(_ next: Handler) -> Handler { wrap(next, plain: { next }) }

    /// The profiler around the layers inside it: the UI at ``Options/uiPath``, every other request
    /// sampled and, when sampled, recorded through `next` (every layer instrumented); a request that
    /// is not sampled goes down `plain()`, the same layers without the profiler's instrumentation, so
    /// it pays the sampling decision only. Synchronous when `next` is.
    public func wrap(_ next: Handler, plain: () -> Handler) -> Handler {
        let engine = ProfilerEngine(options: options, store: store)
        // With every request sampled the plain layers would never run: not built.
        let skipped = engine.samplesEveryRequest ? next : plain()
        let respond: @Sendable (Request) async throws -> Response = { request in
            if engine.isForUI(request), let response = try engine.answerUI(request) { return response }
            guard let recording = engine.begin(request) else { return try await skipped(request) }
            let request = Self.carrying(recording, request)
            do {
                return engine.end(recording, request: request, response: try await next(request))
            } catch {
                engine.end(recording, request: request, error: error)
                throw error
            }
        }
        guard let synchronous = next.synchronous, let skippedSynchronously = skipped.synchronous else {
            return Handler(layers: next.layers, respond, synchronous: nil)
        }
        return Handler(layers: next.layers, respond, synchronous: { request in
            if engine.isForUI(request), let response = try engine.answerUI(request) { return response }
            guard let recording = engine.begin(request) else { return try skippedSynchronously(request) }
            let request = Self.carrying(recording, request)
            // The instrumented layers run on this thread until `synchronous` returns: they find the
            // record in the thread's slot instead of the request's storage.
            let saved = ThreadSlot.current
            ThreadSlot.current = Unmanaged.passUnretained(recording).toOpaque()
            defer { ThreadSlot.current = saved }
            do {
                return engine.end(recording, request: request, response: try synchronous(request))
            } catch {
                engine.end(recording, request: request, error: error)
                throw error
            }
        })
    }

    /// `request` with `recording` in its storage, and notes installed for the record to read the
    /// route from (one allocation for both entries).
    static func carrying(_ recording: Recording, _ request: Request) -> Request {
        var request = request
        request.storage.reserveCapacity(request.storage.count + 2)
        request.storage[RecordingKey.self] = recording
        recording.attach(request.installNotes())
        return request
    }

    /// `layer` timed as a frame of the profile of each sampled request; unsampled requests go
    /// straight through. Keeps the synchronous form.
    public func instrument(_ layer: Handler, _ info: LayerInfo) -> Handler {
        let name = info.name
        let respond: @Sendable (Request) async throws -> Response = { request in
            guard let recording = request.storage[RecordingKey.self] else { return try await layer(request) }
            let frame = recording.enter(name, .layer)
            do {
                let response = try await layer(request)
                recording.exit(frame)
                return response
            } catch {
                recording.exit(frame, failed: true)
                throw error
            }
        }
        guard let synchronous = layer.synchronous else { return Handler(layers: layer.layers, respond, synchronous: nil) }
        return Handler(layers: layer.layers, respond, synchronous: { request in
            // Called from the profiler's synchronous path, the record is in the thread's slot; called
            // from an asynchronous layer's path, it is in the request's storage only.
            guard let recording = ThreadSlot.current.map({ Unmanaged<Recording>.fromOpaque($0).takeUnretainedValue() })
                    ?? request.storage[RecordingKey.self] else { return try synchronous(request) }
            let frame = recording.enter(name, .layer)
            do {
                let response = try synchronous(request)
                recording.exit(frame)
                return response
            } catch {
                recording.exit(frame, failed: true)
                throw error
            }
        })
    }
}
