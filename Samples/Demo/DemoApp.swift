#if canImport(Glibc)
import Glibc
#endif
import Werk

/// The demo stack: every middleware Werk has, in one place. Kept out of `main.swift` so its closures
/// are not main-actor isolated and run on the server's event loops.
enum DemoApp {
    /// Builds the application. `secretKey` signs the session cookie.
    static func make(secretKey: String) -> Handler {
        let api = Stack {
            Router {
                Route("/time", name: "time") { _ in JSON.object(["unix": .int(Int(time(nil)))]) }
                Route("/echo", methods: [.post], name: "echo") { request in try await request.json() }
                Route("/users/<int:id>", name: "user") { request in
                    UserView(id: request.route.int("id") ?? 0, profile: try request.url(for: "user", ["id": request.route.int("id") ?? 0]))
                }
            }
        }

        return Stack {
            MiddlewareFunction("ServerHeader") { request, next in
                var response = try await next(request)
                response.headers.set("Server", "Werk")
                return response
            }
            Sessions(secretKeys: [secretKey])
            Mount("/api", api)
            Router {
                Route("/", name: "index") { request in
                    let visits = (request.session.int("visits") ?? 0) + 1
                    request.session["visits"] = .int(visits)
                    let name = request.session.string("name")
                    return Response.html(page(visits: visits, name: name,
                                              helloURL: try request.url(for: "hello", ["name": "Werk"]),
                                              loginURL: try request.url(for: "login")))
                }
                Route("/hello/<name>", name: "hello") { request in
                    "Hello, \(request.route["name"] ?? "stranger")!"
                }
                Route("/login", methods: [.get, .post], name: "login") { request in
                    if request.method == .post {
                        let form = try await request.form()
                        guard let name = form["name"], !name.isEmpty, name.count <= 64 else {
                            throw HTTPError(.badRequest, "Give a name of 1 to 64 characters.")
                        }
                        request.session["name"] = .string(name)
                        return Response.redirect(to: try request.url(for: "index"), status: .seeOther)
                    }
                    return Response.html("""
                        <!doctype html><title>Log in</title>
                        <form method=post><input name=name placeholder="Your name"><button>Log in</button></form>
                        """)
                }
                Route("/logout", methods: [.post], name: "logout") { request in
                    request.session.clear()
                    return Response.redirect(to: try request.url(for: "index"), status: .seeOther)
                }
                Route("/stream", name: "stream") { _ in
                    Response(headers: ["Content-Type": "text/plain; charset=utf-8"], body: .stream(ByteStream { writer in
                        for i in 1...5 { try await writer.write("line \(i)\n") }
                    }, length: nil))
                }
            }
        }
    }

    static func page(visits: Int, name: String?, helloURL: String, loginURL: String) -> String {
        """
        <!doctype html>
        <html lang=en>
        <title>Werk demo</title>
        <h1>Hello\(name.map { ", " + HTML.escape($0) } ?? "")!</h1>
        <p>You have visited this page \(visits) time\(visits == 1 ? "" : "s") (counted in a signed session cookie).</p>
        <ul>
          <li><a href="\(HTML.escape(helloURL))">\(HTML.escape(helloURL))</a> (a routed URL built with url(for:))</li>
          <li><a href="\(HTML.escape(loginURL))">log in</a> (a form, stored in the session)</li>
          <li><a href="/api/time">/api/time</a> (JSON from a mounted sub-application)</li>
          <li><a href="/api/users/42">/api/users/42</a> (an Encodable value)</li>
          <li><a href="/stream">/stream</a> (a streamed, chunked response)</li>
        </ul>
        """
    }
}

struct UserView: Encodable, Sendable {
    var id: Int
    var profile: String
}
