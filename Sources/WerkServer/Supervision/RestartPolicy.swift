/// When a supervisor restarts a crashed worker, and when it gives up: exponential backoff per slot
/// (a slot whose workers keep crashing waits 50 ms, 100 ms, 200 ms, ... up to 5 s; a worker that
/// ran 10 s resets its slot) and a restart intensity, as an Erlang supervisor's: more than
/// `maxRestarts` restarts within `window` and the supervisor stops.
package struct RestartPolicy: Sendable {
    /// The most restarts within ``window``.
    package var maxRestarts: Int
    /// The intensity window, in nanoseconds.
    package var window: UInt64
    /// The first delay of a slot's crash streak, in nanoseconds (then doubled per crash).
    package var baseDelay: UInt64 = 50_000_000
    /// The longest delay, in nanoseconds.
    package var maxDelay: UInt64 = 5_000_000_000
    /// How long a worker must have run for its crash to start a new streak, in nanoseconds.
    package var healthyAfter: UInt64 = 10_000_000_000

    private var restarts: [UInt64] = []
    private var streaks: [Int: Int] = [:]

    /// A policy allowing `maxRestarts` restarts per `window` nanoseconds.
    package init(maxRestarts: Int, window: UInt64) {
        self.maxRestarts = maxRestarts
        self.window = window
    }

    /// Records that the worker of `slot` crashed at `now` (monotonic nanoseconds) after running
    /// `uptime` nanoseconds. Returns the delay before its restart, or nil when this restart would
    /// exceed the intensity (the supervisor must stop).
    package mutating func crashed(slot: Int, now: UInt64, uptime: UInt64) -> UInt64? {
        restarts.removeAll { now &- $0 > window }
        restarts.append(now)
        if restarts.count > maxRestarts { return nil }
        let streak = uptime >= healthyAfter ? 1 : streaks[slot, default: 0] + 1
        streaks[slot] = streak
        if streak == 1 { return 0 }
        let doublings = UInt64(min(streak - 2, 20))
        return min(baseDelay << doublings, maxDelay)
    }

    /// The restarts counted within the window ending at `now`.
    package func recentRestarts(now: UInt64) -> Int {
        restarts.filter { now &- $0 <= window }.count
    }
}
