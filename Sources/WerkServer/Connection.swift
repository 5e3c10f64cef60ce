import Glibc
import WerkCore

/// One HTTP/1.1 connection: reads and parses requests, runs the handler for one request at a time
/// (pipelined requests wait in the read buffer, answered in order), writes responses. Its life is
/// the explicit state machine ``ConnectionState``; this class does the I/O around it.
///
/// Invariant that makes `@unchecked Sendable` safe: all state is touched only on the owning loop's
/// thread (asserted in debug builds at every entry point). Handler tasks prefer the loop as
/// executor; the few entry points reachable from a task (body pulls, response writing) hop to the
/// loop first when they are not already on it. Because of that confinement the stored properties
/// skip Swift's dynamic exclusivity checks (`@exclusivity(unchecked)`): they cost a runtime call
/// per access on the request path.
///
/// Memory: an idle connection holds no buffer. The read buffer and the output staging are borrowed
/// from the loop's ``BufferPool`` when bytes arrive or a response is written, and given back as
/// soon as they are empty again.
final class Connection: @unchecked Sendable {
    enum Deadline { case none, header, idle, body, write, linger }
    enum BodyMode { case none, length(Int), chunked(ChunkedDecoder) }
    /// `Expect: 100-continue`: not asked for, asked for, or answered.
    enum ContinueState { case notExpected, expected, sent }

    let fd: Int32
    let loop: EventLoop
    let remoteAddress: String?

    /// Where the connection is in its life (see ``ConnectionState``).
    @exclusivity(unchecked) var state = ConnectionState()
    @exclusivity(unchecked) var buffer: ReadBuffer
    @exclusivity(unchecked) var scanner = HeadScanner()
    @exclusivity(unchecked) var out: OutputQueue
    /// The interest registered with the poller.
    @exclusivity(unchecked) private var registered: PollInterest = .read
    /// Whether queued output waits for the socket to become writable.
    @exclusivity(unchecked) var outputBlocked = false
    /// Whether the connection is in the loop's flush queue.
    @exclusivity(unchecked) var flushScheduled = false
    /// Guards `processBuffer` against re-entry (a dispatch that finishes inline calls it again).
    @exclusivity(unchecked) private var processing = false
    @exclusivity(unchecked) private var lingerBytes = 0

    // The current request's body.
    @exclusivity(unchecked) var bodyMode: BodyMode = .none
    @exclusivity(unchecked) var bodyWaiter: UnsafeContinuation<[UInt8]?, any Error>?
    @exclusivity(unchecked) var bodyError: (any Error)?
    @exclusivity(unchecked) var continueState: ContinueState = .notExpected
    /// Counts requests started and finished: a body pull for an older request finds nothing.
    @exclusivity(unchecked) var generation = 0
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
    /// The task of the request in flight (a streamed response, or a handler in task-per-request mode).
    @exclusivity(unchecked) var task: Task<Void, Never>?
    /// The connection's serving task for handlers without a synchronous form: started with the first
    /// request, it awaits the handler, writes the response and waits in `requestWaiter` for the next.
    @exclusivity(unchecked) var servingTask: Task<Void, Never>?
    @exclusivity(unchecked) var requestWaiter: UnsafeContinuation<Request?, Never>?

    @exclusivity(unchecked) var deadline: UInt64 = 0
    @exclusivity(unchecked) var deadlineKind: Deadline = .none

    var closed: Bool { state.isClosed }
    var inFlight: Bool { state.isResponding }

    init(fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress.isEmpty ? nil : remoteAddress
        self.buffer = ReadBuffer(pool: loop.buffers)
        self.out = OutputQueue(pool: loop.buffers)
    }

    deinit {
        buffer.deallocate()
        out.deallocate()
    }

    /// Debug builds check that the caller runs on the connection's loop thread.
    @inline(__always)
    func assertInLoop(_ function: StaticString = #function) {
        assert(loop.inLoop, "Connection.\(function) called off its event loop thread")
    }

    func start() {
        assertInLoop()
        setDeadline(.header)
        if loop.draining { beginShutdown() }
    }

    /// Arms the timeout of `kind` (its length from the configuration), from the loop's clock.
    func setDeadline(_ kind: Deadline) {
        deadlineKind = kind
        deadline = loop.now &+ loop.server.timeouts.nanoseconds(for: kind)
    }

    // MARK: Events

    func handle(_ event: PollEvent) {
        assertInLoop()
        if event.writable { flush() }
        if !closed && (event.readable || event.hangup) { onReadable() }
        if buffer.count == 0 { buffer.release() }
    }

    private func onReadable() {
        if state.phase == .lingering { return lingerRead() }
        let n = buffer.read(from: fd, wanted: bodyWaiter != nil ? bodyReadSize : 4096)
        if n > 0 {
            if bodyWaiter != nil {
                if deadlineKind == .body { setDeadline(.body) }
                deliverBody()
            } else if !inFlight {
                processBuffer()
            }
        } else if n == 0 {
            state.peerClosedInput()
            if let waiter = bodyWaiter {
                bodyWaiter = nil
                let error = HTTPError(.badRequest, "The client closed the connection before sending the whole body.")
                bodyError = error
                waiter.resume(throwing: error)
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
        while state.readsRequests && out.pending < loop.server.configuration.maxPendingOutputBytes {
            if state.phase == .drainingBody {
                guard drainBody() else { break }
            }
            if buffer.count == 0 { break }
            // Tolerate empty lines before a request line (RFC 9112 §2.2).
            while buffer.count >= 2 && buffer.readable[0] == 13 && buffer.readable[1] == 10 && scanner.isFresh {
                buffer.consume(2)
            }
            if buffer.count == 0 { break }
            if deadlineKind == .idle { setDeadline(.header) }
            do {
                guard let length = try scanner.findEnd(buffer.readable, count: buffer.count, limits: loop.server.limits) else {
                    if state.peerClosed { close() }
                    break
                }
                let head = try HTTPParser.parseHead(buffer.readable, length: length, limits: loop.server.limits)
                buffer.consume(length)
                dispatch(head)
            } catch {
                respondWithError(error.status, error.message)
            }
        }
    }

    // MARK: Requests

    private func dispatch(_ head: ParsedHead) {
        assertInLoop()
        state.requestStarted(keepAlive: head.keepAlive)
        loop.requestCount &+= 1
        generation &+= 1
        deadlineKind = .none
        continueState = head.expectContinue ? .expected : .notExpected
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
        request.maxContentLength = loop.server.configuration.maxBodySize
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
        } else if loop.server.taskPerConnection {
            serveInTask(request)
        } else {
            let generation = self.generation
            let started = Task.immediate(executorPreference: loop) { [self] in
                // The body of `respond(to:with:)`, written out: one async frame less per request.
                let response = await handler.respondCatchingErrors(request)
                if !self.loop.inLoop { await self.hopToLoop() }
                if let pending = self.startResponse(response, for: request) { await self.finishResponse(pending) }
                self.requestFinished()
            }
            if inFlight && self.generation == generation { task = started }
        }
    }

    /// Runs the handler for `request` and writes its response.
    private func respond(to request: Request, with handler: Handler) async {
        let response = await handler.respondCatchingErrors(request)
        if !loop.inLoop { await hopToLoop() }
        if let pending = startResponse(response, for: request) { await finishResponse(pending) }
    }

    /// Hands `request` to the connection's serving task, starting it on the first request.
    private func serveInTask(_ request: Request) {
        if let waiter = requestWaiter {
            requestWaiter = nil
            return waiter.resume(returning: request)
        }
        let handler = loop.server.handler
        servingTask = Task.immediate(executorPreference: loop) { [self] in
            var next: Request? = request
            while let request = next {
                await self.respond(to: request, with: handler)
                next = await withUnsafeContinuation { continuation in
                    // Waits for the next request; finishing this one may dispatch it at once, or
                    // close the connection (which resumes the waiter with nil).
                    if self.closed { return continuation.resume(returning: nil) }
                    self.requestWaiter = continuation
                    self.requestFinished()
                }
            }
        }
    }

    /// Runs the rest of the calling task on this connection's loop.
    func hopToLoop() async {
        if loop.inLoop { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            loop.execute { continuation.resume() }
        }
    }

    func requestFinished() {
        assertInLoop()
        guard !closed else { return }
        task = nil
        generation &+= 1
        let bodyLeft: ConnectionState.BodyLeft
        switch bodyMode {
        case .none: bodyLeft = .none
        default:
            if continueState == .expected {
                bodyLeft = .neverRequested
            } else {
                bodyLeft = .unread
                drained = 0
            }
        }
        switch state.requestFinished(bodyLeft: bodyLeft) {
        case .closingAfterFlush: break
        default: setDeadline(buffer.count > 0 ? .header : .idle)
        }
        loop.scheduleFlush(self)
        if !processing { processBuffer() }
        if buffer.count == 0 { buffer.release() }
    }

    // MARK: Interest, timeouts, closing

    func updateInterest() {
        guard !closed else { return }
        var wanted: PollInterest = outputBlocked ? .write : []
        if state.wantsRead(bodyWaiting: bodyWaiter != nil, outputFull: out.pending >= loop.server.configuration.maxPendingOutputBytes) {
            wanted.insert(.read)
        }
        if wanted != registered {
            registered = wanted
            loop.poller.modify(fd, interest: wanted)
        }
    }

    func checkTimeout(now: UInt64) {
        assertInLoop()
        guard deadlineKind != .none, now >= deadline, !closed else { return }
        switch deadlineKind {
        case .header:
            if state.shuttingDown && buffer.count == 0 && !inFlight {
                close()   // a connection that stayed silent through its shutdown grace (a browser's preconnect)
            } else if buffer.count > 0 || !inFlight && generation == 0 {
                respondWithError(.requestTimeout, "The request head did not arrive in time.")
            } else {
                close()
            }
        case .body:
            deadlineKind = .none
            state.refuseKeepAlive()
            let error = HTTPError(.requestTimeout, "The request body did not arrive in time.")
            bodyError = error
            bodyMode = .none
            if let waiter = bodyWaiter {
                bodyWaiter = nil
                waiter.resume(throwing: error)
            }
        case .idle, .write, .linger, .none:
            close()
        }
    }

    /// Stops taking new requests: an idle connection closes now, a busy one after its response.
    func beginShutdown() {
        assertInLoop()
        // Idle: between requests of a keep-alive connection. A fresh connection (no request yet)
        // or one part-way through a head still gets its request answered.
        let fresh = generation == 0
        switch state.beginShutdown(idle: out.isEmpty && buffer.count == 0 && !fresh,
                                   requestPending: out.isEmpty && (buffer.count > 0 || fresh)) {
        case .closeNow: close()
        case .closeAfterFlush: loop.scheduleFlush(self)
        case .closeAfterResponse: break
        case .none:
            // A fresh connection that has sent nothing yet: its request was most likely sent
            // together with the connection and is on its way; a silent one (a preconnect) is not
            // waited for beyond a second.
            if fresh && buffer.count == 0 && deadlineKind == .header {
                deadline = min(deadline, loop.now &+ Self.silentShutdownGrace)
            }
        }
    }

    /// How long a graceful shutdown waits for the first bytes of a connection accepted just before.
    static let silentShutdownGrace: UInt64 = 1_000_000_000

    /// Closes after the queued output, reading and discarding what the client still sends for a
    /// moment so that the response is not destroyed by a TCP reset.
    func closeGracefully() {
        guard state.mustLinger(bufferedInput: buffer.count > 0) else { return close() }
        state.startLingering()
        buffer.consume(buffer.count)
        shutdown(fd, Int32(SHUT_WR))
        setDeadline(.linger)
        updateInterest()
    }

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
        assertInLoop()
        guard state.close() else { return }
        loop.poller.willClose(fd)
        Glibc.close(fd)
        out.discard()
        buffer.consume(buffer.count)
        buffer.release()
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
        servingTask?.cancel()
        servingTask = nil
        if let waiter = requestWaiter {
            requestWaiter = nil
            waiter.resume(returning: nil)
        }
    }
}
