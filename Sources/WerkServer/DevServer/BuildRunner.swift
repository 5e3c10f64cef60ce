import CWerkSystem
import Glibc

/// Runs `swift build` for one product of a package, as the dev server's rebuild step.
package struct BuildRunner: Sendable {
    /// The outcome of one build.
    package struct Result: Sendable {
        /// Whether `swift build` exited with status 0.
        package var succeeded: Bool
        /// Its standard output and standard error, interleaved (at most 8 MiB kept).
        package var output: String
        /// How long it took.
        package var duration: Duration
        /// The diagnostics in the output, errors first.
        package var diagnostics: [BuildDiagnostic] { BuildDiagnostics.parse(output) }
    }

    /// The folder holding `Package.swift`.
    package var packageRoot: String
    /// The executable product to build.
    package var product: String
    /// `debug` or `release`.
    package var configuration: String
    /// The `swift` executable (looked up on `PATH` when it has no slash).
    package var swift: String = "swift"

    /// A runner for `product` in the package at `packageRoot`.
    package init(packageRoot: String, product: String, configuration: String = "debug") {
        self.packageRoot = packageRoot
        self.product = product
        self.configuration = configuration
    }

    /// The arguments after `swift`: `build --package-path ROOT --product NAME -c CONFIG
    /// --disable-index-store` (no index store: a dev rebuild is about twice as fast without it).
    package var arguments: [String] {
        ["build", "--package-path", packageRoot, "--product", product, "-c", configuration, "--disable-index-store"]
    }

    /// Where the built executable is: `ROOT/.build/CONFIG/PRODUCT` (SwiftPM's link to the triple's folder).
    package var executablePath: String { "\(packageRoot)/.build/\(configuration)/\(product)" }

    /// Runs the build and waits for it. Never throws: a build that cannot start is a failed result
    /// whose output says why.
    package func build() -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        var pipeFDs: [Int32] = [-1, -1]
        guard werk_pipe_cloexec(&pipeFDs) == 0 else {
            return Result(succeeded: false, output: "error: cannot create a pipe for swift build (errno \(errno))",
                          duration: clock.now - start)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([swift] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { posix_spawnp(&pid, swift, &actions, nil, $0.baseAddress!, environ) }
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard rc == 0 else {
            return Result(succeeded: false, output: "error: cannot run \(swift): \(String(cString: strerror(rc)))",
                          duration: clock.now - start)
        }
        let output = BuildRunner.readAll(pipeFDs[0], limit: 8 * 1024 * 1024)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitedCleanly = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
        return Result(succeeded: exitedCleanly, output: output, duration: clock.now - start)
    }

    /// Reads `fd` to its end, keeping at most `limit` bytes (the rest is read and dropped).
    static func readAll(_ fd: Int32, limit: Int) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            if bytes.count < limit { bytes.append(contentsOf: chunk[0..<min(n, limit - bytes.count)]) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Finding the package a program belongs to.
package enum PackageLocator {
    /// The nearest folder at or above `directory` holding a `Package.swift`, or nil.
    package static func root(from directory: String) -> String? {
        var current = directory
        while true {
            if access(current + "/Package.swift", F_OK) == 0 { return current }
            guard let slash = current.lastIndex(of: "/"), current != "/" else { return nil }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
            if current == "/" { return access("/Package.swift", F_OK) == 0 ? "/" : nil }
        }
    }

    /// The current working directory.
    package static var currentDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The path of this process's executable (`/proc/self/exe`), or nil.
    package static var executablePath: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The folders whose changes trigger a rebuild: the package's conventional target folders that
    /// exist (`Sources`, `Samples`, `Middleware`, `Plugins`, and any other top-level folder except
    /// hidden ones and `Tests`), each watched recursively; `Package.swift` itself is watched through
    /// the root (non-recursively, see ``DevSupervisor``).
    package static func watchedFolders(root: String) -> [String] {
        guard let handle = opendir(root) else { return [] }
        defer { closedir(handle) }
        var folders: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard FileWatcher.isRelevant(name), !ignoredTopLevel.contains(name) else { continue }
            var info = stat()
            if stat(root + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { folders.append(root + "/" + name) }
        }
        return folders.sorted()
    }

    /// Top-level folders that never hold a product's sources.
    static let ignoredTopLevel: Set<String> = ["Tests", "node_modules", "Scripts", "docs"]
}
