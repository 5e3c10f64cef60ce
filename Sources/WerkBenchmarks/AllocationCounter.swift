// Heap allocations per request, counted by the CWerkAllocations shim (malloc and its siblings
// interposed, forwarding to glibc). Why interposition: Swift's runtime, arrays, strings, closures'
// contexts and task frames all end in malloc, so one counter sees everything a request costs; the
// alternatives (mallinfo2, the runtime's swift_allocObject hook) miss either counts or non-object
// allocations.

import CWerkAllocations

/// Heap allocations made while a closure ran.
public struct AllocationCount: Sendable, Equatable {
    /// Blocks allocated (malloc, calloc, posix_memalign, aligned_alloc, memalign, realloc of NULL).
    public var allocations: Int
    /// Blocks grown or shrunk in place or moved (realloc of an existing block).
    public var reallocations: Int
    /// Blocks freed.
    public var frees: Int
    /// Bytes requested by the allocations and reallocations.
    public var bytes: Int

    /// A count with the given values.
    public init(allocations: Int = 0, reallocations: Int = 0, frees: Int = 0, bytes: Int = 0) {
        self.allocations = allocations
        self.reallocations = reallocations
        self.frees = frees
        self.bytes = bytes
    }
}

/// Counts the heap allocations of every thread while a closure runs.
///
/// Counting is process-wide: measure with nothing else running (the in-process runner does). The
/// counters are atomic, so a task that moves between threads is still counted; while no count is
/// running, the interposed allocator costs one relaxed load per call.
public enum AllocationCounter {
    /// Whether the interposed allocator is the one in use (false if something else, such as a
    /// sanitizer or jemalloc, replaced malloc first). Without it, allocation columns show "n/a".
    public static let isAvailable: Bool = werk_allocations_available() == 1

    /// The allocations `body` made (nil when ``isAvailable`` is false).
    public static func count(_ body: () throws -> Void) rethrows -> AllocationCount? {
        guard isAvailable else { return nil }
        werk_allocations_start()
        do {
            try body()
        } catch {
            _ = werk_allocations_stop()
            throw error
        }
        return AllocationCount(werk_allocations_stop())
    }

    /// The allocations `body` made, for an async body (nil when ``isAvailable`` is false).
    public static func count(_ body: () async throws -> Void) async rethrows -> AllocationCount? {
        guard isAvailable else { return nil }
        werk_allocations_start()
        do {
            try await body()
        } catch {
            _ = werk_allocations_stop()
            throw error
        }
        return AllocationCount(werk_allocations_stop())
    }
}

extension AllocationCount {
    init(_ counts: werk_allocation_counts) {
        self.init(allocations: Int(counts.allocations), reallocations: Int(counts.reallocations),
                  frees: Int(counts.frees), bytes: Int(counts.bytes))
    }
}
