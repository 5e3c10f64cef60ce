import Testing
import WerkCore
@testable import WerkRouting

/// Expected results come from Werkzeug 3.1.8 (`Map.bind("example.com").match(...)`).
@Suite("Matching, priority and redirects")
struct MatchingTests {
    @Test("static segments win over converters, converters by weight, declaration order breaks ties")
    func priority() {
        let router = Router {
            Route("/p/<path:rest>", name: "path", handler: echo("path"))
            Route("/p/<name>", name: "string", handler: echo("string"))
            Route("/p/<int:n>", name: "int", handler: echo("int"))
            Route("/p/new", name: "static", handler: echo("static"))
            Route("/p/<name>.json", name: "json", handler: echo("json"))
            Route("/q/<a>", name: "first", handler: echo("first"))
            Route("/q/<b>", name: "second", handler: echo("second"))
        }
        #expect(router.test("/p/new").endpoint == "static")
        #expect(router.test("/p/42").endpoint == "int")
        #expect(router.test("/p/abc").endpoint == "string")
        #expect(router.test("/p/abc.json").endpoint == "json")
        #expect(router.test("/p/a/b").endpoint == "path")
        #expect(router.test("/q/x").endpoint == "first")
    }

    @Test("backtracking: a static prefix that leads nowhere falls back to a converter")
    func backtracking() {
        let router = Router {
            Route("/a/static/x", name: "deep", handler: echo("deep"))
            Route("/a/<v>/y", name: "dyn", handler: echo("dyn"))
        }
        #expect(router.test("/a/static/y").endpoint == "dyn")
        #expect(router.test("/a/static/x").endpoint == "deep")
    }

    @Test("strict slashes off: both spellings match without a redirect", arguments: ["/a", "/a/", "/b", "/b/"])
    func strictSlashesOff(path: String) {
        let router = Router {
            Route("/a/", name: "a", strictSlashes: false, handler: echo("a"))
            Route("/b", name: "b", strictSlashes: false, handler: echo("b"))
        }
        #expect(router.test(path).endpoint == String(path.dropFirst().prefix(1)))
    }

    @Test("the router-wide strictSlashes setting applies to every rule")
    func strictSlashesRouterWide() {
        let router = Router(strictSlashes: false) { Route("/c/", name: "c", handler: echo("c")) }
        #expect(router.test("/c").endpoint == "c")
    }

    @Test("the slash redirect keeps the query and the script name")
    func slashRedirectQueryAndScript() {
        let router = Router { Route("/c/", name: "c", handler: echo("c")) }
        var binding = exampleBinding
        binding.scriptName = "/app"
        #expect(router.test("/c", binding: binding, query: "x=1&y=2").location == "http://example.com/app/c/?x=1&y=2")
    }

    @Test("merge slashes, as Werkzeug", arguments: [
        ("/a//b", "308 http://example.com/a/b"), ("//a/b", "ab"), ("/a/b//", "404"), ("/k//5", "404"),
        ("/x//y", "xy"), ("/x/y", "404"),
    ])
    func mergeSlashes(path: String, expected: String) {
        let router = Router {
            Route("/a/b", name: "ab", handler: echo("ab"))
            Route("/k/<int:n>", name: "k", mergeSlashes: false, handler: echo("k"))
            Route("/x//y", name: "xy", mergeSlashes: false, handler: echo("xy"))
        }
        let result = router.test(path)
        switch result {
        case .matched: #expect(result.endpoint == expected)
        case .redirect(let location): #expect("308 \(location)" == expected)
        default: #expect(result.isNotFound && expected == "404", "\(path): \(result)")
        }
    }

    @Test("merge slashes off on the router: the rule's own setting does not bring it back")
    func mergeSlashesOffOnRouter() {
        let router = Router(mergeSlashes: false) { Route("/a/b", mergeSlashes: true, handler: echo("ab")) }
        #expect(router.test("/a//b").isNotFound)
    }

    @Test("405 lists the methods of every rule matching the path; HEAD follows GET; OPTIONS is not implied",
          arguments: [
              ("GET", "g"), ("HEAD", "g"), ("PUT", "pp"), ("DELETE", "405 GET, HEAD, POST, PUT"),
              ("OPTIONS", "405 GET, HEAD, POST, PUT"),
          ])
    func methods(method: String, expected: String) {
        let router = Router {
            Route("/p", methods: [.get], name: "g", handler: echo("g"))
            Route("/p", methods: [.post, .put], name: "pp", handler: echo("pp"))
        }
        let result = router.test("/p", Method(method))
        if let allowed = result.allowed {
            #expect("405 " + allowed.joined(separator: ", ") == expected)
        } else {
            #expect(result.endpoint == expected)
        }
    }

    @Test("a rule with an empty method list matches nothing: 404, not a 405 with an empty Allow")
    func emptyMethods() {
        let router = Router { Route("/none", methods: [], handler: echo("none")) }
        #expect(router.test("/none").isNotFound)
    }

    @Test("a rule without methods answers every method, OPTIONS and PATCH included")
    func anyMethod() {
        let router = Router {
            Route("/any", name: "any", handler: echo("any"))
            Route("/o", methods: [.options], name: "o", handler: echo("o"))
        }
        #expect(router.test("/any", .patch).endpoint == "any")
        #expect(router.test("/any", .options).endpoint == "any")
        #expect(router.test("/o", .get).allowed == ["OPTIONS"])
    }

    @Test("defaults: the spelled-out default redirects to the canonical rule", arguments: [
        ("/page/", "page n=1"), ("/page/1", "308 http://example.com/page/"), ("/page/2", "page n=2"),
    ])
    func redirectDefaults(path: String, expected: String) {
        let router = Router {
            Route("/page/", name: "page", defaults: ["n": 1], handler: echo("page"))
            Route("/page/<int:n>", name: "page", handler: echo("page"))
        }
        let result = router.test(path)
        if let location = result.location {
            #expect("308 \(location)" == expected)
        } else {
            #expect("\(result.endpoint ?? "-") n=\(result.values["n"] ?? "-")" == expected)
        }
    }

    @Test("redirectDefaults off: the spelled-out default matches")
    func redirectDefaultsOff() {
        let router = Router(redirectDefaults: false) {
            Route("/page/", name: "page", defaults: ["n": 1], handler: echo("page"))
            Route("/page/<int:n>", name: "page", handler: echo("page"))
        }
        #expect(router.test("/page/1").values == ["n": "1"])
    }

    @Test("alias rules redirect to the endpoint's canonical URL, query kept; building never picks them")
    func aliases() throws {
        let router = Router {
            Route("/", name: "index", handler: echo("index"))
            Route(alias: "/index.html", name: "index")
            Route("/p/<int:n>", name: "p", handler: echo("p"))
            Route(alias: "/page-<int:n>", name: "p")
        }
        #expect(router.test("/index.html").location == "http://example.com/")
        #expect(router.test("/page-3", query: "x=1").location == "http://example.com/p/3?x=1")
        #expect(try router.map.build("index", context: exampleBinding) == "/")
        #expect(try router.map.build("p", [("n", 2)], context: exampleBinding) == "/p/2")
    }

    @Test("redirectTo: placeholders, absolute paths ignore the script name, relative ones keep it", arguments: [
        ("/old/5", "", "http://example.com/new/5"), ("/old/5", "/app", "http://example.com/new/5"),
        ("/rel/q", "", "http://example.com/other/q"), ("/rel/q", "/app", "http://example.com/app/other/q"),
        ("/abs", "/app", "https://x.org/y"),
    ])
    func redirectTo(path: String, script: String, location: String) {
        let router = Router {
            Route("/old/<int:id>", redirectTo: "/new/<id>")
            Route("/rel/<x>", redirectTo: "other/<x>")
            Route("/abs", redirectTo: "https://x.org/y")
        }
        var binding = exampleBinding
        binding.scriptName = script
        #expect(router.test(path, binding: binding).location == location)
    }

    @Test("redirectTo with a function of the values")
    func redirectToFunction() {
        let router = Router { Route("/u/<int:id>", redirectTo: .function { "/users/\($0.int("id")! + 1)" }) }
        #expect(router.test("/u/1").location == "http://example.com/users/2")
    }

    @Test("host matching", arguments: [
        ("alice.example.com", "/", "user alice"), ("example.com", "/", "root"), ("api.example.com", "/x", "api"),
        ("api.example.com", "/", "user api"), ("other.org", "/", "404"), ("example.com", "/x", "404"),
    ])
    func hostMatching(host: String, path: String, expected: String) {
        let router = Router(hostMatching: true) {
            Route("/", name: "user", host: "<user>.example.com", handler: echo("user"))
            Route("/", name: "root", host: "example.com", handler: echo("root"))
            Route("/x", name: "api", host: "api.example.com", handler: echo("api"))
        }
        let result = router.test(path, binding: URLMap.Binding(serverName: host, subdomain: nil))
        let text = result.endpoint.map { [$0, result.values["user"]].compactMap { $0 }.joined(separator: " ") } ?? "404"
        #expect(text == expected, "\(result)")
    }

    @Test("subdomains with a default subdomain", arguments: [
        ("bob", "/", "user"), ("www", "/", "www"), ("api", "/s", "s"), ("api", "/", "user"), ("", "/", "404"),
        ("www", "/s", "404"),
    ])
    func subdomains(subdomain: String, path: String, expected: String) {
        let router = Router(serverName: "example.com", defaultSubdomain: "www") {
            Group(subdomain: "<user>") { Route("/", name: "user", handler: echo("user")) }
            Route("/", name: "www", handler: echo("www"))
            Route("/s", name: "s", subdomain: "api", handler: echo("s"))
        }
        let result = router.test(path, binding: URLMap.Binding(serverName: "example.com", subdomain: subdomain))
        #expect((result.endpoint ?? "404") == expected, "\(result)")
    }

    @Test("the subdomain is the part of the Host before the server name; another host matches nothing")
    func subdomainFromHost() {
        let router = Router(serverName: "example.com") {
            Route("/", name: "user", subdomain: "<user>", handler: echo("user"))
            Route("/", name: "root", handler: echo("root"))
        }
        func binding(_ host: String) -> URLMap.Binding {
            router.map.binding(for: Request(target: "/", headers: ["Host": host]))
        }
        #expect(binding("bob.example.com").subdomain == "bob")
        #expect(binding("EXAMPLE.com").subdomain == "")
        #expect(binding("example.org").subdomain == "<invalid>")
        #expect(router.test("/", binding: binding("bob.example.com")).values == ["user": "bob"])
        #expect(router.test("/", binding: binding("example.com")).endpoint == "root")
        // As in Werkzeug 3.1.8: the subdomain becomes "<invalid>", which a static subdomain never
        // matches but a `<user>` subdomain converter does.
        #expect(router.test("/", binding: binding("example.org")).values == ["user": "<invalid>"])
        let staticOnly = Router(serverName: "example.com") { Route("/", subdomain: "api", handler: echo("api")) }
        #expect(staticOnly.test("/", binding: staticOnly.map.binding(for: Request(target: "/", headers: ["Host": "x.org"]))).isNotFound)
    }

    @Test("WebSocket rules: a mismatch either way is 400")
    func websocket() {
        let router = Router {
            Route("/ws", name: "ws", websocket: true, handler: echo("ws"))
            Route("/h", name: "h", handler: echo("h"))
        }
        var ws = exampleBinding
        ws.websocket = true
        #expect(router.test("/ws").isWebsocketMismatch)
        #expect(router.test("/ws", binding: ws).endpoint == "ws")
        #expect(router.test("/h", binding: ws).isWebsocketMismatch)
        #expect(router.test("/h").endpoint == "h")
    }

    @Test("the upgrade headers or a ws scheme make a request a WebSocket request")
    func websocketDetection() {
        #expect(Request(target: "/", headers: ["Connection": "keep-alive, Upgrade", "Upgrade": "websocket"]).isWebSocketUpgrade)
        #expect(!Request(target: "/", headers: ["Upgrade": "websocket"]).isWebSocketUpgrade)
        #expect(!Request(target: "/", headers: ["Connection": "upgrade", "Upgrade": "h2c"]).isWebSocketUpgrade)
        var request = Request(target: "/")
        request.scheme = "wss"
        #expect(request.isWebSocketUpgrade)
    }

    @Test("an empty path under a mount redirects to the mount's root rule")
    func emptyPath() {
        let router = Router { Route("/", name: "index", handler: echo("index")) }
        var binding = exampleBinding
        binding.scriptName = "/api"
        #expect(router.test("", binding: binding).location == "http://example.com/api/")
    }

    @Test("percent-decoded, non-ASCII paths match and redirect re-encoded")
    func nonASCII() {
        let router = Router {
            Route("/café/<name>", name: "cafe", handler: echo("cafe"))
            Route("/dir é/", name: "dir", handler: echo("dir"))
        }
        #expect(router.test("/café/crème").values == ["name": "crème"])
        #expect(router.test("/dir é").location == "http://example.com/dir%20%C3%A9/")
    }

    @Test("match time does not depend on how many rules there are: 2 000 rules, each reachable")
    func manyRules() {
        let router = Router {
            for i in 0..<1000 {
                Route("/static\(i)/path", name: "s\(i)", handler: echo("s"))
                Route("/users\(i)/<int:id>", name: "u\(i)", handler: echo("u"))
            }
        }
        let missing = [UInt8]("x".utf8).withUnsafeBufferPointer { router.map.trie.statics.lookup(parent: 0, $0, 0, 1) }
        #expect(missing == nil)
        for i in stride(from: 0, to: 1000, by: 97) {
            #expect(router.test("/static\(i)/path").endpoint == "s\(i)")
            #expect(router.test("/users\(i)/\(i)").values == ["id": "\(i)"])
        }
        #expect(router.test("/users1000/1").isNotFound)
    }
}
