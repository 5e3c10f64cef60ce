import CWerkSystem
import Glibc

/// What a descriptor is watched for.
struct PollInterest: OptionSet, Sendable {
    let rawValue: UInt8
    static let read = PollInterest(rawValue: 1)
    static let write = PollInterest(rawValue: 2)
    /// Wake only one of the loops sharing this descriptor (a listener shared by all loops).
    static let exclusive = PollInterest(rawValue: 4)
}

/// One readiness report.
struct PollEvent {
    var fd: Int32
    var readable: Bool
    var writable: Bool
    /// The peer hung up or the socket has an error (reading tells which).
    var hangup: Bool
}

/// The platform seam of an ``EventLoop``: a readiness notifier for file descriptors
/// (level-triggered). Linux uses ``EpollPoller``; a kqueue (macOS, BSD) or `poll(2)` implementation
/// is a new conforming type and a change of ``PlatformPoller``, without touching the loop.
///
/// Loop-confined: created, used and destroyed by one loop thread.
protocol Poller: AnyObject {
    init() throws(ServerError)
    /// Starts watching `fd`.
    func add(_ fd: Int32, interest: PollInterest)
    /// Changes what `fd` is watched for (an empty interest keeps it registered but silent).
    func modify(_ fd: Int32, interest: PollInterest)
    /// Stops watching `fd`, which stays open (a listener at the connection cap).
    func remove(_ fd: Int32)
    /// `fd` is about to be closed. Pollers whose registrations end with the descriptor (epoll,
    /// kqueue) do nothing; a `poll(2)` poller forgets it.
    func willClose(_ fd: Int32)
    /// Waits up to `timeoutMilliseconds` (0: do not block, -1: forever) and returns how many
    /// events are ready; read them with ``event(_:)``.
    func wait(timeoutMilliseconds: Int32) -> Int
    /// The `index`th event of the last ``wait(timeoutMilliseconds:)``.
    func event(_ index: Int) -> PollEvent
}

/// The poller of this platform.
typealias PlatformPoller = EpollPoller

/// `epoll(7)`, level-triggered.
final class EpollPoller: Poller {
    private let epollFD: Int32
    private let capacity = 512
    private let events: UnsafeMutablePointer<epoll_event>

    init() throws(ServerError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw ServerError.system("epoll_create1", errno) }
        epollFD = fd
        events = .allocate(capacity: capacity)
    }

    deinit {
        events.deallocate()
        close(epollFD)
    }

    private static func mask(_ interest: PollInterest) -> UInt32 {
        (interest.contains(.read) ? EPOLLIN.rawValue : 0) | (interest.contains(.write) ? EPOLLOUT.rawValue : 0)
            | (interest.contains(.exclusive) ? EPOLLEXCLUSIVE.rawValue : 0)
    }

    private func control(_ operation: Int32, _ fd: Int32, _ interest: PollInterest) {
        var event = epoll_event()
        event.events = Self.mask(interest)
        event.data.fd = fd
        _ = epoll_ctl(epollFD, operation, fd, &event)
    }

    func add(_ fd: Int32, interest: PollInterest) { control(EPOLL_CTL_ADD, fd, interest) }

    func modify(_ fd: Int32, interest: PollInterest) { control(EPOLL_CTL_MOD, fd, interest) }

    func remove(_ fd: Int32) { control(EPOLL_CTL_DEL, fd, []) }

    /// Closing a descriptor removes it from the epoll set: a connection's close costs no extra
    /// system call.
    func willClose(_ fd: Int32) {}

    func wait(timeoutMilliseconds: Int32) -> Int {
        Int(max(0, epoll_wait(epollFD, events, Int32(capacity), timeoutMilliseconds)))
    }

    @inline(__always)
    func event(_ index: Int) -> PollEvent {
        let event = events[index]
        let bits = event.events
        return PollEvent(fd: event.data.fd,
                         readable: bits & EPOLLIN.rawValue != 0,
                         writable: bits & EPOLLOUT.rawValue != 0,
                         hangup: bits & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0)
    }
}
