import Glibc

/// One compiler diagnostic from `swift build`'s output: `file:line:column: severity: message`, with
/// the source lines around it.
package struct BuildDiagnostic: Sendable, Equatable {
    /// How bad it is.
    package enum Severity: String, Sendable, Comparable {
        case error, warning, note, remark
        /// Errors first, then warnings, notes, remarks.
        var rank: Int {
            switch self {
            case .error: 0
            case .warning: 1
            case .note: 2
            case .remark: 3
            }
        }
        package static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// One line of source shown with the diagnostic.
    package struct SourceLine: Sendable, Equatable {
        /// The 1-based line number.
        package var number: Int
        /// The line's text.
        package var text: String
    }

    /// The file's path, as the compiler printed it (absolute), or nil for a diagnostic without a
    /// location (`error: link command failed`).
    package var file: String?
    /// The 1-based line, 0 when unknown.
    package var line: Int
    /// The 1-based column, 0 when unknown.
    package var column: Int
    /// Error, warning, note or remark.
    package var severity: Severity
    /// The message (`cannot find 'x' in scope`).
    package var message: String
    /// Source lines around ``line``: from the file when it can be read, otherwise the compiler's
    /// own excerpt.
    package var source: [SourceLine] = []

    /// `Sources/App/main.swift:3:14` (relative to `root` when under it), or nil without a file.
    package func location(relativeTo root: String? = nil) -> String? {
        guard var path = file else { return nil }
        if let root, path.hasPrefix(root + "/") { path.removeFirst(root.utf8.count + 1) }
        return line > 0 ? "\(path):\(line):\(column)" : path
    }
}

/// Reads `swift build`'s output into diagnostics: errors first (in the order the compiler printed
/// them), then warnings; each once, though the compiler prints a file's errors twice (compiling and
/// emitting the module). Lines that are not diagnostics (progress, the compiler's own excerpts) are
/// skipped, except `error: …` lines without a location that tell why a build failed when no file
/// did (a link error).
package enum BuildDiagnostics {
    /// The most diagnostics kept (a build can print thousands).
    package static let limit = 200

    /// The diagnostics in `output`, errors first. With `contextLines` > 0, each gets that many source
    /// lines either side of its line, read from its file (files larger than 4 MiB are not read);
    /// when the file cannot be read, the compiler's excerpt printed under the diagnostic is used.
    package static func parse(_ output: String, contextLines: Int = 3) -> [BuildDiagnostic] {
        var found: [BuildDiagnostic] = []
        var seen = Set<String>()
        var current: Int? = nil   // index in `found` of the diagnostic whose excerpt lines follow
        var fileCache: [String: [Substring]?] = [:]
        for rawLine in output.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if let diagnostic = parseHeader(line) {
                let key = "\(diagnostic.file ?? ""):\(diagnostic.line):\(diagnostic.column):\(diagnostic.severity):\(diagnostic.message)"
                if seen.insert(key).inserted, found.count < limit {
                    found.append(diagnostic)
                    current = found.count - 1
                } else {
                    current = nil
                }
                continue
            }
            // The compiler's excerpt: `12 | code`; the caret lines start with spaces then `|`.
            if let index = current {
                if let excerpt = parseExcerptLine(line) {
                    found[index].source.append(excerpt)
                } else if !isCaretLine(line) {
                    current = nil
                }
            }
        }
        if contextLines > 0 {
            for index in found.indices {
                guard let file = found[index].file, found[index].line > 0 else { continue }
                if fileCache[file] == nil { fileCache[file] = readLines(file) }
                guard let lines = fileCache[file] ?? nil else { continue }
                let target = found[index].line
                let first = max(1, target - contextLines)
                let last = min(lines.count, target + contextLines)
                guard first <= last else { continue }
                found[index].source = (first...last).map { BuildDiagnostic.SourceLine(number: $0, text: String(lines[$0 - 1])) }
            }
        }
        // "error: emit-module command failed" says only that a step failed: noise beside the errors
        // that say why; kept when nothing else explains the failure (a link error).
        if found.contains(where: { $0.severity == .error && $0.file != nil }) {
            found.removeAll { $0.severity == .error && $0.file == nil && $0.message.contains("command failed with exit code") }
        }
        // A stable sort: errors first, each severity in the printed order.
        return found.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity < b.element.severity : a.offset < b.offset
        }.map(\.element)
    }

    /// `path:line:col: severity: message`, or `error: message` (no location), or nil.
    static func parseHeader(_ line: Substring) -> BuildDiagnostic? {
        for severity in [BuildDiagnostic.Severity.error, .warning, .note, .remark] {
            let marker = ": \(severity.rawValue): "
            if line.hasPrefix("\(severity.rawValue): ") {
                guard severity == .error else { return nil }
                let message = line.dropFirst(severity.rawValue.utf8.count + 2)
                return BuildDiagnostic(file: nil, line: 0, column: 0, severity: severity, message: String(message))
            }
            guard let range = firstRange(of: marker, in: line) else { continue }
            let location = line[..<range.lowerBound]
            let message = String(line[range.upperBound...])
            // location = path:line:col (the path may itself contain colons: take the last two fields).
            let parts = location.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, let lineNumber = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]),
                  lineNumber > 0 else { continue }
            let path = parts.dropLast(2).joined(separator: ":")
            guard path.hasPrefix("/") || path.hasSuffix(".swift") || path.contains(".") else { continue }
            return BuildDiagnostic(file: path, line: lineNumber, column: column, severity: severity, message: message)
        }
        return nil
    }

    /// The first occurrence of `needle` in `line`.
    static func firstRange(of needle: String, in line: Substring) -> Range<Substring.Index>? {
        let target = Array(needle.utf8)
        let utf8 = line.utf8
        guard utf8.count >= target.count, let first = target.first else { return nil }
        var index = utf8.startIndex
        while index != utf8.endIndex {
            if utf8[index] == first, utf8[index...].starts(with: target) {
                return index..<utf8.index(index, offsetBy: target.count)
            }
            index = utf8.index(after: index)
        }
        return nil
    }

    /// `  12 | text` from the compiler's excerpt, or nil.
    static func parseExcerptLine(_ line: Substring) -> BuildDiagnostic.SourceLine? {
        guard let bar = line.firstIndex(of: "|") else { return nil }
        let number = line[..<bar].trimmingSpaces
        guard !number.isEmpty, let value = Int(number) else { return nil }
        var text = line[line.index(after: bar)...]
        if text.first == " " { text = text.dropFirst() }
        return BuildDiagnostic.SourceLine(number: value, text: String(text))
    }

    /// `    |    `- error: …` under an excerpt line.
    static func isCaretLine(_ line: Substring) -> Bool {
        guard let bar = line.firstIndex(of: "|") else { return false }
        return line[..<bar].allSatisfy { $0 == " " }
    }

    /// The lines of a text file of at most 4 MiB, or nil.
    static func readLines(_ path: String) -> [Substring]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= 4 * 1024 * 1024 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        guard bytes.count <= 4 * 1024 * 1024 else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    fileprivate var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return result
    }
}
