#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WerkCore

/// Loads `shared/interop/vectors.json` (byte-exact outputs of itsdangerous, Werkzeug and Flask),
/// which lives next to the repository: `<repo>/../shared/interop/vectors.json`. A missing file is an
/// error, so the tests that need it fail instead of skipping.
enum InteropVectors {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "cannot read \(path); the interop vectors must exist next to the repository" }
    }

    static var path: String {
        // #filePath is <repo>/Tests/WerkCoreTests/InteropVectors.swift.
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        components[components.count - 1] = "shared"
        return components.joined(separator: "/") + "/interop/vectors.json"
    }

    static func load() throws -> JSON {
        guard let file = fopen(path, "rb") else { throw Missing(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return try JSON.parse(bytes)
    }

    /// The entries of one section, e.g. `"itsdangerous"`.
    static func section(_ name: String) throws -> [JSON] {
        guard let entries = try load()[name]?.arrayValue, !entries.isEmpty else {
            throw Missing(path: path + " (section \(name))")
        }
        return entries
    }
}

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of a string, for terse test inputs.
    init(utf8 text: String) { self = Array(text.utf8) }
}
