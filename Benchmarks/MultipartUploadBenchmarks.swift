// Multipart uploads over loopback: a client thread sends one large multipart body to an in-process
// server. One upload is spooled into a temporary file by request.files() (MB/s, wall time from the
// first byte sent to the response); one 1 GiB upload is streamed through request.multipart() and
// the process's peak RSS growth is reported (VmHWM after resetting it, minus VmRSS before).

import Glibc
import Werk

/// Uploads `bytes` through request.files() and prints the throughput.
func uploadToTemporaryFile(bytes: Int) async throws {
    let handler = Handler { request in
        let file = try await request.files()["file"]
        return "\(file?.size ?? -1) \(file?.isOnDisk ?? false)"
    }
    let (seconds, response) = try await uploadOnce(handler, bytes: bytes)
    print("  upload into a temporary file: \(bytes >> 20) MiB in \(ms(seconds)) ms = \(Int(Double(bytes) / seconds / 1e6)) MB/s "
          + "(target >= 500); answer: \(response)")
}

/// Streams `bytes` through request.multipart() and prints the RSS growth.
func streamedUploadRSS(bytes: Int) async throws {
    let handler = Handler { request in
        var total = 0
        for try await part in try request.multipart() {
            for try await chunk in part.body { total += chunk.count }
        }
        return "\(total)"
    }
    let before = statusKilobytes("VmRSS")
    resetPeakRSS()
    let (seconds, response) = try await uploadOnce(handler, bytes: bytes)
    let growth = statusKilobytes("VmHWM") - before
    print("  streamed upload: \(bytes >> 20) MiB in \(ms(seconds)) ms = \(Int(Double(bytes) / seconds / 1e6)) MB/s, "
          + "peak RSS growth \(growth / 1024) MiB (\(growth) KiB; target < 32 MiB); answer: \(response)")
}

private func ms(_ seconds: Double) -> Int { Int(seconds * 1000) }

private func uploadOnce(_ handler: Handler, bytes: Int) async throws -> (Double, String) {
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.printStartupLine = false
    configuration.maxBodySize = bytes + (1 << 20)
    let server = Server(handler, configuration: configuration)
    let port = try server.start().port ?? 0
    let result = await onThread { sendUpload(port: port, bytes: bytes) }
    await server.shutdown()
    return result
}

private final class ThreadWork: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs blocking work on its own thread (not the cooperative pool the server's handlers use).
private func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let box = Unmanaged.passRetained(ThreadWork { continuation.resume(returning: work()) }).toOpaque()
        var thread = pthread_t()
        pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<ThreadWork>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, box)
        pthread_detach(thread)
    }
}

/// Sends a multipart body with one file of `bytes` bytes and reads the answer's body.
private func sendUpload(port: Int, bytes: Int) -> (Double, String) {
    let boundary = "werk-bench-boundary-7c1f"
    let partHead = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
    let tail = Array("\r\n--\(boundary)--\r\n".utf8)
    let head = Array(("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
                      + "Content-Length: \(partHead.count + bytes + tail.count)\r\nConnection: close\r\n\r\n").utf8)
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    let chunk = (0..<(1 << 20)).map { _ -> UInt8 in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return (0, "connect failed") }
    var tv = timeval(tv_sec: 60, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let start = monotonicNanoseconds()
    func sendAll(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = send(fd, buffer.baseAddress! + done, buffer.count - done, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }
    guard sendAll(head[...] + partHead) else { return (0, "send failed") }
    var left = bytes
    while left > 0 {
        let n = min(left, chunk.count)
        guard sendAll(chunk[0..<n]) else { return (0, "send failed after \(bytes - left) bytes") }
        left -= n
    }
    guard sendAll(tail[...]) else { return (0, "send failed") }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n <= 0 { break }
        response += buffer[0..<n]
    }
    let seconds = Double(monotonicNanoseconds() - start) / 1e9
    let text = String(decoding: response, as: UTF8.self)
    let body = text.split(separator: "\r\n\r\n", maxSplits: 1).last.map(String.init) ?? text
    return (seconds, body)
}

/// A `/proc/self/status` value in KiB (VmRSS, VmHWM).
private func statusKilobytes(_ key: String) -> Int {
    guard let text = readText("/proc/self/status") else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}

/// Resets VmHWM to the current RSS (`echo 5 > /proc/self/clear_refs`, Linux 4.0+).
private func resetPeakRSS() {
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    guard fd >= 0 else { return }
    _ = write(fd, "5", 1)
    close(fd)
}
