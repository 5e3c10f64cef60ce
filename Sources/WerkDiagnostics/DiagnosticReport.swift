/// What an error page shows: the error (and the chain of errors under it), the frames of a
/// backtrace, the layers of the stack, and named sections of request data. The Debugger middleware
/// builds one from a thrown error; the dev server builds one from the Swift runtime's JSON crash
/// report of a trap. Both render it with ``DiagnosticPage``, so the two pages look the same.
///
/// A page from a crash report (the runtime's `SWIFT_BACKTRACE=format=json` output): one
/// ``DiagnosticFrame`` per frame of the crashed thread, built from the report's fields with
/// ``DiagnosticFrame/init(symbol:file:line:column:image:isAsync:isInlined:)`` (it demangles the
/// symbol and decides whether the frame is library code); source lines are read from disk when the
/// page is rendered.
///
/// ```swift
/// let frames = [
///     DiagnosticFrame(symbol: "$s4Demo4boomyyF", file: "/app/Sources/Demo/main.swift", line: 12),
///     DiagnosticFrame(symbol: "main", file: nil, line: nil),
/// ]
/// let report = DiagnosticReport(
///     errors: [DiagnosticError(typeName: "Fatal error", message: "Index out of range")],
///     frames: frames, framesOrigin: .crashReport,
///     sections: [DiagnosticSection("Process", [DiagnosticField("pid", "4242"), DiagnosticField("exit status", "132")])])
/// let html = DiagnosticPage.html(report)                // a self-contained page
/// let text = DiagnosticPage.text(report)                // for logs and terminals
/// let json = DiagnosticPage.json(report).serialized()   // for API clients
/// ```
public struct DiagnosticReport: Sendable {
    /// The error, first, then the errors under it (`underlying`, `cause`, ...), outermost first.
    /// Never empty in a useful report; the page says "Unknown error" when it is.
    public var errors: [DiagnosticError]
    /// The backtrace, innermost frame first.
    public var frames: [DiagnosticFrame]
    /// Where ``frames`` were taken.
    public var framesOrigin: FramesOrigin
    /// The layers of the stack the request went through, outermost first (empty when unknown).
    public var layers: [DiagnosticLayer]
    /// Named tables of data: the request, its headers, cookies, query, form, the session, ...
    public var sections: [DiagnosticSection]
    /// Free-text notes shown under the error (e.g. "frames are from the catch site").
    public var notes: [String]

    /// A report.
    public init(errors: [DiagnosticError], frames: [DiagnosticFrame] = [], framesOrigin: FramesOrigin = .throwSite,
                layers: [DiagnosticLayer] = [], sections: [DiagnosticSection] = [], notes: [String] = []) {
        self.errors = errors
        self.frames = frames
        self.framesOrigin = framesOrigin
        self.layers = layers
        self.sections = sections
        self.notes = notes
    }

    /// The page title: `Type: message` of the outermost error.
    public var title: String {
        guard let first = errors.first else { return "Unknown error" }
        return first.message.isEmpty ? first.typeName : "\(first.typeName): \(first.message)"
    }

    /// Where the frames of a report come from.
    public enum FramesOrigin: String, Sendable, Hashable, Codable {
        /// Captured by the will-throw hook where the error was thrown.
        case throwSite = "thrown at"
        /// Captured where the error was caught (nothing was recorded at the throw).
        case catchSite = "caught at"
        /// Read from the runtime's crash report of a trap.
        case crashReport = "crashed at"
    }
}

/// One error of a report's chain.
public struct DiagnosticError: Sendable, Hashable {
    /// The error's type, module-qualified (`String(reflecting: type(of: error))`).
    public var typeName: String
    /// Its description (`String(describing: error)`).
    public var message: String
    /// Further fields: `debugDescription` when it differs, `LocalizedError`'s texts, ...
    public var details: [DiagnosticField]

    /// An error entry.
    public init(typeName: String, message: String, details: [DiagnosticField] = []) {
        self.typeName = typeName
        self.message = message
        self.details = details
    }
}

/// A name and a value, shown as one row of a table.
public struct DiagnosticField: Sendable, Hashable {
    /// The name (a header name, a cookie name, "method").
    public var name: String
    /// The value, shown escaped and verbatim.
    public var value: String

    /// A row.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A titled table of fields (a request's headers, its cookies, the session).
public struct DiagnosticSection: Sendable, Hashable {
    /// The heading.
    public var title: String
    /// The rows, in order.
    public var fields: [DiagnosticField]

    /// A section.
    public init(_ title: String, _ fields: [DiagnosticField]) {
        self.title = title
        self.fields = fields
    }
}

/// One layer of the stack, as `Handler.layers` names it.
public struct DiagnosticLayer: Sendable, Hashable {
    /// The layer's name.
    public var name: String
    /// Whether the error passed through this layer (the innermost layer it left marked).
    public var isMarked: Bool

    /// A layer.
    public init(_ name: String, isMarked: Bool = false) {
        self.name = name
        self.isMarked = isMarked
    }
}
