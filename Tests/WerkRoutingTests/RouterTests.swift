import Synchronization
import Testing
import WerkCore
@testable import WerkRouting
import WerkTesting

/// Counts its runs and tags the response, to see which middleware ran.
struct Tag: Middleware {
    let label: String
    let runs: Counter
    func wrap(_ next: Handler) -> Handler {
        let label = label, runs = runs
        return Handler { request in
            runs.increment(label)
            var response = try await next(request)
            response.headers.add("X-Tag", label)
            return response
        }
    }
}

/// A thread-safe tally of labels.
final class Counter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func increment(_ label: String) { counts.withLock { $0[label, default: 0] += 1 } }
    subscript(label: String) -> Int { counts.withLock { $0[label] ?? 0 } }
}

struct Item: Encodable, Sendable { let id: Int }

@Suite("Router over HTTP")
struct RouterTests {
    @Test("group middleware runs only when a route inside the group matched")
    func groupMiddlewareOnlyOnMatch() async throws {
        let runs = Counter()
        let app = Stack {
            Router {
                Tag(label: "router", runs: runs)
                Route("/", handler: echo("index"))
                Group("/admin") {
                    Tag(label: "admin", runs: runs)
                    Route("/", handler: echo("admin"))
                    Route("/users/<int:id>", handler: echo("user"))
                }
            }
            Handler { _ in "fallback" }
        }
        let client = TestClient(app)
        let admin = try await client.get("/admin/users/3")
        #expect(admin.text == "user [id: 3]")
        #expect(admin.headers.values(for: "X-Tag") == ["admin", "router"])
        #expect(runs["admin"] == 1 && runs["router"] == 1)
        #expect(try await client.get("/admin/missing").text == "fallback")
        #expect(try await client.get("/admin").status.code == 308)   // slash redirect: no middleware
        #expect(runs["admin"] == 1 && runs["router"] == 1)
        #expect(try await client.get("/").headers.values(for: "X-Tag") == ["router"])
        #expect(runs["admin"] == 1 && runs["router"] == 2)
    }

    @Test("middleware wrap only the routes declared after them")
    func middlewareOrder() async throws {
        let runs = Counter()
        let client = TestClient(Router {
            Route("/before", handler: echo("before"))
            Tag(label: "t", runs: runs)
            Route("/after", handler: echo("after"))
        }.handler)
        #expect(try await client.get("/before").headers["X-Tag"] == nil)
        #expect(try await client.get("/after").headers["X-Tag"] == "t")
    }

    @Test("no match falls through to next; the router alone answers 404")
    func fallThrough() async throws {
        let router = Router { Route("/a", handler: echo("a")) }
        let app = Stack { router; Handler { request in "next \(request.pathInfo)" } }
        #expect(try await TestClient(app).get("/b").text == "next /b")
        #expect(try await TestClient(router.handler).get("/b").status.code == 404)
        let chained = Stack { router; Router { Route("/b", handler: echo("b")) } }
        #expect(try await TestClient(chained).get("/b").text == "b []")
    }

    @Test("handlers may return strings, responses, JSON, statuses and Encodable values")
    func handlerTypes() async throws {
        let client = TestClient(Router {
            Route("/s") { _ in "text" }
            Route("/r") { _ in Response.html("<b>hi</b>", status: .created) }
            Route("/j") { _ in JSON.object(["a": .int(1)]) }
            Route("/st") { _ in Status.noContent }
            Route("/e/<int:id>") { request in Item(id: request.route.int("id") ?? 0) }
        }.handler)
        let s = try await client.get("/s")
        #expect(s.text == "text", "\(s.status) \(s.text) \(s.headers)")
        let r = try await client.get("/r")
        #expect(r.status.code == 201 && r.text == "<b>hi</b>")
        #expect(try await client.get("/j").text == #"{"a":1}"#)
        #expect(try await client.get("/st").status.code == 204)
        let e = try await client.get("/e/9")
        #expect(e.text == #"{"id":9}"# && e.contentType == "application/json")
    }

    @Test("request.routeMatch names the endpoint and the rule")
    func routeMatch() async throws {
        let client = TestClient(Router {
            Group("/admin", name: "admin.") {
                Route("/users/<int:id>", name: "user") { request in
                    "\(request.routeMatch?.endpoint ?? "-") \(request.routeMatch?.rule ?? "-") \(request.route.int("id")!)"
                }
            }
        }.handler)
        #expect(try await client.get("/admin/users/4").text == "admin.user /admin/users/<int:id> 4")
    }

    @Test("request.url(for:) builds any route, under the script name, relative or external")
    func urlForFromRequest() async throws {
        let router = Router {
            Route("/users/<int:id>", name: "user", handler: echo("user"))
            Route("/links") { request in
                let a = try request.url(for: "user", ["id": 42])
                let b = try request.url(for: "user", ["id": 5, "q": "a b"])
                let c = try request.url(for: "user", ["id": 1], external: true)
                let d = try request.url(for: "user", ["id": 2, "z": 1, "a": 2] as [String: any Sendable])
                return [a, b, c, d].joined(separator: " ")
            }
            Route("/bad") { request in
                do { return try request.url(for: "usr", ["id": 1]) } catch { return "\(error)" }
            }
        }
        let root = TestClient(router.handler, baseURL: "http://example.com")
        #expect(try await root.get("/links").text
                == "/users/42 /users/5?q=a+b http://example.com/users/1 /users/2?a=2&z=1")
        let mounted = TestClient(router.handler, baseURL: "http://example.com/app")
        #expect(try await mounted.get("/links").text
                == "/app/users/42 /app/users/5?q=a+b http://example.com/app/users/1 /app/users/2?a=2&z=1")
        #expect(try await root.get("/bad").text.contains("Did you mean 'user' instead?"))
    }

    @Test("an X-Forwarded-Prefix style script name set by an earlier layer is honoured")
    func forwardedPrefix() async throws {
        let prefix = MiddlewareFunction("Prefix") { request, next in
            var request = request
            request.scriptName = request.headers["X-Forwarded-Prefix"] ?? ""
            return try await next(request)
        }
        let app = Stack {
            prefix
            Router {
                Route("/x", name: "x") { request in try request.url(for: "x") }
                Route("/dir/", name: "dir", handler: echo("dir"))
            }
        }
        let client = TestClient(app, baseURL: "http://example.com")
        #expect(try await client.get("/x", headers: ["X-Forwarded-Prefix": "/proxied"]).text == "/proxied/x")
        #expect(try await client.get("/dir", headers: ["X-Forwarded-Prefix": "/proxied"]).location
                == "http://example.com/proxied/dir/")
    }

    @Test("url(for:) without a router is a clear error")
    func urlForWithoutRouter() {
        #expect(throws: URLBuildError.self) { try Request(target: "/").url(for: "x") }
    }

    @Test("the map is reachable after a fall-through, so later handlers can build URLs")
    func mapAfterFallThrough() async throws {
        let app = Stack {
            Router { Route("/u/<int:id>", name: "u", handler: echo("u")) }
            Handler { request in try request.url(for: "u", ["id": 3]) }
        }
        #expect(try await TestClient(app).get("/other").text == "/u/3")
    }

    @Test("405 over HTTP carries Allow; OPTIONS is not answered automatically")
    func methodNotAllowed() async throws {
        let client = TestClient(Router {
            Route("/r", methods: [.get], handler: echo("get"))
            Route("/r", methods: [.put], handler: echo("put"))
        }.handler)
        let options = try await client.options("/r")
        #expect(options.status.code == 405)
        #expect(options.headers["Allow"] == "GET, HEAD, PUT")
        #expect(try await client.put("/r").text == "put []")
        #expect(try await client.head("/r").status.code == 200)
    }

    @Test("a WebSocket upgrade to an HTTP rule is 400; to a WebSocket rule it matches")
    func websocketOverHTTP() async throws {
        let client = TestClient(Router {
            Route("/ws", websocket: true, handler: echo("ws"))
            Route("/h", handler: echo("h"))
        }.handler)
        let upgrade: Headers = ["Connection": "Upgrade", "Upgrade": "websocket"]
        #expect(try await client.get("/ws", headers: upgrade).text == "ws []")
        #expect(try await client.get("/h", headers: upgrade).status.code == 400)
        #expect(try await client.get("/ws").status.code == 400)
    }

    @Test("redirects over HTTP: merge slashes and defaults answer 308 to the canonical URL")
    func redirectsOverHTTP() async throws {
        let client = TestClient(Router {
            Route("/a/b", handler: echo("ab"))
            Route("/page/", name: "page", defaults: ["n": 1], handler: echo("page"))
            Route("/page/<int:n>", name: "page", handler: echo("page"))
        }.handler, baseURL: "http://example.com")
        let merged = try await client.get("/a//b?x=1")
        #expect(merged.status.code == 308 && merged.location == "http://example.com/a/b?x=1")
        let canonical = try await client.get("/page/1")
        #expect(canonical.status.code == 308 && canonical.location == "http://example.com/page/")
        #expect(try await client.get("/page/1", followRedirects: true).text == "page [n: 1]")
    }

    @Test("a redirect or an external URL for a malformed or missing Host is a 400, never http:///…",
          arguments: ["bad host", "a/b", ""])
    func redirectNeedsAValidHost(host: String) async throws {
        let router = Router {
            Route("/hello/", name: "hello", handler: echo("hello"))
            Route("/link", handler: Handler { request in try request.url(for: "hello", external: true) })
        }
        var headers = Headers()
        if !host.isEmpty { headers.set("Host", host) }
        let redirect = await router.handler.respondCatchingErrors(Request(target: "/hello", headers: headers))
        #expect(redirect.status == .badRequest)
        #expect(redirect.headers["Location"] == nil)
        let link = await router.handler.respondCatchingErrors(Request(target: "/link", headers: headers))
        #expect(link.status == .badRequest)
        headers.set("Host", "example.com")
        #expect(try await router.handler(Request(target: "/link", headers: headers)).collectBody()
                == Array("http://example.com/hello/".utf8))
    }

    @Test("a Router alone is an application: TestClient takes it without .handler")
    func routerIsAnApplication() async throws {
        let client = TestClient(Router { Route("/", handler: echo("root")) })
        #expect(try await client.get("/").status == .ok)
        #expect(try await client.get("/missing").status == .notFound)
    }

    @Test("if, for and optionals work in router blocks")
    func builderControlFlow() async throws {
        let enabled = true
        let client = TestClient(Router {
            if enabled { Route("/on", handler: echo("on")) } else { Route("/off", handler: echo("off")) }
            for name in ["a", "b"] { Route("/\(name)", handler: echo(name)) }
        }.handler)
        #expect(try await client.get("/on").status.code == 200)
        #expect(try await client.get("/off").status.code == 404)
        #expect(try await client.get("/b").text == "b []")
    }

    @Test("validate() throws for a malformed rule; a valid router validates")
    func validate() throws {
        #expect(throws: RouteDefinitionError.self) { try Router { Route("nope", handler: echo("x")) }.validate() }
        try Router { Route("/ok", handler: echo("x")) }.validate()
    }

    @Test("the stack description shows the router and the route's layers")
    func description() {
        let runs = Counter()
        let router = Router { Tag(label: "t", runs: runs); Route("/", handler: echo("x")) }
        #expect(router.handler.description.hasPrefix("Router"))
        #expect(router.map.rules[0].handler!.layers.first == "Tag")
        #expect(router.map.ruleDescriptions == ["/ -> -"])
    }

    @Test("nested groups add prefixes and name prefixes and pass their subdomain down")
    func nestedGroups() throws {
        let router = Router(serverName: "example.com") {
            Group("/api/", subdomain: "api", name: "api.") {
                Group("/v1", name: "v1.") {
                    Route("/items/<int:id>", name: "item", handler: echo("item"))
                }
            }
        }
        #expect(router.map.ruleDescriptions == ["/api/v1/items/<int:id> -> api.v1.item"])
        let api = URLMap.Binding(serverName: "example.com", subdomain: "api")
        #expect(router.test("/api/v1/items/3", binding: api).endpoint == "api.v1.item")
        #expect(router.test("/api/v1/items/3").isNotFound)
        #expect(try router.map.build("api.v1.item", [("id", 3)], context: exampleBinding)
                == "http://api.example.com/api/v1/items/3")
    }
}
