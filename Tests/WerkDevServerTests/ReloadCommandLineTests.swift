import Glibc
import Testing
@testable import WerkServer

@Suite("--reload on the command line")
struct ReloadCommandLineTests {
    @Test("--reload sets the configuration's reload and is listed in the usage")
    func parsesReload() throws {
        guard case .run(let configuration) = try Server.Configuration.parse(arguments: ["--reload", "--port", "0"]) else {
            Issue.record("not a run request")
            return
        }
        #expect(configuration.reload)
        #expect(Server.Configuration.usage(program: "Demo").contains("--reload"))
    }

    @Test("--reload takes no value and cannot be combined with --workers", arguments: [
        (["--reload=yes"], "--reload takes no value."),
        (["--reload", "--workers", "2"], "--reload and --workers cannot be combined"),
    ])
    func refusals(arguments: [String], message: String) {
        #expect {
            _ = try Server.Configuration.parse(arguments: arguments)
        } throws: { error in
            (error as? CommandLineError)?.message.hasPrefix(message) == true
        }
    }

    @Test("The package root is the nearest folder with a Package.swift")
    func packageRoot() throws {
        let root = makeTemporaryDirectory("werk-root")
        defer { removeTree(root) }
        mkdir(root + "/Sources", 0o755)
        mkdir(root + "/Sources/App", 0o755)
        mkdir(root + "/Tests", 0o755)
        #expect(writeFile(root + "/Package.swift", "// swift-tools-version:6.1\n"))
        #expect(PackageLocator.root(from: root + "/Sources/App") == root)
        #expect(PackageLocator.watchedFolders(root: root) == [root + "/Sources"])
        #expect(BuildRunner(packageRoot: root, product: "App").arguments
                == ["build", "--package-path", root, "--product", "App", "-c", "debug", "--disable-index-store"])
    }
}
