#if canImport(Glibc)
import Glibc
#endif
import Synchronization
@testable import WerkProfiler

/// A clock the test moves by hand: attribution is then exact.
final class FakeClock: Sendable {
    private let nanoseconds = Mutex<UInt64>(1_000_000)
    var clock: ProfilerClock { ProfilerClock { [self] in nanoseconds.withLock { $0 } } }
    /// Moves the clock forward by `microseconds`.
    func advance(_ microseconds: UInt64) { nanoseconds.withLock { $0 += microseconds * 1000 } }
}

/// Collects what a report writes.
final class TextSink: Sendable {
    private let texts = Mutex<[String]>([])
    func write(_ text: String) { texts.withLock { $0.append(text) } }
    var all: [String] { texts.withLock { $0 } }
}

/// A layer that advances the clock by `before` µs on the way in and `after` µs on the way out.
struct Step: Middleware {
    let label: String
    let clock: FakeClock
    let before: UInt64
    let after: UInt64
    var name: String { label }
    func wrap(_ next: Handler) -> Handler {
        let clock = self.clock, before = self.before, after = self.after
        return next.around(before: { _ in clock.advance(before) }, after: { _, _ in clock.advance(after) })
    }
}

/// A layer that awaits around `next`, advancing the clock by `before` µs first.
struct AwaitingStep: Middleware {
    let clock: FakeClock
    let before: UInt64
    func wrap(_ next: Handler) -> Handler {
        let clock = self.clock, before = self.before
        return Handler { request in
            clock.advance(before)
            await Task.yield()
            return try await next(request)
        }
    }
}

/// Options with the fake clock and no UI check surprises.
func options(_ clock: FakeClock, _ change: (inout Profiler.Options) -> Void = { _ in }) -> Profiler.Options {
    var options = Profiler.Options()
    options.clock = clock.clock
    change(&options)
    return options
}

/// The frame named `name` (the first one).
func frame(_ profile: RequestProfile?, _ name: String) -> RequestProfile.Frame? {
    profile?.frames.first { $0.name == name }
}

/// A temporary folder, removed (with the files in it) when released.
final class TemporaryFolder: Sendable {
    let path: String

    init() {
        var template = Array("/tmp/werk-profiler-XXXXXX".utf8CString)
        let made = mkdtemp(&template)
        precondition(made != nil, "mkdtemp failed")
        path = made.map { String(cString: $0) } ?? ""
    }

    /// The names of the files in the folder, sorted.
    var names: [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The bytes of the file `name`.
    func read(_ name: String) -> [UInt8] {
        let fd = open(path + "/" + name, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            result += buffer[0..<count]
        }
        return result
    }

    deinit {
        for name in names { unlink(path + "/" + name) }
        rmdir(path)
    }
}

/// Counts calls from any thread: 0, 1, 2, ...
final class PullCounter: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { value in defer { value += 1 }; return value } }
}
