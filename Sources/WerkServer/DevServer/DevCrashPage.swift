import WerkCore

/// What the dev supervisor answers after its worker crashed: the fault and the frames from the
/// runtime's JSON crash report (``CrashReport``), each frame with a source location shown with its
/// source lines, the crashing one first. The page keeps the crashed build's generation, so its
/// live-reload script reloads it only after a rebuild, never into the same crash again.
package enum DevCrashPage {
    /// The handler for the next request after a crash; it sets `shown` once it answered one
    /// request (the live-reload stream excepted), so the supervisor restarts the worker.
    package static func handler(report: CrashReport?, exit: String, packageRoot: String?, generation: String,
                                stop: LiveReload.StopFlag, shown: LiveReload.StopFlag) -> Handler {
        let diagnostics = self.diagnostics(report)
        let html = Response.html(CompileErrorPage.render(title: "The application crashed",
                                                         summary: "\(exit). Reload the page to run it again.",
                                                         diagnostics: diagnostics, output: "", packageRoot: packageRoot),
                                 status: .internalServerError)
        var text = "The application crashed: \(exit)\n"
        for diagnostic in diagnostics.prefix(20) {
            text += "  \(diagnostic.message)" + (diagnostic.location(relativeTo: packageRoot).map { " at \($0)" } ?? "") + "\n"
        }
        let plain = Response.text(text, status: .internalServerError)
        let page = Handler { (request: Request) throws -> Response in
            shown.set()
            var response = CompileErrorPage.wantsHTML(request) ? html : plain
            response.headers.set("Cache-Control", "no-store")
            response.headers.set("Connection", "close")
            return response
        }
        return LiveReload(generation: generation, stop: stop).wrap(page)
    }

    /// The frames as diagnostics: the crashing frame is the error (first), the other frames of the
    /// crashed thread (at most 40) notes; frames of the Swift runtime and the C library are left out.
    package static func diagnostics(_ report: CrashReport?) -> [BuildDiagnostic] {
        guard let report else { return [] }
        let blamed = report.crashingFrame
        var result: [BuildDiagnostic] = []
        for frame in report.frames.prefix(64) where !frame.isRuntime && result.count < 40 {
            var diagnostic = BuildDiagnostic(file: frame.file, line: frame.line ?? 0, column: frame.column ?? 0,
                                             severity: frame == blamed ? .error : .note,
                                             message: frame == blamed ? "\(report.fault) in \(frame.function)" : frame.function)
            if let file = frame.file, let line = frame.line, line > 0, let lines = BuildDiagnostics.readLines(file) {
                let first = max(1, line - 3), last = min(lines.count, line + 3)
                if first <= last {
                    diagnostic.source = (first...last).map { BuildDiagnostic.SourceLine(number: $0, text: String(lines[$0 - 1])) }
                }
            }
            result.append(diagnostic)
        }
        return result.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity < b.element.severity : a.offset < b.offset
        }.map(\.element)
    }
}
