#if canImport(Glibc)
import Glibc
#endif
import Testing
import WerkCore
import WerkTestSupport
@testable import WerkRouting

/// A handler answering with its endpoint name and values, for tests.
func echo(_ name: String) -> Handler {
    Handler { request in "\(name) \(request.route)" }
}

/// The router of make_vectors.py's map.
func vectorRouter() -> Router {
    Router { vectorRoutes() }
}

/// The rules of make_vectors.py's map.
@RouteBuilder func vectorRoutes() -> [RouteElement] {
    Route("/", name: "index", handler: echo("index"))
    Route("/branch/", name: "branch", handler: echo("branch"))
    Route("/leaf", name: "leaf", handler: echo("leaf"))
    Route("/post/<int:id>", methods: [.get, .post], name: "post", handler: echo("post"))
    Route("/files/<path:p>", name: "files", handler: echo("files"))
    Route("/u/<uuid:u>", name: "uuid", handler: echo("uuid"))
    Route("/f/<float:x>", name: "float", handler: echo("float"))
    Route("/i/<int(fixed_digits=4):n>", name: "fixed", handler: echo("fixed"))
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
