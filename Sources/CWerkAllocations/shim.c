// Allocation counting by interposition: these definitions of the allocator's entry points win over
// glibc's (the executable's symbols come first in the lookup), and forward to glibc's exported
// __libc_* functions, so nothing else changes. glibc 2.34+ dropped the malloc hooks; this is the
// documented replacement (the GNU C Library manual, "Replacing malloc").
#include "CWerkAllocations.h"
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);

static atomic_int counting;
static atomic_uint_fast64_t allocations, reallocations, frees, bytes;

static inline void count_allocation(size_t size) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&bytes, size, memory_order_relaxed);
    }
}

void *malloc(size_t size) {
    count_allocation(size);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_allocation(count * size);
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    if (pointer == NULL) {
        count_allocation(size);
    } else if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&reallocations, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&bytes, size, memory_order_relaxed);
    }
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    if (pointer != NULL && atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
    }
    __libc_free(pointer);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    count_allocation(size);
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_allocation(size);
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    count_allocation(size);
    return __libc_memalign(alignment, size);
}

void werk_allocations_start(void) {
    atomic_store(&allocations, 0);
    atomic_store(&reallocations, 0);
    atomic_store(&frees, 0);
    atomic_store(&bytes, 0);
    atomic_store(&counting, 1);
}

werk_allocation_counts werk_allocations_stop(void) {
    atomic_store(&counting, 0);
    werk_allocation_counts counts = {
        atomic_load(&allocations), atomic_load(&reallocations), atomic_load(&frees), atomic_load(&bytes),
    };
    return counts;
}

int werk_allocations_available(void) {
    werk_allocations_start();
    void *volatile probe = malloc(24);
    free(probe);
    werk_allocation_counts counts = werk_allocations_stop();
    // At least the probe: other threads' allocations in the same window are counted too.
    return counts.allocations >= 1;
}
