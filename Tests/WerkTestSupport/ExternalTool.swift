#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import Testing

/// A program a test needs beyond the Swift toolchain (nginx, python3 with Flask, chromium, wrk).
///
/// On a developer's machine without it, tests marked with ``Testing/Trait/requires(_:)`` are skipped
/// with a message naming the tool and how to install it. CI sets `WERK_REQUIRE_TOOLS=1`: then the
/// tests run anyway and fail where the tool is missing, so nothing is skipped there.
public struct ExternalTool: Sendable, CustomStringConvertible {
    /// The executable's name, looked up in `PATH` and the sbin folders (nginx lives in /usr/sbin).
    public let executable: String
    /// How to get it, for the skip message (e.g. `apt-get install nginx-light`).
    public let install: String
    /// An extra check beyond the executable existing (e.g. that python3 can import Flask).
    public let probe: (@Sendable () -> Bool)?
    /// What the skip message calls it (the executable's name unless given).
    public let name: String

    /// A tool found by its executable name, with an optional extra check.
    public init(_ executable: String, install: String, name: String? = nil, probe: (@Sendable () -> Bool)? = nil) {
        self.executable = executable
        self.install = install
        self.name = name ?? executable
        self.probe = probe
    }

    /// `nginx` (Debian's nginx-light).
    public static let nginx = ExternalTool("nginx", install: "apt-get install nginx-light")
    /// Debian's `chromium`, for tests that load pages in a headless browser.
    public static let chromium = ExternalTool("chromium", install: "apt-get install chromium")
    /// `python3` able to import Flask, Werkzeug and itsdangerous at the pinned versions.
    public static let flask = ExternalTool(
        "python3", install: "pip install flask==3.1.3 werkzeug==3.1.8 itsdangerous==2.2.0",
        name: "python3 with Flask, Werkzeug and itsdangerous", probe: { ExternalTool.run(["python3", "-c", "import flask, werkzeug, itsdangerous"]) == 0 })

    /// The tool's full path, or nil when it is not installed (or its probe fails). Looked up once per
    /// process: a probe spawns a program, and the traits of many tests ask.
    public var path: String? {
        if let known = Self.found.withLock({ $0[name] }) { return known }
        var result = Self.find(executable)
        if result != nil, let probe, !probe() { result = nil }
        Self.found.withLock { $0[name] = .some(result) }
        return result
    }

    private static let found = Mutex<[String: String?]>([:])

    /// True when CI asked for missing tools to fail tests instead of skipping them.
    public static var required: Bool {
        guard let value = getenv("WERK_REQUIRE_TOOLS") else { return false }
        let text = String(cString: value)
        return !text.isEmpty && text != "0"
    }

    /// The reason a test is skipped when the tool is missing.
    public var description: String {
        "\(name) is not installed (\(install)); set WERK_REQUIRE_TOOLS=1 to fail instead of skipping"
    }

    /// `executable` in `PATH`, /usr/sbin or /sbin, when it exists and is executable.
    public static func find(_ executable: String) -> String? {
        if executable.contains("/") { return access(executable, X_OK) == 0 ? executable : nil }
        var folders = (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin")
            .split(separator: ":").map(String.init)
        folders += ["/usr/local/sbin", "/usr/sbin", "/sbin"]
        for folder in folders where !folder.isEmpty {
            let candidate = folder + "/" + executable
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `arguments` with output discarded and returns its exit status (-1 if it could not start).
    public static func run(_ arguments: [String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `tool` is installed, unless CI requires every tool
    /// (`WERK_REQUIRE_TOOLS=1`), in which case a missing tool makes the test fail instead.
    public static func requires(_ tool: ExternalTool) -> ConditionTrait {
        .enabled(if: ExternalTool.required || tool.path != nil, Comment(rawValue: tool.description))
    }
}
