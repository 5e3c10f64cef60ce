import Werk

/// The demo's HTML pages (escaped wherever a value comes from the client).
enum DemoPages {
    static let head = """
        <!doctype html>
        <html lang=en>
        <meta charset=utf-8>
        <link rel=stylesheet href="/static/style.css">
        """

    static func index(_ request: Request, visits: Int) throws -> String {
        let name = request.session.string("name")
        let links: [(String, String)] = [
            (try request.url(for: "hello", ["name": "Werk"]), "a routed URL built with url(for:)"),
            (try request.url(for: "login"), "log in: a form, stored in the signed session cookie"),
            (try request.url(for: "upload"), "upload files: multipart/form-data"),
            ("/static/hello.txt", "a static file (SharedData: ETag, ranges, 304)"),
            (try request.url(for: "download"), "a download (Response.file with a file name)"),
            ("/api/time", "JSON from a mounted sub-application"),
            ("/api/users/42", "an Encodable value"),
            (try request.url(for: "stream"), "a streamed, chunked response"),
            (try request.url(for: "boom"), "a handler that throws: a 500 and the error in the log; with WERK_DEBUG=1 the Debugger's page"),
            ("/__profiler/", "the profiler: the last requests, each layer's time, per-route percentiles (loopback only)"),
        ]
        let items = links.map { "<li><a href=\"\(HTML.escape($0.0))\">\(HTML.escape($0.0))</a>: \($0.1)</li>" }
        return head + """
            <title>Werk demo</title>
            <h1>Hello\(name.map { ", " + HTML.escape($0) } ?? "")!</h1>
            <p>You have visited this page \(visits) time\(visits == 1 ? "" : "s") (counted in a signed session cookie).</p>
            <ul>\(items.joined(separator: "\n"))</ul>
            <form method=post action="\(HTML.escape(try request.url(for: "logout")))"><button>Log out</button></form>
            """
    }

    static let login = head + """
        <title>Log in</title>
        <h1>Log in</h1>
        <form method=post>
          <input name=name placeholder="Your name" required maxlength=64>
          <input name=password type=password placeholder="Password (werk)" required>
          <button>Log in</button>
        </form>
        """

    static let uploadForm = head + """
        <title>Upload</title>
        <h1>Upload</h1>
        <form method=post enctype=multipart/form-data>
          <input type=file name=files multiple> <input name=note placeholder=Note>
          <button>Upload</button>
        </form>
        """

    static func uploaded(_ files: [UploadedFile], note: String) -> String {
        let items = files.map { file in
            "<li>\(HTML.escape(file.filename)) (\(file.size) bytes, \(HTML.escape(file.mimeType)))</li>"
        }
        return head + """
            <title>Uploaded</title>
            <p>\(files.count) file(s)\(note.isEmpty ? "" : ", note: " + HTML.escape(note))</p>
            <ul>\(items.joined())</ul><p><a href="/upload">Upload more</a> · <a href="/">Home</a></p>
            """
    }
}
