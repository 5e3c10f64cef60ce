#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat(2)` says about a path, as much as serving it needs.
struct FileStatus: Sendable, Equatable {
    enum Kind: Sendable { case regular, directory, other }

    /// Regular file, directory or anything else (devices, FIFOs, sockets: never served).
    var kind: Kind
    /// Device, inode, size and modification time in nanoseconds.
    var identity: FileIdentity

    /// The size in bytes.
    var size: Int { identity.size }
    /// The modification time in whole seconds (Last-Modified).
    var modificationSeconds: Int {
        let ns = identity.modificationNanoseconds
        return Int(ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000)
    }

    /// `stat` of `path` (symbolic links followed), or nil when it does not exist or cannot be read.
    static func of(_ path: String) -> FileStatus? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        let kind: Kind = type == S_IFREG ? .regular : type == S_IFDIR ? .directory : .other
        return FileStatus(kind: kind, identity: FileIdentity(status: info))
    }

    /// `lstat` of `path` (a symbolic link itself, not its target): the status, and whether it is a link.
    static func ofLink(_ path: String) -> (status: FileStatus, isLink: Bool)? {
        path.withCString { ofLink($0) }
    }

    /// `lstat` of a C path.
    static func ofLink(_ path: UnsafePointer<CChar>) -> (status: FileStatus, isLink: Bool)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        let kind: Kind = type == S_IFREG ? .regular : type == S_IFDIR ? .directory : .other
        return (FileStatus(kind: kind, identity: FileIdentity(status: info)), type == S_IFLNK)
    }

    /// The strong entity tag Werk derives from a file version: the modification time in nanoseconds
    /// and the size, both in lower-case hex, joined by `-` (`"1869f0c2a1b3c4d5-400"`), plus
    /// `-<coding>` for a precompressed variant. Like nginx's and Caddy's, it does not depend on the
    /// inode, so replicas with the same files (same times) agree.
    func entityTag(variant: String? = nil) -> ETag {
        var value = String(UInt64(bitPattern: identity.modificationNanoseconds), radix: 16)
        value += "-"
        value += String(size, radix: 16)
        if let variant { value += "-" + variant }
        return ETag(value)
    }
}

/// The canonical absolute path of `path` with every symbolic link resolved (`realpath(3)`), or nil.
func canonicalPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// Whether `path` is `root` or below it (both canonical, `root` without a trailing `/`).
func isContained(_ path: String, in root: String) -> Bool {
    if root == "/" { return path.hasPrefix("/") }
    guard path.hasPrefix(root) else { return false }
    let rest = path.utf8.dropFirst(root.utf8.count)
    return rest.isEmpty || rest.first == UInt8(ascii: "/")
}
