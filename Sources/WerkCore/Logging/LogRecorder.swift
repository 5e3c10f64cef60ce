import Synchronization

/// A ``Logger`` that keeps every record in memory, for tests (thread-safe; keeps at most
/// ``capacity`` records, dropping the oldest).
///
/// ```swift
/// let recorder = LogRecorder()
/// recorder.warning("disk almost full")
/// #expect(recorder.records.map(\.message) == ["disk almost full"])
/// ```
public final class LogRecorder: Logger {
    private let stored = Mutex<[LogRecord]>([])
    /// The most records kept.
    public let capacity: Int

    /// An empty recorder keeping up to `capacity` records.
    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// Keeps the record.
    public func log(_ record: LogRecord) {
        stored.withLock { records in
            if records.count >= capacity { records.removeFirst() }
            records.append(record)
        }
    }

    /// The records so far, oldest first.
    public var records: [LogRecord] { stored.withLock { $0 } }

    /// Forgets every record.
    public func removeAll() { stored.withLock { $0.removeAll() } }
}
