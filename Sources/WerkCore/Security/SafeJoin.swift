/// Joins untrusted path parts (from a URL) to a trusted directory, or returns `nil` if the result
/// could leave that directory: Werkzeug's `safe_join`.
///
/// Each non-empty part is normalized like `posixpath.normpath` (`a/./b/../c` → `a/c`, repeated `/`
/// collapsed) and then refused when it is absolute, is `..` or starts with `../`. Empty parts are
/// skipped; an empty `directory` means `.`. The parts are joined with `/`.
///
/// Stricter than Werkzeug on Linux, so the answer does not depend on the platform:
/// - a part containing a backslash or a NUL byte is refused (Werkzeug refuses `\` only on Windows);
/// - a part with any segment whose stem (before the first `.`, trimmed, upper-cased) is a Windows
///   device name (`CON`, `AUX`, `NUL`, `PRN`, `COM1`…`COM9`, `LPT1`…`LPT9`, `CONIN$`, …) is refused
///   (Werkzeug does this only on Windows).
///
/// Percent-encoded separators such as `%2f` are not decoded: they stay literal characters of a file
/// name, never separators. Decode the URL path once, before calling this.
///
/// ```swift
/// safeJoin("/srv/static", "css/site.css")      // "/srv/static/css/site.css"
/// safeJoin("/srv/static", "../etc/passwd")     // nil
/// safeJoin("/srv/static", "/etc/passwd")       // nil
/// ```
public func safeJoin(_ directory: String, _ pathnames: String...) -> String? {
    safeJoin(directory, pathnames)
}

/// `safeJoin` with the untrusted parts as an array.
public func safeJoin(_ directory: String, _ pathnames: [String]) -> String? {
    var path = directory.isEmpty ? "." : directory
    for raw in pathnames where !raw.isEmpty {
        if raw.utf8.contains(UInt8(ascii: "\\")) || raw.utf8.contains(0) { return nil }
        let part = isNormalizedRelativePath(raw) ? raw : normalizePOSIXPath(raw)
        if part.hasPrefix("/") || part == ".." || part.hasPrefix("../") { return nil }
        var rest = Substring(part)
        while !rest.isEmpty {
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            if isWindowsDeviceName(rest[..<end]) { return nil }
            rest = end == rest.endIndex ? "" : rest[rest.utf8.index(after: end)...]
        }
        if !path.hasSuffix("/") { path.append("/") }
        path.append(part)
    }
    return path
}

/// Whether a path segment's stem (before the first `.`, trimmed, upper-cased) is a Windows device name.
func isWindowsDeviceName(_ segment: Substring) -> Bool {
    // Fast path: a device name starts (after optional spaces) with A, C, L, N or P; any other
    // ASCII first letter cannot be one, so most segments skip the Unicode work below.
    if let first = segment.utf8.first(where: { $0 != UInt8(ascii: " ") }), first < 0x80,
       !"ACLNPacnlp".utf8.contains(first), !(first >= 9 && first <= 13) { return false }
    let stem = segment.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    let trimmed = stem.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
    return windowsDeviceNames.contains(String(trimmed).uppercased())
}

/// Whether `normalizePOSIXPath(path)` is `path` itself: relative, no empty, `.` or `..` segment, no
/// trailing `/` (the common case of a URL path, which then needs no normalising).
func isNormalizedRelativePath(_ path: String) -> Bool {
    var segmentLength = 0
    var dotsOnly = true
    for byte in path.utf8 {
        if byte == UInt8(ascii: "/") {
            if segmentLength == 0 || (dotsOnly && segmentLength <= 2) { return false }
            segmentLength = 0
            dotsOnly = true
            continue
        }
        segmentLength += 1
        if byte != UInt8(ascii: ".") { dotsOnly = false }
    }
    return segmentLength > 0 && !(dotsOnly && segmentLength <= 2)
}

/// Python's `posixpath.normpath`: collapses `//` and `.`, resolves `..` where it can, keeps leading
/// `..` of relative paths, keeps exactly two leading slashes, and turns an empty result into `.`.
func normalizePOSIXPath(_ path: String) -> String {
    if path.isEmpty { return "." }
    var leadingSlashes = 0
    for c in path.utf8 { if c == UInt8(ascii: "/") { leadingSlashes += 1 } else { break } }
    let initial = leadingSlashes == 2 ? "//" : (leadingSlashes > 0 ? "/" : "")
    var components: [Substring] = []
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        if component == "." { continue }
        if component == ".." {
            if initial.isEmpty && (components.isEmpty || components.last == "..") {
                components.append(component)
            } else if !components.isEmpty {
                components.removeLast()
            }
            continue
        }
        components.append(component)
    }
    let joined = initial + components.joined(separator: "/")
    return joined.isEmpty ? "." : joined
}
