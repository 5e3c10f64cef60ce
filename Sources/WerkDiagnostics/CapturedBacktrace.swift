import CWerkThrowHook
import Runtime
import Synchronization

/// A backtrace captured cheaply (program counters only) and symbolicated when a page needs it:
/// demangled names, `file:line` from the debug info, async resume points marked.
public struct CapturedBacktrace: Sendable {
    private let backtrace: Backtrace

    /// The backtrace of the caller, or nil when the runtime could not take one.
    public static func here() -> CapturedBacktrace? {
        guard let backtrace = try? Backtrace.capture(algorithm: .fast, limit: 64, offset: 1, top: 16, images: images) else {
            return nil
        }
        return CapturedBacktrace(backtrace: backtrace)
    }

    /// The frames, innermost first, without the capturing machinery (the will-throw hook, the Swift
    /// runtime's throw entry point, this type). Symbolicates on every call (tens of µs; the first
    /// call in a process reads the debug info and takes longer).
    public func frames() -> [DiagnosticFrame] {
        // The symbolicator throws and catches internally: those throws are not worth recording.
        let entered = werk_throw_hook_enter() != 0
        defer { if entered { werk_throw_hook_leave() } }
        guard let symbolicated = backtrace.symbolicated(with: CapturedBacktrace.images) else {
            return backtrace.frames.map { frame in
                DiagnosticFrame(function: "\(frame)", file: nil, line: nil, isLibrary: true, isAsync: Self.isAsync(frame))
            }
        }
        var frames: [DiagnosticFrame] = []
        for frame in symbolicated.frames {
            if case .omittedFrames(let count) = frame.captured {
                frames.append(DiagnosticFrame(function: "… \(count) frames omitted …", file: nil, line: nil, isLibrary: true))
                continue
            }
            guard let symbol = frame.symbol else { continue }
            let location = symbol.sourceLocation
            var entry = DiagnosticFrame(symbol: symbol.rawName, file: location?.path, line: location?.line,
                                        column: location.map { $0.column > 0 ? $0.column : nil } ?? nil,
                                        image: symbol.imageName, isAsync: Self.isAsync(frame.captured),
                                        isInlined: frame.inlined)
            if entry.function == symbol.rawName { entry.function = symbol.name }
            if frame.isSystem { entry.isLibrary = true }
            frames.append(entry)
        }
        let machinery = frames.prefix { frame in
            frame.image?.hasPrefix("libswiftCore") == true || frame.function.contains("ThrowSites")
                || frame.function.contains("CapturedBacktrace") || frame.function.hasPrefix("swift_willThrow")
        }.count
        return machinery < frames.count ? Array(frames.dropFirst(machinery)) : frames
    }

    private static func isAsync(_ frame: Backtrace.Frame) -> Bool {
        if case .asyncResumePoint = frame { return true }
        return false
    }

    /// The process's loaded images, read once (reading them per capture would cost ~400 µs).
    static let images: ImageMap = ImageMap.capture()
}
