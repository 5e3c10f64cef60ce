#if canImport(Glibc)
import Glibc
#endif

/// The Markdown files of a DocC catalog.
enum DocCatalog {
    /// Paths of the `.md` files below `root`, relative to it and sorted; empty when it does not exist.
    static func articles(under root: String, prefix: String = "") -> [String] {
        guard let directory = opendir(root + (prefix.isEmpty ? "" : "/" + prefix)) else { return [] }
        defer { closedir(directory) }
        var found: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") { continue }
            let relative = prefix.isEmpty ? name : prefix + "/" + name
            if Int32(entry.pointee.d_type) == Int32(DT_DIR) {
                found += articles(under: root, prefix: relative)
            } else if name.hasSuffix(".md") {
                found.append(relative)
            }
        }
        return found.sorted()
    }
}
