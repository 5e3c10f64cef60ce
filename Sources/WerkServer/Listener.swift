import CWerkSystem
import Glibc

/// Opening listening sockets and formatting socket addresses.
enum Listener {
    /// Opens `count` TCP listeners on `host:port`. With `reusePort` they share one port through
    /// `SO_REUSEPORT` (with port 0 the first bind picks the port and the others join it); without it
    /// `count` must be 1, and a port held by anyone fails with `EADDRINUSE`. Returns the fds and the
    /// bound address.
    static func tcp(host: String, port: Int, count: Int, backlog: Int, reusePort: Bool) throws(ServerError) -> (fds: [Int32], host: String, port: Int, family: Int32) {
        guard (0...65535).contains(port) else {
            throw ServerError.invalidConfiguration(ConfigurationError(setting: "port", value: String(port),
                                                                      reason: "a port is a whole number from 0 to 65535."))
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>? = nil
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let status = getaddrinfo(bareHost.isEmpty ? nil : bareHost, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw ServerError.invalidAddress("\(host):\(port)", String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        memcpy(&storage, info.pointee.ai_addr, Int(info.pointee.ai_addrlen))
        let length = info.pointee.ai_addrlen
        let family = info.pointee.ai_family
        var fds: [Int32] = []
        var boundPort = port
        if reusePort && port != 0 {
            try probe(&storage, length: length, family: family, port: port, label: "\(host):\(port)")
        }
        do throws(ServerError) {
            for _ in 0..<max(count, 1) {
                let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { throw ServerError.system("socket", errno) }
                fds.append(fd)
                var one: Int32 = 1
                let size = socklen_t(MemoryLayout<Int32>.size)
                _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size)
                if reusePort { _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, size) }
                SocketAddress.setPort(&storage, boundPort)
                let rc = withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
                }
                guard rc == 0 else { throw ServerError.bind("\(host):\(boundPort)", errno) }
                guard listen(fd, Int32(clamping: backlog)) == 0 else { throw ServerError.system("listen", errno) }
                if boundPort == 0 { boundPort = SocketAddress.localPort(fd) }
            }
            // Two servers starting at the same moment can both pass the probe; the one that looks
            // after the other bound sees its listeners and gives way.
            if reusePort && port != 0 && !ListenerTable.foreignListeners(port: boundPort, ours: fds).isEmpty {
                throw ServerError.bind("\(host):\(port)", EADDRINUSE)
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        return (fds, SocketAddress.describe(storage), boundPort, family)
    }

    /// Binds and closes a socket without `SO_REUSEPORT` on the address: it fails with `EADDRINUSE`
    /// when anything holds the port, another Werk server's `SO_REUSEPORT` listeners included (the
    /// kernel lets a socket join a port only when every socket there has `SO_REUSEPORT`). Without
    /// it, a second server of the same user would silently share the port with the first.
    static func probe(_ storage: inout sockaddr_storage, length: socklen_t, family: Int32, port: Int,
                      label: String) throws(ServerError) {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServerError.system("socket", errno) }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        SocketAddress.setPort(&storage, port)
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else { throw ServerError.bind(label, errno) }
    }

    /// Opens one listener on a Unix domain socket path, replacing a stale socket file.
    static func unix(path: String, backlog: Int) throws(ServerError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ServerError.invalidAddress(path, "The Unix socket path is too long.")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK {
            // A socket file is stale when nobody accepts on it; a live one belongs to a running server.
            if isListening(&address) { throw ServerError.bind(path, EADDRINUSE) }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServerError.system("socket", errno) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { let e = errno; close(fd); throw ServerError.bind(path, e) }
        guard listen(fd, Int32(clamping: backlog)) == 0 else { let e = errno; close(fd); throw ServerError.system("listen", e) }
        return fd
    }
}

extension Listener {
    /// The address a listening socket is bound to (an inherited one: a worker's).
    static func address(of fd: Int32) -> Server.Address {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        if Int32(storage.ss_family) == AF_UNIX {
            let path = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sun_path) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                }
            }
            return Server.Address(unixSocketPath: path)
        }
        return Server.Address(host: SocketAddress.describe(storage), port: SocketAddress.localPort(fd))
    }

    /// Whether a process accepts connections on the Unix socket at `address` (a connect succeeds).
    static func isListening(_ address: inout sockaddr_un) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0 || errno == EAGAIN   // EAGAIN: alive, its backlog is full
    }
}

enum SocketAddress {
    /// The IP of an IPv4/IPv6 address as text (`127.0.0.1`, `::1`); empty for other families.
    static func describe(_ storage: sockaddr_storage) -> String {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        let ok: Bool = withUnsafePointer(to: &storage) { raw in
            if family == AF_INET {
                return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                    var a = p.pointee.sin_addr
                    return inet_ntop(AF_INET, &a, &text, socklen_t(text.count)) != nil
                }
            } else if family == AF_INET6 {
                return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    var a = p.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &a, &text, socklen_t(text.count)) != nil
                }
            }
            return false
        }
        guard ok else { return "" }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func setPort(_ storage: inout sockaddr_storage, _ port: Int) {
        let family = Int32(storage.ss_family)
        withUnsafeMutablePointer(to: &storage) { raw in
            if family == AF_INET {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian) }
            } else if family == AF_INET6 {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian) }
            }
        }
    }

    static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { raw in
            if family == AF_INET {
                return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
            return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
        }
    }
}
