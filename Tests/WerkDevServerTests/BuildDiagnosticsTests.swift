import Glibc
import Testing
@testable import WerkServer
import WerkTestSupport

/// `Tests/WerkDevServerTests/Fixtures/<name>`: real `swift build` output (Swift 6.3.1) of a tiny
/// two-target package in /tmp/dsfix. The tests parse with `contextLines: 0`: the compiler's own
/// excerpts, never files outside the repository.
func fixture(_ name: String) throws -> String {
    var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast()
    return String(decoding: try readFile(components.joined(separator: "/") + "/Fixtures/\(name)"), as: UTF8.self)
}

@Suite("Build diagnostics")
struct BuildDiagnosticsTests {
    @Test("A failed build's output gives each error once, errors before warnings, with the compiler's excerpt")
    func realOutput() throws {
        let diagnostics = BuildDiagnostics.parse(try fixture("swift-build-errors.txt"), contextLines: 0)
        #expect(diagnostics.map(\.severity) == [.error, .error, .warning])
        let first = diagnostics[0]
        #expect(first.file == "/tmp/dsfix/Sources/Tiny/main.swift")
        #expect(first.line == 3 && first.column == 14)
        #expect(first.message == "cannot convert value of type 'String' to specified type 'Int'")
        #expect(first.source.map(\.number) == [1, 2, 3, 4, 5])
        #expect(first.source[2].text == #"let x: Int = "no""#)
        #expect(diagnostics[1].message == "cannot find 'undefinedThing' in scope")
        #expect(diagnostics[1].location(relativeTo: "/tmp/dsfix") == "Sources/Tiny/main.swift:4:9")
        // "error: emit-module command failed …" is dropped: the errors above say why.
        #expect(!diagnostics.contains { $0.message.contains("emit-module") })
        #expect(diagnostics[2].file == "/tmp/dsfix/Sources/TinyLib/Lib.swift" && diagnostics[2].line == 2)
    }

    @Test("A single error in a library", arguments: [("swift-build-one-error.txt", 1)])
    func oneError(file: String, count: Int) throws {
        let diagnostics = BuildDiagnostics.parse(try fixture(file), contextLines: 0)
        #expect(diagnostics.count == count)
        #expect(diagnostics.first?.location(relativeTo: "/tmp/dsfix") == "Sources/TinyLib/Lib.swift:3:19")
        #expect(diagnostics.first?.source.contains { $0.number == 3 && $0.text == #"    return "hi" + 1"# } == true)
    }

    @Test("Header lines are recognised or refused", arguments: [
        ("/a/b.swift:12:5: error: boom", "/a/b.swift", 12, 5, "error", "boom"),
        ("/a/b:c.swift:1:2: warning: w: with colon", "/a/b:c.swift", 1, 2, "warning", "w: with colon"),
        ("error: link command failed with exit code 1", nil, 0, 0, "error", "link command failed with exit code 1"),
        ("/x.swift:3:1: note: see here", "/x.swift", 3, 1, "note", "see here"),
    ] as [(String, String?, Int, Int, String, String)])
    func headers(line: String, file: String?, number: Int, column: Int, severity: String, message: String) throws {
        let diagnostic = try #require(BuildDiagnostics.parseHeader(line[...]))
        #expect(diagnostic.file == file && diagnostic.line == number && diagnostic.column == column)
        #expect(diagnostic.severity.rawValue == severity && diagnostic.message == message)
    }

    @Test("Progress and excerpt lines are not diagnostics", arguments: [
        "[5/9] Compiling TinyLib Lib.swift", "3 | let x: Int = \"no\"", "  |         `- error: x", "warning: no location",
        "Building for debugging...", "",
    ])
    func notHeaders(line: String) {
        #expect(BuildDiagnostics.parseHeader(line[...]) == nil)
    }

    @Test("A failure no file explains (a link error) keeps its location-less line")
    func linkError() {
        let output = "[7/8] Linking App\nerror: link command failed with exit code 1 (use -v to see invocation)\n"
        #expect(BuildDiagnostics.parse(output).map(\.message) == ["link command failed with exit code 1 (use -v to see invocation)"])
    }

    @Test("Source context comes from the file when it exists")
    func contextFromFile() throws {
        let path = "/tmp/werk-diag-\(getpid()).swift"
        let text = (1...10).map { "line \($0)" }.joined(separator: "\n")
        try #require(writeFile(path, text))
        defer { unlink(path) }
        let diagnostics = BuildDiagnostics.parse("\(path):6:1: error: bad\n", contextLines: 2)
        #expect(diagnostics.first?.source.map { $0.number } == [4, 5, 6, 7, 8])
        #expect(diagnostics.first?.source[2].text == "line 6")
    }
}
