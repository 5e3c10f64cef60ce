/// The profile's link on the response: a header, or a toolbar injected into an HTML page.
enum ProfilerLinks {
    static let headerName = "X-Werk-Profile-Link"

    /// `scriptName + uiPath + #/profile/<id>`, percent-encoded outside unreserved characters and `/`.
    static func link(request: Request, uiPath: String, id: Int) -> String {
        var base = request.scriptName + (uiPath.hasPrefix("/") ? uiPath : "/" + uiPath)
        if !base.hasSuffix("/") { base += "/" }
        return encoded(base) + "#/profile/" + String(id)
    }

    static func encoded(_ path: String) -> String {
        var out: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in path.utf8 {
            let keep = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || "-._~/".utf8.contains(byte)
            if keep { out.append(byte) } else { out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The HTML response with the toolbar inserted before its last `</body>`; nil when the response is
    /// not an uncompressed HTML page in memory with a `</body>`.
    static func injectToolbar(into response: Response, link: String, recording: Recording) -> Response? {
        guard case .bytes(let bytes) = response.body, !response.headers.contains("Content-Encoding"),
              let type = response.headers["Content-Type"], type.lowercased().hasPrefix("text/html"),
              let insertAt = lastBodyClose(in: bytes) else { return nil }
        let elapsed = ServerTiming.milliseconds(recording.clock.now() &- recording.startTime)
        let toolbar = "<div id=\"werk-profiler-toolbar\" style=\"position:fixed;right:0;bottom:0;z-index:2147483647;"
            + "font:12px/1.8 system-ui,sans-serif;background:#1d2330;color:#e8ecf4;padding:0 10px;border-top-left-radius:6px\">"
            + "<a style=\"color:#8cc4ff;text-decoration:none\" href=\"" + HTML.escape(link) + "\">"
            + HTML.escape("\(response.status.code) · \(elapsed) ms · profile \(recording.id)") + "</a></div>"
        var response = response
        var body = bytes
        body.insert(contentsOf: Array(toolbar.utf8), at: insertAt)
        response.body = .bytes(body)
        if response.headers.contains("Content-Length") { response.headers.set("Content-Length", String(body.count)) }
        return response
    }

    /// The offset of the last `</body` (any case).
    static func lastBodyClose(in bytes: [UInt8]) -> Int? {
        let needle = Array("</body".utf8)
        guard bytes.count >= needle.count else { return nil }
        var start = bytes.count - needle.count
        while start >= 0 {
            var matches = true
            for offset in 0..<needle.count where bytes[start + offset] | 0x20 != needle[offset] | 0x20 {
                matches = false
                break
            }
            if matches { return start }
            start -= 1
        }
        return nil
    }
}
