/// File extensions to Content-Type values: about 200 common ones, text types with
/// `; charset=utf-8`, overridable per mount or per ``Response/file(_:for:options:)`` call.
///
/// ```swift
/// var types = MIMETypes.standard
/// types["webmanifest"] = "application/manifest+json"
/// types.contentType(forPath: "/srv/a.CSS")     // "text/css; charset=utf-8"
/// types.contentType(forPath: "/srv/blob")      // nil (use the fallback)
/// ```
///
/// Extensions are matched case-insensitively, without the dot, on the last dot of the file name.
public struct MIMETypes: Sendable, Equatable {
    /// Lower-cased extension (no dot) to Content-Type.
    public private(set) var types: [String: String]

    /// A table from extensions (any case, no dot) to Content-Type values.
    public init(_ types: [String: String]) {
        var lowered: [String: String] = [:]
        for (ext, type) in types { lowered[ASCII.lowercased(ext)] = type }
        self.types = lowered
    }

    /// The Content-Type for `ext` (any case, no dot); setting nil removes it.
    public subscript(ext: String) -> String? {
        get { types[ASCII.lowercased(ext)] }
        set { types[ASCII.lowercased(ext)] = newValue }
    }

    /// The Content-Type for the file at `path` by its extension, or nil when unknown or when the
    /// name has no extension (a leading dot, as in `.profile`, does not start one).
    public func contentType(forPath path: String) -> String? {
        let utf8 = path.utf8
        guard let dot = utf8.lastIndex(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/") }),
              utf8[dot] == UInt8(ascii: "."), dot > utf8.startIndex,
              utf8[utf8.index(before: dot)] != UInt8(ascii: "/") else { return nil }
        let ext = path[utf8.index(after: dot)...]
        if let exact = types[String(ext)] { return exact }
        return types[ASCII.lowercased(ext)]
    }

    /// Werk's table: the web's common types (HTML, CSS, JavaScript, JSON, images, fonts, audio,
    /// video, archives, documents). Text types carry `; charset=utf-8`.
    public static let standard = MIMETypes(standardTable)

    private static let utf8 = "; charset=utf-8"

    private static let standardTable: [String: String] = {
        var table: [String: String] = [:]
        let text: [(String, [String])] = [
            ("text/html", ["html", "htm", "shtml"]),
            ("text/css", ["css"]),
            ("text/javascript", ["js", "mjs", "cjs"]),
            ("text/plain", ["txt", "text", "log", "conf", "ini", "cfg", "def", "list", "in", "asc", "env"]),
            ("text/markdown", ["md", "markdown"]),
            ("text/csv", ["csv"]),
            ("text/tab-separated-values", ["tsv"]),
            ("text/xml", ["xml", "xsl", "xsd"]),
            ("text/calendar", ["ics", "ifb"]),
            ("text/vcard", ["vcf", "vcard"]),
            ("text/vtt", ["vtt"]),
            ("text/x-python", ["py"]),
            ("text/x-c", ["c", "h", "cc", "cpp", "hpp", "cxx"]),
            ("text/x-java-source", ["java"]),
            ("text/x-swift", ["swift"]),
            ("text/x-rust", ["rs"]),
            ("text/x-go", ["go"]),
            ("text/x-shellscript", ["sh"]),
            ("text/x-sass", ["sass"]),
            ("text/x-scss", ["scss"]),
            ("text/x-less", ["less"]),
            ("text/yaml", ["yaml", "yml"]),
            ("text/x-toml", ["toml"]),
            ("text/rtf", ["rtf"]),
            ("text/x-diff", ["diff", "patch"]),
            ("text/x-component", ["htc"]),
            ("text/mathml", ["mml"]),
            ("text/x-sql", ["sql"]),
            ("text/x-typescript", ["ts", "mts", "cts"]),
            ("text/jsx", ["jsx"]),
            ("text/tsx", ["tsx"]),
            ("application/json", ["json", "map", "jsonld"]),
            ("application/manifest+json", ["webmanifest"]),
            ("application/geo+json", ["geojson"]),
            ("application/ld+json", ["ldjson"]),
            ("application/xhtml+xml", ["xhtml", "xht"]),
            ("application/rss+xml", ["rss"]),
            ("application/atom+xml", ["atom"]),
            ("application/xml-dtd", ["dtd"]),
            ("image/svg+xml", ["svg"]),
            ("application/x-sh", ["bash"]),
            ("application/graphql", ["graphql", "gql"]),
        ]
        for (type, extensions) in text { for ext in extensions { table[ext] = type + utf8 } }
        let binary: [(String, [String])] = [
            // Images.
            ("image/png", ["png"]), ("image/jpeg", ["jpg", "jpeg", "jpe", "jfif"]), ("image/gif", ["gif"]),
            ("image/webp", ["webp"]), ("image/avif", ["avif"]), ("image/apng", ["apng"]),
            ("image/x-icon", ["ico", "cur"]), ("image/bmp", ["bmp"]), ("image/tiff", ["tif", "tiff"]),
            ("image/heic", ["heic"]), ("image/heif", ["heif"]), ("image/jxl", ["jxl"]),
            ("image/x-portable-pixmap", ["ppm"]),
            ("image/x-portable-graymap", ["pgm"]), ("image/x-portable-bitmap", ["pbm"]),
            ("image/x-xbitmap", ["xbm"]), ("image/vnd.adobe.photoshop", ["psd"]), ("image/x-tga", ["tga"]),
            ("image/jp2", ["jp2"]),
            // Fonts.
            ("font/woff", ["woff"]), ("font/woff2", ["woff2"]), ("font/ttf", ["ttf"]), ("font/otf", ["otf"]),
            ("font/collection", ["ttc"]), ("application/vnd.ms-fontobject", ["eot"]),
            // Audio.
            ("audio/mpeg", ["mp3", "mpga"]), ("audio/ogg", ["oga", "ogg", "opus", "spx"]), ("audio/wav", ["wav"]),
            ("audio/webm", ["weba"]), ("audio/aac", ["aac"]), ("audio/flac", ["flac"]), ("audio/mp4", ["m4a"]),
            ("audio/midi", ["mid", "midi", "kar"]), ("audio/x-aiff", ["aif", "aiff", "aifc"]),
            ("audio/x-matroska", ["mka"]), ("audio/amr", ["amr"]), ("audio/3gpp", ["3ga"]),
            ("audio/x-ms-wma", ["wma"]), ("audio/basic", ["au", "snd"]), ("audio/x-realaudio", ["ra"]),
            // Video.
            ("video/mp4", ["mp4", "m4v", "mp4v"]), ("video/webm", ["webm"]), ("video/ogg", ["ogv"]),
            ("video/quicktime", ["mov", "qt"]), ("video/x-msvideo", ["avi"]), ("video/x-matroska", ["mkv"]),
            ("video/mpeg", ["mpeg", "mpg", "mpe"]), ("video/3gpp", ["3gp", "3gpp"]), ("video/3gpp2", ["3g2"]),
            ("video/mp2t", ["m2ts"]), ("video/x-flv", ["flv"]), ("video/x-ms-wmv", ["wmv"]),
            ("video/x-ms-asf", ["asf", "asx"]), ("video/x-mng", ["mng"]),
            ("application/vnd.apple.mpegurl", ["m3u8"]), ("application/dash+xml", ["mpd"]),
            ("audio/x-mpegurl", ["m3u"]),
            // Archives and compressed data.
            ("application/zip", ["zip"]), ("application/gzip", ["gz", "tgz"]), ("application/x-tar", ["tar"]),
            ("application/x-bzip2", ["bz2", "tbz2"]), ("application/x-xz", ["xz", "txz"]),
            ("application/zstd", ["zst"]), ("application/x-brotli", ["br"]),
            ("application/x-7z-compressed", ["7z"]), ("application/vnd.rar", ["rar"]),
            ("application/x-lzip", ["lz"]), ("application/x-lzma", ["lzma"]), ("application/x-compress", ["z"]),
            ("application/java-archive", ["jar", "war", "ear"]), ("application/x-cpio", ["cpio"]),
            ("application/x-iso9660-image", ["iso"]), ("application/x-apple-diskimage", ["dmg"]),
            ("application/vnd.debian.binary-package", ["deb"]), ("application/x-rpm", ["rpm"]),
            ("application/x-msdownload", ["exe", "dll", "msi"]), ("application/vnd.android.package-archive", ["apk"]),
            ("application/x-shockwave-flash", ["swf"]), ("application/x-xpinstall", ["xpi"]),
            ("application/x-bittorrent", ["torrent"]), ("application/x-sqlite3", ["sqlite", "sqlite3", "db"]),
            // Documents.
            ("application/pdf", ["pdf"]), ("application/postscript", ["ps", "eps", "ai"]),
            ("application/msword", ["doc", "dot"]), ("application/vnd.ms-excel", ["xls", "xlt"]),
            ("application/vnd.ms-powerpoint", ["ppt", "pps"]),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ["docx"]),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ["xlsx"]),
            ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ["pptx"]),
            ("application/vnd.oasis.opendocument.text", ["odt"]),
            ("application/vnd.oasis.opendocument.spreadsheet", ["ods"]),
            ("application/vnd.oasis.opendocument.presentation", ["odp"]),
            ("application/vnd.oasis.opendocument.graphics", ["odg"]),
            ("application/epub+zip", ["epub"]), ("application/x-mobipocket-ebook", ["mobi"]),
            ("application/vnd.amazon.ebook", ["azw"]), ("application/x-latex", ["latex"]),
            ("application/x-tex", ["tex"]), ("application/x-texinfo", ["texi", "texinfo"]),
            ("application/vnd.visio", ["vsd"]), ("application/vnd.google-earth.kml+xml", ["kml"]),
            ("application/vnd.google-earth.kmz", ["kmz"]),
            // Web and application data.
            ("application/wasm", ["wasm"]), ("application/octet-stream", ["bin", "dat", "so", "o", "a", "class"]),
            ("application/x-ndjson", ["ndjson", "jsonl"]), ("application/cbor", ["cbor"]),
            ("application/msgpack", ["msgpack"]), ("application/x-protobuf", ["pb", "proto3"]),
            ("application/x-x509-ca-cert", ["crt", "der", "pem"]), ("application/pkix-crl", ["crl"]),
            ("application/pkcs7-mime", ["p7m", "p7c"]), ("application/x-pkcs12", ["p12", "pfx"]),
            ("application/pgp-signature", ["sig"]), ("application/pgp-encrypted", ["pgp", "gpg"]),
            ("application/x-httpd-php", ["php"]), ("application/x-perl", ["pl", "pm"]),
            ("application/x-ruby", ["rb"]), ("application/x-java-jnlp-file", ["jnlp"]),
            ("application/vnd.wap.wmlc", ["wmlc"]), ("application/mac-binhex40", ["hqx"]),
            ("application/x-makeself", ["run"]),
            ("application/x-font-bdf", ["bdf"]), ("application/x-font-pcf", ["pcf"]),
            ("application/x-ipynb+json", ["ipynb"]), ("application/yang", ["yang"]),
            ("model/gltf+json", ["gltf"]), ("model/gltf-binary", ["glb"]),
            ("model/obj", ["obj"]), ("model/stl", ["stl"]), ("model/3mf", ["3mf"]),
            ("application/vnd.ms-cab-compressed", ["cab"]), ("application/x-ms-shortcut", ["lnk"]),
            ("application/x-parquet", ["parquet"]),
            ("application/vnd.apache.arrow.file", ["arrow"]), ("application/x-hdf5", ["h5", "hdf5"]),
            ("application/x-netcdf", ["nc"]), ("application/mathematica", ["nb"]), ("application/onenote", ["one"]),
            ("application/vnd.apple.pkpass", ["pkpass"]), ("application/x-apple-aspen-config", ["mobileconfig"]),
        ]
        for (type, extensions) in binary { for ext in extensions { table[ext] = type } }
        return table
    }()
}
