import Glibc
import Testing
@testable import WerkServer

@Suite("File watcher")
struct FileWatcherTests {
    /// A temporary package-like tree: `Sources/App/main.swift`, watched from `Sources`.
    final class Tree {
        let root = makeTemporaryDirectory("werk-watch")
        var sources: String { root + "/Sources" }
        init() {
            mkdir(root + "/Sources", 0o755)
            mkdir(root + "/Sources/App", 0o755)
            _ = writeFile(root + "/Sources/App/main.swift", "print(1)\n")
        }
        deinit { removeTree(root) }
    }

    @Test("Writing a file is one change")
    func write() throws {
        let tree = Tree()
        let watcher = try FileWatcher(roots: [tree.sources])
        #expect(watcher.watchedDirectoryCount == 2)
        #expect(writeFile(tree.sources + "/App/main.swift", "print(2)\n"))
        #expect(watcher.nextChanges(timeout: .seconds(20)) == [tree.sources + "/App/main.swift"])
    }

    @Test("An editor's save through a temporary file and a rename reports the real name")
    func renameOnSave() throws {
        let tree = Tree()
        let watcher = try FileWatcher(roots: [tree.sources])
        let temporary = tree.sources + "/App/.main.swift.tmp1234"
        #expect(writeFile(temporary, "print(3)\n"))
        #expect(rename(temporary, tree.sources + "/App/main.swift") == 0)
        let changes = watcher.nextChanges(timeout: .seconds(20))
        #expect(changes == [tree.sources + "/App/main.swift"])
    }

    @Test("A new directory is watched, and its files are reported")
    func newDirectory() throws {
        let tree = Tree()
        let watcher = try FileWatcher(roots: [tree.sources])
        #expect(mkdir(tree.sources + "/Lib", 0o755) == 0)
        #expect(writeFile(tree.sources + "/Lib/lib.swift", "let a = 1\n"))
        var changes: [String] = []
        for _ in 0..<5 where !changes.contains(tree.sources + "/Lib/lib.swift") {
            changes += watcher.nextChanges(timeout: .seconds(20))
        }
        #expect(changes.contains(tree.sources + "/Lib/lib.swift"))
        #expect(watcher.watchedDirectoryCount == 3)
        // A later write inside the new directory is seen through its own watch.
        #expect(writeFile(tree.sources + "/Lib/lib.swift", "let a = 2\n"))
        #expect(watcher.nextChanges(timeout: .seconds(20)) == [tree.sources + "/Lib/lib.swift"])
    }

    @Test("Several writes close together are one batch (debounced)")
    func debounce() throws {
        let tree = Tree()
        let watcher = try FileWatcher(roots: [tree.sources])
        let names = (0..<5).map { tree.sources + "/App/file\($0).swift" }
        for name in names { #expect(writeFile(name, "let x = 0\n")) }
        #expect(writeFile(names[0], "let x = 1\n"))
        // A quiet window far longer than the writes take: everything lands in one batch.
        let changes = watcher.nextChanges(quiet: .seconds(1), limit: .seconds(10), timeout: .seconds(20))
        #expect(changes == names)
    }

    @Test("Hidden files and swap files are ignored; Package.swift is watched on its own")
    func ignoredAndSingleFiles() throws {
        let tree = Tree()
        #expect(writeFile(tree.root + "/Package.swift", "// v1\n"))
        let watcher = try FileWatcher(roots: [tree.sources], files: [tree.root + "/Package.swift"])
        #expect(writeFile(tree.sources + "/App/.main.swift.swp", "x"))
        #expect(writeFile(tree.sources + "/App/main.swift~", "x"))
        #expect(writeFile(tree.root + "/README.md", "x"))   // beside Package.swift, not watched
        #expect(writeFile(tree.root + "/Package.swift", "// v2\n"))
        #expect(watcher.nextChanges(timeout: .seconds(20)) == [tree.root + "/Package.swift"])
    }

    @Test("Names that do not trigger a rebuild", arguments: [
        (".build", false), (".main.swift.swp", false), ("main.swift~", false), ("4913", false), ("main.swift", true),
        ("Package.swift", true),
    ])
    func relevance(name: String, relevant: Bool) {
        #expect(FileWatcher.isRelevant(name) == relevant)
    }
}
