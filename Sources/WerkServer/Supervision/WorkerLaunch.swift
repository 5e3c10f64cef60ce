import Glibc
import Synchronization

/// What a worker process is told by its supervisor, through the environment variable `WERK_WORKER`:
/// which slot it fills, the inherited listening socket to accept on, the control channel to report
/// on, how often to report, and after how many requests to ask for retirement.
///
/// The value is `index=1,listen=3,control=4,heartbeat-ms=1000,max-requests=0`. A ``Server`` whose
/// process carries it serves on the inherited socket instead of binding (``claim()``).
package struct WorkerLaunch: Sendable, Equatable {
    /// The name of the environment variable.
    package static let environmentName = "WERK_WORKER"
    /// The fd a spawned worker finds its listening socket at.
    package static let listenerTarget: Int32 = 3
    /// The fd a spawned worker finds its control channel at.
    package static let controlTarget: Int32 = 4

    /// The worker's slot, 0..<workers (stable across restarts of that slot).
    package var index: Int
    /// The inherited listening socket (shared with the supervisor and the other workers).
    package var listenerFD: Int32
    /// The worker's end of the control channel (a Unix stream socket).
    package var controlFD: Int32
    /// How often the worker sends a heartbeat, in milliseconds.
    package var heartbeatMilliseconds: Int
    /// After how many requests the worker asks to be replaced (0: never).
    package var maxRequests: Int

    /// A launch description.
    package init(index: Int, listenerFD: Int32 = listenerTarget, controlFD: Int32 = controlTarget,
                 heartbeatMilliseconds: Int = 1000, maxRequests: Int = 0) {
        self.index = index
        self.listenerFD = listenerFD
        self.controlFD = controlFD
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.maxRequests = maxRequests
    }

    /// The value of `WERK_WORKER`.
    package var environmentValue: String {
        "index=\(index),listen=\(listenerFD),control=\(controlFD),heartbeat-ms=\(heartbeatMilliseconds),max-requests=\(maxRequests)"
    }

    /// Parses a value of `WERK_WORKER`; nil when a key is missing or a number is malformed.
    package init?(environmentValue: String) {
        var values: [Substring: Int] = [:]
        for pair in environmentValue.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "="), let number = Int(pair[pair.index(after: equals)...]),
                  number >= 0 else { return nil }
            values[pair[..<equals]] = number
        }
        guard let index = values["index"], let listen = values["listen"], let control = values["control"],
              let listenFD = Int32(exactly: listen), let controlFD = Int32(exactly: control) else { return nil }
        self.init(index: index, listenerFD: listenFD, controlFD: controlFD,
                  heartbeatMilliseconds: max(10, values["heartbeat-ms"] ?? 1000), maxRequests: values["max-requests"] ?? 0)
    }

    /// The launch description of this process, read from `WERK_WORKER` once, at first use, which
    /// also removes the variable from the environment (programs the worker starts are not
    /// workers). nil in a process that is not a worker.
    package static let current: WorkerLaunch? = {
        guard let raw = getenv(environmentName) else { return nil }
        let value = String(cString: raw)
        unsetenv(environmentName)
        return WorkerLaunch(environmentValue: value)
    }()

    private static let claimed = Atomic<Bool>(false)

    /// ``current`` for the first server of the process to start, nil for any later one (a worker
    /// has one inherited socket; a second server in the same program binds its own).
    package static func claim() -> WorkerLaunch? {
        guard let current, !claimed.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        return current
    }
}

/// The one-byte messages a worker sends its supervisor on the control channel.
package enum WorkerMessage: UInt8, Sendable {
    /// The worker's loops accept connections.
    case ready = 0x72        // "r"
    /// Every event loop of the worker made progress recently.
    case heartbeat = 0x68    // "h"
    /// The worker served its `maxRequests`: start a replacement, then stop it gracefully.
    case retire = 0x6D       // "m"
}
