// A bounded load generator for machines without wrk: 4 threads, 16 keep-alive connections each;
// each round sends one GET on every connection, then reads every response. Stops after `seconds`.

import Glibc
import Synchronization

enum BuiltinLoad {
    final class Shared: Sendable {
        let port: Int
        let deadline: UInt64
        let latencies = Mutex<[UInt64]>([])
        let completed = Atomic<Int>(0)
        init(port: Int, deadline: UInt64) {
            self.port = port
            self.deadline = deadline
        }
    }

    static func run(url: String, seconds: Int) -> (requestsPerSecond: Double, p50: String, p99: String, requests: Int)? {
        guard let portText = url.split(separator: ":").last?.split(separator: "/").first, let port = Int(portText) else { return nil }
        let start = monotonicNanoseconds()
        let shared = Shared(port: port, deadline: start + UInt64(seconds) * 1_000_000_000)
        var threads: [pthread_t] = []
        for _ in 0..<4 {
            var thread = pthread_t()
            if pthread_create(&thread, nil, builtinLoadThread, Unmanaged.passRetained(shared).toOpaque()) == 0 {
                threads.append(thread)
            }
        }
        for thread in threads { pthread_join(thread, nil) }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        let sorted = shared.latencies.withLock { $0.sorted() }
        guard !sorted.isEmpty else { return nil }
        func ms(_ ns: UInt64) -> String { "\(Double(ns / 10_000) / 100)ms" }
        let completed = shared.completed.load(ordering: .relaxed)
        return (Double(completed) / elapsed, ms(sorted[sorted.count / 2]),
                ms(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]), completed)
    }
}

private func builtinLoadThread(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let shared = Unmanaged<BuiltinLoad.Shared>.fromOpaque(raw!).takeRetainedValue()
    var sockets: [Int32] = []
    for _ in 0..<16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(shared.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if ok { sockets.append(fd) } else { close(fd) }
    }
    let request = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    var buffer = [UInt8](repeating: 0, count: 65536)
    var local: [UInt64] = []
    var done = 0
    outer: while monotonicNanoseconds() < shared.deadline {
        let sentAt = monotonicNanoseconds()
        for fd in sockets { _ = request.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) } }
        for fd in sockets {
            // One response: read until the header end, then Content-Length bytes of body.
            var have: [UInt8] = []
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                if n <= 0 { break outer }
                have += buffer[0..<n]
                if let end = headEnd(have), let length = contentLength(have[..<end]), have.count >= end + length { break }
            }
            local.append(monotonicNanoseconds() - sentAt)
            done += 1
        }
    }
    for fd in sockets { close(fd) }
    shared.completed.add(done, ordering: .relaxed)
    shared.latencies.withLock { $0 += local }
    return nil
}

private func headEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 3..<bytes.count where bytes[i] == 10 && bytes[i - 1] == 13 && bytes[i - 2] == 10 && bytes[i - 3] == 13 { return i + 1 }
    return nil
}

private func contentLength(_ head: ArraySlice<UInt8>) -> Int? {
    let text = String(decoding: head, as: UTF8.self).lowercased()
    guard let range = text.firstRange(of: "content-length:") else { return 0 }
    let rest = text[range.upperBound...].prefix { $0 != "\r" }.filter { $0 != " " && $0 != "\t" }
    return Int(rest)
}
