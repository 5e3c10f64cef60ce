import WerkCore
import Glibc

/// Runs blocking work (socket I/O of the live test transport) on a fresh thread, so it never
/// occupies a thread of Swift's small cooperative pool.
package enum ThreadRunner {
    final class Job: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new thread and returns its result.
    package static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(job).toOpaque()
            if pthread_create(&thread, nil, threadRunnerMain, context) == 0 {
                pthread_detach(thread)
            } else {
                Unmanaged<Job>.fromOpaque(context).release()
                continuation.resume(throwing: LiveTransportError.io("pthread_create", errno))
            }
        }
    }
}

func threadRunnerMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let job = Unmanaged<ThreadRunner.Job>.fromOpaque(raw!).takeRetainedValue()
    job.body()
    return nil
}
