import Werk

/// The application both processes run.
func deployedApp(name: String) -> Handler {
    Stack {
        ProxyFix(forwardedFor: 1, proto: 1, host: 1, prefix: 1)
        Sessions(secretKeys: ["deployment-test-secret"])
        Router {
            Route("/whoami", name: "whoami") { request in
                "\(name) \(request.remoteAddress ?? "-") \(request.scheme) \(request.host) \(request.scriptName) "
                    + (try request.url(for: "whoami"))
            }
            Route("/session/set/<value>") { request in
                request.session["value"] = .string(request.route["value"] ?? "")
                return "\(name) set"
            }
            Route("/session/get") { request in "\(name) \(request.session.string("value") ?? "-")" }
            Route("/upload", methods: [.post]) { request in
                var total = 0
                for try await chunk in try request.body.stream() { total += chunk.count }
                return "\(total)"
            }
            Route("/download/<int:mib>") { request in
                let chunk = [UInt8](repeating: 7, count: 1 << 20)
                let count = request.route.int("mib") ?? 1
                let body = ByteStream { writer in for _ in 0..<count { try await writer.write(chunk) } }
                return Response(status: .ok, headers: ["Content-Type": "application/octet-stream"],
                                body: .stream(body, length: count << 20))
            }
        }
    }
}
