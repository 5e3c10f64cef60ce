import Testing
@testable import WerkCore

@Suite("safeJoin, secureFilename and tokens")
struct SafeJoinTests {
    @Test("safeJoin joins safe parts like Werkzeug", arguments: [
        ("css/site.css", "/srv/css/site.css"), ("a/../b", "/srv/b"), ("./a", "/srv/a"), ("a//b", "/srv/a/b"),
        ("...", "/srv/..."), ("..a", "/srv/..a"), ("a/..", "/srv/."), ("a/./b/", "/srv/a/b"),
        ("%2e%2e/x", "/srv/%2e%2e/x"), ("a%2fb", "/srv/a%2fb"), ("a%5c..%5cb", "/srv/a%5c..%5cb"), ("", "/srv"),
        ("ümlaut.txt", "/srv/ümlaut.txt"), ("console.log", "/srv/console.log"),
    ])
    func safeParts(part: String, expected: String) {
        #expect(safeJoin("/srv", part) == expected)
    }

    @Test("safeJoin refuses every part that could leave the directory", arguments: [
        "../etc/passwd", "/etc/passwd", "a/../../b", "..", "//etc", "///etc", "a/b/../../..", "./../x", "../", "x/../../",
        "a\\..\\b", "..\\x", "\\etc", "a\u{0}b", "con", "CON", "x/aux.txt", "nul.tar.gz", "Lpt1", "com9 .txt", "COM¹",
        "conin$", "a/ prn /b",
    ])
    func unsafeParts(part: String) {
        #expect(safeJoin("/srv", part) == nil)
    }

    @Test("safeJoin handles several parts, an empty directory and a trailing slash")
    func multipleParts() {
        #expect(safeJoin("", "a") == "./a")
        #expect(safeJoin("/srv/", "a") == "/srv/a")
        #expect(safeJoin("/srv", "a", "", "b") == "/srv/a/b")
        #expect(safeJoin("/srv", "a", "../..") == nil)
        #expect(safeJoin("/srv", ["a", "b/c"]) == "/srv/a/b/c")
        #expect(safeJoin("/srv") == "/srv")
    }

    @Test("normalizePOSIXPath behaves like posixpath.normpath")
    func normpath() {
        let cases = [("", "."), ("/", "/"), ("//", "//"), ("///", "/"), ("//a/../b", "//b"), ("../../a", "../../a"),
                     ("a/../..", ".."), ("/../a", "/a"), ("a/b/./c/", "a/b/c")]
        for (input, expected) in cases {
            #expect(normalizePOSIXPath(input) == expected, "\(input)")
        }
    }

    @Test("secureFilename matches Werkzeug's verified examples", arguments: [
        ("My cool movie.mov", "My_cool_movie.mov"), ("../../../etc/passwd", "etc_passwd"),
        ("i contain cool ümläuts.txt", "i_contain_cool_umlauts.txt"), ("..", ""), ("__init__.py", "init__.py"),
        ("ﬁle ½.txt", "file_12.txt"), ("Ｆｕｌｌ.txt", "Full.txt"), ("a\\b.txt", "ab.txt"), ("  lead trail  ", "lead_trail"),
        ("tab\there", "tab_here"), ("日本語.txt", "txt"), ("Ærøskøbing.pdf", "rskbing.pdf"), ("\u{1c}x\u{1f}y", "x_y"),
        ("ß.txt", "txt"), ("a/b/c", "a_b_c"), ("Crème brûlée.JPG", "Creme_brulee.JPG"), ("", ""),
    ])
    func secureFilenames(input: String, expected: String) {
        #expect(secureFilename(input) == expected)
    }

    @Test("secureFilename prefixes Windows device names on every platform")
    func secureFilenameDeviceNames() {
        #expect(secureFilename("con.txt") == "_con.txt")
        #expect(secureFilename("AUX") == "_AUX")
        #expect(secureFilename("console.txt") == "console.txt")
    }

    @Test("randomToken is URL-safe, unpadded and random")
    func randomTokens() throws {
        let a = try randomToken(), b = try randomToken()
        #expect(a.count == 43 && a != b)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        #expect(a.utf8.allSatisfy { alphabet.contains($0) })
        #expect(try randomToken(bytes: 16).count == 22)
    }
}
