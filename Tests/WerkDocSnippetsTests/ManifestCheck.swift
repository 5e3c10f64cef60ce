#if canImport(Glibc)
import Glibc
#endif

/// Evaluates a Package.swift the way SwiftPM does, in a scratch folder (no dependency is fetched).
enum ManifestCheck {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Writes `manifest` to a new folder and runs `swift package dump-package` there; returns its exit
    /// status and output (stdout and stderr together).
    static func dumpPackage(_ manifest: String) throws -> (status: Int32, output: String) {
        var template = Array("/tmp/werk-manifest-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw Failure(description: "mkdtemp failed (errno \(errno))") }
        let folder = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { _ = run(["rm", "-rf", folder]) }
        guard let file = fopen(folder + "/Package.swift", "w") else { throw Failure(description: "cannot write in \(folder)") }
        fputs(manifest, file)
        fclose(file)
        return run(["swift", "package", "--package-path", folder, "--scratch-path", folder + "/.build",
                    "--disable-sandbox", "dump-package"])
    }

    /// Runs `arguments`, returning the exit status and the combined output.
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let outputPath = "/tmp/werk-manifest-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else {
            return (-1, "could not start \(arguments[0])")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        var output = ""
        if let file = fopen(outputPath, "r") {
            var buffer = [CChar](repeating: 0, count: 4096)
            while fgets(&buffer, Int32(buffer.count), file) != nil {
                output += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            fclose(file)
        }
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : -1, output)
    }
}
