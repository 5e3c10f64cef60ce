import Glibc

/// The kernel's table of TCP sockets (`/proc/net/tcp` and `/proc/net/tcp6`), read to find who else
/// listens on a port.
enum ListenerTable {
    /// The inodes of listening TCP sockets (IPv4 and IPv6) on `port` that are not among the file
    /// descriptors `ours`. Empty when nobody else listens there, or when `/proc` cannot be read.
    static func foreignListeners(port: Int, ours: [Int32]) -> [UInt64] {
        var own: Set<UInt64> = []
        for fd in ours {
            var info = stat()
            if fstat(fd, &info) == 0 { own.insert(UInt64(info.st_ino)) }
        }
        var foreign: [UInt64] = []
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            for inode in listeners(in: readFile(path), port: port) where !own.contains(inode) { foreign.append(inode) }
        }
        return foreign
    }

    /// The inodes of the `LISTEN` (state 0A) rows of a table whose local port is `port`. A row is
    /// `sl local_address rem_address st queues timers retrnsmt uid timeout inode ...`, the address
    /// as `HEXIP:HEXPORT`.
    static func listeners(in table: [UInt8], port: Int) -> [UInt64] {
        var result: [UInt64] = []
        for row in table.split(separator: 10).dropFirst() {
            let fields = row.split(separator: 32)
            guard fields.count > 9, fields[3].elementsEqual("0A".utf8),
                  let colon = fields[1].lastIndex(of: UInt8(ascii: ":")),
                  Int(String(decoding: fields[1][fields[1].index(after: colon)...], as: UTF8.self), radix: 16) == port,
                  let inode = UInt64(String(decoding: fields[9], as: UTF8.self)) else { continue }
            result.append(inode)
        }
        return result
    }

    private static func readFile(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}
