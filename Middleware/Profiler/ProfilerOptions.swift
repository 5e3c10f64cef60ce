extension Profiler {
    /// Which requests are profiled. Requests that are not pay only for the decision.
    public enum Sampling: Sendable {
        /// Every request.
        case everyRequest
        /// One request in `n` (the 1st, the n+1th, ...); `n` below 1 counts as 1.
        case everyNth(Int)
        /// Only requests carrying the `header` (any value) or the `cookie`, and that
        /// ``Options/authorize`` accepts: leave the profiler on in production and profile on demand.
        case requested(header: String = "X-Werk-Profile", cookie: String = "werk_profile")
        /// No request: the UI shows what was recorded elsewhere (nothing, with this middleware alone).
        case never
    }

    /// How a profiled response points at its profile.
    public enum Links: Sendable, Equatable {
        /// No link.
        case none
        /// An `X-Werk-Profile-Link` header with the profile's address in the UI.
        case header
        /// A small toolbar (time, status, link) injected before `</body>` of HTML responses
        /// (uncompressed bytes only), and the header on every other response.
        case toolbar
    }

    /// What the per-request text report is sorted by (Werkzeug's `sort_by`).
    public enum SortKey: Sendable, Equatable {
        /// Time inside the frame itself, children excluded (pstats' `time`).
        case selfTime
        /// Time inside the frame, children included (pstats' `cumulative`).
        case totalTime
        /// How many times the name occurred.
        case calls
        /// The name, alphabetically.
        case name
    }

    /// One restriction on the rows of the text report, applied in order (Werkzeug's `restrictions`).
    public enum Restriction: Sendable, Equatable {
        /// At most this many rows.
        case limit(Int)
        /// This fraction (0…1) of the rows, rounded down.
        case fraction(Double)
        /// Only rows whose name contains this text.
        case matching(String)
    }

    /// The per-request text report.
    public struct Report: Sendable {
        /// Where each report goes, one call per request (default: standard error).
        public var write: @Sendable (String) -> Void
        /// Sort order, most important key first (default: self time, then calls).
        public var sortBy: [SortKey]
        /// Restrictions applied to the sorted rows, in order.
        public var restrictions: [Restriction]

        /// A report written by `write` (default: standard error).
        public init(sortBy: [SortKey] = [.selfTime, .calls], restrictions: [Restriction] = [],
                    write: @escaping @Sendable (String) -> Void = Profiler.writeToStandardError) {
            self.sortBy = sortBy
            self.restrictions = restrictions
            self.write = write
        }
    }

    /// A format of the per-request profile files.
    public enum FileFormat: Sendable, Equatable, CaseIterable {
        /// Chrome trace-event JSON (`.trace.json`): opens in Perfetto and chrome://tracing.
        case chromeTrace
        /// speedscope's evented JSON (`.speedscope.json`): opens in speedscope.app.
        case speedscope

        /// The file name's extension.
        public var fileExtension: String {
            switch self {
            case .chromeTrace: ".trace.json"
            case .speedscope: ".speedscope.json"
            }
        }
    }

    /// What the profiler records and where it shows it.
    public struct Options: Sendable {
        /// Which requests are profiled (default: every request).
        public var sampling: Sampling = .everyRequest
        /// Who may see the UI and its data, and whose `.requested` requests are profiled (default:
        /// loopback clients only, ``Profiler/isLoopback(_:)``; behind a proxy, put ProxyFix first).
        public var authorize: @Sendable (Request) -> Bool = Profiler.isLoopback
        /// Where the web UI answers, below the profiler's mount point (default `/__profiler/`); nil:
        /// no UI.
        public var uiPath: String? = "/__profiler/"
        /// How many finished profiles the UI keeps, newest first (default 100; at least 1).
        public var capacity = 100
        /// Adds `Server-Timing` to profiled responses with the `serverTimingEntries` slowest layers
        /// and spans and the total (default off).
        public var serverTiming = false
        /// How many entries `Server-Timing` lists besides the total (default 8).
        public var serverTimingEntries = 8
        /// A text report per profiled request (default nil: none).
        public var report: Report? = nil
        /// A folder for one file per profiled request and format (default nil: no files). Created if
        /// missing. Files are written when the profile ends, on the thread that ends it.
        public var profileDirectory: String? = nil
        /// The file name before the extension; `{method}`, `{path}` (the path with `/` as `.`, or
        /// `root`), `{elapsed}` (milliseconds), `{time}` (seconds since 1970) and `{id}` are replaced.
        public var filenameFormat = "{method}.{path}.{elapsed}ms.{time}"
        /// The formats written to ``profileDirectory``.
        public var fileFormats: [FileFormat] = [.chromeTrace, .speedscope]
        /// How a profiled response points at its profile (default none).
        public var links: Links = .none
        /// The clock (default ``ProfilerClock/monotonic``).
        public var clock: ProfilerClock = .monotonic
        /// The most frames (layers, spans) kept per request; more are counted as dropped (default 10 000).
        public var maxFramesPerRequest = 10_000

        /// The defaults above.
        public init() {}
    }
}
