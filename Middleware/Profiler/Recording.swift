import Synchronization

/// What a frame of a profile is.
public enum ProfileFrameKind: String, Sendable, Hashable {
    /// The whole request (the profile's root).
    case request
    /// A layer of the stack, or its terminal handler.
    case layer
    /// A span opened with `request.profile.span(_:_:)` (synchronous or asynchronous).
    case span
    /// Sending a streamed response body, from the handler's answer to the last chunk.
    case body
}

/// One timed frame while it is being recorded (times are the clock's nanoseconds).
struct RecordedFrame: Sendable {
    var name: String
    var kind: ProfileFrameKind
    var parent: Int32
    var start: UInt64
    var end: UInt64 = 0
    var failed = false
    var closed = false
}

/// The per-request record the profiler keeps in the request's storage. Layers and spans of one
/// request may run on several threads (child tasks), so the record is behind a lock; each entry
/// and exit takes it once.
@usableFromInline
final class Recording: Sendable {
    struct State: Sendable {
        var frames: [RecordedFrame] = []
        var open: [Int32] = []
        var events: [(name: String, at: UInt64, frame: Int32)] = []
        var counters: [(name: String, value: Int)] = []
        var route: String? = nil
        /// The request's notes, where a router writes the route it matched.
        var notes: RequestNotes? = nil
        var dropped = 0
        /// How many asynchronous spans are open: while none is, no task-local context of this
        /// record can be bound, and opening one does not read it.
        var openAsynchronousSpans = 0
        var finished = false

        /// The innermost open layer or synchronous span (the root when none).
        var innermost: Int32 { open.last ?? 0 }

        /// Appends a frame opened at `now` under `parent` and returns its index; -1 (counted as
        /// dropped) once the record is finished or holds `maxFrames` frames.
        @inline(__always)
        mutating func append(_ name: String, _ kind: ProfileFrameKind, parent: Int32, at now: UInt64, maxFrames: Int) -> Int32 {
            guard !finished, frames.count < maxFrames else {
                dropped += 1
                return -1
            }
            frames.append(RecordedFrame(name: name, kind: kind, parent: parent, start: now))
            return Int32(truncatingIfNeeded: frames.count - 1)
        }
    }

    let id: Int
    let clock: ProfilerClock
    let startTime: UInt64
    let wallStart: Int64
    let maxFrames: Int
    let state: Mutex<State>

    init(id: Int, clock: ProfilerClock, rootName: String, maxFrames: Int) {
        self.id = id
        self.clock = clock
        self.maxFrames = max(maxFrames, 1)
        wallStart = ProfilerClock.wallMilliseconds()
        let start = clock.now()
        startTime = start
        var initial = State()
        initial.frames.reserveCapacity(16)
        initial.frames.append(RecordedFrame(name: rootName, kind: .request, parent: -1, start: start))
        initial.open.reserveCapacity(16)
        initial.open.append(0)
        state = Mutex(initial)
    }

    /// Opens a layer (or body) frame under the innermost open layer; returns its index (-1 when not
    /// recorded). Layers of one request nest strictly (each calls `next` once), so they keep a stack.
    @inline(__always)
    func enter(_ name: String, _ kind: ProfileFrameKind) -> Int32 {
        let now = clock.now()
        let maxFrames = self.maxFrames
        return state.withLock { state -> Int32 in
            let index = state.append(name, kind, parent: state.innermost, at: now, maxFrames: maxFrames)
            if index >= 0 { state.open.append(index) }
            return index
        }
    }

    /// Opens a span frame. Its parent is the asynchronous span whose body it runs in (`within`, from
    /// the task-local context, which child tasks inherit) or the innermost open layer or synchronous
    /// span, whichever was entered last: asynchronous spans started side by side in child tasks are
    /// siblings, not nested in each other. A synchronous span (`stacked`) cannot suspend, so it goes
    /// on the stack like a layer instead of paying for a task-local value.
    @usableFromInline
    func enterSpan(_ name: String, within: Int32?, stacked: Bool) -> Int32 {
        let now = clock.now()
        let maxFrames = self.maxFrames
        return state.withLock { state -> Int32 in
            let index = state.append(name, .span, parent: max(within ?? 0, state.innermost), at: now, maxFrames: maxFrames)
            if stacked && index >= 0 { state.open.append(index) }
            return index
        }
    }

    /// Opens an asynchronous span frame: ``enterSpan(_:within:stacked:)`` with `within` read from the
    /// task-local context, only while another asynchronous span of this record is open (only then can
    /// a context of this record be bound: the common sequence of spans in a handler skips the read).
    @usableFromInline
    func enterAsynchronousSpan(_ name: String) -> Int32 {
        let now = clock.now()
        let maxFrames = self.maxFrames
        return state.withLock { state -> Int32 in
            let within = state.openAsynchronousSpans > 0 ? SpanContext.frame(in: self) : nil
            let index = state.append(name, .span, parent: max(within ?? 0, state.innermost), at: now, maxFrames: maxFrames)
            if index >= 0 { state.openAsynchronousSpans += 1 }
            return index
        }
    }

    /// Closes the asynchronous span frame `index` (a no-op for -1).
    @usableFromInline
    func exitAsynchronousSpan(_ index: Int32, failed: Bool = false) {
        guard index >= 0 else { return }
        let now = clock.now()
        state.withLock { state in
            state.openAsynchronousSpans -= 1
            guard !state.finished else { return }
            let i = Int(index)
            state.frames[i].end = now
            state.frames[i].failed = failed
            state.frames[i].closed = true
        }
    }

    /// Closes the frame `index` (a no-op for -1).
    @usableFromInline
    func exit(_ index: Int32, failed: Bool = false) {
        guard index >= 0 else { return }
        let now = clock.now()
        state.withLock { state in
            guard !state.finished else { return }
            let i = Int(index)
            state.frames[i].end = now
            state.frames[i].failed = failed
            state.frames[i].closed = true
            if state.open.last == index {
                state.open.removeLast()
            } else if let position = state.open.lastIndex(of: index) {
                state.open.remove(at: position)
            }
        }
    }

    func event(_ name: String, within: Int32?) {
        let now = clock.now()
        state.withLock { state in
            guard !state.finished, state.events.count < maxFrames else { return }
            state.events.append((name, now, max(within ?? 0, state.innermost)))
        }
    }

    func count(_ name: String, by amount: Int) {
        state.withLock { state in
            guard !state.finished else { return }
            if let index = state.counters.firstIndex(where: { $0.name == name }) {
                state.counters[index].value &+= amount
            } else if state.counters.count < 256 {
                state.counters.append((name, amount))
            }
        }
    }

    var route: String? {
        get { state.withLock { $0.route } }
        set { state.withLock { $0.route = newValue } }
    }

    /// Keeps the request's notes: when the record finishes without a route set by hand, the route
    /// a router noted there is the profile's.
    func attach(_ notes: RequestNotes) { state.withLock { $0.notes = notes } }

    /// The frames so far, the open ones ending now (for `Server-Timing`, sent before the end).
    func framesSoFar() -> [RecordedFrame] {
        let now = clock.now()
        var frames = state.withLock { $0.frames }
        for index in frames.indices where !frames[index].closed { frames[index].end = now }
        return frames
    }

    /// Ends the record at `now`: closes the root and whatever is still open, and returns the state.
    func finish(failed: Bool) -> State? {
        let now = clock.now()
        return state.withLock { state -> State? in
            guard !state.finished else { return nil }
            state.finished = true
            for index in state.frames.indices where !state.frames[index].closed {
                state.frames[index].end = now
            }
            state.frames[0].closed = true
            state.frames[0].failed = failed
            // A route set with `request.profile.route` wins over the one a router noted.
            if state.route == nil, let notes = state.notes { state.route = notes.route }
            state.notes = nil
            return state
        }
    }
}

/// The span whose body is running, per task (child tasks inherit it): the parent of spans and events
/// opened there.
@usableFromInline
struct SpanContext: Sendable {
    let recording: ObjectIdentifier
    let frame: Int32

    @usableFromInline
    init(recording: Recording, frame: Int32) {
        self.recording = ObjectIdentifier(recording)
        self.frame = frame
    }

    @usableFromInline
    static let current = TaskLocal<SpanContext?>(wrappedValue: nil)

    /// The current span's frame when it belongs to `recording`.
    @usableFromInline
    static func frame(in recording: Recording) -> Int32? {
        guard let context = current.get(), context.recording == ObjectIdentifier(recording) else { return nil }
        return context.frame
    }
}

/// The storage key under which a profiled request carries its record.
enum RecordingKey: StorageKey { typealias Value = Recording }

/// The profile of the request being answered: spans, events and counters that the profiler shows
/// with the layers. When the request is not profiled (no ``Profiler`` in the stack, or not sampled)
/// every call just runs its body.
///
/// ```swift
/// let rows = try await request.profile.span("db query") { try await database.fetch() }
/// request.profile.count("cache.miss")
/// request.profile.event("user loaded")
/// ```
public struct Profile: Sendable {
    @usableFromInline
    let recording: Recording?

    /// Whether this request is being profiled.
    public var isRecording: Bool { recording != nil }

    /// The profile's id in the UI, when recording.
    public var id: Int? { recording?.id }

    /// Times `body` as a span named `name`, nested in the layer or span around it.
    public func span<Result>(_ name: String, _ body: () throws -> Result) rethrows -> Result {
        guard let recording else { return try body() }
        let frame = recording.enterSpan(name, within: SpanContext.frame(in: recording), stacked: true)
        do {
            let result = try body()
            recording.exit(frame)
            return result
        } catch {
            recording.exit(frame, failed: true)
            throw error
        }
    }

    /// Times the asynchronous `body` as a span named `name`, nested in the layer or span around it;
    /// spans that child tasks of `body` open are nested in this one.
    @inlinable
    public nonisolated(nonsending) func span<Result>(_ name: String,
                                                    _ body: nonisolated(nonsending) () async throws -> Result) async rethrows -> Result {
        guard let recording else { return try await body() }
        let frame = recording.enterAsynchronousSpan(name)
        guard frame >= 0 else { return try await body() }
        do {
            let result = try await SpanContext.current.withValue(SpanContext(recording: recording, frame: frame),
                                                                   operation: body)
            recording.exitAsynchronousSpan(frame)
            return result
        } catch {
            recording.exitAsynchronousSpan(frame, failed: true)
            throw error
        }
    }

    /// Records an instant named `name` in the innermost open span or layer.
    public func event(_ name: String) {
        guard let recording else { return }
        recording.event(name, within: SpanContext.frame(in: recording))
    }

    /// Adds `amount` to the counter `name` (at most 256 counters per request).
    public func count(_ name: String, by amount: Int = 1) { recording?.count(name, by: amount) }

    /// The route template the request matched (`/users/<int:id>`), for the span name, the per-route
    /// view and `http.route`. A `Router` inside the profiler provides it without this (through
    /// ``RequestNotes``); a value set here wins. Reading gives only what was set here. Nil everywhere:
    /// the profile is grouped by its path.
    public var route: String? {
        get { recording?.route }
        nonmutating set { recording?.route = newValue }
    }
}

extension Request {
    /// The profile of this request (see ``Profile``); inert when the request is not profiled.
    public var profile: Profile { Profile(recording: storage[RecordingKey.self]) }
}
