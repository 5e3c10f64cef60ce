import Glibc

/// Serializes a request head and sends the body: in one write when small, chunk by chunk as the body
/// stream produces them otherwise (Content-Length when the length is known, chunked when not).
enum RequestWriter {
    /// The head to send and how the body goes.
    struct Plan: Sendable {
        var head: [UInt8]
        var chunked: Bool
        var length: Int?
        var keepAlive: Bool
    }

    static let bodyMethods: Set<Method> = [.post, .put, .patch]

    static func plan(_ request: ClientRequest) throws(HTTPClientError) -> Plan {
        let target = request.target.utf8
        guard !target.isEmpty, target.count <= 64 * 1024, target.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw HTTPClientError(.invalidRequest, "The request target '\(request.target.prefix(100))' is empty, too long "
                                  + "or has spaces or control characters.")
        }
        guard ASCII.isToken(request.method.rawValue) else {
            throw HTTPClientError(.invalidRequest, "The method '\(request.method.rawValue.prefix(40))' is not a token.")
        }
        if let bad = request.headers.firstInvalidField {
            throw HTTPClientError(.invalidRequest, "The header '\(bad.name.prefix(60))' has an invalid name or a CR, LF or NUL in its value.")
        }
        var headers = request.headers
        headers.remove("Content-Length")
        headers.remove("Transfer-Encoding")
        var length: Int? = nil, chunked = false
        switch request.body {
        case .empty: if bodyMethods.contains(request.method) { length = 0 }
        case .bytes(let bytes): if !bytes.isEmpty || bodyMethods.contains(request.method) { length = bytes.count }
        case .file(let region): length = region.count
        case .stream(_, let known): if let known { length = known } else { chunked = true }
        }
        var head = "\(request.method.rawValue) \(request.target) HTTP/1.1\r\n"
        if !headers.contains("Host") { head += "Host: \(request.endpoint.hostHeader)\r\n" }
        for field in headers { head += "\(field.name): \(field.value)\r\n" }
        if let length { head += "Content-Length: \(length)\r\n" }
        if chunked { head += "Transfer-Encoding: chunked\r\n" }
        head += "\r\n"
        let close = headers.values(for: "Connection").contains { value in
            value.split(separator: ",").contains { ASCII.equalsIgnoringCase(ASCII.trimmingWhitespace($0), "close") }
        }
        return Plan(head: Array(head.utf8), chunked: chunked, length: length, keepAlive: !close)
    }

    /// Sends what can go without the caller: the whole request for a body in memory or in a file,
    /// the head only for a stream. Runs on the connection's thread (right after connecting, for a new
    /// connection, so that no scheduling delay separates the two). Returns whether the request is complete.
    static func sendStart(_ body: Body, _ plan: Plan, on socket: ClientSocket, idle: Duration) throws(HTTPClientError) -> Bool {
        switch body {
        case .empty:
            try socket.send(plan.head, idle: idle)
        case .bytes(let bytes):
            if bytes.count <= 64 * 1024 {
                try socket.send(plan.head + bytes, idle: idle)
            } else {
                try socket.send(plan.head, idle: idle)
                try socket.send(bytes, idle: idle)
            }
        case .file(let region):
            try socket.send(plan.head, idle: idle)
            try sendFile(region, on: socket, idle: idle)
        case .stream:
            try socket.send(plan.head, idle: idle)
            return false
        }
        return true
    }

    /// Sends the rest of a streamed body, chunk by chunk as the stream produces them, after ``sendStart``.
    static func sendStream(_ body: Body, _ plan: Plan, on connection: Connection, idle: Duration) async throws(HTTPClientError) {
        guard case .stream(let stream, _) = body else { return }
        let socket = connection.socket
        var sent = 0
        var iterator = stream.makeAsyncIterator()
        while true {
            let chunk: [UInt8]?
            do {
                chunk = try await iterator.next()
            } catch {
                throw HTTPClientError(.requestBodyFailed, "The request body stream failed after \(sent) bytes: \(error).")
            }
            guard let chunk else { break }
            if chunk.isEmpty { continue }
            sent += chunk.count
            if let length = plan.length, sent > length {
                throw HTTPClientError(.invalidRequest, "The request body stream produced more than its length of \(length) bytes.")
            }
            let framed = plan.chunked ? Array(String(chunk.count, radix: 16).utf8) + [13, 10] + chunk + [13, 10] : chunk
            try await connection.thread.run { () throws(HTTPClientError) in try socket.send(framed, idle: idle) }
        }
        if let length = plan.length, sent != length {
            throw HTTPClientError(.invalidRequest, "The request body stream ended after \(sent) of its \(length) bytes.")
        }
        if plan.chunked {
            try await connection.thread.run { () throws(HTTPClientError) in try socket.send(Array("0\r\n\r\n".utf8), idle: idle) }
        }
    }

    private static func sendFile(_ region: FileRegion, on socket: ClientSocket, idle: Duration) throws(HTTPClientError) {
        let fd = open(region.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HTTPClientError(.requestBodyFailed, "Cannot open '\(region.path)': \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var offset = region.offset, remaining = region.count
        while remaining > 0 {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min($0.count, remaining), off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw HTTPClientError(.requestBodyFailed, "'\(region.path)' is shorter than the \(region.count) bytes to send.") }
            let failure: HTTPClientError? = buffer.withUnsafeBytes { raw in
                do throws(HTTPClientError) { try socket.send(UnsafeRawBufferPointer(rebasing: raw[0..<n]), idle: idle); return nil } catch {
                    return error
                }
            }
            if let failure { throw failure }
            offset += n
            remaining -= n
        }
    }
}
