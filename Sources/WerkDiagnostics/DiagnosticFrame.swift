#if canImport(Glibc)
import Glibc
#endif

/// One frame of a backtrace, as an error page shows it.
public struct DiagnosticFrame: Sendable, Hashable {
    /// The function, demangled (`Demo.boom() throws -> ()`).
    public var function: String
    /// The source file, as recorded in the debug info (an absolute path), when known.
    public var file: String?
    /// The 1-based line in ``file``.
    public var line: Int?
    /// The 1-based column, when known.
    public var column: Int?
    /// The binary the code is in (`Demo`, `libswiftCore.so`), when known.
    public var image: String?
    /// Library, system or runtime code rather than the application's: folded by default.
    public var isLibrary: Bool
    /// A resume point of an async function (the frames of a task's continuation chain).
    public var isAsync: Bool
    /// A function inlined into the frame below it (its name and line are approximate in release builds).
    public var isInlined: Bool

    /// A frame with every field given.
    public init(function: String, file: String?, line: Int?, column: Int? = nil, image: String? = nil,
                isLibrary: Bool, isAsync: Bool = false, isInlined: Bool = false) {
        self.function = function
        self.file = file
        self.line = line
        self.column = column
        self.image = image
        self.isLibrary = isLibrary
        self.isAsync = isAsync
        self.isInlined = isInlined
    }

    /// A frame from the fields of a crash report or a symbolicated backtrace: `symbol` is demangled
    /// when it is a mangled Swift name (kept as given otherwise), and the frame counts as library
    /// code when it has no source file or ``DiagnosticFrame/isLibraryPath(_:)`` says so.
    public init(symbol: String?, file: String?, line: Int?, column: Int? = nil, image: String? = nil,
                isAsync: Bool = false, isInlined: Bool = false) {
        let name = symbol.map(Demangler.demangle) ?? "???"
        let known = file.flatMap { $0.isEmpty || $0 == "<compiler-generated>" ? nil : $0 }
        self.init(function: name, file: known, line: line.flatMap { $0 > 0 ? $0 : nil }, column: column, image: image,
                  isLibrary: known.map(DiagnosticFrame.isLibraryPath) ?? true, isAsync: isAsync, isInlined: isInlined)
    }

    /// Whether a source path belongs to library code rather than the application: the toolchain and
    /// system (`/usr/`, `/opt/`, the Swift runtime's sources), a package checkout (`.build/checkouts/`),
    /// and Werk's own `Sources/` and `Middleware/` folders.
    public static func isLibraryPath(_ path: String) -> Bool {
        if path.hasPrefix("/usr/") || path.hasPrefix("/opt/") || path.hasPrefix("/lib") { return true }
        if path.contains("/.build/checkouts/") || path.contains("/swift/stdlib/") { return true }
        if let root = werkRoot {
            return path.hasPrefix(root + "Sources/") || path.hasPrefix(root + "Middleware/")
        }
        return false
    }

    /// The folder holding Werk's package (ending in `/`), from this file's path at build time.
    private static let werkRoot: String? = {
        // #filePath is <root>/Sources/WerkDiagnostics/DiagnosticFrame.swift.
        let parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 3, parts[parts.count - 3] == "Sources" else { return nil }
        return parts.dropLast(3).joined(separator: "/") + "/"
    }()

    /// `file:line` (or `file:line:column`), or nil without a file.
    public var location: String? {
        guard let file else { return nil }
        guard let line else { return file }
        return column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
    }
}

/// Swift symbol demangling, through the runtime's own demangler.
public enum Demangler {
    /// The readable form of a mangled Swift symbol (`$s4Demo4boomyyKF` → `Demo.boom() throws -> ()`);
    /// anything that is not a Swift mangled name (a C symbol, an already readable name) is returned
    /// unchanged.
    public static func demangle(_ symbol: String) -> String {
        guard symbol.hasPrefix("$s") || symbol.hasPrefix("_$s") || symbol.hasPrefix("$S") || symbol.hasPrefix("_T") else {
            return symbol
        }
        return symbol.withCString { pointer in
            guard let result = swift_demangle(pointer, strlen(pointer), nil, nil, 0) else { return symbol }
            defer { free(result) }
            return String(cString: result)
        }
    }
}

/// The runtime's demangler (exported by libswiftCore): returns a malloc'ed string or NULL.
@_silgen_name("swift_demangle")
private func swift_demangle(_ mangledName: UnsafePointer<CChar>?, _ mangledNameLength: Int,
                            _ outputBuffer: UnsafeMutablePointer<CChar>?, _ outputBufferSize: UnsafeMutablePointer<Int>?,
                            _ flags: UInt32) -> UnsafeMutablePointer<CChar>?
