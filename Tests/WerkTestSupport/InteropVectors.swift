#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WerkCore

/// Loads `shared/interop/vectors.json` (byte-exact outputs of itsdangerous, Werkzeug and Flask), which
/// lives next to the repository: `<repo>/../shared/interop/vectors.json`. Shared by every test target
/// that checks compatibility. A missing file or section is an error, so those tests fail, never skip.
public enum InteropVectors {
    /// The vectors file (or one of its sections) could not be read.
    public struct Missing: Error, CustomStringConvertible {
        /// What was looked for.
        public let path: String
        /// Why the tests cannot run.
        public var description: String { "cannot read \(path); the interop vectors must exist next to the repository" }
    }

    /// `<repo>/../shared/interop/vectors.json`.
    public static var path: String {
        // #filePath is <repo>/Tests/WerkTestSupport/InteropVectors.swift.
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        components[components.count - 1] = "shared"
        return components.joined(separator: "/") + "/interop/vectors.json"
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
