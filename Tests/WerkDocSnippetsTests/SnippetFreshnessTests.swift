import Testing
import WerkTestSupport
import WerkTesting

/// The documentation's Swift blocks are compiled through `Snippets.swift`, which
/// `Scripts/extract_doc_snippets.py` generates. This checks that every block of README.md and the
/// DocC articles is in it, so a block added or changed without running the script cannot go unchecked.
@Suite("Documentation snippets")
struct SnippetFreshnessTests {
    static var repository: String {
        String(InteropVectors.testsDirectory.dropLast("/Tests".count))
    }

    /// The ```swift blocks of a Markdown file, each as its lines with the fence's indentation removed.
    static func swiftBlocks(_ path: String) throws -> [[String]] {
        let text = String(decoding: try readFile(path), as: UTF8.self)
        var blocks: [[String]] = []
        var current: [String]? = nil
        var indent = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if current == nil {
                if trimmed.hasPrefix("```swift") { current = []; indent = line.count - trimmed.count }
            } else if trimmed.hasPrefix("```") && trimmed.allSatisfy({ $0 == "`" }) {
                blocks.append(current!)
                current = nil
            } else {
                let leading = line.prefix(while: { $0 == " " }).count
                current!.append(String(line.dropFirst(min(indent, leading))))
            }
        }
        return blocks
    }

    @Test("every Swift block of README.md and the DocC catalog is in Snippets.swift (so it is compiled)")
    func snippetsAreCurrent() throws {
        let generated = try readFile(Self.repository + "/Tests/WerkDocSnippetsTests/Snippets.swift")
        var documents = ["README.md"]
        documents += DocCatalog.articles(under: Self.repository + "/Sources/Werk/Werk.docc").map { "Sources/Werk/Werk.docc/" + $0 }
        var checked = 0
        for document in documents {
            for block in try Self.swiftBlocks(Self.repository + "/" + document) {
                if block.first?.hasPrefix("// swift-tools-version") == true { continue }   // a manifest: below
                let body = block.filter { !Self.isImport($0) }.joined(separator: "\n")
                #expect(Self.contains(generated, Array(body.utf8)),
                        "a ```swift block of \(document) is not in Snippets.swift: run python3 Scripts/extract_doc_snippets.py")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    /// Whether `needle` occurs in `haystack`, compared as bytes (String's `contains` on a file this
    /// size takes seconds of a test thread).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.firstRange(of: needle) != nil
    }

    /// `import Module` alone on a line: the generator moves these to the top of the file.
    static func isImport(_ line: String) -> Bool {
        line.hasPrefix("import ") && !line.dropFirst(7).contains(" ") && line.count > 7
    }

    @Test("every Package.swift shown in the documentation is a valid manifest (swift package dump-package)")
    func manifestsEvaluate() async throws {
        var documents = ["README.md"]
        documents += DocCatalog.articles(under: Self.repository + "/Sources/Werk/Werk.docc").map { "Sources/Werk/Werk.docc/" + $0 }
        var checked = 0
        for document in documents {
            for block in try Self.swiftBlocks(Self.repository + "/" + document)
            where block.first?.hasPrefix("// swift-tools-version") == true {
                // `swift package` takes seconds: on a thread of its own, not the cooperative pool's.
                let manifest = block.joined(separator: "\n") + "\n"
                let result = try await ThreadRunner.run { try ManifestCheck.dumpPackage(manifest) }
                #expect(result.status == 0, "the Package.swift in \(document) does not evaluate: \(result.output)")
                #expect(result.output.contains("\"name\""), "dump-package printed no package: \(result.output)")
                checked += 1
            }
        }
        #expect(checked > 0, "README.md shows how to add Werk to a Package.swift")
    }
}
