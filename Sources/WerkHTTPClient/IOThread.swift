import Glibc
import Synchronization

/// A thread that runs one connection's blocking socket calls, one job at a time, so they never
/// occupy Swift's cooperative threads. It lives as long as its connection.
final class IOThread: @unchecked Sendable {   // the queue is a Mutex; the POSIX semaphore is thread-safe
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let queue = Mutex(Queue())
    private let semaphore: UnsafeMutablePointer<sem_t>

    /// Starts the thread; nil when the system cannot create one.
    init?() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        guard pthread_create(&thread, nil, ioThreadMain, context) == 0 else {
            Unmanaged<IOThread>.fromOpaque(context).release()
            return nil
        }
        pthread_detach(thread)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(HTTPClientError) -> T) async throws(HTTPClientError) -> T {
        let result: Result<T, HTTPClientError> = await withCheckedContinuation { continuation in
            let accepted = queue.withLock { queue -> Bool in
                guard !queue.stopped else { return false }
                queue.jobs.append {
                    do throws(HTTPClientError) { continuation.resume(returning: .success(try body())) } catch { continuation.resume(returning: .failure(error)) }
                }
                return true
            }
            if accepted {
                sem_post(semaphore)
            } else {
                continuation.resume(returning: .failure(HTTPClientError(.io, "The connection's I/O thread has stopped.")))
            }
        }
        return try result.get()
    }

    /// Lets the thread finish once its queued jobs are done.
    func stop() {
        queue.withLock { $0.stopped = true }
        sem_post(semaphore)
    }

    fileprivate func loop() {
        while true {
            while sem_wait(semaphore) != 0 {}
            let next = queue.withLock { queue -> (@Sendable () -> Void)? in
                queue.jobs.isEmpty ? nil : queue.jobs.removeFirst()
            }
            if let next {
                next()
            } else if queue.withLock({ $0.stopped && $0.jobs.isEmpty }) {
                return
            }
        }
    }
}

private func ioThreadMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let thread = Unmanaged<IOThread>.fromOpaque(raw!).takeRetainedValue()
    thread.loop()
    return nil
}
