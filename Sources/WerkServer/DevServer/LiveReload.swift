import Glibc
import Synchronization
import WerkCore

/// The dev server's live reload, wrapped around the application in a dev worker (and around the
/// supervisor's own compile-error page):
///
/// - `GET /__werk/reload` answers with server-sent events: one `data: GENERATION` event at once,
///   then a comment every 15 s, until the process stops. `GENERATION` names the code answering
///   (`b3`: the third successful build; `f2`: the second failed build, answered by the supervisor).
/// - Every HTML response whose body is in memory gets a small script before its `</body>`, or at
///   its end when it is a whole document (`<!doctype`, `<html`) without one; fragments, streams
///   and encoded bodies are left alone. The script knows the
///   generation that rendered the page and opens an `EventSource` on the page's own origin. When
///   the worker stops, the stream ends and the browser reconnects; the connection waits in the
///   listening socket's backlog, which the supervisor holds, until the next worker (or the
///   supervisor's error page) accepts it. Only that answer can carry a different generation, so the
///   page reloads only once the new code is ready to answer it: never onto a refused connection.
///   A worker restarted after a crash keeps its generation: the page is not reloaded into the
///   same crash again.
package struct LiveReload: Sendable {
    /// The path of the event stream.
    package static let path = "/__werk/reload"
    /// The environment variable that carries the generation to a dev worker (set only by the
    /// dev supervisor; its presence is what "dev mode" means).
    package static let environmentVariable = "WERK_DEV_GENERATION"
    /// A flag that ends open event streams when set, so a graceful stop does not wait for them.
    package final class StopFlag: Sendable {
        let value = Atomic<Bool>(false)
        /// A flag not yet set.
        package init() {}
        /// Sets it.
        package func set() { value.store(true, ordering: .relaxed) }
        /// Whether it is set.
        package var isSet: Bool { value.load(ordering: .relaxed) }
    }

    /// The dev worker's flag: set when its server begins to shut down.
    package static let stopping = StopFlag()

    /// The generation this process answers for.
    package var generation: String
    /// What ends this wrapper's event streams.
    package var stop: StopFlag

    /// Live reload for `generation`, whose streams end when `stop` is set.
    package init(generation: String, stop: StopFlag = LiveReload.stopping) {
        self.generation = generation
        self.stop = stop
    }

    /// The generation given by the dev supervisor when this process is a dev worker, else nil:
    /// read once from the environment (and removed from it, so programs the worker starts do not
    /// inherit it).
    package static let devGeneration: String? = {
        guard let value = getenv(environmentVariable) else { return nil }
        let text = String(cString: value)
        unsetenv(environmentVariable)
        return text.isEmpty ? nil : text
    }()

    /// `next` with the event stream in front and the script injected into its HTML responses; keeps
    /// `next`'s synchronous form.
    package func wrap(_ next: Handler) -> Handler {
        let script = Array(LiveReload.script(generation: generation).utf8)
        let events = eventStream()
        let injecting = next.mapResponse { _, response in LiveReload.inject(script, into: response) }
        return Handler.choosing(among: [events, injecting]) { request in
            .handler(request.pathInfo == LiveReload.path && request.scriptName.isEmpty ? events : injecting, request)
        }
    }

    /// The event-stream handler: `retry: 250` (reconnect quickly), the generation, then keep-alive
    /// comments until the process stops.
    package func eventStream() -> Handler {
        let first = Array("retry: 250\ndata: \(generation)\n\n".utf8)
        let stop = self.stop
        return Handler { (_: Request) throws -> Response in
            let stream = ByteStream { writer in
                try await writer.write(first)
                var ticks = 0
                while !stop.isSet {
                    try await Task.sleep(for: .milliseconds(100))
                    ticks += 1
                    if ticks % 150 == 0 { try await writer.write(": keep-alive\n\n") }
                }
            }
            return Response(status: .ok,
                            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                      "X-Accel-Buffering": "no"],
                            body: .stream(stream, length: nil))
        }
    }

    /// The script tag for pages rendered by `generation` (which is a short token of letters and
    /// digits, set by the supervisor, so it needs no escaping beyond the filter below).
    package static func script(generation: String) -> String {
        let safe = String(generation.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.map(Character.init))
        return """
        <script data-werk-live-reload>(function(){var g="\(safe)";function open(){var s=new EventSource("\(path)");\
        s.onmessage=function(e){if(e.data!==g){s.close();location.reload();}};\
        s.onerror=function(){if(s.readyState===2){setTimeout(open,1000);}};}open();})();</script>
        """
    }

    /// `response` with `script` inserted before its last `</body>` when it is an HTML page held in
    /// memory without a content coding; otherwise `response` unchanged.
    package static func inject(_ script: [UInt8], into response: Response) -> Response {
        guard case .bytes(let body) = response.body, let type = response.headers["Content-Type"],
              ASCII.equalsIgnoringCase(type.prefix(9), "text/html"), response.headers["Content-Encoding"] == nil,
              let closing = lastClosingBody(in: body) ?? (isDocument(body) ? body.count : nil) else { return response }
        var result = response
        var bytes = [UInt8]()
        bytes.reserveCapacity(body.count + script.count)
        bytes.append(contentsOf: body[..<closing])
        bytes.append(contentsOf: script)
        bytes.append(contentsOf: body[closing...])
        result.body = .bytes(bytes)
        if result.headers["Content-Length"] != nil { result.headers.set("Content-Length", String(bytes.count)) }
        result.headers.remove("ETag")   // the bytes differ from what the application tagged
        return result
    }

    /// Whether `bytes` is a whole HTML document (it starts, after white space, with `<!doctype` or
    /// `<html`) rather than a fragment: a document without `</body>` gets the script at its end.
    static func isDocument(_ bytes: [UInt8]) -> Bool {
        guard let start = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return false }
        for prefix in ["<!doctype", "<html"] {
            let target = Array(prefix.utf8)
            if bytes.count - start >= target.count,
               zip(bytes[start..<start + target.count], target).allSatisfy({ ASCII.lowercase($0) == $1 }) { return true }
        }
        return false
    }

    /// The offset of the last `</body` (any case) in `bytes`, or nil.
    static func lastClosingBody(in bytes: [UInt8]) -> Int? {
        let needle = Array("</body".utf8)
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.count - needle.count
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "<") {
                var matches = true
                for offset in 1..<needle.count where ASCII.lowercase(bytes[index + offset]) != needle[offset] {
                    matches = false
                    break
                }
                if matches { return index }
            }
            index -= 1
        }
        return nil
    }
}
