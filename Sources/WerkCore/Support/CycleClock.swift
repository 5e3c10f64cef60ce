import CWerkSystem
import Glibc

/// Monotonic nanoseconds read from the CPU's cycle counter (x86-64's TSC), scaled by its rate
/// measured once against `CLOCK_MONOTONIC`: about a third of the cost of `clock_gettime` through the
/// vDSO (measured in the profiler's benchmark suite). Used only where the kernel itself keeps time
/// with the TSC (its clocksource is `tsc`: the counter then runs at a constant rate, in step on every
/// CPU); elsewhere every reading is `clock_gettime(CLOCK_MONOTONIC)`.
///
/// All readings of a process come from one formula, so they never go backwards; they drift from
/// `CLOCK_MONOTONIC` by the rate's measuring error (a few parts per million), which is fine for
/// timing stretches of code and is why wall-clock times never come from here.
package enum CycleClock {
    /// The counter's origin, the monotonic time there, and nanoseconds per cycle in 32.32 fixed
    /// point; nil when the counter is not used.
    struct Scale {
        let originCycles: UInt64
        let originNanoseconds: UInt64
        let nanosecondsPerCycle: UInt64   // × 2^32
    }

    /// Measured on first use: two readings of both clocks 2 ms apart (a one-time pause).
    static let scale: Scale? = {
        guard kernelKeepsTimeWithTSC() else { return nil }
        let cycles0 = werk_cycle_counter(), nanoseconds0 = monotonicNanoseconds()
        var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000), left = timespec()
        while nanosleep(&pause, &left) != 0 && errno == EINTR { pause = left }
        let cycles1 = werk_cycle_counter(), nanoseconds1 = monotonicNanoseconds()
        guard cycles1 > cycles0, nanoseconds1 > nanoseconds0 else { return nil }
        let cycles = cycles1 - cycles0, nanoseconds = nanoseconds1 - nanoseconds0
        // nanoseconds / cycles in 32.32 fixed point; a counter slower than 1 per ns is not worth it.
        guard nanoseconds < cycles << 2 else { return nil }
        return Scale(originCycles: cycles1, originNanoseconds: nanoseconds1,
                     nanosecondsPerCycle: (nanoseconds << 32) / cycles)
    }()

    /// Whether readings come from the cycle counter (false: from `clock_gettime`).
    package static var usesCycleCounter: Bool { scale != nil }

    /// The current monotonic time in nanoseconds.
    package static func now() -> UInt64 {
        guard let scale else { return monotonicNanoseconds() }
        let elapsed = werk_cycle_counter() &- scale.originCycles
        let (high, low) = elapsed.multipliedFullWidth(by: scale.nanosecondsPerCycle)
        return scale.originNanoseconds &+ (high << 32 | low >> 32)
    }

    /// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds.
    package static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Whether `/sys/devices/system/clocksource/clocksource0/current_clocksource` says `tsc`.
    static func kernelKeepsTimeWithTSC() -> Bool {
        #if arch(x86_64)
        guard let file = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r") else { return false }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 32)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return false }
        return buffer.prefix(4).map { UInt8(bitPattern: $0) } == Array("tsc\n".utf8)
        #else
        return false
        #endif
    }
}
