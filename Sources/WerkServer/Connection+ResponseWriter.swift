import Glibc
import WerkCore

/// Serializing responses into a connection's output queue and flushing it to the socket.
extension Connection {
    /// What is left to send after ``startResponse(_:for:)``: a body stream.
    struct PendingStream {
        var request: Request
        var stream: ByteStream
        var length: Int?
        var chunked: Bool
    }

    /// Queues the head and (unless it is a stream) the body of `response`. Synchronous, on the loop:
    /// a handler that never suspends costs no further task switches. Returns the stream to send.
    func startResponse(_ original: Response, for request: Request) -> PendingStream? {
        assertInLoop()
        guard !closed else { return nil }
        var response = original
        if let bad = Self.firstInvalidFieldName(response.headers) {
            response = HTTPError.response(for: HTTPError(.internalServerError, "The handler set an invalid header field '\(bad)'."),
                                          request: request)
        }
        var fileFD: Int32 = -1
        if case .file(let region) = response.body, request.method != .head, !response.status.forbidsBody {
            fileFD = open(region.path, O_RDONLY | O_CLOEXEC)
            if fileFD < 0 {
                let code = errno
                response = FileRegionError.unopenedFileError().response(for: request)
                // The client gets the plain 500; the error log gets the path and the reason.
                ErrorLog.report(FileRegionError.cannotOpen(path: region.path, errno: code), status: response.status,
                                request: request)
            } else if let expected = region.identity, FileIdentity(fileDescriptor: fileFD) != expected {
                // Replaced or changed since its headers (length, ETag) were computed: send none of it.
                Glibc.close(fileFD)
                fileFD = -1
                response = HTTPError(.serviceUnavailable, "The file changed while this response was prepared; try again.",
                                     headers: ["Retry-After": "0"]).response(for: request)
            }
        }
        // An unread body announced with 100-continue, or too large to drain: close after responding.
        switch bodyMode {
        case .none: break
        case .length(let remaining):
            if continueState == .expected || remaining > loop.server.configuration.maxDrainBytes { state.refuseKeepAlive() }
        case .chunked:
            if continueState == .expected { state.refuseKeepAlive() }
        }

        let isHead = request.method == .head
        let noBody = response.status.forbidsBody
        var length: Int? = nil
        var chunked = false
        var stream: ByteStream? = nil
        if !noBody {
            switch response.body {
            case .empty: length = 0
            case .bytes(let bytes): length = bytes.count
            case .file(let region): length = region.count
            case .stream(let s, let known):
                stream = s
                if let known { length = known }
                else if let header = response.headers["Content-Length"], let n = Int(header), n >= 0 { length = n }
                else if request.version == .http1_1 { chunked = true }
                else { state.refuseKeepAlive() }
            }
        }
        if Self.asksToClose(response.headers) { state.refuseKeepAlive() }

        writeHead(response.status, response.headers, length: length, chunked: chunked && !isHead,
                  version: request.version)
        logAccess(request, status: response.status.code, bytes: isHead ? 0 : length)

        var pending: PendingStream? = nil
        if isHead || noBody {
            if fileFD >= 0 { Glibc.close(fileFD) }
        } else {
            switch response.body {
            case .bytes(let bytes):
                out.append(bytes)
            case .file(let region):
                if fileFD >= 0 { out.appendFile(fd: fileFD, offset: region.offset, count: region.count) }
            case .stream:
                if let stream { pending = PendingStream(request: request, stream: stream, length: length, chunked: chunked) }
            case .empty:
                break
            }
        }
        if pending == nil { endResponse() }
        return pending
    }

    /// Marks the response complete in the output queue (the connection's state changes when the
    /// request finishes).
    func endResponse() {
        loop.scheduleFlush(self)
    }

    /// The name of the first field that cannot be sent as is (a name that is not a token, or a
    /// value with CR, LF or NUL: header injection).
    static func firstInvalidFieldName(_ headers: Headers) -> String? {
        for field in headers.fields {
            let nameOK = field.name.utf8.withContiguousStorageIfAvailable { bytes in
                !bytes.isEmpty && bytes.allSatisfy(ASCII.isTokenByte)
            } ?? ASCII.isToken(field.name)
            let valueOK = field.value.utf8.withContiguousStorageIfAvailable { bytes in
                !bytes.contains { $0 == 13 || $0 == 10 || $0 == 0 }
            } ?? !field.value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
            if !nameOK || !valueOK { return field.name }
        }
        return nil
    }

    /// Whether the handler set `Connection: close`.
    static func asksToClose(_ headers: Headers) -> Bool {
        for field in headers.fields where field.name.utf8.count == 10 && ASCII.equalsIgnoringCase(field.name, "connection") {
            for token in field.value.utf8.split(separator: 44) where ASCII.equalsIgnoringCase(ASCII.trimmingWhitespace(Substring(token)), "close") {
                return true
            }
        }
        return false
    }

    /// Sends what ``startResponse(_:for:)`` left (the body stream) and marks the response complete.
    func finishResponse(_ pending: PendingStream) async {
        await writeStream(pending.stream, length: pending.length, chunked: pending.chunked, request: pending.request)
        endResponse()
    }

    /// Sends a response stream chunk by chunk, waiting while the client is slow (backpressure).
    private func writeStream(_ stream: ByteStream, length: Int?, chunked: Bool, request: Request) async {
        var iterator = stream.makeAsyncIterator()
        var sent = 0
        do {
            while !closed {
                assertInLoop()
                if out.pending >= loop.server.configuration.maxPendingOutputBytes {
                    loop.scheduleFlush(self)
                    await withUnsafeContinuation { writeWaiter = $0 }
                    if closed { break }
                }
                guard var chunk = try await iterator.next() else { break }
                await hopToLoop()
                if closed { break }
                if chunk.isEmpty { continue }
                if let length {
                    if sent + chunk.count > length { chunk = Array(chunk.prefix(length - sent)) }
                    if chunk.isEmpty { break }
                }
                if chunked {
                    out.append(hex: chunk.count)
                    out.append("\r\n")
                    out.append(chunk)
                    out.append("\r\n")
                } else {
                    out.append(chunk)
                }
                sent += chunk.count
                loop.scheduleFlush(self)
            }
            if chunked { out.append("0\r\n\r\n") }
            if let length, sent < length { state.refuseKeepAlive() }
        } catch {
            await hopToLoop()
            state.refuseKeepAlive()   // the client sees a truncated body (no last chunk) and the close
            // A stream failing because the client left (the connection closed, the task cancelled)
            // is not the application's error.
            if !closed && !(error is CancellationError) {
                ErrorLog.reportStreamFailure(error, request: request, bytesSent: sent)
            }
        }
    }

    /// Status line and headers: the handler's in its order (minus framing fields the server owns),
    /// then Date, Content-Length or Transfer-Encoding, and Connection.
    func writeHead(_ status: Status, _ headers: Headers, length: Int?, chunked: Bool, version: HTTPVersion) {
        out.append("HTTP/1.1 ")
        out.append(decimal: status.code)
        out.append(" ")
        let reason = status.reasonPhrase
        if reason.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
            out.append(string: Status.standardReason(for: status.code) ?? "Unknown")
        } else {
            out.append(string: reason)
        }
        out.append("\r\n")
        var hasDate = false
        for field in headers {
            let name = field.name
            switch name.utf8.count {
            case 4 where ASCII.equalsIgnoringCase(name, "date"): hasDate = true
            case 10 where ASCII.equalsIgnoringCase(name, "connection"): continue
            case 14 where ASCII.equalsIgnoringCase(name, "content-length"): continue
            case 17 where ASCII.equalsIgnoringCase(name, "transfer-encoding"): continue
            default: break
            }
            out.append(string: name)
            out.append(": ")
            out.append(string: field.value)
            out.append("\r\n")
        }
        if !hasDate { out.append(loop.dateCache.current()) }
        if let length {
            out.append("Content-Length: ")
            out.append(decimal: length)
            out.append("\r\n")
        } else if chunked {
            out.append("Transfer-Encoding: chunked\r\n")
        }
        if !state.keepAlive {
            out.append("Connection: close\r\n")
        } else if version == .http1_0 {
            out.append("Connection: keep-alive\r\n")
        }
        out.append("\r\n")
    }

    /// Answers a request the parser rejected (or a timeout) and closes the connection.
    func respondWithError(_ status: Status, _ message: String) {
        assertInLoop()
        guard !closed else { return }
        state.errorResponseQueued()
        let response = HTTPError(status, message).response(json: false)
        let body: [UInt8]
        if case .bytes(let bytes) = response.body { body = bytes } else { body = [] }
        writeHead(status, response.headers, length: body.count, chunked: false, version: .http1_1)
        out.append(body)
        loop.logAccess(AccessLogEntry(remoteAddress: remoteAddress ?? "-", requestLine: "-", status: status.code,
                                      bytes: body.count))
        flush()
    }

    private func logAccess(_ request: Request, status: Int, bytes: Int?) {
        guard loop.server.accessLogger != nil else { return }
        loop.logAccess(AccessLogEntry(remoteAddress: remoteAddress ?? "-",
                                      requestLine: "\(request.method) \(request.target) \(request.version)",
                                      status: status, bytes: bytes))
    }

    /// Writes queued output; on EAGAIN waits until the socket is writable. Closes when asked to and done.
    func flush() {
        assertInLoop()
        guard !closed else { return }
        if !out.isEmpty {
            switch out.write(to: fd) {
            case .failed:
                return close()
            case .wouldBlock:
                outputBlocked = true
                if deadlineKind != .body { setDeadline(.write) }
                if out.pending < loop.server.configuration.maxPendingOutputBytes / 2, let waiter = writeWaiter {
                    writeWaiter = nil
                    waiter.resume()
                }
                return updateInterest()
            case .done:
                break
            }
        }
        outputBlocked = false
        if deadlineKind == .write {
            if inFlight { deadlineKind = .none }
            else if buffer.count > 0 { setDeadline(.header) }
            else { setDeadline(.idle) }
        }
        if let waiter = writeWaiter {
            writeWaiter = nil
            waiter.resume()
        }
        if state.closesAfterFlush { return closeGracefully() }
        if state.readsRequests && buffer.count > 0 { processBuffer() }
        if state.peerClosed && !inFlight && out.isEmpty && !closed { return close() }
        updateInterest()
    }
}
