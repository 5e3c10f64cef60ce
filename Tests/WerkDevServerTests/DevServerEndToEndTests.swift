import Glibc
import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

/// The dev supervisor on a tiny package made in a temporary folder. Its program is not a Werk
/// server (building Werk there would take minutes): a few lines of Glibc that answer every request
/// on the inherited socket (fd 3) with a version string, then close.
@Suite("Dev server end to end")
struct DevServerEndToEndTests {
    static let manifest = """
    // swift-tools-version:6.1
    import PackageDescription
    let package = Package(name: "Tiny", targets: [.executableTarget(name: "Tiny")])

    """

    static func program(_ version: String, trapping: Bool = false) -> String {
        """
        import Glibc
        let listener: Int32 = 3, channel: Int32 = 4   // the supervisor's control channel: its end means stop
        while true {
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: channel, events: Int16(POLLIN), revents: 0)]
            _ = poll(&descriptors, 2, -1)
            var byte: UInt8 = 0
            if descriptors[1].revents != 0 && read(channel, &byte, 1) <= 0 { exit(0) }
            guard descriptors[0].revents != 0 else { continue }
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 8192)
            _ = read(client, &buffer, buffer.count)
            if \(trapping) { fatalError("trapped while answering") }
            let body = "\(version)"
            let response = "HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: \\(body.utf8.count)\\r\\nConnection: close\\r\\n\\r\\n" + body
            _ = response.withCString { write(client, $0, strlen($0)) }
            close(client)
        }

        """
    }

    @Test("Builds and serves on the held socket; a compile error becomes the error page; fixed, the new code answers; a trap gives the crash page",
          .timeLimit(.minutes(10)))
    func reloadLoop() async throws {
        let root = makeTemporaryDirectory("werk-devpkg")
        defer {
            removeTree(root)
            // SwiftPM leaves its lock files beside the package folder.
            let flat = String(root.map { $0 == "/" ? "_" : $0 })
            for suffix in ["_.build.lock", "_.build_workspace-state.json.lock"] { unlink("/tmp/" + flat + suffix) }
        }
        mkdir(root + "/Sources", 0o755)
        mkdir(root + "/Sources/Tiny", 0o755)
        let main = root + "/Sources/Tiny/main.swift"
        #expect(writeFile(root + "/Package.swift", Self.manifest))
        #expect(writeFile(main, Self.program("v1")))
        var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
        configuration.accessLog = false
        let supervisor = DevSupervisor(configuration: configuration, runner: BuildRunner(packageRoot: root, product: "Tiny"),
                                       arguments: [], handlesSignals: false)   // the workers' tests share the process
        let running = Task { try await ThreadRunner.run { supervisor.run() } }
        // Whatever happens below, the supervisor stops its worker before the test ends: an orphaned
        // worker would keep the test runner's output pipe open and hang `swift test`.
        do {
            let address = try await eventually(seconds: 60) { supervisor.address }
            let client = TestClient(transport: LiveTransport(address, timeout: .seconds(120)))
            // The first build of a package takes a while on a busy machine; requests wait in the backlog.
            let first = try await eventually(seconds: 300) { try? await client.get("/").text == "v1" ? true : nil }
            #expect(first)

            #expect(writeFile(main, Self.program("v2") + "let broken: Int = \"not a number\"\n"))
            let page = try await eventually(seconds: 300) { () async -> TestResponse? in
                guard let response = try? await client.get("/", headers: ["Accept": "text/html"]),
                      response.status == .internalServerError else { return nil }
                return response
            }
            #expect(page.text.contains("<h1>Build failed</h1>"))
            #expect(page.text.contains("Sources/Tiny/main.swift:"))
            #expect(page.text.contains("cannot convert value of type &#39;String&#39; to specified type &#39;Int&#39;"))
            #expect(page.text.contains("data-werk-live-reload"))

            #expect(writeFile(main, Self.program("v3")))
            let fixed = try await eventually(seconds: 300) { try? await client.get("/").text == "v3" ? true : nil }
            #expect(fixed)

            // A trap: the request that crashed loses its connection with the worker; the next one gets
            // the crash page built from the runtime's crash report, with the trapping line.
            #expect(writeFile(main, Self.program("v4", trapping: true)))
            let crash = try await eventually(seconds: 300) { () async -> TestResponse? in
                guard let response = try? await client.get("/", headers: ["Accept": "text/html"]),
                      response.status == .internalServerError, response.text.contains("The program stopped")
                        || response.text.contains("main.swift") else { return nil }
                return response
            }
            #expect(crash.text.contains("Sources/Tiny/main.swift"))
            #expect(crash.text.contains("data-werk-live-reload"))
        } catch {
            supervisor.requestStop()
            _ = try? await running.value
            throw error
        }
        supervisor.requestStop()
        #expect(try await running.value == 0)
    }
}

struct TimedOut: Error {}

/// Calls `probe` until it returns a value (every 50 ms), for at most `seconds`.
func eventually<T>(seconds: Int, _ probe: () async throws -> T?) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(seconds)
    while clock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TimedOut()
}
