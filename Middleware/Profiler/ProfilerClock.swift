import Glibc

/// Where the profiler reads time: nanoseconds from an arbitrary, steadily increasing origin.
///
/// The default, ``monotonic``, reads the CPU's cycle counter scaled to nanoseconds where the kernel
/// keeps time with it (its clocksource is `tsc`), else `clock_gettime(CLOCK_MONOTONIC)` (a vDSO call):
/// two readings per profiled layer, so the clock is a large share of what profiling costs.
/// Tests pass a clock of their own to check attribution exactly:
///
/// ```swift
/// let ticks = Mutex<UInt64>(0)
/// let clock = ProfilerClock { ticks.withLock { $0 } }
/// ```
public struct ProfilerClock: Sendable {
    private let read: (@Sendable () -> UInt64)?

    /// A clock that reads `now` (nanoseconds; must never go backwards).
    public init(_ now: @escaping @Sendable () -> UInt64) { read = now }

    private init() { read = nil }

    /// Monotonic nanoseconds: the cycle counter where the kernel trusts it, else `CLOCK_MONOTONIC`.
    public static let monotonic = ProfilerClock()

    /// The current time in nanoseconds.
    @inline(__always)
    public func now() -> UInt64 {
        if let read { return read() }
        return CycleClock.now()
    }

    /// The wall-clock time in milliseconds since 1970 (for display and file names only).
    static func wallMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
