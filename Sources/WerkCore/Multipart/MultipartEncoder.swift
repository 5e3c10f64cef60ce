import CWerkSystem

/// Writes `multipart/form-data` bodies (Werkzeug's `MultipartEncoder`, used by the test client).
///
/// ```swift
/// let encoder = MultipartEncoder()
/// let body = try encoder.encode([
///     .field("title", "Holiday"),
///     .file("photo", filename: "beach.jpg", contentType: "image/jpeg", bytes: [0xFF, 0xD8]),
/// ])
/// let contentType = encoder.contentType   // multipart/form-data; boundary=...
/// ```
///
/// Names and file names are escaped as browsers do (the HTML standard): `"` as `%22`, LF as `%0A`,
/// CR as `%0D`; ``MultipartDecoder`` reverses it.
public struct MultipartEncoder: Sendable {
    /// One part to encode.
    public struct Part: Sendable {
        /// The field name.
        public var name: String
        /// The file name, nil for a plain field.
        public var filename: String?
        /// The Content-Type header (files default to `application/octet-stream`).
        public var contentType: String?
        /// More header fields for the part.
        public var headers: Headers
        /// The body.
        public var bytes: [UInt8]

        /// A part with every detail.
        public init(name: String, filename: String? = nil, contentType: String? = nil, headers: Headers = Headers(),
                    bytes: [UInt8]) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.headers = headers
            self.bytes = bytes
        }

        /// A text field (UTF-8).
        public static func field(_ name: String, _ value: String) -> Part { Part(name: name, bytes: Array(value.utf8)) }

        /// A file.
        public static func file(_ name: String, filename: String, contentType: String = "application/octet-stream",
                                bytes: [UInt8]) -> Part {
            Part(name: name, filename: filename, contentType: contentType, bytes: bytes)
        }
    }

    /// The boundary between parts.
    public let boundary: String

    /// An encoder with `boundary`, or a random one (`werk-` and 32 hex digits).
    public init(boundary: String = MultipartEncoder.randomBoundary()) { self.boundary = boundary }

    /// A boundary of `werk-` and 32 random hex digits.
    public static func randomBoundary() -> String {
        let bytes = (try? SecureRandom.bytes(16)) ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        return "werk-" + Hex.encode(bytes)
    }

    /// `multipart/form-data; boundary=…`, for the request's Content-Type.
    public var contentType: String { "multipart/form-data; boundary=" + HeaderValues.quote(boundary) }

    /// The body holding `parts` in order. Throws ``MultipartEncoderError`` when a part's bytes contain
    /// the boundary delimiter (impossible in practice with a random boundary).
    public func encode(_ parts: [Part]) throws(MultipartEncoderError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.bytes.count + 160 } + boundary.utf8.count + 8)
        for part in parts {
            if Self.containsDelimiter(part.bytes, boundary: boundary) { throw .boundaryInContent(part: part.name) }
            out += Array("--\(boundary)\r\n".utf8)
            var disposition = "Content-Disposition: form-data; name=\"\(Self.escape(part.name))\""
            if let filename = part.filename { disposition += "; filename=\"\(Self.escape(filename))\"" }
            out += Array((disposition + "\r\n").utf8)
            if let type = part.contentType ?? (part.filename != nil ? "application/octet-stream" : nil) {
                out += Array("Content-Type: \(type)\r\n".utf8)
            }
            for field in part.headers { out += Array("\(field.name): \(field.value)\r\n".utf8) }
            out += [0x0D, 0x0A]
            out += part.bytes
            out += [0x0D, 0x0A]
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    /// The browsers' escaping of names: `"` → `%22`, LF → `%0A`, CR → `%0D`.
    static func escape(_ name: String) -> String {
        guard name.utf8.contains(where: { $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return name }
        var out = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {   // scalars, not Characters: "\r\n" is one Character
            switch scalar {
            case "\"": out.append(contentsOf: "%22".unicodeScalars)
            case "\n": out.append(contentsOf: "%0A".unicodeScalars)
            case "\r": out.append(contentsOf: "%0D".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `--boundary` occurs in `bytes` at a line start (after CR or LF, or at the very start,
    /// which follows the part's blank line): the decoder would take it for a delimiter.
    static func containsDelimiter(_ bytes: [UInt8], boundary: String) -> Bool {
        let needle = Array(("--" + boundary).utf8)
        return bytes.withUnsafeBytes { hay in
            needle.withUnsafeBytes { n in
                guard let base = hay.baseAddress, let nb = n.baseAddress else { return false }
                var from = 0
                while hay.count - from >= n.count, let hit = memmem(base + from, hay.count - from, nb, n.count) {
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if at == 0 || hay[at - 1] == 0x0A || hay[at - 1] == 0x0D { return true }
                    from = at + 1
                }
                return false
            }
        }
    }
}

/// Why ``MultipartEncoder/encode(_:)`` failed.
public enum MultipartEncoderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The part's bytes contain the boundary delimiter, which would end the part early.
    case boundaryInContent(part: String)

    /// What went wrong, in a sentence.
    public var description: String {
        switch self {
        case .boundaryInContent(let part): "The bytes of part '\(part)' contain the multipart boundary."
        }
    }
}
