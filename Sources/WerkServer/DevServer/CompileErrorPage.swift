import WerkCore

/// What the dev supervisor answers while the last build failed: every request gets the compiler's
/// diagnostics (errors first, with file:line:column and the source around each), as an HTML page for
/// browsers and as text for everything else, with status 500. The page carries the live-reload
/// script, so it reloads by itself once the code builds again.
package enum CompileErrorPage {
    /// The handler answering every request with the diagnostics of a failed build; `generation`
    /// names this failure for live reload (`f3`).
    package static func handler(diagnostics: [BuildDiagnostic], output: String, packageRoot: String?,
                                generation: String, stop: LiveReload.StopFlag = LiveReload.StopFlag()) -> Handler {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let html = Response.html(render(title: "Build failed",
                                        summary: "\(errors) error\(errors == 1 ? "" : "s") — this page reloads by itself once the code builds again.",
                                        diagnostics: diagnostics, output: output, packageRoot: packageRoot),
                                 status: .internalServerError)
        let text = Response.text(terminalReport(diagnostics: diagnostics, output: output, packageRoot: packageRoot),
                                 status: .internalServerError)
        let page = Handler { (request: Request) throws -> Response in
            var response = wantsHTML(request) ? html : text
            response.headers.set("Cache-Control", "no-store")
            return response
        }
        return LiveReload(generation: generation, stop: stop).wrap(page)
    }

    /// Whether the request's Accept names `text/html` (browsers' navigations do; `curl` and
    /// `fetch` do not).
    static func wantsHTML(_ request: Request) -> Bool {
        guard let accept = request.headers.combinedValue(for: "Accept") else { return false }
        return accept.lowercased().contains("text/html")
    }

    /// The diagnostics as the terminal shows them: `error: Sources/App/main.swift:3:14: message`,
    /// the numbered source lines with a `>` on the line, errors first. When no diagnostic was
    /// recognised, the last 40 lines of the build output.
    package static func terminalReport(diagnostics: [BuildDiagnostic], output: String, packageRoot: String?,
                                       limit: Int = 20) -> String {
        guard !diagnostics.isEmpty else {
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false).suffix(40)
            return "Build failed:\n" + lines.joined(separator: "\n") + "\n"
        }
        let errors = diagnostics.filter { $0.severity == .error }.count
        var text = "Build failed: \(errors) error\(errors == 1 ? "" : "s")\n"
        for diagnostic in diagnostics.prefix(limit) {
            let location = diagnostic.location(relativeTo: packageRoot).map { "\($0): " } ?? ""
            text += "\n\(diagnostic.severity.rawValue): \(location)\(diagnostic.message)\n"
            let width = String(diagnostic.source.last?.number ?? 0).count
            for line in diagnostic.source {
                let number = String(line.number)
                let marker = line.number == diagnostic.line ? ">" : " "
                text += "\(marker) \(String(repeating: " ", count: width - number.count))\(number) | \(line.text)\n"
            }
        }
        if diagnostics.count > limit { text += "\n… and \(diagnostics.count - limit) more\n" }
        return text
    }

    /// The dev server's HTML page: a red header with `title` and `summary`, one section per
    /// diagnostic (its location, message and source lines, the diagnostic's line marked), and
    /// `output` (the build's, or a process's) folded at the end.
    package static func render(title: String, summary: String, diagnostics: [BuildDiagnostic], output: String,
                               packageRoot: String?) -> String {
        var html = """
        <!doctype html>
        <html lang=en>
        <head><meta charset=utf-8><title>\(HTML.escape(title))</title>
        <style>
        body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#fafafa;color:#222}
        header{background:#b00020;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}
        header p{margin:4px 0 0;opacity:.9}main{padding:8px 24px 24px}
        .diagnostic{background:#fff;border:1px solid #ddd;border-radius:6px;margin:16px 0;overflow:hidden}
        .diagnostic h2{font-size:15px;margin:0;padding:10px 14px;border-bottom:1px solid #eee}
        .error h2 .severity{color:#b00020}.warning h2 .severity{color:#a15c00}.note h2 .severity{color:#555}
        .location{font-family:ui-monospace,monospace;color:#555;font-weight:normal}
        pre{margin:0;padding:8px 0;font:13px/1.5 ui-monospace,monospace;overflow-x:auto}
        pre span{display:block;padding:0 14px}pre span.here{background:#fde8ea}
        pre i{display:inline-block;min-width:3em;color:#999;font-style:normal;user-select:none}
        details{margin-top:24px}details pre{background:#fff;border:1px solid #ddd;padding:10px}
        </style></head>
        <body>
        <header><h1>\(HTML.escape(title))</h1><p>\(HTML.escape(summary))</p></header>
        <main>

        """
        for diagnostic in diagnostics.prefix(100) {
            let location = diagnostic.location(relativeTo: packageRoot).map { " <span class=location>\(HTML.escape($0))</span>" } ?? ""
            html += "<section class=\"diagnostic \(diagnostic.severity.rawValue)\"><h2><span class=severity>"
                + "\(diagnostic.severity.rawValue):</span> \(HTML.escape(diagnostic.message))\(location)</h2>\n"
            if !diagnostic.source.isEmpty {
                html += "<pre>"
                for line in diagnostic.source {
                    let here = line.number == diagnostic.line ? " class=here" : ""
                    html += "<span\(here)><i>\(line.number)</i>\(HTML.escape(line.text))</span>"
                }
                html += "</pre>\n"
            }
            html += "</section>\n"
        }
        let rawOutput = output.utf8.count > 256 * 1024 ? String(decoding: output.utf8.suffix(256 * 1024), as: UTF8.self) : output
        guard !rawOutput.isEmpty else { return html + "</main>\n</body>\n</html>\n" }
        html += "<details\(diagnostics.isEmpty ? " open" : "")><summary>Output</summary><pre>"
            + HTML.escape(rawOutput) + "</pre></details>\n</main>\n</body>\n</html>\n"
        return html
    }
}
