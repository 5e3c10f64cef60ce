// CWerkAllocations: counts heap allocations for WerkBenchmarks. The shim defines malloc, calloc,
// realloc, free, posix_memalign, aligned_alloc and memalign, which take precedence over glibc's in a
// program that links it, and forwards every call to glibc's own allocator (__libc_malloc and its
// siblings). Counting is off until werk_allocations_start(); while off, the cost per call is one
// relaxed atomic load.
#pragma once
#include <stdint.h>

/// What was counted between werk_allocations_start() and werk_allocations_stop().
typedef struct {
    /// malloc, calloc, posix_memalign, aligned_alloc and memalign calls, and reallocs of NULL.
    uint64_t allocations;
    /// reallocs of an existing block (a grown array, a grown string).
    uint64_t reallocations;
    /// free calls with a non-NULL pointer.
    uint64_t frees;
    /// Bytes requested by the counted allocations and reallocations.
    uint64_t bytes;
} werk_allocation_counts;

/// Zeroes the counters and starts counting (every thread's calls are counted).
void werk_allocations_start(void);

/// Stops counting and returns what was counted since werk_allocations_start().
werk_allocation_counts werk_allocations_stop(void);

/// 1 when this shim's malloc is the one the program calls (a probe allocation is counted), else 0.
int werk_allocations_available(void);
