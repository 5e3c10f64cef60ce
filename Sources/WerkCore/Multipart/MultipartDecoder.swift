#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CWerkSystem

/// What a ``MultipartDecoder`` found next in the bytes it was given.
public enum MultipartEvent: Sendable, Equatable {
    /// A new part begins: its name, file name and headers. Data events for its body follow, the
    /// last one with `isLast` set (an empty body gives one empty last data event).
    case part(MultipartPartHead)
    /// Bytes of the current part's body. Only the last one may be empty.
    case data([UInt8], isLast: Bool)
    /// Everything given so far is decoded: call ``MultipartDecoder/receive(_:)`` (or
    /// ``MultipartDecoder/finish()`` at the end of the body) and ask again.
    case needData
    /// The closing boundary was seen and the body has ended. Asking again gives `end` again.
    case end
}

/// The headers of one part: its field name, the file name when it is a file, its content type.
public struct MultipartPartHead: Sendable, Equatable {
    /// The field name (the `name` parameter of `Content-Disposition`), with browsers' `%22`, `%0A`
    /// and `%0D` escapes decoded.
    public var name: String
    /// The file name as the client sent it (`filename*` wins over `filename`), escapes decoded; nil
    /// for a plain field. Never use it as a path: see ``UploadedFile/secureFilename``.
    public var filename: String?
    /// The part's `Content-Type` header, if any.
    public var contentType: String?
    /// All the part's header fields, in order (continuation lines joined).
    public var headers: Headers

    /// A part head.
    public init(name: String, filename: String? = nil, contentType: String? = nil, headers: Headers = Headers()) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.headers = headers
    }

    /// Whether the part is a file (it has a `filename` parameter, even an empty one).
    public var isFile: Bool { filename != nil }
}

/// A sans-IO `multipart/form-data` decoder: bytes in, ``MultipartEvent``s out, like Werkzeug's
/// `MultipartDecoder`. It never reads or blocks; feed it chunks split anywhere.
///
/// ```swift
/// var decoder = try MultipartDecoder(boundary: "b")
/// decoder.receive(Array("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n".utf8))
/// decoder.finish()
/// while true {
///     let event = try decoder.next()
///     if event == .end || event == .needData { break }
///     print(event)   // .part(name "a"), then .data([0x31], isLast: true)
/// }
/// ```
///
/// Boundaries are found with `memmem` on the `--boundary` needle, so a body is scanned at memory
/// speed and every byte is looked at a bounded number of times whatever the chunking (no per-byte
/// state machine, no regular expression). Part headers (at most ``MultipartLimits/maxPartHeaderBytes``)
/// are scanned byte by byte, resuming where the last scan stopped.
///
/// Tolerated as Werkzeug does: a preamble (bytes before the first boundary, which need not start a
/// line), line breaks written as CRLF, bare LF or bare CR (a body whose last byte before a boundary
/// is CR followed by LF loses both, as in Werkzeug), spaces or tabs after a boundary, header
/// continuation lines, and the epilogue after the closing boundary (counted, then dropped).
/// Header bytes that are not valid UTF-8 are read as ISO-8859-1, byte for byte.
public struct MultipartDecoder: Sendable {
    enum State { case preamble, headers, data, epilogue }

    var state = State.preamble
    var buffer: [UInt8] = []
    /// The first byte not consumed yet.
    var start = 0
    /// Where the next search resumes, relative to `start`.
    var scan = 0
    var finished = false
    /// In the data state before any byte of the body was handed out: a boundary right at `start`
    /// closes an empty body (the blank line that ended the headers is its line break).
    var atBodyStart = false
    var currentIsField = false
    var headerLines: [Range<Int>] = []   // relative to `start`
    var lineStart = 0                     // relative to `start`
    let needle: [UInt8]

    /// The limits the body is decoded under.
    public let limits: MultipartLimits
    /// The most bytes all non-file fields may hold together (``Request/maxFormMemorySize``).
    public let maxFormMemorySize: Int
    /// How many parts have begun so far.
    public internal(set) var partCount = 0
    /// The bytes of non-file field bodies handed out so far.
    public private(set) var fieldBytes = 0
    var headerBytes = 0
    var preambleBytes = 0
    var epilogueBytes = 0

    /// A decoder for parts separated by `boundary` (the `boundary` parameter of the Content-Type).
    /// Throws ``HTTPError`` 400 when the boundary is empty, longer than
    /// ``MultipartLimits/maxBoundaryLength``, or has characters outside printable ASCII.
    public init(boundary: String, limits: MultipartLimits = MultipartLimits(),
                maxFormMemorySize: Int = 500_000) throws(HTTPError) {
        let bytes = Array(boundary.utf8)
        guard !bytes.isEmpty, bytes.count <= limits.maxBoundaryLength else {
            throw HTTPError(.badRequest, "The multipart boundary must be 1 to \(limits.maxBoundaryLength) characters long "
                            + "(maxBoundaryLength, RFC 2046), not \(bytes.count).")
        }
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), bytes.last != 0x20 else {
            throw HTTPError(.badRequest, "The multipart boundary has characters RFC 2046 does not allow.")
        }
        needle = [0x2D, 0x2D] + bytes
        self.limits = limits
        self.maxFormMemorySize = maxFormMemorySize
    }

    /// The boundary of a `multipart/form-data` Content-Type value. Throws ``HTTPError`` 400 when the
    /// type is not `multipart/form-data` or has no boundary. The parameter parser is a linear scan
    /// (no regular expression: CVE-2024-24762).
    public static func boundary(fromContentType value: String) throws(HTTPError) -> String {
        guard let type = ContentType(parsing: value), type.mimeType == "multipart/form-data" else {
            throw HTTPError(.badRequest, "The Content-Type is not multipart/form-data.")
        }
        guard let boundary = type.parameters["boundary"], !boundary.isEmpty else {
            throw HTTPError(.badRequest, "The multipart/form-data Content-Type has no boundary parameter.")
        }
        return boundary
    }

    /// Adds the next bytes of the body. Bytes given after ``finish()`` are ignored.
    public mutating func receive(_ chunk: [UInt8]) {
        guard !finished, !chunk.isEmpty else { return }
        if start == buffer.count {
            buffer = chunk   // nothing pending: take the chunk as is, no copy
            start = 0
        } else {
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            buffer.append(contentsOf: chunk)
        }
    }

    /// Marks the end of the body: what is still undecided is decided now (and a body without its
    /// closing boundary is a 400).
    public mutating func finish() { finished = true }

    /// The next event. Throws ``HTTPError`` 413 when a limit is crossed and 400 when the body is
    /// malformed; the message names the limit or what is wrong.
    public mutating func next() throws(HTTPError) -> MultipartEvent {
        switch state {
        case .preamble: return try nextInPreamble()
        case .headers: return try nextInHeaders()
        case .data: return try nextInData()
        case .epilogue: return try nextInEpilogue()
        }
    }

    // MARK: Boundaries

    /// The first `--boundary` at or after `from`, by `memmem`.
    func find(from: Int) -> Int? {
        let count = buffer.count
        guard from >= 0, count - from >= needle.count else { return nil }
        return buffer.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { n -> Int? in
                guard let base = hay.baseAddress, let nb = n.baseAddress,
                      let hit = memmem(base + from, count - from, nb, n.count) else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
        }
    }

    enum Suffix { case open(end: Int), close(end: Int), needMore, notADelimiter }

    /// What follows a `--boundary` whose last byte is before `q`: `--` (the closing delimiter),
    /// or optional spaces and a line break (a part follows).
    func suffix(at q: Int) -> Suffix {
        let count = buffer.count
        if q >= count { return finished ? .notADelimiter : .needMore }
        if buffer[q] == 0x2D {
            if q + 1 >= count { return finished ? .notADelimiter : .needMore }
            return buffer[q + 1] == 0x2D ? .close(end: q + 2) : .notADelimiter
        }
        var i = q
        while i < count, buffer[i] == 0x20 || buffer[i] == 0x09 {
            i += 1
            if i - q > 64 { return .notADelimiter }
        }
        if i >= count { return finished ? .notADelimiter : .needMore }
        if buffer[i] == 0x0A { return .open(end: i + 1) }
        guard buffer[i] == 0x0D else { return .notADelimiter }
        if i + 1 >= count { return finished ? .open(end: i + 1) : .needMore }
        return .open(end: buffer[i + 1] == 0x0A ? i + 2 : i + 1)
    }

    // MARK: States

    mutating func nextInPreamble() throws(HTTPError) -> MultipartEvent {
        var from = start + scan
        while let p = find(from: from) {
            switch suffix(at: p + needle.count) {
            case .notADelimiter:
                from = p + 1
            case .needMore:
                try countPreamble(p - start)
                start = p
                scan = 0
                return .needData
            case .open(let end):
                try countPreamble(p - start)
                beginHeaders(at: end)
                return try nextInHeaders()
            case .close(let end):
                try countPreamble(p - start)
                start = end
                state = .epilogue
                return try nextInEpilogue()
            }
        }
        let keep = finished ? 0 : min(buffer.count - start, needle.count - 1)
        if finished {
            try countPreamble(buffer.count - start)   // a limit crossed wins over the missing boundary
            throw HTTPError(.badRequest, "The multipart body has no boundary line (the boundary is '"
                            + String(decoding: needle.dropFirst(2), as: UTF8.self) + "').")
        }
        try countPreamble(buffer.count - keep - start)
        start = buffer.count - keep
        scan = 0
        return .needData
    }

    mutating func countPreamble(_ n: Int) throws(HTTPError) {
        preambleBytes += n
        if preambleBytes > limits.maxPreambleBytes {
            throw HTTPError(.contentTooLarge, "The multipart preamble (bytes before the first boundary) is larger than "
                            + "\(limits.maxPreambleBytes) bytes (maxPreambleBytes).")
        }
    }

    mutating func beginHeaders(at position: Int) {
        start = position
        scan = 0
        lineStart = 0
        headerLines.removeAll(keepingCapacity: true)
        state = .headers
    }

    mutating func nextInData() throws(HTTPError) -> MultipartEvent {
        var from = start + scan
        while let p = find(from: from) {
            let dataEnd: Int
            if p == start && atBodyStart {
                dataEnd = p
            } else if p > start && buffer[p - 1] == 0x0A {
                dataEnd = p - 2 >= start && buffer[p - 2] == 0x0D ? p - 2 : p - 1
            } else if p > start && buffer[p - 1] == 0x0D {
                dataEnd = p - 1
            } else {
                from = p + 1
                continue
            }
            switch suffix(at: p + needle.count) {
            case .notADelimiter:
                from = p + 1
            case .needMore:
                let event = try emit(upTo: dataEnd, isLast: false)
                scan = p - start
                return event
            case .open(let end):
                let event = try emit(upTo: dataEnd, isLast: true)
                beginHeaders(at: end)
                return event
            case .close(let end):
                let event = try emit(upTo: dataEnd, isLast: true)
                start = end
                scan = 0
                state = .epilogue
                return event
            }
        }
        if finished {
            try countField(buffer.count - start)   // a limit crossed wins over the missing boundary
            throw HTTPError(.badRequest, "The multipart body ended inside a part, before its closing boundary.")
        }
        scan = 0
        return try emit(upTo: max(start, buffer.count - needle.count - 1), isLast: false)
    }

    /// Hands out the body bytes from `start` to `end` (needData when there are none and more come).
    mutating func emit(upTo end: Int, isLast: Bool) throws(HTTPError) -> MultipartEvent {
        let n = end - start
        if n == 0 && !isLast { return .needData }
        try countField(n)
        fieldBytes += currentIsField ? n : 0
        let bytes = n == 0 ? [] : Array(buffer[start..<end])
        start = end
        if n > 0 { atBodyStart = false }
        return .data(bytes, isLast: isLast)
    }

    /// Checks that `n` more bytes of the current part fit the fields' memory limit (files are not
    /// counted).
    func countField(_ n: Int) throws(HTTPError) {
        if currentIsField && fieldBytes + n > maxFormMemorySize {
            throw HTTPError(.contentTooLarge, "The form fields (all parts without a file name together) are larger "
                            + "than \(maxFormMemorySize) bytes (maxFormMemorySize).")
        }
    }

    mutating func nextInEpilogue() throws(HTTPError) -> MultipartEvent {
        epilogueBytes += buffer.count - start
        start = buffer.count
        if epilogueBytes > limits.maxEpilogueBytes {
            throw HTTPError(.contentTooLarge, "The multipart epilogue (bytes after the closing boundary) is larger than "
                            + "\(limits.maxEpilogueBytes) bytes (maxEpilogueBytes).")
        }
        return finished ? .end : .needData
    }
}
