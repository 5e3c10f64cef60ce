// One load-generator thread: its connections, the send schedule, poll, and response accounting.

#if canImport(Glibc)
import Glibc
#endif

/// A keep-alive connection and what is in flight on it.
private struct LoadConnection {
    var fd: Int32 = -1
    /// Start times (intended, in a constant-rate run) and HEAD flags of requests in flight, oldest first.
    var inFlight: [(start: UInt64, head: Bool)] = []
    var buffer: [UInt8] = []
    var nextRequest = 0
    /// The next scheduled send in a constant-rate run.
    var nextSend: UInt64 = 0
}

struct LoadWorker {
    private let context: LoadThreadContext
    private var connections: [LoadConnection] = []
    private var totals = LoadTotals()
    private var reconnectsLeft = 1_000
    private var receiveBuffer = [UInt8](repeating: 0, count: 65_536)

    init(context: LoadThreadContext) { self.context = context }

    mutating func run() {
        let shared = context.shared
        let options = shared.options
        let start = monotonicNanoseconds()
        let perConnectionInterval: UInt64? = options.rate.map { rate in
            UInt64(1e9 / max(1e-3, rate / Double(max(1, options.connections))))
        }
        for index in 0..<context.connections {
            var connection = LoadConnection()
            connection.fd = connect(shared.port)
            if connection.fd >= 0 { totals.connected += 1 } else { totals.socketErrors += 1 }
            // Spread the connections' schedules over one interval so they do not send in bursts.
            connection.nextSend = start + (perConnectionInterval ?? 0) * UInt64(index) / UInt64(max(1, context.connections))
            connection.nextRequest = index % shared.requests.count
            connections.append(connection)
        }
        let depth = max(1, options.pipeline)
        var pollSet = [pollfd](repeating: pollfd(), count: connections.count)
        while totals.requests < context.maximumRequests {
            var now = monotonicNanoseconds()
            if now >= shared.deadline { break }
            var wake = shared.deadline
            for index in connections.indices where connections[index].fd >= 0 {
                if let interval = perConnectionInterval {
                    while connections[index].inFlight.count < depth && connections[index].nextSend <= now {
                        send(index, intendedStart: connections[index].nextSend)
                        connections[index].nextSend += interval
                    }
                    if connections[index].inFlight.count < depth { wake = min(wake, connections[index].nextSend) }
                } else if connections[index].inFlight.isEmpty {
                    for _ in 0..<depth { send(index, intendedStart: now) }
                }
            }
            for index in connections.indices {
                pollSet[index] = pollfd(fd: connections[index].fd, events: Int16(POLLIN), revents: 0)
            }
            now = monotonicNanoseconds()
            let waitMilliseconds = wake > now ? Int32(min(100, (wake - now + 999_999) / 1_000_000)) : 0
            let ready = poll(&pollSet, nfds_t(pollSet.count), waitMilliseconds)
            if ready <= 0 { continue }
            for index in connections.indices where pollSet[index].revents != 0 && connections[index].fd >= 0 {
                receive(index)
            }
        }
        for connection in connections where connection.fd >= 0 { close(connection.fd) }
        var used = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &used)   // this thread's CPU time, user + system
        totals.cpuSeconds = Double(used.tv_sec) + Double(used.tv_nsec) / 1e9
        let mine = totals
        context.shared.totals.withLock { all in
            all.requests += mine.requests
            all.errorResponses += mine.errorResponses
            all.socketErrors += mine.socketErrors
            all.connected += mine.connected
            all.cpuSeconds += mine.cpuSeconds
            all.latency.merge(mine.latency)
        }
    }

    private mutating func send(_ index: Int, intendedStart: UInt64) {
        let requests = context.shared.requests
        let (bytes, head) = requests[connections[index].nextRequest]
        connections[index].nextRequest = (connections[index].nextRequest + 1) % requests.count
        let fd = connections[index].fd
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { drop(index); return }
            offset += sent
        }
        connections[index].inFlight.append((intendedStart, head))
    }

    private mutating func receive(_ index: Int) {
        let fd = connections[index].fd
        let received = receiveBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
        if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
        if received <= 0 { drop(index); return }
        connections[index].buffer += receiveBuffer[0..<received]
        var consumed = 0
        let now = monotonicNanoseconds()
        while let first = connections[index].inFlight.first {
            let found = connections[index].buffer.withUnsafeBufferPointer {
                ResponseScanner.scan($0, from: consumed, headRequest: first.head)
            }
            guard let found else { break }
            consumed = found.end
            connections[index].inFlight.removeFirst()
            totals.requests += 1
            if found.status >= 400 { totals.errorResponses += 1 }
            totals.latency.record(now > first.start ? now - first.start : 0)
        }
        if consumed > 0 { connections[index].buffer.removeFirst(consumed) }
    }

    /// Closes a failed connection, counts what was in flight, and opens a new one (bounded).
    private mutating func drop(_ index: Int) {
        close(connections[index].fd)
        totals.socketErrors += max(1, connections[index].inFlight.count)
        connections[index].inFlight.removeAll()
        connections[index].buffer.removeAll()
        connections[index].fd = -1
        guard reconnectsLeft > 0 else { return }
        reconnectsLeft -= 1
        connections[index].fd = connect(context.shared.port)
    }

    /// A blocking loopback connection with 10 s send/receive timeouts and Nagle off (-1 on failure).
    private func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { close(fd); return -1 }
        return fd
    }
}
