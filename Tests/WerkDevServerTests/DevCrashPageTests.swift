import Testing
import WerkCore
@testable import WerkServer
import WerkTesting

@Suite("Crash page")
struct DevCrashPageTests {
    static let crash = CrashReport(fault: "Illegal instruction", faultAddress: "0x55d1", frames: [
        CrashReport.Frame(function: "_assertionFailure(_:_:file:line:flags:)", image: "libswiftCore.so"),
        CrashReport.Frame(function: "closure #1 in DemoApp.make(_:)", image: "Demo",
                          file: "/work/app/Samples/Demo/DemoApp.swift", line: 58, column: 17),
        CrashReport.Frame(function: "main", image: "Demo", file: "/work/app/Samples/Demo/main.swift", line: 17, column: 1),
    ])

    @Test("The next request gets the Debugger's page with the fault and the frames, and marks the page shown")
    func page() async throws {
        let shown = LiveReload.StopFlag()
        let handler = DevCrashPage.handler(report: Self.crash, exit: "crashed", pid: 4242, packageRoot: "/work/app",
                                           generation: "b3", stop: LiveReload.StopFlag(), shown: shown)
        let client = TestClient(handler)
        let events = try #require(handler.synchronous)
        _ = try events(Request(method: .get, target: LiveReload.path))
        #expect(!shown.isSet)   // the live-reload stream does not count as the request that sees the crash
        let response = try await client.get("/boom", headers: ["Accept": "text/html"])
        #expect(shown.isSet)
        #expect(response.status == .internalServerError)
        #expect(response.text.contains("Illegal instruction"))
        #expect(response.text.contains("DemoApp.make(_:)"))
        #expect(response.text.contains("DemoApp.swift"))
        #expect(response.text.contains("4242"))
        #expect(response.text.contains(#"var g="b3""#))   // reloads only after a rebuild
        let text = try await client.get("/boom", headers: ["Accept": "application/json"])
        #expect(text.contentType == "text/plain; charset=utf-8")
        #expect(text.text.contains("Illegal instruction"))
    }

    @Test("Without a crash report the page says how the program stopped")
    func withoutReport() {
        let report = DevCrashPage.diagnosticReport(nil, exit: "exited with status 3", pid: 7)
        #expect(report.title == "The program stopped: exited with status 3")
    }
}
