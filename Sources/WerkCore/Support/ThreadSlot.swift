import CWerkSystem

/// One raw pointer per thread, for code that runs synchronously from start to end on one thread
/// and must hand a value to code it calls without going through the request: the Profiler's
/// synchronous path puts the request's record there for its instrumented layers (a look-up in the
/// request's storage costs more). Set it around a synchronous call and restore what was there.
package enum ThreadSlot {
    /// The calling thread's pointer (nil until set).
    package static var current: UnsafeMutableRawPointer? {
        get { werk_thread_slot() }
        set { werk_set_thread_slot(newValue) }
    }
}
