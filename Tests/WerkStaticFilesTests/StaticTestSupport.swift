#if canImport(Glibc)
import Glibc
#endif
import Testing
import WerkCore
@testable import WerkStaticFiles
import WerkTesting

/// A temporary folder of files for one test, removed when the test ends.
final class TempTree: @unchecked Sendable {
    let root: String

    init() {
        var template = Array("/tmp/werk-static-XXXXXX".utf8CString)
        let made = mkdtemp(&template)
        precondition(made != nil, "mkdtemp failed")
        root = String(cString: made!)
        _ = chmod(root, 0o755)   // readable by nginx's worker user in the interop test
    }

    deinit { _ = ExternalRemove.tree(root) }

    /// Writes `bytes` to `relative` (creating folders), with a fixed modification time.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8], mtime: Int = 1_700_000_000, nanoseconds: Int = 123_456_789) -> String {
        let path = root + "/" + relative
        makeFolders(for: relative)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            precondition(n > 0)
            done += n
        }
        close(fd)
        setTime(relative, seconds: mtime, nanoseconds: nanoseconds)
        return path
    }

    @discardableResult
    func write(_ relative: String, _ text: String, mtime: Int = 1_700_000_000) -> String {
        write(relative, Array(text.utf8), mtime: mtime)
    }

    func setTime(_ relative: String, seconds: Int, nanoseconds: Int = 0) {
        var times = [timespec(tv_sec: seconds, tv_nsec: nanoseconds), timespec(tv_sec: seconds, tv_nsec: nanoseconds)]
        _ = utimensat(AT_FDCWD, root + "/" + relative, &times, 0)
    }

    func mkdir(_ relative: String) {
        makeFolders(for: relative + "/x")
    }

    func symlink(_ relative: String, to target: String) {
        makeFolders(for: relative)
        _ = Glibc.symlink(target, root + "/" + relative)
    }

    private func makeFolders(for relative: String) {
        var path = root
        for part in relative.split(separator: "/").dropLast() {
            path += "/" + part
            _ = Glibc.mkdir(path, 0o755)
        }
    }
}

/// Removing a folder tree (tests only).
enum ExternalRemove {
    static func tree(_ path: String) -> Bool {
        guard let dir = opendir(path) else { return unlink(path) == 0 }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            var info = stat()
            if lstat(child, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { _ = tree(child) } else { unlink(child) }
        }
        closedir(dir)
        return rmdir(path) == 0
    }
}

/// `count` bytes of a recognisable pattern.
func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 &+ seed) &* 31 &+ ($0 >> 8)) }
}

/// Headers from pairs.
func headers(_ pairs: [(String, String)]) -> Headers { Headers(pairs) }

/// The parts of a multipart/byteranges body: each part's Content-Range and bytes.
func multipartParts(_ body: [UInt8], contentType: String) -> [(range: String, type: String, bytes: [UInt8])]? {
    guard let b = contentType.split(separator: "=", maxSplits: 1).last, contentType.contains("boundary=") else { return nil }
    let boundary = Array(("--" + b).utf8)
    var parts: [(String, String, [UInt8])] = []
    var index = 0
    func find(_ needle: [UInt8], from: Int) -> Int? {
        guard needle.count <= body.count else { return nil }
        var i = from
        while i + needle.count <= body.count {
            if body[i] == needle[0] && Array(body[i..<i + needle.count]) == needle { return i }
            i += 1
        }
        return nil
    }
    guard var start = find(boundary, from: index) else { return nil }
    while true {
        index = start + boundary.count
        if body.count >= index + 2, body[index] == 45, body[index + 1] == 45 { break }   // closing --
        guard let headEnd = find(Array("\r\n\r\n".utf8), from: index) else { return nil }
        let head = String(decoding: body[index..<headEnd], as: UTF8.self)
        var range = "", type = ""
        for line in head.split(separator: "\r\n") {
            if line.lowercased().hasPrefix("content-range:") { range = line.dropFirst(14).trimmingCharacters() }
            if line.lowercased().hasPrefix("content-type:") { type = line.dropFirst(13).trimmingCharacters() }
        }
        guard let next = find(Array("\r\n".utf8) + boundary, from: headEnd + 4) else { return nil }
        parts.append((range, type, Array(body[(headEnd + 4)..<next])))
        start = next + 2
    }
    return parts.map { (range: $0.0, type: $0.1, bytes: $0.2) }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// A fixture: `public/` with a 1000-byte `a.txt` (fixed mtime), served at `/static` over an app that
/// answers 404 "app" with `X-App: fallthrough` for misses.
struct Site {
    let tree = TempTree()
    let content = pattern(1000)
    var publicRoot: String { tree.root + "/public" }

    init() {
        tree.write("public/a.txt", content)
    }

    static let application = Handler { _ in
        Response(status: .notFound, headers: ["X-App": "fallthrough"], body: .bytes(Array("app".utf8)))
    }

    func app(_ options: SharedData.Options = SharedData.Options()) -> Handler {
        Stack {
            SharedData(["/static": publicRoot], options: options)
            Site.application
        }
    }

    func client(_ options: SharedData.Options = SharedData.Options()) -> TestClient {
        TestClient(app(options))
    }

    /// Werk's ETag for a file written by `TempTree.write` with the default time.
    static func etag(size: Int, variant: String? = nil) -> String {
        "\"" + String(UInt64(1_700_000_000_123_456_789), radix: 16) + "-" + String(size, radix: 16)
            + (variant.map { "-" + $0 } ?? "") + "\""
    }

    static let lastModified = "Tue, 14 Nov 2023 22:13:20 GMT"
}

/// The byte offset of `needle` in `text`, or nil.
func offset(of needle: String, in text: String) -> Int? {
    let hay = Array(text.utf8), pin = Array(needle.utf8)
    guard !pin.isEmpty, hay.count >= pin.count else { return nil }
    for i in 0...(hay.count - pin.count) where hay[i] == pin[0] && Array(hay[i..<i + pin.count]) == pin { return i }
    return nil
}
