import Testing
import WerkCore
@testable import WerkDiagnostics

/// The line `sampleReport`'s application frame points at (this line's neighbourhood is shown).
let markedLine = #line

func sampleReport() -> DiagnosticReport {
    DiagnosticReport(
        errors: [DiagnosticError(typeName: "App.Failure<b>", message: "boom <script>alert(1)</script>",
                                 details: [DiagnosticField("failureReason", "the \"cart\" & more")]),
                 DiagnosticError(typeName: "App.Inner", message: "inner")],
        frames: [
            DiagnosticFrame(symbol: "$s4main4boomyyKF", file: #filePath, line: markedLine),
            DiagnosticFrame(symbol: "swift_task_run", file: nil, line: nil, isAsync: true),
        ],
        framesOrigin: .throwSite,
        layers: [DiagnosticLayer("Debugger"), DiagnosticLayer("Router", isMarked: true)],
        sections: [DiagnosticSection("Headers", [DiagnosticField("X-Evil", "<img src=x onerror=alert(1)>")])])
}

@Suite("Diagnostic page")
struct DiagnosticPageTests {
    @Test("mangled Swift symbols are demangled; other names are kept")
    func demangling() {
        #expect(Demangler.demangle("$s4main4boomyyKF") == "main.boom() throws -> ()")
        #expect(Demangler.demangle("swift_task_run") == "swift_task_run")
        #expect(Demangler.demangle("$sgarbage").isEmpty == false)
    }

    @Test("a crash-report frame is library code without a source file or under Werk's own sources")
    func classification() {
        #expect(DiagnosticFrame(symbol: "main", file: nil, line: nil).isLibrary)
        #expect(DiagnosticFrame(symbol: "x", file: "/usr/lib/swift/x.swift", line: 3).isLibrary)
        #expect(DiagnosticFrame(symbol: "x", file: "/src/.build/checkouts/werk/Sources/WerkCore/Handler.swift", line: 3).isLibrary)
        #expect(DiagnosticFrame.isLibraryPath(#filePath.replacing("Tests/WerkDiagnosticsTests", with: "Sources/WerkCore")))
        #expect(!DiagnosticFrame(symbol: "x", file: #filePath, line: 3).isLibrary)
        #expect(DiagnosticFrame(symbol: "x", file: "<compiler-generated>", line: 0).file == nil)
    }

    @Test("the source excerpt has five lines either side with the frame's line marked")
    func sourceExcerpt() throws {
        let excerpt = try #require(SourceExcerpt.read(path: #filePath, line: markedLine))
        #expect(excerpt.lines.count == 11)
        #expect(excerpt.firstLineNumber == markedLine - 5)
        #expect(excerpt.lines[5].contains("let markedLine = #line"))
        #expect(SourceExcerpt.read(path: #filePath, line: 1_000_000) == nil)
        #expect(SourceExcerpt.read(path: "/nonexistent/file.swift", line: 1) == nil)
        #expect(SourceExcerpt.read(path: "/", line: 1) == nil)
    }

    @Test("the HTML page escapes everything from the report and is self-contained")
    func htmlEscapes() {
        let html = DiagnosticPage.html(sampleReport())
        #expect(!html.contains("<script>alert(1)"))
        #expect(!html.contains("<img src=x"))
        #expect(html.contains("boom &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("<title>App.Failure&lt;b&gt;: boom &lt;script&gt;"))
        #expect(html.contains("the &#34;cart&#34; &amp; more"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src=\""))
        #expect(html.contains("class=\"line current\""))
        #expect(html.contains("let markedLine = #line"))
        #expect(html.contains("vscode://file/"))
        #expect(html.contains("main.boom() throws -&gt; ()"))
        #expect(html.contains("the error left here"))
        #expect(!html.contains("id=\"inspector-form\""))
    }

    @Test("the text traceback and the JSON carry the frames, the chain and the layers")
    func textAndJSON() throws {
        let text = DiagnosticPage.text(sampleReport())
        #expect(text.contains("#0 main.boom() throws -> ()"))
        #expect(text.contains("at \(#filePath):\(markedLine)"))
        #expect(text.contains("| let markedLine = #line"))
        #expect(text.contains("#1 [library] [async] swift_task_run"))
        #expect(text.contains("underlying error:\nApp.Inner: inner"))
        #expect(text.contains("Debugger > [Router]"))
        let json = DiagnosticPage.json(sampleReport())
        #expect(json["frames"]?[0]?["line"]?.intValue == markedLine)
        #expect(json["frames"]?[1]?["async"]?.boolValue == true)
        #expect(json["errors"]?[1]?["type"]?.stringValue == "App.Inner")
        #expect(json["framesOrigin"]?.stringValue == "thrown at")
        #expect(json["layers"]?[1]?["marked"]?.boolValue == true)
    }

    @Test("the error chain follows stored errors and reads LocalizedError-free descriptions")
    func errorChain() {
        let error = Wrapped(underlying: Wrapped(underlying: ValueFailure(code: 3)))
        let chain = DiagnosticError.chain(from: error)
        #expect(chain.map(\.typeName).last?.hasSuffix("ValueFailure") == true)
        #expect(chain.count == 3)
        #expect(chain[2].message == "ValueFailure(code: 3)")
    }
}
