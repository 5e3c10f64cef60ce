/// The profile as Chrome trace-event JSON and as speedscope's evented JSON.
enum TraceFormats {
    /// `{"traceEvents": [...], "displayTimeUnit": "ms"}`: one complete (`X`) event per frame, an
    /// instant (`i`) per event, a counter (`C`) per counter, and the process and thread names (`M`).
    static func chromeTrace(_ profile: RequestProfile) -> JSON {
        var events: [JSON] = [
            ["name": "process_name", "ph": "M", "pid": 1, "tid": 1, "args": ["name": "Werk"]],
            ["name": "thread_name", "ph": "M", "pid": 1, "tid": 1, "args": .object(["name": .string("request \(profile.id)")])],
        ]
        for (index, frame) in profile.frames.enumerated() {
            var args: [String: JSON] = ["self_ms": .double(Double(frame.selfTime) / 1e6)]
            if index == 0 { for attribute in profile.attributes { args[attribute.key] = .string(attribute.value) } }
            if frame.failed { args["error"] = true }
            events.append(.object([
                "name": .string(frame.name), "cat": .string(frame.kind.rawValue), "ph": "X",
                "ts": .double(Double(frame.start) / 1000), "dur": .double(Double(frame.totalTime) / 1000),
                "pid": 1, "tid": 1, "args": .object(args),
            ]))
        }
        for event in profile.events {
            events.append(.object(["name": .string(event.name), "cat": "event", "ph": "i", "s": "t",
                                   "ts": .double(Double(event.at) / 1000), "pid": 1, "tid": 1]))
        }
        for counter in profile.counters {
            events.append(.object(["name": .string(counter.name), "cat": "counter", "ph": "C",
                                   "ts": .double(Double(profile.duration) / 1000), "pid": 1,
                                   "args": .object([counter.name: .int(counter.value)])]))
        }
        return .object(["traceEvents": .array(events), "displayTimeUnit": "ms"])
    }

    /// speedscope's file format with one evented profile: `O`/`C` events in time order that nest
    /// (a child overlapping its parent's end is cut at it).
    static func speedscope(_ profile: RequestProfile) -> JSON {
        var frameNames: [String] = []
        var frameIndex: [String: Int] = [:]
        var children = [[Int]](repeating: [], count: profile.frames.count)
        for (index, frame) in profile.frames.enumerated() where frame.parent >= 0 { children[frame.parent].append(index) }
        var events: [JSON] = []
        var clock: UInt64 = 0
        func visit(_ index: Int, limit: UInt64) {
            let frame = profile.frames[index]
            let key = frame.kind.rawValue + ":" + frame.name
            let id: Int
            if let known = frameIndex[key] { id = known } else {
                id = frameNames.count
                frameIndex[key] = id
                frameNames.append(frame.name)
            }
            clock = max(clock, min(frame.start, limit))
            events.append(["type": "O", "frame": .int(id), "at": .int(Int(clock))])
            let end = max(min(frame.end, limit), clock)
            for child in children[index].sorted(by: { profile.frames[$0].start < profile.frames[$1].start }) {
                visit(child, limit: end)
            }
            clock = max(clock, end)
            events.append(["type": "C", "frame": .int(id), "at": .int(Int(clock))])
        }
        if !profile.frames.isEmpty { visit(0, limit: profile.frames[0].end) }
        let name = "\(profile.method) \(profile.path) (profile \(profile.id))"
        return .object([
            "$schema": "https://www.speedscope.app/file-format-schema.json",
            "shared": .object(["frames": .array(frameNames.map { .object(["name": .string($0)]) })]),
            "profiles": .array([.object([
                "type": "evented", "name": .string(name), "unit": "nanoseconds",
                "startValue": 0, "endValue": .int(Int(clock)), "events": .array(events),
            ])]),
            "name": .string(name), "activeProfileIndex": 0, "exporter": "Werk profiler",
        ])
    }
}
