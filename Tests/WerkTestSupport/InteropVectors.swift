#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WerkCore

/// Loads `Tests/Fixtures/interop-vectors.json`: byte-exact outputs of itsdangerous, Werkzeug and Flask,
/// made by `Tests/Fixtures/make_interop_vectors.py` from pinned versions. Shared by every test target
/// that checks compatibility. A missing file or section is an error, so those tests fail, never skip.
public enum InteropVectors {
    /// The vectors file (or one of its sections) could not be read.
    public struct Missing: Error, CustomStringConvertible {
        /// What was looked for.
        public let path: String
        /// Why the tests cannot run.
        public var description: String {
            "cannot read \(path); regenerate it with python3 Tests/Fixtures/make_interop_vectors.py"
        }
    }

    /// `<repo>/Tests/Fixtures/interop-vectors.json`.
    public static var path: String { testsDirectory + "/Fixtures/interop-vectors.json" }

    /// `<repo>/Tests`, found from this file's path (`<repo>/Tests/WerkTestSupport/InteropVectors.swift`).
    public static var testsDirectory: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(2)
        return components.joined(separator: "/")
    }

    /// The file's bytes.
    public static func bytes() throws -> [UInt8] { try readFile(path) }

    /// The whole file as a ``JSON`` value.
    public static func load() throws -> JSON { try JSON.parse(bytes()) }

    /// The entries of one non-empty section, e.g. `"itsdangerous"`.
    public static func section(_ name: String) throws -> [JSON] {
        guard let entries = try load()[name]?.arrayValue, !entries.isEmpty else {
            throw Missing(path: path + " (section \(name))")
        }
        return entries
    }
}

/// The bytes of the file at `path`; throws ``InteropVectors/Missing`` when it cannot be opened.
public func readFile(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw InteropVectors.Missing(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}
