import Glibc
import WerkCore

/// The summary of a Swift runtime crash report: the JSON file the backtracer writes when a process
/// run with `SWIFT_BACKTRACE=format=json,output-to=<folder>` traps (a force-unwrap of nil, an index
/// out of range, `fatalError`) or faults.
///
/// A supervisor runs its workers that way and logs each crash's ``summary``: the fault, the
/// crashing function and its file:line.
///
/// ```swift
/// let json = #"{"kind":"crashReport","description":"Illegal instruction","threads":[{"crashed":true,"frames":[{"description":"main.handler() + 12","sourceLocation":{"file":"/app/main.swift","line":7,"column":3}}]}]}"#
/// let report = try CrashReport(json: Array(json.utf8))
/// print(report.summary)   // Illegal instruction in main.handler() at /app/main.swift:7:3
/// ```
public struct CrashReport: Sendable, Equatable {
    /// One frame of the crashed thread's backtrace.
    public struct Frame: Sendable, Equatable {
        /// The function, demangled, without the offset (`handler(_:)`, `closure #1 in main`).
        public var function: String
        /// The image (executable or library) it belongs to, when known.
        public var image: String?
        /// The source file, when the image has debug information.
        public var file: String?
        /// The line in ``file`` (1-based), when known.
        public var line: Int?
        /// The column in ``line`` (1-based), when known.
        public var column: Int?

        /// A frame.
        public init(function: String, image: String? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil) {
            self.function = function
            self.image = image
            self.file = file
            self.line = line
            self.column = column
        }

        /// `file:line:column` (or `file:line`), nil without a file.
        public var location: String? {
            guard let file else { return nil }
            guard let line else { return file }
            return column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
        }

        /// Whether the frame is in the Swift runtime or the C library rather than the program.
        public var isRuntime: Bool {
            guard let image else { return false }
            return image.hasPrefix("libswift") || image.hasPrefix("libc.") || image.hasPrefix("libc-")
                || image.hasPrefix("ld-linux") || image.hasPrefix("libpthread")
        }
    }

    /// The fault (`Illegal instruction`, `Segmentation fault`, `Trace/breakpoint trap`).
    public var fault: String
    /// The faulting address (`0x00007f3ce536df7f`), when reported.
    public var faultAddress: String?
    /// When the crash happened (ISO 8601, UTC), when reported.
    public var timestamp: String?
    /// The crashed thread's name (`werk-loop-0`), when reported.
    public var threadName: String?
    /// The crashed thread's frames, innermost first.
    public var frames: [Frame]

    /// A report from its fields.
    public init(fault: String, faultAddress: String? = nil, timestamp: String? = nil, threadName: String? = nil, frames: [Frame]) {
        self.fault = fault
        self.faultAddress = faultAddress
        self.timestamp = timestamp
        self.threadName = threadName
        self.frames = frames
    }

    /// Parses a report's JSON. Throws `JSONError` for bytes that are not JSON or not a crash report
    /// (no `kind: crashReport`, no threads).
    public init(json bytes: some Collection<UInt8>) throws(JSONError) {
        let root = try JSON.parse(bytes)
        guard root["kind"]?.stringValue == "crashReport", let threads = root["threads"]?.arrayValue else {
            throw JSONError("not a Swift crash report (no kind \"crashReport\" with threads)", at: 0)
        }
        let crashed = threads.first { $0["crashed"]?.boolValue == true } ?? threads.first
        self.fault = root["description"]?.stringValue ?? "crash"
        self.faultAddress = root["faultAddress"]?.stringValue
        self.timestamp = root["timestamp"]?.stringValue
        self.threadName = crashed?["name"]?.stringValue
        self.frames = (crashed?["frames"]?.arrayValue ?? []).compactMap(Self.frame)
    }

    /// Reads and parses the report at `path`; nil when it cannot be read or parsed.
    public init?(contentsOf path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < 64 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        guard let report = try? CrashReport(json: bytes) else { return nil }
        self = report
    }

    /// The frame to blame: the innermost one with a source location outside the Swift runtime and
    /// the C library (the runtime's `_assertionFailure` frames come first); else the innermost
    /// frame outside the runtime; else the first.
    public var crashingFrame: Frame? {
        frames.first { $0.file != nil && !$0.isRuntime } ?? frames.first { !$0.isRuntime } ?? frames.first
    }

    /// `Illegal instruction in handler(_:) at /app/Sources/App/main.swift:12:9`.
    public var summary: String {
        guard let frame = crashingFrame else { return fault }
        return frame.location.map { "\(fault) in \(frame.function) at \($0)" } ?? "\(fault) in \(frame.function)"
    }

    /// The newest report a process with `pid` wrote in `folder` (the backtracer names them
    /// `<program>-<pid>-<time>.json`), or nil.
    public static func path(forProcess pid: Int32, in folder: String) -> String? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        let marker = "-\(pid)-"
        var best: (path: String, time: Int) = ("", -1)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".json"), name.contains(marker) || name.hasPrefix("crash-\(pid)-") else { continue }
            let path = folder + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if info.st_mtim.tv_sec >= best.time { best = (path, info.st_mtim.tv_sec) }
        }
        return best.time >= 0 ? best.path : nil
    }

    private static func frame(_ json: JSON) -> Frame? {
        guard let description = json["description"]?.stringValue ?? json["symbol"]?.stringValue else { return nil }
        var function = Substring(description)
        // "handler(_:) + 250": drop the offset.
        if let plus = function.lastIndex(of: "+"), plus > function.startIndex,
           function[function.index(before: plus)] == " " {
            let offset = function[function.index(after: plus)...].dropFirst()
            if function[function.index(after: plus)...].hasPrefix(" "), !offset.isEmpty, offset.allSatisfy(\.isNumber) {
                function = function[..<function.index(before: plus)]
            }
        }
        let location = json["sourceLocation"]
        return Frame(function: String(function), image: json["image"]?.stringValue, file: location?["file"]?.stringValue,
                     line: location?["line"]?.intValue, column: location?["column"]?.intValue)
    }
}

extension CrashReport {
    /// A new private folder `/tmp/<prefix>-XXXXXX` for the runtime's JSON crash reports of the
    /// workers a supervisor starts (the workers' `SWIFT_BACKTRACE=...,output-to=` points there).
    package static func makeTemporaryFolder(prefix: String) throws(ServerError) -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw ServerError.system("mkdtemp", errno)
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
