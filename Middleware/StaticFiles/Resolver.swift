#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One URL prefix and what it serves.
struct MountPoint: Sendable {
    enum Kind: Sendable {
        /// A folder: paths below the prefix.
        case directory(root: String)
        /// One file: exactly the prefix.
        case file(String)
    }
    /// Without a trailing `/`; empty for the whole site.
    var prefix: String
    var kind: Kind
    /// The folder with symbolic links resolved, when it existed at start (else resolved per request).
    var canonicalRoot: String?
}

/// What a request path maps to.
enum Resolution: Sendable {
    /// A regular file.
    case file(String, FileStatus)
    /// A directory URL without its trailing `/`: redirect there (only when it has an index or a listing).
    case redirect(String)
    /// A directory listing of this folder.
    case listing(String)
    /// Not ours: the next handler answers.
    case miss
}

/// Maps request paths to files under the mounts, refusing every path that could leave them.
struct Resolver: Sendable {
    let mounts: [MountPoint]
    let options: SharedData.Options

    /// The first mount that has the path, in order (longest prefix first).
    func resolve(_ request: Request) -> Resolution {
        let path = request.pathInfo
        for mount in mounts {
            switch mount.kind {
            case .file(let file):
                guard path == mount.prefix || (mount.prefix.isEmpty && path == "/") else { continue }
                if let status = FileStatus.of(file), status.kind == .regular { return .file(file, status) }
            case .directory(let root):
                guard let rest = Self.remainder(of: path, below: mount.prefix) else { continue }
                let found = resolve(rest, root: root, canonicalRoot: mount.canonicalRoot, request: request)
                if case .miss = found { continue }
                return found
            }
        }
        return .miss
    }

    /// `path` below `prefix` ("" or starting with `/`), or nil when it is not below it.
    static func remainder(of path: String, below prefix: String) -> Substring? {
        if prefix.isEmpty { return Substring(path) }
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        guard rest.isEmpty || rest.first == UInt8(ascii: "/") else { return nil }
        return Substring(rest)
    }

    /// The resolution of `rest` (the path below the prefix) inside the folder `root`.
    func resolve(_ rest: Substring, root: String, canonicalRoot: String?, request: Request) -> Resolution {
        var relative = rest
        while relative.hasPrefix("/") { relative = relative.dropFirst() }
        let endsWithSlash = rest.hasSuffix("/")
        if !options.allowsDotfiles, Self.hasDotSegment(relative) { return .miss }
        if !options.disallow.isEmpty, Self.isDisallowed(relative, patterns: options.disallow) { return .miss }
        guard let full = safeJoin(root, [String(relative)]),
              let status = options.allowsSymlinksOutsideRoot
                ? FileStatus.of(full) : Self.statusInside(full, root: root, canonicalRoot: canonicalRoot) else { return .miss }
        switch status.kind {
        case .regular:
            return endsWithSlash ? .miss : .file(full, status)
        case .directory:
            let index = firstIndexFile(in: full, root: root, canonicalRoot: canonicalRoot)
            guard index != nil || options.listsDirectories else { return .miss }
            if !endsWithSlash { return .redirect(Self.slashLocation(request)) }
            if let index { return .file(index.path, index.status) }
            return .listing(full)
        case .other:
            return .miss
        }
    }

    /// The first configured index file in `directory` that is a regular file inside the root.
    func firstIndexFile(in directory: String, root: String, canonicalRoot: String?) -> (path: String, status: FileStatus)? {
        for name in options.indexFiles {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let status = FileStatus.of(path), status.kind == .regular else { continue }
            if !options.allowsSymlinksOutsideRoot, !Self.staysInside(path, root: root, canonicalRoot: canonicalRoot) { continue }
            return (path, status)
        }
        return nil
    }

    /// The status of `full` (a path below `root`) when it resolves inside the root, else nil.
    /// Each component below the root is checked with `lstat` (one call for a file at the top);
    /// only when one is a symbolic link is the whole path resolved with `realpath` and compared.
    static func statusInside(_ full: String, root: String, canonicalRoot: String?) -> FileStatus? {
        let start = min(root.utf8.count + 1, full.utf8.count)
        // One C string for every prefix: each `/` below the root is cut to NUL in turn.
        var path = Array(full.utf8CString)
        for index in start..<(path.count - 1) where path[index] == CChar(UInt8(ascii: "/")) {
            path[index] = 0
            let parent = FileStatus.ofLink(path)
            path[index] = CChar(UInt8(ascii: "/"))
            guard let (_, isLink) = parent else { return nil }
            if isLink { return staysInside(full, root: root, canonicalRoot: canonicalRoot) ? FileStatus.of(full) : nil }
        }
        guard let (status, isLink) = FileStatus.ofLink(path) else { return nil }
        if isLink { return staysInside(full, root: root, canonicalRoot: canonicalRoot) ? FileStatus.of(full) : nil }
        return status
    }

    /// Whether `path` with its symbolic links resolved is still inside the root.
    static func staysInside(_ path: String, root: String, canonicalRoot: String?) -> Bool {
        guard let canonicalRoot = canonicalRoot ?? canonicalPath(root), let resolved = canonicalPath(path) else { return false }
        return isContained(resolved, in: canonicalRoot)
    }

    /// Whether a segment other than `.` and `..` starts with a dot (`.env`, `.git/config`).
    static func hasDotSegment(_ relative: Substring) -> Bool {
        var atSegmentStart = true
        var dots = 0          // leading dots of the current segment, while only dots were seen
        var dotsOnly = false
        for byte in relative.utf8 {
            if byte == UInt8(ascii: "/") {
                if dotsOnly && dots > 2 { return true }
                atSegmentStart = true
                continue
            }
            if atSegmentStart {
                atSegmentStart = false
                dotsOnly = byte == UInt8(ascii: ".")
                dots = dotsOnly ? 1 : 0
                continue
            }
            if dotsOnly {
                if byte == UInt8(ascii: ".") { dots += 1; continue }
                return true   // `.x…` or `..x…`
            }
        }
        return dotsOnly && dots > 2
    }

    /// Whether a disallow pattern matches the relative path or its last segment.
    static func isDisallowed(_ relative: Substring, patterns: [String]) -> Bool {
        let path = String(relative)
        let name = FileServing.baseName(path)
        for pattern in patterns where fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, name, 0) == 0 {
            return true
        }
        return false
    }

    /// The request's URL path with a `/` added (and its query kept), percent-encoded for Location.
    static func slashLocation(_ request: Request) -> String {
        var location = PercentEncoding.encode(request.scriptName + request.pathInfo + "/", safe: "/!$&'()*+,;=:@")
        if !request.queryString.isEmpty { location += "?" + request.queryString }
        return location
    }
}
