/// A finished profile: one request, its frames (the request, each layer, each span, the streamed
/// body) with their times, its events and counters. Times are nanoseconds from the request's start.
public struct RequestProfile: Sendable, Identifiable {
    /// One timed frame.
    public struct Frame: Sendable, Hashable {
        /// The layer's or span's name (the root is the OpenTelemetry span name, `GET /users/<id>`).
        public var name: String
        /// What the frame is.
        public var kind: ProfileFrameKind
        /// The index of the enclosing frame in ``RequestProfile/frames`` (-1 for the root).
        public var parent: Int
        /// How many frames enclose it (0 for the root).
        public var depth: Int
        /// When it started.
        public var start: UInt64
        /// When it ended.
        public var end: UInt64
        /// Its own time: ``totalTime`` minus the time of the frames directly inside it (for a layer,
        /// the time spent waiting on `next` is taken out).
        public var selfTime: UInt64
        /// Whether it ended by throwing (or, for the root, with a 5xx).
        public var failed: Bool
        /// Whether it was still open when the profile ended (its end is the profile's end).
        public var unfinished: Bool

        /// `end - start`.
        public var totalTime: UInt64 { end &- start }
    }

    /// An instant recorded with ``Profile/event(_:)``.
    public struct Event: Sendable, Hashable {
        /// Its name.
        public var name: String
        /// When it happened.
        public var at: UInt64
        /// The frame it happened in.
        public var frame: Int
    }

    /// The profile's number, increasing from 1.
    public var id: Int
    /// The request's method.
    public var method: String
    /// The request-target as it arrived (path and query).
    public var target: String
    /// `scriptName + pathInfo` as the profiler saw them.
    public var path: String
    /// The route template: ``Profile/route`` when set, else the rule a `Router` matched (its
    /// ``RequestNotes/route``); nil when neither.
    public var route: String?
    /// The response status (the thrown error's status, or 500, when the stack threw).
    public var status: Int
    /// The error type's name when the stack threw.
    public var errorType: String?
    /// Wall-clock start, milliseconds since 1970.
    public var startedAt: Int64
    /// The request's duration, until the last byte of a streamed body.
    public var duration: UInt64
    /// The request body's declared size (Content-Length), if any.
    public var requestSize: Int?
    /// The response body's size: known length, or the bytes a stream produced.
    public var responseSize: Int?
    /// The request's header fields (credentials redacted, at most 100, values cut at 1 KiB).
    public var requestHeaders: [(name: String, value: String)]
    /// The response's header fields (same limits).
    public var responseHeaders: [(name: String, value: String)]
    /// Every frame; the root is first and parents come before their children.
    public var frames: [Frame]
    /// The events, in order.
    public var events: [Event]
    /// The counters, in the order first counted.
    public var counters: [(name: String, value: Int)]
    /// Frames not recorded because the request reached ``Profiler/Options/maxFramesPerRequest``.
    public var droppedFrames: Int

    /// The OpenTelemetry span name: `{method} {route}`, or the method alone without a route;
    /// `HTTP` for a method outside the standard set.
    public var spanName: String {
        guard Self.knownMethods.contains(method) else { return "HTTP" }
        return route.map { method + " " + $0 } ?? method
    }

    /// OpenTelemetry HTTP server attributes: `http.request.method`, `url.path`, `http.route`,
    /// `http.response.status_code`, `error.type`.
    public var attributes: [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        if Self.knownMethods.contains(method) {
            result.append(("http.request.method", method))
        } else {
            result.append(("http.request.method", "_OTHER"))
            result.append(("http.request.method_original", method))
        }
        result.append(("url.path", path))
        if let route { result.append(("http.route", route)) }
        result.append(("http.response.status_code", String(status)))
        if let errorType { result.append(("error.type", errorType)) } else if status >= 500 { result.append(("error.type", String(status))) }
        return result
    }

    /// The key of the per-route view: `{method} {route}`, or `{method} {path}` without a route.
    public var routeKey: String { method + " " + (route ?? path) }

    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]
}

extension RequestProfile {
    /// The frames of a finished record, with depths and self times, relative to the start.
    static func frames(from recorded: [RecordedFrame], start: UInt64) -> [Frame] {
        var frames: [Frame] = []
        frames.reserveCapacity(recorded.count)
        var childTime = [UInt64](repeating: 0, count: recorded.count)
        for (index, frame) in recorded.enumerated() {
            let parent = index == 0 ? -1 : Int(frame.parent)
            let depth = parent >= 0 ? frames[parent].depth + 1 : 0
            let begin = frame.start &- start
            let end = max(frame.end &- start, begin)
            frames.append(Frame(name: frame.name, kind: frame.kind, parent: parent, depth: depth, start: begin,
                                end: end, selfTime: 0, failed: frame.failed, unfinished: !frame.closed))
            if parent >= 0 { childTime[parent] &+= end - begin }
        }
        for index in frames.indices {
            let total = frames[index].totalTime
            frames[index].selfTime = total > childTime[index] ? total - childTime[index] : 0
        }
        return frames
    }

    /// Header fields as shown: credentials redacted, bounded in count and length.
    static func shown(_ headers: Headers) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for field in headers.prefix(100) {
            let lower = field.name.lowercased()
            let secret = lower == "cookie" || lower == "set-cookie" || lower == "authorization"
                || lower == "proxy-authorization" || lower == "x-api-key"
            let value = secret ? "[redacted]" : (field.value.utf8.count > 1024 ? String(field.value.prefix(1024)) + "…" : field.value)
            result.append((field.name, value))
        }
        return result
    }
}

/// A finished record as the ring keeps it: the raw frames and the request's and response's values,
/// turned into a ``RequestProfile`` only when someone looks (the UI, the report, the files), so a
/// profiled request pays for recording and not for presentation.
struct FinishedRecord: Sendable {
    var id: Int
    var method: String
    var target: String
    var scriptName: String
    var pathInfo: String
    var status: Int
    var errorType: String?
    var startedAt: Int64
    var startTime: UInt64
    var requestSize: Int?
    var responseSize: Int?
    var requestHeaders: Headers
    var responseHeaders: Headers?
    var state: Recording.State

    var profile: RequestProfile {
        var profile = RequestProfile(
            id: id, method: method, target: target, path: scriptName + pathInfo, route: state.route, status: status,
            errorType: errorType, startedAt: startedAt, duration: 0, requestSize: requestSize, responseSize: responseSize,
            requestHeaders: RequestProfile.shown(requestHeaders),
            responseHeaders: responseHeaders.map { RequestProfile.shown($0) } ?? [],
            frames: RequestProfile.frames(from: state.frames, start: startTime),
            events: state.events.map { RequestProfile.Event(name: $0.name, at: $0.at &- startTime, frame: Int($0.frame)) },
            counters: state.counters, droppedFrames: state.dropped)
        profile.frames[0].name = profile.spanName
        profile.duration = profile.frames[0].totalTime
        return profile
    }
}
