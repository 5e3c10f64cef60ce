import Glibc

/// Writes `text` to `path` (created or truncated); false on failure.
func writeFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
}

/// A fresh temporary directory (`mkdtemp`), removed by ``removeTree(_:)``.
func makeTemporaryDirectory(_ prefix: String = "werk-dev") -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

/// Removes `path` and everything below it (for temporary directories this test created).
func removeTree(_ path: String) {
    guard path.hasPrefix("/tmp/werk-") else { return }
    if let handle = opendir(path) {
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            var info = stat()
            if lstat(child, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR { removeTree(child) } else { unlink(child) }
        }
        closedir(handle)
    }
    rmdir(path)
}

/// The UTF-8 offset of the first `needle` in `text`, or nil.
func offset(of needle: String, in text: String) -> Int? {
    let haystack = Array(text.utf8), target = Array(needle.utf8)
    guard !target.isEmpty, haystack.count >= target.count else { return nil }
    for start in 0...(haystack.count - target.count) where haystack[start..<start + target.count].elementsEqual(target) {
        return start
    }
    return nil
}
