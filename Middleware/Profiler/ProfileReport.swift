/// The per-request text report: one line for the request, then one row per name (layers and spans
/// of the same name summed), sorted and restricted as Werkzeug's `pstats` output is.
enum ProfileReport {
    struct Row: Equatable {
        var name: String
        var kind: ProfileFrameKind
        var calls: Int
        var totalTime: UInt64
        var selfTime: UInt64
    }

    static func rows(for profile: RequestProfile) -> [Row] {
        var rows: [Row] = []
        for frame in profile.frames {
            if let index = rows.firstIndex(where: { $0.name == frame.name && $0.kind == frame.kind }) {
                rows[index].calls += 1
                rows[index].totalTime &+= frame.totalTime
                rows[index].selfTime &+= frame.selfTime
            } else {
                rows.append(Row(name: frame.name, kind: frame.kind, calls: 1, totalTime: frame.totalTime, selfTime: frame.selfTime))
            }
        }
        return rows
    }

    static func sorted(_ rows: [Row], by keys: [Profiler.SortKey]) -> [Row] {
        rows.enumerated().sorted { left, right in
            for key in keys {
                switch key {
                case .selfTime where left.element.selfTime != right.element.selfTime: return left.element.selfTime > right.element.selfTime
                case .totalTime where left.element.totalTime != right.element.totalTime: return left.element.totalTime > right.element.totalTime
                case .calls where left.element.calls != right.element.calls: return left.element.calls > right.element.calls
                case .name where left.element.name != right.element.name: return left.element.name < right.element.name
                default: continue
                }
            }
            return left.offset < right.offset
        }.map(\.element)
    }

    static func restricted(_ rows: [Row], by restrictions: [Profiler.Restriction]) -> [Row] {
        var rows = rows
        for restriction in restrictions {
            switch restriction {
            case .limit(let count): rows = Array(rows.prefix(max(count, 0)))
            case .fraction(let fraction): rows = Array(rows.prefix(Int(Double(rows.count) * min(max(fraction, 0), 1))))
            case .matching(let text): rows = rows.filter { $0.name.contains(text) }
            }
        }
        return rows
    }

    static func text(for profile: RequestProfile, sortBy: [Profiler.SortKey], restrictions: [Profiler.Restriction]) -> String {
        let rows = restricted(sorted(rows(for: profile), by: sortBy), by: restrictions)
        var lines = ["PATH: \(printable(profile.target)) \(profile.method) -> \(profile.status) in \(ServerTiming.milliseconds(profile.duration)) ms (profile \(profile.id))",
                     "  calls    total ms     self ms  kind     name"]
        for row in rows {
            lines.append(pad(String(row.calls), 7) + pad(ServerTiming.milliseconds(row.totalTime), 12)
                         + pad(ServerTiming.milliseconds(row.selfTime), 12) + "  " + row.kind.rawValue.padding(7) + "  " + printable(row.name))
        }
        for counter in profile.counters { lines.append("  counter \(printable(counter.name)) = \(counter.value)") }
        if profile.droppedFrames > 0 { lines.append("  (\(profile.droppedFrames) frames not recorded: over the limit)") }
        return lines.joined(separator: "\n") + "\n\n"
    }

    private static func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(width - text.count, 0)) + text }

    /// Control characters (from a client's path) shown as `?` so the report stays one line per row.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(width - count, 0)) }
}
