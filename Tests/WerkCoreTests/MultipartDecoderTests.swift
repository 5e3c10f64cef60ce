import Testing
import WerkCore

/// A form with two fields, an empty field, a file, and body bytes that look like boundaries.
private let sample = crlf([
    "--XyZ",
    "Content-Disposition: form-data; name=\"title\"",
    "",
    "Hello",
    "--XyZ",
    "Content-Disposition: form-data; name=\"empty\"",
    "",
    "",
    "--XyZ",
    "Content-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"",
    "Content-Type: text/plain",
    "",
    "line 1\r\n\r\n--XyZa not a boundary\r\n--Xy\r\n-XyZ\r\n\r",
    "--XyZ--",
    "",
])

@Suite("Multipart decoder")
struct MultipartDecoderTests {
    @Test("a form decodes into its fields and files with their bodies")
    func basic() throws {
        let parts = try decodeMultipart(sample, boundary: "XyZ")
        #expect(parts.map(\.head.name) == ["title", "empty", "doc"])
        #expect(parts[0].body == Array("Hello".utf8))
        #expect(parts[1].body == [])
        #expect(parts[2].head.filename == "a.txt")
        #expect(parts[2].head.contentType == "text/plain")
        #expect(parts[2].body == Array("line 1\r\n\r\n--XyZa not a boundary\r\n--Xy\r\n-XyZ\r\n\r".utf8))
        #expect(parts[0].head.filename == nil && !parts[0].head.isFile && parts[2].head.isFile)
    }

    @Test("the body split at every position (every CRLF split included) decodes the same")
    func everySplit() async throws {
        let whole = try decodeMultipart(sample, boundary: "XyZ")
        for cut in 0...sample.count {
            if cut % 32 == 0 { await Task.yield() }   // long synchronous loops starve the server tests' tasks
            #expect(try decodeMultipart(sample, boundary: "XyZ", cuts: [cut]) == whole, "cut at \(cut)")
        }
    }

    @Test("the body split at every pair of positions decodes the same")
    func everyPairOfSplits() async throws {
        let body = Array(sample.prefix(0)) + crlf(["--b", "Content-Disposition: form-data; name=\"f\"", "", "x\r\n\r", "--b--"])
        let whole = try decodeMultipart(body, boundary: "b")
        #expect(whole.count == 1 && whole[0].body == Array("x\r\n\r".utf8))
        for a in 0...body.count {
            await Task.yield()
            for b in a...body.count {
                #expect(try decodeMultipart(body, boundary: "b", cuts: [a, b]) == whole, "cuts at \(a), \(b)")
            }
        }
    }

    @Test("one byte at a time decodes the same")
    func byteByByte() throws {
        let whole = try decodeMultipart(sample, boundary: "XyZ")
        #expect(try decodeMultipart(sample, boundary: "XyZ", cuts: Array(0...sample.count)) == whole)
    }

    @Test("a preamble, a leading CRLF and an epilogue are skipped")
    func preambleAndEpilogue() throws {
        let body = Array("\r\nThis is a preamble.\r\n".utf8) + sample + Array("epilogue text\r\n".utf8)
        #expect(try decodeMultipart(body, boundary: "XyZ") == decodeMultipart(sample, boundary: "XyZ"))
        let leading = Array("\r\n".utf8) + sample
        #expect(try decodeMultipart(leading, boundary: "XyZ").count == 3)
    }

    @Test("bare LF and bare CR line breaks are accepted, as Werkzeug does")
    func bareLineBreaks() async throws {
        for lineBreak in ["\n", "\r"] {
            let body = Array(["--b", "Content-Disposition: form-data; name=\"a\"", "", "one", "--b",
                              "Content-Disposition: form-data; name=\"c\"", "", "two", "--b--", ""]
                .joined(separator: lineBreak).utf8)
            let parts = try decodeMultipart(body, boundary: "b")
            #expect(parts.map(\.description) == ["a|-|one", "c|-|two"], "line break \(Array(lineBreak.utf8))")
            for cut in 0...body.count {
                if cut % 32 == 0 { await Task.yield() }
                #expect(try decodeMultipart(body, boundary: "b", cuts: [cut]) == parts)
            }
        }
    }

    @Test("spaces after a boundary are allowed; a boundary followed by other text is data")
    func transportPadding() throws {
        let body = Array("--b  \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--bb\r\ny\r\n--b \r\n".utf8)
            + Array("Content-Disposition: form-data; name=\"z\"\r\n\r\n\r\n--b--".utf8)
        let parts = try decodeMultipart(body, boundary: "b")
        #expect(parts.map(\.description) == ["a|-|x\r\n--bb\r\ny", "z|-|"])
    }

    @Test("boundaries with regular-expression characters are matched literally")
    func regexCharacters() throws {
        let boundary = "a.b*c+?(x)|[y]^$\\"
        let body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\naXbbbc\r\n--\(boundary)--\r\n".utf8)
        #expect(try decodeMultipart(body, boundary: boundary).map(\.description) == ["f|-|aXbbbc"])
        let lookalike = Array("--aXbbbc\r\n".utf8) + body
        #expect(try decodeMultipart(lookalike, boundary: boundary).count == 1)
    }

    @Test("header continuation lines are joined")
    func continuation() throws {
        let body = crlf(["--b", "Content-Disposition: form-data;", "\tname=\"cont\";", "  filename=\"c.txt\"",
                         "X-Extra: one", " two", "", "data", "--b--"])
        let parts = try decodeMultipart(body, boundary: "b")
        #expect(parts[0].head.name == "cont")
        #expect(parts[0].head.filename == "c.txt")
        #expect(parts[0].head.headers["X-Extra"] == "one two")
    }

    @Test("names: quoted with escapes, filename* (RFC 2231), browsers' %22 %0A %0D, Latin-1 bytes", arguments: [
        (#"form-data; name="a\"b"; filename="q\"uote.txt""#, "a\"b", "q\"uote.txt"),
        (#"form-data; name="a%22b%0Ac"; filename="x%22y%0D.txt""#, "a\"b\nc", "x\"y\r.txt"),
        (#"form-data; name=token; filename*=UTF-8''%C3%A9t%C3%A9.txt"#, "token", "été.txt"),
        (#"form-data; name="n"; filename="plain.txt"; filename*=UTF-8''na%C3%AFve.txt"#, "n", "naïve.txt"),
        (#"form-data; name="semi;colon"; filename="a;b.txt""#, "semi;colon", "a;b.txt"),
        (#"form-data; name="ü"; filename="日本.txt""#, "ü", "日本.txt"),
    ])
    func names(disposition: String, name: String, filename: String) throws {
        let body = crlf(["--b", "Content-Disposition: " + disposition, "", "v", "--b--"])
        let head = try decodeMultipart(body, boundary: "b")[0].head
        #expect(head.name == name)
        #expect(head.filename == filename)
    }

    @Test("a file name that is not UTF-8 is read as ISO-8859-1")
    func latin1Name() throws {
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"caf".utf8) + [0xE9]
            + Array(".txt\"\r\n\r\nx\r\n--b--".utf8)
        #expect(try decodeMultipart(body, boundary: "b")[0].head.filename == "café.txt")
    }

    @Test("an empty file input (filename=\"\") is a file part with an empty name")
    func emptyFileInput() throws {
        let body = crlf(["--b", #"Content-Disposition: form-data; name="f"; filename="""#,
                         "Content-Type: application/octet-stream", "", "", "--b--"])
        let part = try decodeMultipart(body, boundary: "b")[0]
        #expect(part.head.filename == "" && part.head.isFile && part.body.isEmpty)
    }

    @Test("a form with no parts is only the closing boundary")
    func noParts() throws {
        #expect(try decodeMultipart(Array("--b--\r\n".utf8), boundary: "b").isEmpty)
    }

    @Test("the boundary of a Content-Type: quoted, token, missing, other types")
    func boundaryFromContentType() throws {
        #expect(try MultipartDecoder.boundary(fromContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(try MultipartDecoder.boundary(fromContentType: #"Multipart/Form-Data; charset=utf-8; boundary="a b:c""#) == "a b:c")
        #expect(failure { _ = try MultipartDecoder.boundary(fromContentType: "multipart/form-data") }?.status == 400)
        #expect(failure { _ = try MultipartDecoder.boundary(fromContentType: "text/plain; boundary=x") }?.status == 400)
    }
}
