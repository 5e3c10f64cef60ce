// The progress line of long runs: one line on stderr, rewritten in place, cleared at the end. Shown
// when stderr is a terminal or when asked (`--progress`), never mixed into stdout's tables.

#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on standard error.
public struct ProgressLine: Sendable {
    /// Whether anything is written.
    public let isEnabled: Bool
    /// Whether stderr is a terminal (the line is rewritten in place; otherwise one line per step).
    private let isTerminal: Bool

    /// A progress line: `enabled` true or false forces it, nil shows it when stderr is a terminal.
    public init(enabled: Bool?) {
        isTerminal = isatty(2) == 1
        isEnabled = enabled ?? isTerminal
    }

    /// Shows `[step/total] text`, replacing the previous line on a terminal.
    public func update(step: Int, of total: Int, _ text: String) {
        guard isEnabled else { return }
        let line = isTerminal ? "\r\u{1B}[2K[\(step)/\(total)] \(text)" : "[\(step)/\(total)] \(text)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress!, $0.count - 1) }
    }

    /// Clears the line.
    public func finish() {
        guard isEnabled && isTerminal else { return }
        _ = "\r\u{1B}[2K".utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress!, $0.count - 1) }
    }
}
