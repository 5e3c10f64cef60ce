#if canImport(Glibc)
import Glibc
#endif
import Werk

/// The demo stack: every middleware Werk has, in one place. Kept out of `main.swift` so its closures
/// are not main-actor isolated and run on the server's event loops.
enum DemoApp {
    /// What `main.swift` reads from the environment.
    struct Options: Sendable {
        /// Signs the session cookie.
        var secretKey: String
        /// One proxy (nginx) in front, setting X-Forwarded-For/-Proto/-Host/-Prefix (WERK_BEHIND_PROXY=1).
        var behindProxy = false
        /// Debug mode (WERK_DEBUG=1): the Debugger's crash page for errors (loopback clients, PIN on
        /// stderr), Lint's protocol checks on stderr, the profiler's toolbar on pages.
        var debug = false
    }

    /// Samples/Demo/public, found from this source file so `swift run Demo` works from any directory.
    static let publicFolder: String = {
        let file = #filePath
        return String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)]) + "/public"
    }()

    /// Builds the application.
    static func make(_ options: Options) -> Handler {
        Stack {
            if options.behindProxy { ProxyFix(forwardedFor: 1, proto: 1, host: 1, prefix: 1) }
            // After ProxyFix: behind a local proxy every client would otherwise look like loopback.
            if options.debug { Debugger(applicationName: "Demo") }
            if options.debug { Lint() }
            ServerHeader()
            Compress()
            Profiler(options: profilerOptions(options))   // times every layer below it; UI at /__profiler/
            SharedData(["/static": publicFolder])
            Sessions(secretKeys: [options.secretKey])
            Mount("/api", api)
            Router {
                Route("/", name: "index") { request in
                    let visits = (request.session.int("visits") ?? 0) + 1
                    request.session["visits"] = .int(visits)
                    return Response.html(try DemoPages.index(request, visits: visits))
                }
                Route("/hello/<name>", name: "hello") { request in
                    "Hello, \(request.route["name"] ?? "stranger")!"
                }
                Route("/login", methods: [.get, .post], name: "login", handler: login)
                Route("/logout", methods: [.post], name: "logout") { request in
                    request.session.clear()
                    return Response.redirect(to: try request.url(for: "index"), status: .seeOther)
                }
                Route("/upload", methods: [.get, .post], name: "upload", handler: upload)
                Route("/download/hello.txt", name: "download") { request in
                    try Response.file(publicFolder + "/hello.txt", for: request, downloadName: "hello from Werk.txt", asAttachment: true)
                }
                Route("/stream", name: "stream") { _ in
                    Response(headers: ["Content-Type": "text/plain; charset=utf-8"], body: .stream(ByteStream { writer in
                        for i in 1...5 { try await writer.write("line \(i)\n") }
                    }, length: nil))
                }
                Route("/boom", name: "boom") { _ -> String in throw DemoFailure() }
            }
        }
    }

    /// Every request profiled (a demo; in production sample with `.everyNth` or `.requested()`),
    /// the UI for loopback clients only, a toolbar on HTML pages in debug mode and a link header
    /// otherwise, and Server-Timing for the browser's network panel.
    static func profilerOptions(_ options: Options) -> Profiler.Options {
        var profiler = Profiler.Options()
        profiler.sampling = .everyRequest
        profiler.links = options.debug ? .toolbar : .header
        profiler.serverTiming = true
        return profiler
    }

    /// A sub-application mounted at /api.
    static let api = Router {
        Route("/time", name: "time") { _ in JSON.object(["unix": .int(Int(time(nil)))]) }
        Route("/echo", methods: [.post], name: "echo") { request in try await request.json() }
        Route("/users/<int:id>", name: "user") { request in
            UserView(id: request.route.int("id") ?? 0, profile: try request.url(for: "user", ["id": request.route.int("id") ?? 0]))
        }
    }

    /// A name in the session, from a form with a password; the check runs off the event loop.
    static let login = Handler { request -> Response in
        guard request.method == .post else { return Response.html(DemoPages.login) }
        let form = try await request.form()
        guard let name = form["name"], !name.isEmpty, name.count <= 64 else {
            throw HTTPError(.badRequest, "Give a name of 1 to 64 characters.")
        }
        // The demo's password is "werk". The check costs what a real one does (scrypt), so it runs on
        // the worker pool and other requests are not held up.
        guard try await PasswordHash.check(demoPasswordHash, form["password"] ?? "") else {
            throw HTTPError(.forbidden, "Wrong password: the demo's password is \"werk\".")
        }
        request.session["name"] = .string(name)
        return Response.redirect(to: try request.url(for: "index"), status: .seeOther)
    }

    /// The hash of the demo's password, "werk" (made once, at the first login).
    static let demoPasswordHash: String = (try? PasswordHash.generate("werk")) ?? ""

    /// An upload form; the POST lists the files received.
    static let upload = Handler { request -> Response in
        guard request.method == .post else { return Response.html(DemoPages.uploadForm) }
        let files = try await request.files()
        let note = try await request.form()["note"] ?? ""
        let uploads = files.values(for: "files").filter { !$0.filename.isEmpty }   // no file chosen: an empty part
        return Response.html(DemoPages.uploaded(uploads, note: note))
    }
}

/// Sets `Server: Werk`: a layer written once that keeps the synchronous fast path.
struct ServerHeader: Middleware {
    func wrap(_ next: Handler) -> Handler {
        next.mapResponse { _, response in
            var response = response
            response.headers.set("Server", "Werk")
            return response
        }
    }
}

/// Thrown by /boom: the server answers 500 and logs the error with the request line.
struct DemoFailure: Error, CustomStringConvertible {
    var description: String { "the demo failed on purpose" }
}

struct UserView: Encodable, Sendable {
    var id: Int
    var profile: String
}
