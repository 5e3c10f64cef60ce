// CWerkThrowHook: the Swift runtime's will-throw hook. `swift_willThrow` calls the function stored in
// the runtime's global `_swift_willThrow` (an atomic function pointer, exported by libswiftCore) with
// the error box of every untyped `throw`; swift-testing sets it the same way to give thrown errors a
// backtrace. WerkDiagnostics installs its handler while a Debugger is in a stack and chains the
// previous one.
#pragma once

/// A will-throw handler: receives the `SwiftError` box of the error about to be thrown (the same
/// pointer an `any Error` holding that error carries).
typedef void (*werk_will_throw_handler)(void *_Nonnull error);

/// Stores `handler` (or NULL) as the runtime's will-throw handler and returns the previous one.
werk_will_throw_handler _Nullable werk_exchange_will_throw_handler(werk_will_throw_handler _Nullable handler);

/// Replaces the handler with `replacement` only if it is still `expected`; returns whether it did.
int werk_replace_will_throw_handler(werk_will_throw_handler _Nullable expected,
                                    werk_will_throw_handler _Nullable replacement);

/// The handler currently installed (NULL when none).
werk_will_throw_handler _Nullable werk_current_will_throw_handler(void);

/// Marks the calling thread as inside the hook (or inside symbolication, whose own throws must not
/// be recorded): returns 1 when it was not already, 0 when it was (then do nothing and do not leave).
int werk_throw_hook_enter(void);

/// Ends what a successful werk_throw_hook_enter began on this thread.
void werk_throw_hook_leave(void);
