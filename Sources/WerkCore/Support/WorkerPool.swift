import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of threads for blocking or CPU-heavy work (password hashing, compression of large
/// files, blocking C libraries), so the server's event loops stay free to answer other requests.
///
/// Work waits in a bounded queue; when the queue is full, ``run(_:)`` throws a 503 Service
/// Unavailable with `Retry-After` instead of piling up work the server can never catch up with.
///
/// ```swift
/// Route("/report") { request in
///     let pdf = try await offload { try renderReport() }   // on WorkerPool.shared, off the loop
///     return Response(body: .bytes(pdf))
/// }
/// ```
public final class WorkerPool: Sendable {
    /// The pool ``offload(_:)`` and the async ``PasswordHash`` functions use: one thread per core,
    /// and a queue of 64 jobs per thread.
    public static let shared = WorkerPool(threads: WorkerPool.coreCount, queueLimit: 64 * WorkerPool.coreCount)

    /// The number of threads.
    public let threads: Int
    /// The most jobs that may wait for a thread; one more is refused with 503.
    public let queueLimit: Int
    /// The `Retry-After` seconds sent with a refusal.
    public let retryAfterSeconds: Int

    private let queue: JobQueue

    /// A pool of `threads` threads (at least 1) with room for `queueLimit` waiting jobs (at least 1).
    /// The threads start at once and live as long as the process (a pool is meant to be long-lived).
    public init(threads: Int, queueLimit: Int, retryAfterSeconds: Int = 1) {
        self.threads = max(1, threads)
        self.queueLimit = max(1, queueLimit)
        self.retryAfterSeconds = max(1, retryAfterSeconds)
        queue = JobQueue(limit: self.queueLimit)
        for _ in 0..<self.threads { queue.startThread() }
    }

    /// The number of online processors (at least 1).
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Jobs waiting for a thread right now.
    public var waiting: Int { queue.count }

    /// Runs `work` on one of the pool's threads and returns its result. Throws ``HTTPError`` 503 with
    /// `Retry-After` when the queue is full, and whatever `work` throws. Cancelling the calling task
    /// does not stop work that has started (a thread cannot be interrupted safely).
    public func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Result, any Error>) in
            let accepted = queue.push {
                do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
            }
            if !accepted {
                continuation.resume(throwing: HTTPError.retryLater(.serviceUnavailable, afterSeconds: retryAfterSeconds)
                    .withMessage("The server is busy: \(queueLimit) jobs are already waiting for a worker thread."))
            }
        }
    }
}

/// Runs `work` on ``WorkerPool/shared``, off the event loops: the way out for blocking or CPU-heavy
/// code inside a handler. A full queue is a 503 with `Retry-After`.
public func offload<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await WorkerPool.shared.run(work)
}

extension HTTPError {
    /// The same error with another message.
    func withMessage(_ message: String) -> HTTPError {
        var copy = self
        copy.message = message
        return copy
    }
}

/// The pool's bounded FIFO, guarded by a pthread mutex with a condition variable for idle threads.
private final class JobQueue: @unchecked Sendable {
    // @unchecked: every stored property is touched only with `mutex` held.
    private var jobs: [(@Sendable () -> Void)?] = []
    private var head = 0
    private let limit: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let ready = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(limit: Int) {
        self.limit = limit
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(ready, nil)
    }

    var count: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return jobs.count - head
    }

    /// Queues `job`; false when `limit` jobs already wait.
    func push(_ job: @escaping @Sendable () -> Void) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard jobs.count - head < limit else { return false }
        jobs.append(job)
        pthread_cond_signal(ready)
        return true
    }

    /// Blocks until a job is queued and returns it.
    func pop() -> @Sendable () -> Void {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while jobs.count == head { pthread_cond_wait(ready, mutex) }
        let job = jobs[head]!
        jobs[head] = nil
        head += 1
        if head > 64 && head * 2 > jobs.count {   // compact now and then, in O(waiting)
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    func startThread() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            let queue = Unmanaged<JobQueue>.fromOpaque(context!).takeRetainedValue()
            while true { queue.pop()() }
        }, context)
        if created == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<JobQueue>.fromOpaque(context).release()
        }
    }
}
