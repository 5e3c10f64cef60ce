import Synchronization

/// The last N finished profiles (a bounded ring), and the numbers the sampler needs.
final class ProfileStore: Sendable {
    let capacity: Int
    private let ring: Mutex<(profiles: [FinishedRecord], next: Int)>
    private let nextID = Atomic<Int>(1)
    let sampled = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        ring = Mutex(([], 0))
    }

    func makeID() -> Int { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    func add(_ profile: FinishedRecord) {
        let capacity = self.capacity
        ring.withLock { ring in
            if ring.profiles.count < capacity {
                ring.profiles.append(profile)
            } else {
                ring.profiles[ring.next] = profile
            }
            ring.next = (ring.next + 1) % capacity
        }
    }

    /// The profiles, newest first.
    func all() -> [RequestProfile] {
        let (profiles, next) = ring.withLock { ($0.profiles, $0.next) }
        guard profiles.count == capacity else { return profiles.reversed().map(\.profile) }
        return (profiles[next...] + profiles[..<next]).reversed().map(\.profile)
    }

    func profile(id: Int) -> RequestProfile? { ring.withLock { $0.profiles.first { $0.id == id } }?.profile }
}

/// Per-route percentiles over the profiles in the ring.
struct RouteStatistics: Sendable {
    /// p50/p95/p99 of one series (nanoseconds).
    struct Percentiles: Sendable, Equatable {
        var p50: UInt64
        var p95: UInt64
        var p99: UInt64

        init(_ values: [UInt64]) {
            let sorted = values.sorted()
            func rank(_ q: Double) -> UInt64 {
                guard !sorted.isEmpty else { return 0 }
                let index = Int((q * Double(sorted.count)).rounded(.up)) - 1
                return sorted[min(max(index, 0), sorted.count - 1)]
            }
            p50 = rank(0.50)
            p95 = rank(0.95)
            p99 = rank(0.99)
        }
    }

    var route: String
    var count: Int
    var total: Percentiles
    /// Per layer (and span) name: percentiles of its self time, over the requests where it ran.
    var layers: [(name: String, kind: ProfileFrameKind, selfTime: Percentiles, count: Int)]

    static func compute(_ profiles: [RequestProfile]) -> [RouteStatistics] {
        var order: [String] = []
        var groups: [String: [RequestProfile]] = [:]
        for profile in profiles {
            if groups[profile.routeKey] == nil { order.append(profile.routeKey) }
            groups[profile.routeKey, default: []].append(profile)
        }
        return order.map { key in
            let group = groups[key] ?? []
            var names: [(String, ProfileFrameKind)] = []
            var selfTimes: [String: [UInt64]] = [:]
            for profile in group {
                var perName: [String: UInt64] = [:]
                for frame in profile.frames.dropFirst() {
                    let name = frame.name
                    if perName[name] == nil, selfTimes[name] == nil { names.append((name, frame.kind)) }
                    perName[name, default: 0] &+= frame.selfTime
                }
                for (name, time) in perName { selfTimes[name, default: []].append(time) }
            }
            return RouteStatistics(route: key, count: group.count, total: Percentiles(group.map(\.duration)),
                                   layers: names.map { ($0.0, $0.1, Percentiles(selfTimes[$0.0] ?? []), selfTimes[$0.0]?.count ?? 0) })
        }
    }
}
