/// Part headers: finding the blank line that ends them (resuming where the last scan stopped), and
/// turning the lines into a ``MultipartPartHead``.
extension MultipartDecoder {
    mutating func nextInHeaders() throws(HTTPError) -> MultipartEvent {
        let count = buffer.count
        var i = start + scan
        while i < count {
            let byte = buffer[i]
            guard byte == 0x0A || byte == 0x0D else {
                i += 1
                continue
            }
            var next = i + 1
            if byte == 0x0D {
                if i + 1 < count {
                    if buffer[i + 1] == 0x0A { next = i + 2 }
                } else if !finished {
                    break   // CR as the last byte: wait to see whether LF follows
                }
            }
            let line = lineStart..<(i - start)
            if line.isEmpty { return try finishHeaders(end: next) }
            try checkHeaderSize(line.upperBound)
            headerLines.append(line)
            if headerLines.count > limits.maxHeadersPerPart {
                throw HTTPError(.contentTooLarge, "A multipart part has more than \(limits.maxHeadersPerPart) header lines "
                                + "(maxHeadersPerPart).")
            }
            lineStart = next - start
            i = next
        }
        scan = i - start
        // A line that has begun ends at or after `i`: over the limit already, whatever follows.
        if scan > lineStart { try checkHeaderSize(scan) }
        if finished { throw HTTPError(.badRequest, "The multipart body ended inside a part's headers.") }
        return .needData
    }

    /// The header lines of a part, up to the end of the last one (line breaks inside counted, the
    /// blank line that ends the block not), must fit in ``MultipartLimits/maxPartHeaderBytes``.
    func checkHeaderSize(_ n: Int) throws(HTTPError) {
        if n > limits.maxPartHeaderBytes {
            throw HTTPError(.contentTooLarge, "A multipart part's headers are larger than \(limits.maxPartHeaderBytes) bytes "
                            + "(maxPartHeaderBytes).")
        }
    }

    /// The blank line ends at `end`: parse the lines, check the part against the limits, and move to
    /// its body.
    mutating func finishHeaders(end: Int) throws(HTTPError) -> MultipartEvent {
        partCount += 1
        if partCount > limits.maxParts {
            throw HTTPError(.contentTooLarge, "The multipart body has more than \(limits.maxParts) parts (maxFormParts).")
        }
        headerBytes += end - start
        if headerBytes > limits.maxTotalHeaderBytes {
            throw HTTPError(.contentTooLarge, "The multipart part headers together are larger than "
                            + "\(limits.maxTotalHeaderBytes) bytes (maxTotalHeaderBytes).")
        }
        let head = try parseHead()
        currentIsField = head.filename == nil
        start = end
        scan = 0
        atBodyStart = true
        state = .data
        return .part(head)
    }

    func parseHead() throws(HTTPError) -> MultipartPartHead {
        var headers = Headers()
        headers.reserveCapacity(headerLines.count)
        var pending: (name: String, value: String)? = nil
        for line in headerLines {
            let bytes = buffer[(start + line.lowerBound)..<(start + line.upperBound)]
            if let first = bytes.first, first == 0x20 || first == 0x09 {
                guard var field = pending else {
                    throw HTTPError(.badRequest, "A multipart part's headers begin with a continuation line.")
                }
                let more = Self.decodeHeaderText(Self.trimmed(bytes))
                if !more.isEmpty { field.value += (field.value.isEmpty ? "" : " ") + more }
                pending = field
                continue
            }
            if let field = pending { headers.add(field.name, field.value) }
            guard let colon = bytes.firstIndex(of: 0x3A) else {
                throw HTTPError(.badRequest, "A multipart part header line has no ':'.")
            }
            let name = Self.decodeHeaderText(Self.trimmed(bytes[bytes.startIndex..<colon]))
            guard !name.isEmpty else { throw HTTPError(.badRequest, "A multipart part header has an empty name.") }
            pending = (name, Self.decodeHeaderText(Self.trimmed(bytes[(colon + 1)...])))
        }
        if let field = pending { headers.add(field.name, field.value) }

        guard let rawDisposition = headers["Content-Disposition"] else {
            throw HTTPError(.badRequest, "A multipart part has no Content-Disposition header.")
        }
        let rawName: String?
        var filename: String?
        if let plain = MultipartDisposition.parsePlain(rawDisposition) {
            (rawName, filename) = plain   // no escapes to undo
        } else if let disposition = ContentDisposition(parsing: rawDisposition) {
            rawName = disposition.name.map(Self.unescapeBrowser)
            filename = disposition.filename
            // Browsers escape LF, CR and '"' in names as %0A, %0D and %22 (the HTML standard); an RFC
            // 2231 `filename*` value was percent-decoded already and is left alone.
            if let raw = filename, !Self.contains(rawDisposition, "filename*") { filename = Self.unescapeBrowser(raw) }
        } else {
            throw HTTPError(.badRequest, "A multipart part's Content-Disposition has no disposition type.")
        }
        guard let rawName else {
            throw HTTPError(.badRequest, "A multipart part's Content-Disposition has no name parameter.")
        }
        if let filename, filename.utf8.count > limits.maxFilenameLength {
            throw HTTPError(.contentTooLarge, "A multipart file name is longer than \(limits.maxFilenameLength) bytes "
                            + "(maxFilenameLength).")
        }
        let contentType = headers["Content-Type"]
        if let contentType, !limits.allowsNestedMultipart,
           ASCII.lowercased(ASCII.trimmingWhitespace(Substring(contentType))).hasPrefix("multipart/") {
            throw HTTPError(.badRequest, "A multipart part is itself multipart (\(contentType.prefix(40))): nested "
                            + "multipart bodies are refused (allowsNestedMultipart).")
        }
        return MultipartPartHead(name: rawName, filename: filename, contentType: contentType, headers: headers)
    }

    /// Whether `text` contains `word` (bytes; `String.contains` goes through the slower generic
    /// string-processing path).
    static func contains(_ text: String, _ word: String) -> Bool {
        let t = Array(text.utf8), w = Array(word.utf8)
        guard let first = w.first, t.count >= w.count else { return false }
        for i in 0...(t.count - w.count) where t[i] == first && t[i..<(i + w.count)].elementsEqual(w) { return true }
        return false
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = bytes
        while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }

    /// UTF-8 when the bytes are valid UTF-8, otherwise ISO-8859-1 (each byte one character).
    static func decodeHeaderText(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) || String(validating: bytes, as: UTF8.self) != nil {
            return String(decoding: bytes, as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        for b in bytes { scalars.append(Unicode.Scalar(b)) }
        return String(scalars)
    }

    /// `%0A`, `%0D` and `%22` back to LF, CR and `"` (the escapes browsers use in names). Other `%`
    /// sequences are kept: browsers do not escape `%` itself.
    static func unescapeBrowser(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        return text.replacing("%0A", with: "\n").replacing("%0a", with: "\n")
            .replacing("%0D", with: "\r").replacing("%0d", with: "\r").replacing("%22", with: "\"")
    }
}
