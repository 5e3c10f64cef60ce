import Testing
import WerkCore
@testable import WerkRouting

/// Expected URLs come from Werkzeug 3.1.8 (`Map.bind("example.com", script_name="/app").build(...)`).
@Suite("URL building")
struct BuildTests {
    static let router = Router {
        Route("/post/<int:id>", methods: [.get, .post], name: "post", handler: echo("post"))
        Route("/p/<path:p>", name: "p", handler: echo("p"))
        Route("/any/<any(a,b):x>", name: "any", handler: echo("any"))
        Route("/sp ace/<x>", name: "sp", handler: echo("sp"))
        Route("/u", methods: [.post], name: "u", handler: echo("u"))
        Route("/i/<int(fixed_digits=3):n>", name: "fixed", handler: echo("fixed"))
        Route("/neg/<int(signed=True):n>", name: "neg", handler: echo("neg"))
        Route("/f/<float:x>", name: "float", handler: echo("float"))
        Route("/uuid/<uuid:u>", name: "uuid", handler: echo("uuid"))
    }
    static let app = URLMap.Binding(serverName: "example.com", scriptName: "/app")

    static func build(_ endpoint: String, _ values: [(String, any Sendable)] = [], method: Method? = nil,
                      external: Bool = false, scheme: String? = nil) throws -> String {
        try router.map.build(endpoint, values, method: method, external: external, scheme: scheme, context: app)
    }

    @Test("unknown values become the query: lists repeat, spaces are +, reserved characters escaped")
    func query() throws {
        #expect(try Self.build("post", [("id", 5), ("q", "a b"), ("x", [1, 2])]) == "/app/post/5?q=a+b&x=1&x=2")
        #expect(try Self.build("post", [("id", 5), ("z", "&=+?/")]) == "/app/post/5?z=%26%3D%2B?/")
        #expect(try Self.build("post", [("id", 5), ("none", Optional<Int>.none as any Sendable)]) == "/app/post/5")
    }

    @Test("values are quoted for the path; path values keep their slashes")
    func quoting() throws {
        #expect(try Self.build("p", [("p", "a/b c?d#e%f")]) == "/app/p/a/b%20c%3Fd%23e%25f")
        #expect(try Self.build("sp", [("x", "ü/é")]) == "/app/sp%20ace/%C3%BC/%C3%A9")
    }

    @Test("converters format values: strings to int, padding, signs, floats, UUIDs in lower case")
    func converterOutput() throws {
        #expect(try Self.build("post", [("id", "7")]) == "/app/post/7")
        #expect(try Self.build("fixed", [("n", 7)]) == "/app/i/007")
        #expect(try Self.build("neg", [("n", -5)]) == "/app/neg/-5")
        #expect(try Self.build("float", [("x", 2)]) == "/app/f/2.0")
        let uuid = "12345678-1234-1234-1234-123456789ABC"
        #expect(try Self.build("uuid", [("u", RouteValue.uuid(.init(uuidString: uuid)!))]) == "/app/uuid/" + uuid.lowercased())
    }

    @Test("external URLs and schemes")
    func external() throws {
        #expect(try Self.build("post", [("id", 5)], external: true) == "http://example.com/app/post/5")
        #expect(try Self.build("post", [("id", 5)], external: true, scheme: "https") == "https://example.com/app/post/5")
        #expect(try Self.build("u") == "/app/u")  // GET first, then any method
    }

    @Test("errors suggest the closest endpoint, the missing values or the methods, as Werkzeug words them")
    func errors() {
        func message(_ body: () throws -> String) -> String {
            do { return "built " + (try body()) } catch { return "\(error)" }
        }
        #expect(message { try Self.build("pots", [("id", 1)]) }
                == "Could not build url for endpoint 'pots' with values ['id']. Did you mean 'post' instead?")
        #expect(message { try Self.build("post") }
                == "Could not build url for endpoint 'post'. Did you forget to specify values ['id']?")
        #expect(message { try Self.build("u", method: .get) }
                == "Could not build url for endpoint 'u' ('GET'). Did you mean to use methods ['POST']?")
        #expect(message { try Self.build("any", [("x", "c")]) }.contains("'c' is not one of 'a', 'b'"))
        do {
            _ = try Self.build("pots")
            Issue.record("built a missing endpoint")
        } catch let error as URLBuildError {
            #expect(error.suggestion == "post")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("defaults: the rule with the default is chosen when the value equals it or is missing")
    func defaults() throws {
        let router = Router {
            Route("/page/", name: "page", defaults: ["n": 1], handler: echo("page"))
            Route("/page/<int:n>", name: "page", handler: echo("page"))
        }
        func build(_ values: [(String, any Sendable)]) throws -> String {
            try router.map.build("page", values, context: exampleBinding)
        }
        #expect(try build([("n", 1)]) == "/page/")
        #expect(try build([("n", 3)]) == "/page/3")
        #expect(try build([]) == "/page/")
    }

    @Test("host matching builds relative URLs on the same host and absolute ones elsewhere")
    func hostMatching() throws {
        let router = Router(hostMatching: true) {
            Route("/", name: "user", host: "<user>.example.com", handler: echo("user"))
            Route("/", name: "root", host: "example.com", handler: echo("root"))
        }
        let alice = URLMap.Binding(serverName: "alice.example.com", subdomain: nil)
        #expect(try router.map.build("root", context: alice) == "http://example.com/")
        #expect(try router.map.build("user", [("user", "bob")], context: alice) == "http://bob.example.com/")
        #expect(try router.map.build("user", [("user", "alice")], context: alice) == "/")
    }

    @Test("subdomain rules build absolute URLs from another subdomain")
    func subdomains() throws {
        let router = Router(serverName: "example.com", defaultSubdomain: "www") {
            Group(subdomain: "<user>") { Route("/", name: "user", handler: echo("user")) }
            Route("/", name: "www", handler: echo("www"))
            Route("/s", name: "s", subdomain: "api", handler: echo("s"))
        }
        let bob = URLMap.Binding(serverName: "example.com", subdomain: "bob")
        #expect(try router.map.build("www", context: bob) == "http://www.example.com/")
        #expect(try router.map.build("user", [("user", "bob")], context: bob) == "/")
        #expect(try router.map.build("user", [("user", "carl")], context: bob) == "http://carl.example.com/")
        #expect(try router.map.build("s", context: bob) == "http://api.example.com/s")
    }

    @Test("WebSocket rules always build absolute ws/wss URLs")
    func websocket() throws {
        let router = Router { Route("/ws", name: "ws", websocket: true, handler: echo("ws")) }
        #expect(try router.map.build("ws", context: exampleBinding) == "ws://example.com/ws")
        var secure = exampleBinding
        secure.scheme = "https"
        #expect(try router.map.build("ws", context: secure) == "wss://example.com/ws")
    }

    @Test("build-only rules build but never match")
    func buildOnly() throws {
        let router = Router { Route(buildOnly: "/static/<path:file>", name: "static") }
        #expect(try router.map.build("static", [("file", "css/site.css")], context: exampleBinding) == "/static/css/site.css")
        #expect(router.test("/static/css/site.css").isNotFound)
    }

    @Test("edit-distance similarity")
    func similarity() {
        #expect(URLMap.similarity("post", "post") == 1)
        #expect(URLMap.similarity("post", "pots") == 0.5)
        #expect(URLMap.similarity("", "abc") == 0)
    }
}
