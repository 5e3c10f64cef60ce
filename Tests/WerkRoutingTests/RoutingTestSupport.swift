#if canImport(Glibc)
import Glibc
#endif
import Testing
import WerkCore
@testable import WerkRouting

/// Loads `<repo>/../shared/interop/vectors.json`; a missing file throws, so tests fail rather than skip.
enum RoutingVectors {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "cannot read \(path); the interop vectors must exist next to the repository" }
    }

    static var path: String {
        // #filePath is <repo>/Tests/WerkRoutingTests/RoutingTestSupport.swift.
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        components[components.count - 1] = "shared"
        return components.joined(separator: "/") + "/interop/vectors.json"
    }

    static func section(_ name: String) throws -> [JSON] {
        guard let file = fopen(path, "rb") else { throw Missing(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        let entries = try JSON.parse(bytes)[name]?.arrayValue ?? []
        #expect(!entries.isEmpty, "vectors.json has no '\(name)' entries")
        return entries
    }
}

/// A handler answering with its endpoint name and values, for tests.
func echo(_ name: String) -> Handler {
    Handler { request in "\(name) \(request.route)" }
}

/// The router of make_vectors.py's map.
func vectorRouter() -> Router {
    Router {
        Route("/", name: "index", handler: echo("index"))
        Route("/branch/", name: "branch", handler: echo("branch"))
        Route("/leaf", name: "leaf", handler: echo("leaf"))
        Route("/post/<int:id>", methods: [.get, .post], name: "post", handler: echo("post"))
        Route("/files/<path:p>", name: "files", handler: echo("files"))
        Route("/u/<uuid:u>", name: "uuid", handler: echo("uuid"))
        Route("/f/<float:x>", name: "float", handler: echo("float"))
        Route("/i/<int(fixed_digits=4):n>", name: "fixed", handler: echo("fixed"))
    }
}

let exampleBinding = URLMap.Binding(serverName: "example.com")

extension Router {
    /// Matches like `Map.bind("example.com").match(path, method)`.
    func test(_ path: String, _ method: Method = .get, binding: URLMap.Binding = exampleBinding,
              query: String = "") -> RouteMatchResult {
        map.match(path, method: method, binding: binding, queryString: query)
    }
}

extension RouteMatchResult {
    var endpoint: String? { if case .matched(let m) = self { m.endpoint } else { nil } }
    var values: [String: String] {
        guard case .matched(let m) = self else { return [:] }
        return Dictionary(m.parameters.map { ($0.name, $0.value.description) }, uniquingKeysWith: { $1 })
    }
    var location: String? { if case .redirect(let l) = self { l } else { nil } }
    var allowed: [String]? { if case .methodNotAllowed(let m) = self { m.map(\.rawValue) } else { nil } }
    var isNotFound: Bool { if case .notFound = self { true } else { false } }
    var isWebsocketMismatch: Bool { if case .websocketMismatch = self { true } else { false } }
}
