import WerkCore

extension DiagnosticPage {
    /// The plain-text traceback (for the error log, terminals and `Accept: text/plain` clients):
    /// the frames innermost first with `file:line` and, for application frames, the line of source,
    /// then the error chain.
    ///
    /// ```text
    /// Traceback (innermost frame first, thrown at):
    ///   #0 Demo.loadCart() throws -> Demo.Cart
    ///      at /app/Sources/Demo/Cart.swift:42
    ///      |     throw CartError.empty
    ///   #1 [library] WerkCore.Handler ...
    /// Demo.CartError: empty
    /// ```
    public static func text(_ report: DiagnosticReport, sourceLines: Bool = true) -> String {
        var out = "Traceback (innermost frame first, \(report.framesOrigin.rawValue)):\n"
        for (index, frame) in report.frames.enumerated() {
            var marks = frame.isLibrary ? "[library] " : ""
            if frame.isAsync { marks += "[async] " }
            if frame.isInlined { marks += "[inlined] " }
            out += "  #\(index) \(marks)\(frame.function)\n"
            if let location = frame.location { out += "     at \(location)\n" }
            if sourceLines, !frame.isLibrary, let file = frame.file, let line = frame.line,
               let excerpt = SourceExcerpt.read(path: file, line: line, radius: 0), let text = excerpt.lines.first {
                out += "     | \(text.trimmingLeadingSpaces)\n"
            }
        }
        for (index, error) in report.errors.enumerated() {
            if index > 0 { out += "underlying error:\n" }
            out += error.message.isEmpty ? "\(error.typeName)\n" : "\(error.typeName): \(error.message)\n"
            for detail in error.details { out += "  \(detail.name): \(detail.value)\n" }
        }
        for note in report.notes { out += "note: \(note)\n" }
        if !report.layers.isEmpty {
            out += "Stack layers (outermost first): "
            out += report.layers.map { $0.isMarked ? "[\($0.name)]" : $0.name }.joined(separator: " > ") + "\n"
        }
        return out
    }

    /// The report as JSON (for `Accept: application/json` clients):
    /// `{"title", "errors": [{"type", "message", "details": [{"name", "value"}]}], "frames": [{"function",
    /// "file", "line", "column", "image", "library", "async", "inlined"}], "framesOrigin", "layers":
    /// [{"name", "marked"}], "sections": [{"title", "fields": [{"name", "value"}]}], "notes"}`.
    public static func json(_ report: DiagnosticReport) -> JSON {
        func fields(_ list: [DiagnosticField]) -> JSON {
            .array(list.map { .object(["name": .string($0.name), "value": .string($0.value)]) })
        }
        let errors: [JSON] = report.errors.map { error in
            .object(["type": .string(error.typeName), "message": .string(error.message), "details": fields(error.details)])
        }
        let frames: [JSON] = report.frames.map { frame in
            .object([
                "function": .string(frame.function),
                "file": frame.file.map(JSON.string) ?? .null,
                "line": frame.line.map(JSON.int) ?? .null,
                "column": frame.column.map(JSON.int) ?? .null,
                "image": frame.image.map(JSON.string) ?? .null,
                "library": .bool(frame.isLibrary),
                "async": .bool(frame.isAsync),
                "inlined": .bool(frame.isInlined),
            ])
        }
        return .object([
            "title": .string(report.title),
            "errors": .array(errors),
            "frames": .array(frames),
            "framesOrigin": .string(report.framesOrigin.rawValue),
            "layers": .array(report.layers.map { .object(["name": .string($0.name), "marked": .bool($0.isMarked)]) }),
            "sections": .array(report.sections.map { .object(["title": .string($0.title), "fields": fields($0.fields)]) }),
            "notes": .array(report.notes.map(JSON.string)),
        ])
    }
}

extension String {
    fileprivate var trimmingLeadingSpaces: Substring { drop { $0 == " " || $0 == "\t" } }
}
