#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves files under URL prefixes, like Werkzeug's `SharedDataMiddleware`, with validators,
/// conditional requests, ranges and precompressed siblings (see the StaticFiles article).
///
/// ```swift
/// let app = Stack {
///     SharedData(["/static": "public", "/favicon.ico": "assets/favicon.ico"])
///     Handler { _ in "the application" }
/// }
/// ```
///
/// Each value is a folder (served below the prefix) or a single file (served at exactly the prefix),
/// decided when the middleware is made; relative paths are resolved against the current directory
/// then. A miss (no such file, a directory without an index, a refused name) goes to the next
/// handler. GET and HEAD are served; OPTIONS on an existing file answers 204 with
/// `Allow: GET, HEAD, OPTIONS`; any other method on an existing file is 405 with that `Allow`
/// (nginx does the same), and on a missing one it falls through to the application.
public struct SharedData: Middleware {
    /// What one URL prefix serves.
    public enum Export: Sendable {
        /// The folders at `roots` (tried in order) below `prefix`.
        case directory(prefix: String, roots: [String])
        /// The single file at `path`, at exactly `prefix`.
        case file(prefix: String, path: String)

        /// The folder `folder` of a SwiftPM target's resources (declared with `.copy("folder")`),
        /// below `prefix`. SwiftPM places them in `<Package>_<Target>.resources` next to the
        /// executable, which is where `Bundle.module` looks on Linux; `bundle` is that name
        /// without `.resources` (e.g. `Werk_Demo`).
        public static func resources(prefix: String, bundle: String, folder: String) -> Export {
            .directory(prefix: prefix, roots: [executableDirectory() + "/" + bundle + ".resources/" + folder])
        }
    }

    /// The exports, in the order they are tried (longest prefix first).
    let mounts: [MountPoint]
    /// How files are served.
    public let options: Options
    let fileOptions: FileOptions

    /// Serves each prefix from a folder or a single file: `["/static": "public"]`.
    public init(_ exports: [String: String], options: Options = Options()) {
        let list = exports.sorted { $0.key < $1.key }.map { prefix, path -> Export in
            let absolute = SharedData.absolute(path)
            if let status = FileStatus.of(absolute), status.kind == .regular { return .file(prefix: prefix, path: absolute) }
            return .directory(prefix: prefix, roots: [absolute])
        }
        self.init(exports: list, options: options)
    }

    /// Serves the given exports.
    public init(exports: [Export], options: Options = Options()) {
        var mounts: [MountPoint] = []
        for export in exports {
            switch export {
            case .directory(let prefix, let roots):
                for root in roots {
                    var trimmed = SharedData.absolute(root)
                    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
                    mounts.append(MountPoint(prefix: Request.normalizedMountPrefix(prefix), kind: .directory(root: trimmed),
                                             canonicalRoot: canonicalPath(trimmed)))
                }
            case .file(let prefix, let path):
                mounts.append(MountPoint(prefix: Request.normalizedMountPrefix(prefix), kind: .file(SharedData.absolute(path)),
                                         canonicalRoot: nil))
            }
        }
        // Longest prefix first; equal prefixes keep their order (several roots for one prefix).
        self.mounts = mounts.enumerated().sorted {
            $0.element.prefix.utf8.count != $1.element.prefix.utf8.count
                ? $0.element.prefix.utf8.count > $1.element.prefix.utf8.count : $0.offset < $1.offset
        }.map(\.element)
        self.options = options
        var fileOptions = options.fileOptions
        // Always on: validators in header form for every file, bytes for small ones.
        fileOptions.memoryCache = RepresentationCache(maxFileSize: max(0, options.memoryCacheMaxFileSize),
                                                      capacity: max(0, options.memoryCacheCapacity))
        self.fileOptions = fileOptions
    }

    /// The layer's name in stack descriptions.
    public var name: String { "SharedData(\(mounts.map(\.prefix).joined(separator: ", ")))" }

    /// Wraps `next`: files are answered here, misses go to `next`. Synchronous when `next` is.
    public func wrap(_ next: Handler) -> Handler {
        let resolver = Resolver(mounts: mounts, options: options)
        let fileOptions = self.fileOptions
        return Handler.choosing(among: [next]) { request in
            switch resolver.resolve(request) {
            case .miss:
                return .handler(next, request)
            case let hit:
                return .response(Self.respond(to: request, hit: hit, fileOptions: fileOptions, options: resolver.options))
            }
        }.withLayers([name] + next.layers)
    }

    static let allowed = "GET, HEAD, OPTIONS"

    /// The answer for a resolved path, by method.
    static func respond(to request: Request, hit: Resolution, fileOptions: FileOptions, options: Options) -> Response {
        let method = request.method
        guard method == .get || method == .head else {
            if method == .options { return Response(status: .noContent, headers: ["Allow": allowed]) }
            return HTTPError(.methodNotAllowed, "This URL serves a static file, which can only be read (GET or HEAD).",
                             headers: ["Allow": allowed]).response(for: request)
        }
        switch hit {
        case .file(let path, let status):
            return FileServing.respond(to: request, path: path, status: status, options: fileOptions,
                                       cacheControl: fileOptions.cacheControl ?? "no-cache")
        case .redirect(let location):
            return Response(status: .movedPermanently, headers: ["Location": location])
        case .listing(let directory):
            return DirectoryListing.response(for: request, directory: directory, options: options)
        case .miss:
            return Response(status: .notFound)
        }
    }

    /// `path` made absolute against the current directory.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.isEmpty || path == "." ? cwd : (cwd == "/" ? "" : cwd) + "/" + path
    }

    /// The folder of the running executable (`/proc/self/exe`), or the current directory.
    static func executableDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return absolute(".") }
        let path = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }
}
