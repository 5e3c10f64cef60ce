import Testing
@testable import WerkCore

@Suite("Cycle clock")
struct CycleClockTests {
    @Test("readings never go backwards")
    func monotonic() {
        var previous = CycleClock.now()
        var backwards = 0
        for _ in 0..<200_000 {
            let now = CycleClock.now()
            if now < previous { backwards += 1 }
            previous = now
        }
        #expect(backwards == 0)
    }

    // Each reading of the cycle clock is bracketed by two readings of CLOCK_MONOTONIC, so a thread
    // preempted between them widens the bracket instead of failing the check.
    @Test("an elapsed time on the cycle clock lies within the same stretch measured by CLOCK_MONOTONIC")
    func tracksTheMonotonicClock() {
        func bracketed() -> (before: UInt64, cycle: UInt64, after: UInt64) {
            let before = CycleClock.monotonicNanoseconds()
            let cycle = CycleClock.now()
            return (before, cycle, CycleClock.monotonicNanoseconds())
        }
        let start = bracketed()
        // A bounded busy wait: until 20 ms of CLOCK_MONOTONIC have passed.
        var end = bracketed()
        while end.before &- start.after < 20_000_000 { end = bracketed() }
        let elapsed = end.cycle &- start.cycle
        let shortest = end.before &- start.after, longest = end.after &- start.before
        let slack = longest / 1000 + 1_000   // the rate's measuring error: parts per million, 0.1 % allowed
        #expect(elapsed + slack >= shortest && elapsed <= longest + slack,
                "cycle clock \(elapsed) ns against CLOCK_MONOTONIC \(shortest)...\(longest) ns (counter used: \(CycleClock.usesCycleCounter))")
    }
}
