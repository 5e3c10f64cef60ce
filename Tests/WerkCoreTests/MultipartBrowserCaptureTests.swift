import Testing
import WerkCore
import WerkTestSupport

/// `Tests/WerkCoreTests/Fixtures/multipart/<name>/<file>`.
private func fixture(_ name: String, _ file: String) throws -> [UInt8] {
    var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast()
    return try readFile(components.joined(separator: "/") + "/Fixtures/multipart/\(name)/\(file)")
}

/// A browser capture and what Werkzeug's test suite expects from it: (field, file name as parsed,
/// basename, content type, the file holding the expected bytes), and the text field.
struct BrowserCapture: Sendable, CustomTestStringConvertible {
    var name: String
    var boundary: String
    var files: [(field: String, filename: String, basename: String, contentType: String, bytesFile: String)]
    var text: String?
    var testDescription: String { name }
}

private let captures: [BrowserCapture] = [
    BrowserCapture(name: "firefox3-2png1txt", boundary: "---------------------------186454651713519341951581030105",
                   files: [("file1", "anchor.png", "anchor.png", "image/png", "file1.png"),
                           ("file2", "application_edit.png", "application_edit.png", "image/png", "file2.png")],
                   text: "example text"),
    BrowserCapture(name: "firefox3-2pnglongtext", boundary: "---------------------------14904044739787191031754711748",
                   files: [("file1", "accept.png", "accept.png", "image/png", "file1.png"),
                           ("file2", "add.png", "add.png", "image/png", "file2.png")],
                   text: "--long text\r\n--with boundary\r\n--lookalikes--"),
    BrowserCapture(name: "opera8-2png1txt", boundary: "----------zEO9jQKmLc2Cq88c23Dx19",
                   files: [("file1", "arrow_branch.png", "arrow_branch.png", "image/png", "file1.png"),
                           ("file2", "award_star_bronze_1.png", "award_star_bronze_1.png", "image/png", "file2.png")],
                   text: "blafasel öäü"),
    BrowserCapture(name: "webkit3-2png1txt", boundary: "----WebKitFormBoundaryjdSFhcARk8fyGNy6",
                   files: [("file1", "gtk-apply.png", "gtk-apply.png", "image/png", "file1.png"),
                           ("file2", "gtk-no.png", "gtk-no.png", "image/png", "file2.png")],
                   text: "this is another text with ümläüts"),
    BrowserCapture(name: "ie6-2png1txt", boundary: "---------------------------7d91b03a20128",
                   files: [("file1", #"C:\Python25\wzzzz\test-data\upload\file1.png"#, "file1.png", "image/x-png", "file1.png"),
                           ("file2", #"C:\Python25\wzzzz\test-data\upload\file2.png"#, "file2.png", "image/x-png", "file2.png")],
                   text: "ie6 sucks :-/"),
    // IE7 sent a UNC path; `\\` unescapes to `\` in a quoted string, as Werkzeug reads it too.
    BrowserCapture(name: "ie7_full_path_request", boundary: "---------------------------7da36d1b4a0164",
                   files: [("cb_file_upload_multiple", #"\192.168.1.5\shared\council\Sellersburg Town Council Meeting 02-22-2010doc.doc"#,
                            "Sellersburg Town Council Meeting 02-22-2010doc.doc", "application/msword", "file1.doc")],
                   text: nil),
]

@Suite("Multipart browser captures")
struct MultipartBrowserCaptureTests {
    @Test("each browser capture gives the files and text Werkzeug's test suite expects", arguments: captures)
    func capture(_ c: BrowserCapture) async throws {
        let body = try fixture(c.name, "request.http")
        let request = Request(method: .post, target: "/",
                              headers: ["Content-Type": "multipart/form-data; boundary=\"\(c.boundary)\""], body: body)
        let files = try await request.files()
        #expect(files.count == c.files.count)
        for expected in c.files {
            let file = try #require(files[expected.field])
            #expect(file.filename == expected.filename)
            #expect(file.basename == expected.basename)
            #expect(file.contentType == expected.contentType)
            #expect(try file.bytes() == fixture(c.name, expected.bytesFile))
        }
        #expect(try await request.form()["text"] == c.text)
    }

    @Test("each capture decodes the same when split at every position around its boundaries, and every 31 bytes",
          arguments: captures)
    func everySplit(_ c: BrowserCapture) async throws {
        let body = try fixture(c.name, "request.http")
        let whole = try decodeMultipart(body, boundary: c.boundary)
        // Every position from just before each delimiter line to just after it (where a cut can
        // split the CRLF, the dashes or the boundary), and a stride through the rest.
        var cuts = Set(stride(from: 0, through: body.count, by: 31))
        let needle = Array(("--" + c.boundary).utf8)
        var i = 0
        while i + needle.count <= body.count {
            if body[i] == needle[0], body[i..<(i + needle.count)].elementsEqual(needle) {
                for cut in max(0, i - 3)...min(body.count, i + needle.count + 4) { cuts.insert(cut) }
                i += needle.count
            } else {
                i += 1
            }
        }
        for (n, cut) in cuts.sorted().enumerated() {
            if n % 32 == 0 { await Task.yield() }   // long synchronous loops starve the server tests' tasks
            #expect(try decodeMultipart(body, boundary: c.boundary, cuts: [cut]) == whole, "cut at \(cut)")
        }
    }
}
