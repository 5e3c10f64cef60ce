import WerkCore

/// Renders a ``DiagnosticReport``: a self-contained HTML page (styles and script inline, no
/// external requests), a plain-text traceback for logs and terminals, and JSON for API clients.
/// Everything taken from the report is escaped.
public enum DiagnosticPage {
    /// How a page is rendered.
    public struct Options: Sendable {
        /// Lines of source shown either side of a frame's line.
        public var sourceRadius: Int
        /// The "open in editor" link of a frame, with `{file}`, `{line}` and `{column}` replaced
        /// (`vscode://file/{file}:{line}` by default; `idea://open?file={file}&line={line}`,
        /// `subl://open?url=file://{file}&line={line}`); nil for no links.
        public var editorURL: String?
        /// A curl command repeating the request, offered by a "Copy as curl" button (nil: no button).
        public var curlCommand: String?
        /// The inspector and its PIN dialog, when the page is served by the Debugger (nil on crash pages).
        public var inspector: InspectorEmbedding?
        /// The suffix of the page's `<title>`.
        public var titleSuffix: String

        /// Options; the defaults suit a crash page.
        public init(sourceRadius: Int = 5, editorURL: String? = "vscode://file/{file}:{line}", curlCommand: String? = nil,
                    inspector: InspectorEmbedding? = nil, titleSuffix: String = "Werk Debugger") {
            self.sourceRadius = sourceRadius
            self.editorURL = editorURL
            self.curlCommand = curlCommand
            self.inspector = inspector
            self.titleSuffix = titleSuffix
        }
    }

    /// What the page's script needs to talk to the Debugger's inspector endpoints.
    public struct InspectorEmbedding: Sendable {
        /// The path the endpoints live under (`/__debugger__`): `<path>/pin` and `<path>/inspect`.
        public var endpoint: String
        /// The page's id, sent with every call.
        public var pageID: String
        /// The page's secret, sent with every call.
        public var secret: String
        /// Whether the PIN must be entered before the inspector answers.
        public var pinRequired: Bool
        /// The names the expression box starts from (`error`, `request`, `session`, ...).
        public var roots: [String]

        /// An embedding.
        public init(endpoint: String, pageID: String, secret: String, pinRequired: Bool, roots: [String]) {
            self.endpoint = endpoint
            self.pageID = pageID
            self.secret = secret
            self.pinRequired = pinRequired
            self.roots = roots
        }
    }

    /// The HTML page.
    public static func html(_ report: DiagnosticReport, options: Options = Options()) -> String {
        let first = report.errors.first
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += "<title>\(HTML.escape(report.title)) // \(HTML.escape(options.titleSuffix))</title>"
        out += "<style>\(pageStyle)</style></head>\n"
        if let inspector = options.inspector {
            out += "<body data-endpoint=\"\(HTML.escape(inspector.endpoint))\" data-page=\"\(HTML.escape(inspector.pageID))\""
            out += " data-secret=\"\(HTML.escape(inspector.secret))\" data-pin-required=\"\(inspector.pinRequired)\">\n"
        } else {
            out += "<body>\n"
        }
        out += "<header><h1 id=\"error-type\">\(HTML.escape(first?.typeName ?? "Unknown error"))</h1>"
        out += "<p class=\"message\" id=\"error-message\">\(HTML.escape(first?.message ?? ""))</p>"
        for note in report.notes { out += "<p class=\"note\">\(HTML.escape(note))</p>" }
        out += "</header>\n"
        appendErrors(report.errors, to: &out)
        appendFrames(report, options: options, to: &out)
        appendLayers(report.layers, to: &out)
        if let inspector = options.inspector { appendInspector(inspector, to: &out) }
        for section in report.sections { appendSection(section, to: &out) }
        appendCopyButtons(report, options: options, to: &out)
        out += "<script>\(pageScript)</script>\n</body></html>\n"
        return out
    }

    private static func appendErrors(_ errors: [DiagnosticError], to out: inout String) {
        out += "<section id=\"errors\"><h2>Error</h2>"
        for (index, error) in errors.enumerated() {
            if index > 0 { out += "<p class=\"caused-by\">underlying error:</p>" }
            out += "<div class=\"error\"><h3>\(HTML.escape(error.typeName))</h3><pre>\(HTML.escape(error.message))</pre>"
            if !error.details.isEmpty { appendTable(error.details, to: &out) }
            out += "</div>"
        }
        out += "</section>\n"
    }

    private static func appendFrames(_ report: DiagnosticReport, options: Options, to out: inout String) {
        let libraryCount = report.frames.filter(\.isLibrary).count
        out += "<section id=\"traceback\"><h2>Traceback <small>innermost first, \(HTML.escape(report.framesOrigin.rawValue))</small></h2>"
        if libraryCount > 0 {
            out += "<button type=\"button\" id=\"toggle-library\" data-count=\"\(libraryCount)\">"
            out += "Show \(libraryCount) library frames</button>"
        }
        out += "<ol class=\"frames\">"
        var openedFirstAppFrame = false
        for (index, frame) in report.frames.enumerated() {
            let open = !frame.isLibrary && !openedFirstAppFrame
            if open { openedFirstAppFrame = true }
            out += "<li class=\"frame \(frame.isLibrary ? "library" : "app")\" id=\"frame-\(index)\">"
            out += "<details\(open ? " open" : "")><summary><code class=\"function\">\(HTML.escape(frame.function))</code>"
            if let location = frame.location { out += " <span class=\"location\">\(HTML.escape(location))</span>" }
            if frame.isAsync { out += " <span class=\"badge async\">async</span>" }
            if frame.isInlined { out += " <span class=\"badge\">inlined</span>" }
            if frame.isLibrary { out += " <span class=\"badge\">library</span>" }
            out += "</summary>"
            appendSource(of: frame, options: options, to: &out)
            out += "</details></li>"
        }
        out += "</ol></section>\n"
    }

    private static func appendSource(of frame: DiagnosticFrame, options: Options, to out: inout String) {
        guard let file = frame.file, let line = frame.line else {
            out += "<p class=\"no-source\">No source location\(frame.image.map { " (in \(HTML.escape($0)))" } ?? "").</p>"
            return
        }
        if let excerpt = SourceExcerpt.read(path: file, line: line, radius: options.sourceRadius) {
            out += "<pre class=\"source\">"
            for (offset, text) in excerpt.lines.enumerated() {
                let number = excerpt.firstLineNumber + offset
                let current = number == excerpt.markedLineNumber
                out += "<span class=\"line\(current ? " current" : "")\"><span class=\"number\">\(number)</span>"
                out += "\(HTML.escape(text))</span>"   // each line is a block: no newline between them
            }
            out += "</pre>"
        } else {
            out += "<p class=\"no-source\">The source file cannot be read.</p>"
        }
        if let template = options.editorURL {
            let url = template.replacing("{file}", with: percentEncodedPath(file))
                .replacing("{line}", with: String(line)).replacing("{column}", with: String(frame.column ?? 1))
            out += "<a class=\"editor\" href=\"\(HTML.escape(url))\">open in editor</a>"
        }
    }

    private static func appendLayers(_ layers: [DiagnosticLayer], to out: inout String) {
        guard !layers.isEmpty else { return }
        out += "<section id=\"layers\"><h2>Stack layers <small>outermost first</small></h2><ol class=\"layers\">"
        for layer in layers {
            out += layer.isMarked
                ? "<li class=\"marked\">\(HTML.escape(layer.name)) <span class=\"badge\">the error left here</span></li>"
                : "<li>\(HTML.escape(layer.name))</li>"
        }
        out += "</ol></section>\n"
    }

    private static func appendInspector(_ inspector: InspectorEmbedding, to out: inout String) {
        out += "<section id=\"inspector\"><h2>Inspector</h2>"
        out += "<p class=\"hint\">Navigate the captured values: "
        out += inspector.roots.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")
        out += " — e.g. <code>error.underlying</code>, <code>request.headers[\"Accept\"]</code>, <code>session[\"cart\"][0]</code>. "
        out += "Nothing is executed: paths are looked up in the values as they were.</p>"
        out += "<form id=\"inspector-form\"><input id=\"expression\" name=\"expression\" autocomplete=\"off\" spellcheck=\"false\" "
        out += "value=\"error\" maxlength=\"512\"><button type=\"submit\">Inspect</button></form>"
        out += "<div id=\"inspector-output\" aria-live=\"polite\"></div></section>\n"
        out += "<dialog id=\"pin-dialog\"><form method=\"dialog\" id=\"pin-form\"><h2>Debugger PIN</h2>"
        out += "<p>The inspector is locked. The PIN is printed in the server's log.</p>"
        out += "<input id=\"pin\" name=\"pin\" autocomplete=\"off\" inputmode=\"numeric\" maxlength=\"32\" placeholder=\"123-456-789\">"
        out += "<button type=\"submit\" id=\"pin-submit\">Confirm</button><p id=\"pin-message\"></p></form></dialog>\n"
    }

    private static func appendSection(_ section: DiagnosticSection, to out: inout String) {
        out += "<section class=\"data\"><h2>\(HTML.escape(section.title))</h2>"
        if section.fields.isEmpty { out += "<p class=\"empty\">(none)</p>" } else { appendTable(section.fields, to: &out) }
        out += "</section>\n"
    }

    private static func appendTable(_ fields: [DiagnosticField], to out: inout String) {
        out += "<table>"
        for field in fields {
            out += "<tr><th>\(HTML.escape(field.name))</th><td><pre>\(HTML.escape(field.value))</pre></td></tr>"
        }
        out += "</table>"
    }

    private static func appendCopyButtons(_ report: DiagnosticReport, options: Options, to out: inout String) {
        out += "<section id=\"copy\"><button type=\"button\" data-copy=\"traceback-text\">Copy as text</button>"
        if options.curlCommand != nil { out += " <button type=\"button\" data-copy=\"curl-text\">Copy as curl</button>" }
        out += "<textarea id=\"traceback-text\" readonly hidden>\(HTML.escape(text(report)))</textarea>"
        if let curl = options.curlCommand { out += "<textarea id=\"curl-text\" readonly hidden>\(HTML.escape(curl))</textarea>" }
        out += "</section>\n"
    }

    /// A file path for an editor URL: characters that would end or change the URL are escaped.
    private static func percentEncodedPath(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
