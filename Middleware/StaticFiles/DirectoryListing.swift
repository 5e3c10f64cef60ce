#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The HTML page listing a folder (when `SharedData.Options.listsDirectories` is on).
enum DirectoryListing {
    /// At most this many entries are listed (the page says when there are more).
    static let maxEntries = 5_000

    /// The entries of `directory`: names sorted by their UTF-8 bytes, folders with a trailing `/`,
    /// dotfiles and disallowed names left out unless allowed; nil when it cannot be read.
    static func entries(of directory: String, options: SharedData.Options) -> (names: [String], truncated: Bool)? {
        guard let handle = opendir(directory) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        var truncated = false
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            if !options.allowsDotfiles && name.hasPrefix(".") { continue }
            if !options.disallow.isEmpty, Resolver.isDisallowed(Substring(name), patterns: options.disallow) { continue }
            if names.count == maxEntries { truncated = true; break }
            let isDirectory = FileStatus.of(directory + "/" + name)?.kind == .directory
            names.append(isDirectory ? name + "/" : name)
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return (names, truncated)
    }

    /// The listing page for `directory`, reached at the request's URL.
    static func response(for request: Request, directory: String, options: SharedData.Options) -> Response {
        guard let (names, truncated) = entries(of: directory, options: options) else {
            return HTTPError(.forbidden, "This folder cannot be listed.").response(for: request)
        }
        let title = HTML.escape("Index of " + request.scriptName + request.pathInfo)
        var html = "<!doctype html>\n<html lang=en>\n<meta charset=utf-8>\n<title>\(title)</title>\n<h1>\(title)</h1>\n<ul>\n"
        html += "<li><a href=\"../\">../</a>\n"
        for name in names {
            let href = PercentEncoding.encode(name, safe: "/!$&'()*+,;=:@")
            html += "<li><a href=\"\(HTML.escape(href))\">\(HTML.escape(name))</a>\n"
        }
        html += "</ul>\n"
        if truncated { html += "<p>Only the first \(maxEntries) entries are shown.</p>\n" }
        var response = Response.html(html)
        response.headers.set("Cache-Control", "no-cache")
        return response
    }
}
