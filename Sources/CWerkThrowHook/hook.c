#include "CWerkThrowHook.h"
#include <stdatomic.h>

// Declared by the Swift runtime (stdlib/public/runtime/ErrorObjectCommon.cpp) as
// std::atomic<void (*)(SwiftError *)>, exported with C linkage; same layout as a C11 atomic pointer.
extern _Atomic(werk_will_throw_handler) _swift_willThrow;

werk_will_throw_handler werk_exchange_will_throw_handler(werk_will_throw_handler handler) {
    return atomic_exchange_explicit(&_swift_willThrow, handler, memory_order_acq_rel);
}

int werk_replace_will_throw_handler(werk_will_throw_handler expected, werk_will_throw_handler replacement) {
    return atomic_compare_exchange_strong_explicit(&_swift_willThrow, &expected, replacement,
                                                   memory_order_acq_rel, memory_order_acquire);
}

werk_will_throw_handler werk_current_will_throw_handler(void) {
    return atomic_load_explicit(&_swift_willThrow, memory_order_acquire);
}

static _Thread_local int werk_inside_hook;

int werk_throw_hook_enter(void) {
    if (werk_inside_hook) return 0;
    werk_inside_hook = 1;
    return 1;
}

void werk_throw_hook_leave(void) {
    werk_inside_hook = 0;
}
