import CWerkSystem
import Glibc

/// The worker's side of the control channel: a thread that says `ready` once the loops accept,
/// sends a heartbeat every ``WorkerLaunch/heartbeatMilliseconds`` while every event loop keeps
/// ticking (a loop stuck in a handler stops ticking, so the heartbeats stop and the supervisor
/// kills the worker), asks for retirement once the loops have started ``WorkerLaunch/maxRequests``
/// requests, and shuts the server down gracefully when the supervisor goes away (end of file).
final class WorkerChannel: Sendable {
    let launch: WorkerLaunch
    let core: ServerCore

    private init(launch: WorkerLaunch, core: ServerCore) {
        self.launch = launch
        self.core = core
    }

    /// Starts the channel thread for a server that serves as worker `launch.index`.
    static func start(launch: WorkerLaunch, core: ServerCore) {
        let fd = launch.controlFD
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let channel = WorkerChannel(launch: launch, core: core)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(channel).toOpaque()
        if pthread_create(&thread, nil, workerChannelMain, context) == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<WorkerChannel>.fromOpaque(context).release()
        }
    }

    func run() {
        werk_set_thread_name("werk-worker")
        guard send(.ready) else { return core.beginShutdown() }
        let interval = Int32(clamping: launch.heartbeatMilliseconds)
        // A loop ticks at least every `tick` (after each batch of events, and when idle); one that
        // has not for a tick, a heartbeat interval and a margin is stuck.
        let staleAfter = core.configuration.tickNanoseconds + UInt64(launch.heartbeatMilliseconds) * 1_000_000 + 250_000_000
        var retireSent = false
        while true {
            var pfd = pollfd(fd: launch.controlFD, events: Int16(POLLIN), revents: 0)
            let n = poll(&pfd, 1, interval)
            if n < 0 && errno != EINTR { break }
            if n > 0 && supervisorGone() { break }
            let (oldestTick, requests) = core.loopProgress()
            let now = Clock.now()
            if now &- oldestTick <= staleAfter || oldestTick > now {
                guard send(.heartbeat) else { break }
            }
            if launch.maxRequests > 0, requests >= launch.maxRequests, !retireSent {
                retireSent = true
                guard send(.retire) else { break }
            }
        }
        // The supervisor is gone: a worker does not serve on without it.
        if LiveReload.devGeneration != nil { LiveReload.stopping.set() }   // a dev worker's live-reload streams end
        core.beginShutdown()
    }

    /// Reads what the supervisor sent; true at end of file or on an error (the supervisor exited).
    private func supervisorGone() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(launch.controlFD, $0.baseAddress!, $0.count) }
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }

    private func send(_ message: WorkerMessage) -> Bool {
        var byte = message.rawValue
        while true {
            let n = write(launch.controlFD, &byte, 1)
            if n == 1 { return true }
            if n < 0 && errno == EINTR { continue }
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)   // full: the supervisor is busy, not gone
        }
    }
}

func workerChannelMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let channel = Unmanaged<WorkerChannel>.fromOpaque(context!).takeRetainedValue()
    channel.run()
    return nil
}
