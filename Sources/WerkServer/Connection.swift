import CWerkSystem
import Glibc
import WerkCore

/// One HTTP/1.1 connection: reads and parses requests, runs the handler for one request at a time
/// (pipelined requests wait in the read buffer, answered in order), writes responses.
///
/// Invariant that makes `@unchecked Sendable` safe: all state is touched only on the owning loop's
/// thread. Handler tasks prefer the loop as executor; the few entry points reachable from a task
/// (body pulls, response writing) hop to the loop first when they are not already on it. Because of
/// that confinement the stored properties skip Swift's dynamic exclusivity checks
/// (`@exclusivity(unchecked)`): they cost a runtime call per access on the request path.
final class Connection: @unchecked Sendable {
    enum Deadline { case none, header, idle, body, write, linger }
    enum BodyMode { case none, length(Int), chunked(ChunkedDecoder) }

    let fd: Int32
    let loop: EventLoop
    let remoteAddress: String?
    let configuration: Server.Configuration
    let limits: ParserLimits

    @exclusivity(unchecked) var buffer: ReadBuffer
    @exclusivity(unchecked) var scanner = HeadScanner()
    @exclusivity(unchecked) var out = OutputQueue()
    @exclusivity(unchecked) var flushScheduled = false
    @exclusivity(unchecked) var closed = false
    @exclusivity(unchecked) private var readInterest = true
    @exclusivity(unchecked) var writeInterest = false
    @exclusivity(unchecked) var peerClosed = false

    @exclusivity(unchecked) var inFlight = false
    @exclusivity(unchecked) private var processing = false
    /// Whether the current response lets the connection stay open.
    @exclusivity(unchecked) var keepAlive = true
    @exclusivity(unchecked) var closeAfterFlush = false
    @exclusivity(unchecked) var shuttingDown = false
    @exclusivity(unchecked) var lingering = false
    @exclusivity(unchecked) private var lingerBytes = 0

    // The current request's body.
    @exclusivity(unchecked) var bodyMode: BodyMode = .none
    @exclusivity(unchecked) var bodyWaiter: UnsafeContinuation<[UInt8]?, any Error>?
    @exclusivity(unchecked) var bodyError: (any Error)?
    @exclusivity(unchecked) var expectContinue = false
    @exclusivity(unchecked) var continueSent = false
    @exclusivity(unchecked) var generation = 0
    @exclusivity(unchecked) var draining = false
    @exclusivity(unchecked) var drained = 0

    /// The chunk `nextBodyBytes(copy: true)` took from the buffer.
    @exclusivity(unchecked) var lastChunk: [UInt8] = []

    enum BodyStep {
        case chunk(Int)
        case end
        case needMore
        case failed
    }

    @exclusivity(unchecked) var writeWaiter: UnsafeContinuation<Void, Never>?
    @exclusivity(unchecked) var task: Task<Void, Never>?

    @exclusivity(unchecked) var deadline: UInt64 = 0
    @exclusivity(unchecked) var deadlineKind: Deadline = .none

    init(fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress.isEmpty ? nil : remoteAddress
        self.configuration = loop.server.configuration
        self.limits = loop.server.limits
        self.buffer = ReadBuffer(capacity: 8192)
    }

    deinit {
        buffer.deallocate()
        out.deallocate()
    }

    func start() {
        setDeadline(.header)
        if loop.draining { beginShutdown() }
    }

    /// Arms the timeout of `kind` (its length from the configuration), from the loop's clock.
    func setDeadline(_ kind: Deadline) {
        deadlineKind = kind
        deadline = loop.now &+ loop.server.timeouts.nanoseconds(for: kind)
    }

    // MARK: Events

    func handle(events: UInt32) {
        if events & EPOLLOUT.rawValue != 0 { flush() }
        if !closed && events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { onReadable() }
    }

    private func onReadable() {
        if lingering { return lingerRead() }
        let n = buffer.read(from: fd)
        if n > 0 {
            if bodyWaiter != nil {
                if deadlineKind == .body { setDeadline(.body) }
                deliverBody()
            } else if !inFlight {
                processBuffer()
            }
        } else if n == 0 {
            peerClosed = true
            if let waiter = bodyWaiter {
                bodyWaiter = nil
                bodyError = HTTPError(.badRequest, "The client closed the connection before sending the whole body.")
                waiter.resume(throwing: bodyError!)
            }
            if !inFlight && out.isEmpty { return close() }
        } else if errno != EAGAIN && errno != EINTR {
            return close()
        }
        updateInterest()
    }

    /// Parses and dispatches buffered requests until one is in flight or more bytes are needed.
    func processBuffer() {
        if processing || closed { return }
        processing = true
        defer {
            processing = false
            updateInterest()
        }
        while !closed && !inFlight && !closeAfterFlush && out.pending < configuration.maxPendingOutputBytes {
            if draining {
                guard drainBody() else { break }
            }
            if buffer.count == 0 { break }
            // Tolerate empty lines before a request line (RFC 9112 §2.2).
            while buffer.count >= 2 && buffer.readable[0] == 13 && buffer.readable[1] == 10 && scannerIsFresh {
                buffer.consume(2)
            }
            if buffer.count == 0 { break }
            if deadlineKind == .idle { setDeadline(.header) }
            scannerIsFresh = false
            do {
                guard let length = try scanner.findEnd(buffer.readable, count: buffer.count, limits: limits) else {
                    if peerClosed { close() }
                    break
                }
                let head = try HTTPParser.parseHead(buffer.readable, length: length, limits: limits)
                buffer.consume(length)
                scannerIsFresh = true
                dispatch(head)
            } catch {
                respondWithError(error.status, error.message)
            }
        }
    }

    @exclusivity(unchecked) private var scannerIsFresh = true

    // MARK: Requests

    private func dispatch(_ head: ParsedHead) {
        inFlight = true
        generation &+= 1
        keepAlive = head.keepAlive && !shuttingDown
        deadlineKind = .none
        expectContinue = head.expectContinue
        continueSent = false
        bodyError = nil
        var body = RequestBody.empty
        if head.chunked {
            bodyMode = .chunked(ChunkedDecoder())
        } else if let length = head.contentLength, length > 0 {
            bodyMode = .length(length)
        } else {
            bodyMode = .none
        }
        switch bodyMode {
        case .none:
            break
        case .length(let length) where length <= buffer.count:
            body = RequestBody(bytes: buffer.copy(offset: 0, count: length))
            buffer.consume(length)
            bodyMode = .none
        default:
            let generation = self.generation
            let stream = ByteStream { [self] in try await self.pullBody(generation: generation) }
            body = RequestBody(stream: stream, declaredLength: head.contentLength)
        }
        var request = Request(method: head.method, target: head.target, version: head.version, headers: head.headers,
                              body: body, scheme: "http", remoteAddress: remoteAddress)
        request.serverAddress = loop.server.serverAddress
        request.maxContentLength = configuration.maxBodySize
        let handler = loop.server.handler
        if let response = handler.respondSynchronouslyCatchingErrors(request) {
            // The fast path: a handler that never suspends answers inline, without a task.
            guard let pending = startResponse(response, for: request) else { return requestFinished() }
            let generation = self.generation
            let started = Task.immediate(executorPreference: loop) { [self] in
                await self.finishResponse(pending)
                self.requestFinished()
            }
            if inFlight && self.generation == generation { task = started }
            return
        }
        let generation = self.generation
        let started = Task.immediate(executorPreference: loop) { [self] in
            let response = await handler.respondCatchingErrors(request)
            if !self.loop.inLoop { await self.hopToLoop() }
            if let pending = self.startResponse(response, for: request) { await self.finishResponse(pending) }
            self.requestFinished()
        }
        if inFlight && self.generation == generation { task = started }
    }

    /// Runs the rest of the calling task on this connection's loop.
    func hopToLoop() async {
        if loop.inLoop { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            loop.execute { continuation.resume() }
        }
    }

    func requestFinished() {
        guard !closed else { return }
        inFlight = false
        task = nil
        generation &+= 1
        switch bodyMode {
        case .none: break
        default:
            if expectContinue && !continueSent { keepAlive = false } else { draining = true; drained = 0 }
        }
        if !keepAlive || shuttingDown { closeAfterFlush = true }
        if !closeAfterFlush {
            if buffer.count > 0 { setDeadline(.header) }
            else { setDeadline(.idle) }
        }
        loop.scheduleFlush(self)
        if !processing { processBuffer() }
    }

    // MARK: Interest, timeouts, closing

    func updateInterest() {
        guard !closed else { return }
        let wantRead: Bool
        if lingering { wantRead = true }
        else if peerClosed { wantRead = false }
        else if bodyWaiter != nil { wantRead = true }
        else if inFlight || closeAfterFlush { wantRead = false }
        else if draining { wantRead = true }
        else { wantRead = out.pending < configuration.maxPendingOutputBytes }
        let wantWrite = writeInterest
        if wantRead != readInterest || wantWrite != currentWriteInterest {
            readInterest = wantRead
            currentWriteInterest = wantWrite
            loop.updateInterest(fd: fd, read: wantRead, write: wantWrite)
        }
    }

    @exclusivity(unchecked) private var currentWriteInterest = false

    func checkTimeout(now: UInt64) {
        guard deadlineKind != .none, now >= deadline, !closed else { return }
        switch deadlineKind {
        case .header:
            if buffer.count > 0 || !inFlight && generation == 0 {
                respondWithError(.requestTimeout, "The request head did not arrive in time.")
            } else {
                close()
            }
        case .body:
            deadlineKind = .none
            keepAlive = false
            bodyError = HTTPError(.requestTimeout, "The request body did not arrive in time.")
            bodyMode = .none
            if let waiter = bodyWaiter {
                bodyWaiter = nil
                waiter.resume(throwing: bodyError!)
            }
        case .idle, .write, .linger, .none:
            close()
        }
    }

    /// Stops taking new requests: an idle connection closes now, a busy one after its response.
    func beginShutdown() {
        shuttingDown = true
        if !inFlight && out.isEmpty && buffer.count == 0 { return close() }
        keepAlive = false
        if !inFlight { closeAfterFlush = true; loop.scheduleFlush(self) }
    }

    /// Closes after the queued output, reading and discarding what the client still sends for a
    /// moment so that the response is not destroyed by a TCP reset.
    func closeGracefully() {
        if peerClosed || (buffer.count == 0 && !draining && !hadError) { return close() }
        lingering = true
        buffer.consume(buffer.count)
        shutdown(fd, Int32(SHUT_WR))
        setDeadline(.linger)
        updateInterest()
    }

    @exclusivity(unchecked) var hadError = false

    private func lingerRead() {
        let n = buffer.read(from: fd)
        if n > 0 {
            lingerBytes += n
            buffer.consume(n)
            if lingerBytes > 1 << 20 { close() }
        } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
            close()
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
        out.discard()
        loop.unregister(self)
        if let waiter = bodyWaiter {
            bodyWaiter = nil
            waiter.resume(throwing: HTTPError(.badRequest, "The connection was closed."))
        }
        if let waiter = writeWaiter {
            writeWaiter = nil
            waiter.resume()
        }
        task?.cancel()
        task = nil
    }
}
