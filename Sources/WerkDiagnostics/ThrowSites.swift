import CWerkThrowHook
import Runtime
import Synchronization
import WerkCore

/// Throw-site backtraces: while installed, every untyped `throw` in the process records a cheap
/// backtrace (program counters only, about 2–4 µs) that ``backtrace(for:)`` finds again when the
/// error reaches an error page; names and source lines are looked up only then.
///
/// How a capture is tied to an error: Swift boxes every error thrown as `any Error` in one heap
/// object, and that box travels with the error: across `try`, `rethrows`, `await`, task and thread
/// hops, and into any `any Error` property of a wrapper. The hook receives the box, so captures are
/// keyed by box identity (held weakly; a dead box never matches):
/// - the **first** throw of a box wins: `catch { throw error }` rethrows the same box and keeps the
///   original site;
/// - a wrapper (`throw Wrapped(underlying: error)`) is a new box with its own capture, and the
///   wrapped error keeps its own: a page shows the site of the outermost error that has one, and
///   ``backtrace(for:)`` can be asked about each error of the chain;
/// - class and value errors behave alike (both are boxed);
/// - errors thrown with typed throws (`throws(E)`) reach the hook only when the runtime boxes them
///   for it, and ``HTTPError``s are never recorded (they are answers, not bugs; their throws stay as
///   cheap as without the hook): pages fall back to the catch site.
///
/// The most recent ``capacity`` captures are kept.
public enum ThrowSites {
    /// How many captures are kept (the oldest is dropped first).
    public static let capacity = 256

    /// Installs the hook (if this is the first installation) and returns a token; the hook is
    /// removed when the last token is released, restoring the handler that was there before (the
    /// hook calls that handler too while installed, e.g. swift-testing's).
    public static func install() -> Installation { Installation() }

    /// Whether the hook is installed now.
    public static var isInstalled: Bool { state.withLock { $0.installations > 0 } }

    /// The backtrace recorded when `error` was first thrown, or nil.
    public static func backtrace(for error: any Error) -> CapturedBacktrace? {
        // An `any Error` is one pointer: the box the hook saw. Only the address is compared; the
        // recorded weak reference says whether that box is still the same, live object.
        // (`as any Error` stops the existential from being opened into the generic parameter.)
        let address = unsafeBitCast(error as any Error, to: UInt.self)
        return captures.withLock { captures in
            guard let index = captures.index(of: address) else { return nil }
            return captures.entries[index].backtrace
        }
    }

    /// A token that keeps the hook installed; see ``install()``.
    public final class Installation: Sendable {
        fileprivate init() {
            state.withLock { state in
                state.installations += 1
                guard state.installations == 1 else { return }
                _ = CapturedBacktrace.images    // the image map, read once, before the first throw needs it
                state.previous = werk_exchange_will_throw_handler(willThrow)
                previousHandler.withLock { $0 = state.previous }
            }
        }

        deinit {
            state.withLock { state in
                state.installations -= 1
                guard state.installations == 0 else { return }
                // Restore the previous handler, unless someone replaced ours meanwhile (then theirs stays).
                _ = werk_replace_will_throw_handler(willThrow, state.previous)
                previousHandler.withLock { $0 = nil }
                state.previous = nil
            }
        }
    }

    // MARK: - Internals

    private struct State: @unchecked Sendable {
        var installations = 0
        var previous: werk_will_throw_handler?
    }

    /// An error's box, handed to the lock (only its identity is used across threads).
    private struct ErrorBox: @unchecked Sendable {
        let object: AnyObject
    }

    /// A class, so that looking one up copies a reference, not a weak reference and a backtrace.
    private final class Entry: @unchecked Sendable {
        weak var box: AnyObject?
        let backtrace: CapturedBacktrace

        init(box: AnyObject, backtrace: CapturedBacktrace) {
            self.box = box
            self.backtrace = backtrace
        }
    }

    private struct Captures: Sendable {
        /// The boxes' addresses, apart from the entries: scanning them copies no weak reference.
        var addresses: [UInt] = []
        var entries: [Entry] = []
        var next = 0

        /// The entry for the live box at `address`, if any. An address has one entry at most: a box
        /// freed and another allocated at the same address takes over the old entry.
        func index(of address: UInt) -> Int? {
            guard let index = addresses.firstIndex(of: address), let object = entries[index].box,
                  UInt(bitPattern: ObjectIdentifier(object)) == address else { return nil }
            return index
        }

        mutating func record(_ box: ErrorBox, address: UInt, _ backtrace: CapturedBacktrace) {
            let entry = Entry(box: box.object, backtrace: backtrace)
            if let index = addresses.firstIndex(of: address) {
                if let object = entries[index].box, object === box.object { return }    // a rethrow: the first site wins
                entries[index] = entry                                                   // a dead box's address, reused
            } else if entries.count < ThrowSites.capacity {
                addresses.append(address)
                entries.append(entry)
            } else {
                addresses[next] = address
                entries[next] = entry
                next = (next + 1) % ThrowSites.capacity
            }
        }
    }

    private static let state = Mutex(State())
    private static let captures = Mutex(Captures())
    /// Read on every throw, so it lives apart from the installation count.
    private static let previousHandler = Mutex<werk_will_throw_handler?>(nil)

    /// The hook: records a capture for the error box, then calls the previous handler.
    /// Errors thrown while capturing or symbolicating (the runtime's own) are not recorded: the
    /// thread-local guard also stops the recursion.
    private static let willThrow: werk_will_throw_handler = { pointer in
        if werk_throw_hook_enter() != 0 {
            ThrowSites.record(pointer)
            werk_throw_hook_leave()
        }
        if let previous = previousHandler.withLock({ $0 }) { previous(pointer) }
    }

    private static func record(_ pointer: UnsafeMutableRawPointer) {
        let object = Unmanaged<AnyObject>.fromOpaque(pointer).takeUnretainedValue()
        let isHTTPError = withUnsafePointer(to: pointer) { slot in
            slot.withMemoryRebound(to: (any Error).self, capacity: 1) { $0.pointee is HTTPError }
        }
        if isHTTPError { return }
        let box = ErrorBox(object: object)
        guard let backtrace = CapturedBacktrace.here() else { return }
        let address = UInt(bitPattern: Int(bitPattern: pointer))
        captures.withLock { $0.record(box, address: address, backtrace) }
    }
}
