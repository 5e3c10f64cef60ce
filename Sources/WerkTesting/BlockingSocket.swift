import CWerkSystem
import Glibc
import WerkCore
import WerkServer

/// Why a live request failed.
public enum LiveTransportError: Error, Sendable, CustomStringConvertible {
    /// A socket call failed: its name and errno.
    case io(String, Int32)
    /// The server's answer was not valid HTTP/1.1: what was wrong.
    case malformedResponse(String)
    /// The server closed the connection before a complete response.
    case connectionClosed

    /// What went wrong, in words.
    public var description: String {
        switch self {
        case .io(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .malformedResponse(let why): "Malformed response: \(why)"
        case .connectionClosed: "The server closed the connection before sending a complete response."
        }
    }
}

/// A blocking client socket with receive/send timeouts, for the live transport and for tests.
/// Not thread-safe: one thread uses it at a time (`@unchecked Sendable` so that a pool can hand it
/// from one request's thread to the next).
package final class BlockingSocket: @unchecked Sendable {
    package let fd: Int32
    private var buffer: [UInt8] = []
    /// Bytes received since the socket was opened (a pooled connection that got none for a request
    /// before failing was closed by the server while idle, so the request can be sent again).
    private(set) var receivedBytes = 0

    /// Connects to a server address. `timeout` bounds every single send and receive.
    package init(_ address: Server.Address, timeout: Duration) throws(LiveTransportError) {
        let fd: Int32
        if let path = address.unixSocketPath {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .io("socket", errno) }
            var un = sockaddr_un()
            un.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &un.sun_path) { raw in
                for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
            }
            let rc = withUnsafePointer(to: &un) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { let e = errno; close(fd); throw .io("connect", e) }
        } else {
            let host = address.host ?? "127.0.0.1"
            let family = host.contains(":") ? AF_INET6 : AF_INET
            fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .io("socket", errno) }
            var storage = sockaddr_storage()
            var length: socklen_t
            if family == AF_INET {
                length = socklen_t(MemoryLayout<sockaddr_in>.size)
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                        sin.pointee.sin_family = sa_family_t(AF_INET)
                        sin.pointee.sin_port = in_port_t(UInt16(address.port ?? 80).bigEndian)
                        _ = inet_pton(AF_INET, host, &sin.pointee.sin_addr)
                    }
                }
            } else {
                length = socklen_t(MemoryLayout<sockaddr_in6>.size)
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                        sin.pointee.sin6_family = sa_family_t(AF_INET6)
                        sin.pointee.sin6_port = in_port_t(UInt16(address.port ?? 80).bigEndian)
                        _ = inet_pton(AF_INET6, host, &sin.pointee.sin6_addr)
                    }
                }
            }
            let rc = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
            guard rc == 0 else { let e = errno; close(fd); throw .io("connect", e) }
        }
        let ns = timeout.nanoseconds
        var tv = timeval(tv_sec: Int(ns / 1_000_000_000), tv_usec: Int(ns % 1_000_000_000 / 1000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends all bytes.
    package func send(_ bytes: [UInt8]) throws(LiveTransportError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("send", errno)
            }
            offset += n
        }
    }

    /// Sends text.
    package func send(_ text: String) throws(LiveTransportError) { try send(Array(text.utf8)) }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws(LiveTransportError) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("recv", errno)
            }
            if n == 0 { return false }
            receivedBytes += n
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
    }

    /// Reads until the peer closes; returns everything not yet consumed.
    package func readToEnd() throws(LiveTransportError) -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }

    /// Whether the server closed the connection (reads EOF or a reset within the receive timeout).
    package func isClosedByPeer() -> Bool {
        do { return try !fill() } catch { return error.isReset }
    }

    private func readLine() throws(LiveTransportError) -> String {
        while true {
            if let lf = buffer.firstIndex(of: 10) {
                let line = buffer[..<lf]
                buffer.removeSubrange(...lf)
                return String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
            }
            guard try fill() else { throw .connectionClosed }
        }
    }

    /// Reads exactly `count` bytes (tests that read part of a response before acting).
    package func readBytes(count: Int) throws(LiveTransportError) -> [UInt8] { try read(count: count) }

    private func read(count: Int) throws(LiveTransportError) -> [UInt8] {
        while buffer.count < count { guard try fill() else { throw .connectionClosed } }
        let out = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        return out
    }

    /// Reads one response (skipping interim 1xx responses unless `keepInterim`). `method` decides
    /// whether a body follows (HEAD has none).
    package func readResponse(method: Method = .get, keepInterim: Bool = false) throws(LiveTransportError) -> TestTransportResponse {
        while true {
            let statusLine = try readLine()
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
                throw .malformedResponse("status line '\(statusLine)'")
            }
            var headers = Headers()
            while true {
                let line = try readLine()
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else { throw .malformedResponse("header line '\(line)'") }
                headers.add(String(line[..<colon]), String(ASCII.trimmingWhitespace(line[line.index(after: colon)...])))
            }
            let status = Status(code, reason: parts.count > 2 ? String(parts[2]) : nil)
            if status.isInformational && !keepInterim { continue }
            var body: [UInt8] = []
            if method == .head || status.forbidsBody {
                body = []
            } else if let te = headers["Transfer-Encoding"], te.lowercased().contains("chunked") {
                while true {
                    let sizeLine = try readLine()
                    let hex = sizeLine.split(separator: ";").first.map { ASCII.trimmingWhitespace($0) } ?? ""
                    guard let size = Int(hex, radix: 16) else { throw .malformedResponse("chunk size '\(sizeLine)'") }
                    if size == 0 {
                        while try !readLine().isEmpty {}
                        break
                    }
                    body += try read(count: size)
                    guard try readLine().isEmpty else { throw .malformedResponse("chunk without CRLF") }
                }
            } else if let cl = headers["Content-Length"] {
                guard let n = Int(cl) else { throw .malformedResponse("Content-Length '\(cl)'") }
                body = try read(count: n)
            } else {
                body = try readToEnd()
            }
            return TestTransportResponse(status: status, headers: headers, body: body)
        }
    }
}

extension LiveTransportError {
    package var isReset: Bool {
        if case .io(_, let code) = self { return code == ECONNRESET || code == EPIPE }
        return false
    }
}
