/// Folds text to ASCII the way Python's `unicodedata.normalize("NFKD", s).encode("ascii", "ignore")`
/// does (`ü` → `u`, `ﬁ` → `fi`, `Ａ` → `A`, `½` → `12`), from a table generated with Python
/// (`ASCIIFold+Table.swift`). The standard library has no NFKD and FoundationEssentials has no
/// `decomposedStringWithCompatibilityMapping`, hence the table.
enum ASCIIFold {
    static func fold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                out.append(scalar)
            } else if v >= 0xFF01 && v <= 0xFF5E {
                out.append(Unicode.Scalar(v - 0xFEE0)!)
            } else if let folded = table[v] {
                out.append(contentsOf: folded.unicodeScalars)
            }
        }
        return String(out)
    }
}

/// The Windows device names Werkzeug refuses (`_windows_device_files`), upper case.
let windowsDeviceNames: Set<String> = {
    var names: Set<String> = ["AUX", "CON", "CONIN$", "CONOUT$", "NUL", "PRN"]
    for suffix in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³"] {
        names.insert("COM" + suffix)
        names.insert("LPT" + suffix)
    }
    return names
}()

/// A version of `filename` that is safe to store on any file system, like Werkzeug's
/// `secure_filename`: never empty of meaning, never a path.
///
/// Steps (Werkzeug's): fold to ASCII (NFKD, dropping what has no ASCII form), turn `/` into a space,
/// join whitespace-separated words with `_`, drop every character outside `A-Z a-z 0-9 _ . -`, and
/// strip leading and trailing `.` and `_`. The result may be empty: pick a name yourself then.
///
/// ```swift
/// secureFilename("My cool movie.mov")             // "My_cool_movie.mov"
/// secureFilename("../../../etc/passwd")           // "etc_passwd"
/// secureFilename("i contain cool ümläuts.txt")    // "i_contain_cool_umlauts.txt"
/// secureFilename("..")                            // ""
/// ```
///
/// Difference from Werkzeug: a Windows device name (`CON`, `aux.txt`, `LPT1.log`, …) is prefixed
/// with `_` on **every** platform, not only on Windows, so a name is safe wherever the file ends up.
public func secureFilename(_ filename: String) -> String {
    let ascii = ASCIIFold.fold(filename)
    var words: [String] = []
    var current: [UInt8] = []
    for var c in ascii.utf8 {
        if c == UInt8(ascii: "/") { c = UInt8(ascii: " ") }
        // Python's str.split() splits on ASCII whitespace and the separators 0x1C...0x1F.
        if c == 0x20 || (0x09...0x0D).contains(c) || (0x1C...0x1F).contains(c) {
            if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)); current = [] }
        } else {
            current.append(c)
        }
    }
    if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
    var kept = Array(words.joined(separator: "_").utf8.filter { c in
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default: false
        }
    })
    let strip: (UInt8) -> Bool = { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") }
    while let first = kept.first, strip(first) { kept.removeFirst() }
    while let last = kept.last, strip(last) { kept.removeLast() }
    let result = String(decoding: kept, as: UTF8.self)
    let stem = result.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    if !result.isEmpty && windowsDeviceNames.contains(stem.uppercased()) {
        return "_" + result
    }
    return result
}
