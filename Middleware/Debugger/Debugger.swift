#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The interactive debugger: when a handler throws anything but an ``HTTPError``, the answer is a
/// 500 with the error, where it was thrown (the Swift runtime's will-throw hook records a backtrace
/// at every `throw` while a Debugger is in a stack), the source around each frame, the stack's
/// layers, everything the request carried, and an inspector over the error and the request's values.
/// Browsers get the HTML page, API clients a JSON or plain-text traceback (by `Accept`); the text
/// traceback also goes to the error log.
///
/// ```swift
/// let app = Stack {
///     Debugger()          // development only: outermost, or just inside TrustedHosts/ProxyFix
///     Handler { _ -> String in throw CartError.empty }
/// }
/// ```
///
/// Safety: no endpoint executes code or writes anything; the inspector only looks values up by
/// path. It needs the PIN (printed in the log at start; `WERK_DEBUG_PIN` sets it or turns it off),
/// a per-page secret, a POST with the `X-Werk-Debugger` header and a JSON body, a trusted `Host`,
/// and a loopback client (unless `allowRemote`). Ten wrong PINs lock the inspector until restart.
/// A release build logs a loud warning when a Debugger is in its stack.
public struct Debugger: Middleware {
    /// Whether clients other than loopback ones get pages and the inspector (logs a warning).
    public var allowRemote: Bool { didSet { shared = DebuggerShared() } }
    /// The `Host` values pages and the inspector answer to (a leading `.` accepts subdomains):
    /// the defence against DNS rebinding.
    public var trustedHosts: [String] { didSet { shared = DebuggerShared() } }
    /// The "open in editor" link (`{file}`, `{line}`, `{column}`), nil for none.
    public var editorURL: String? { didSet { shared = DebuggerShared() } }
    /// The PIN; nil derives it from this machine and ``applicationName`` (and `WERK_DEBUG_PIN`).
    public var pin: DebuggerPIN? { didSet { shared = DebuggerShared() } }
    /// The application's name, part of the derived PIN.
    public var applicationName: String { didSet { shared = DebuggerShared() } }
    /// The path the inspector endpoints live under (`<path>/pin`, `<path>/inspect`).
    public var endpointPath: String { didSet { shared = DebuggerShared() } }
    /// The pause after a wrong PIN (slows guessing down; the 10-failure lock-out stops it).
    public var pinFailureDelay: Duration { didSet { shared = DebuggerShared() } }
    /// How many pages are kept for the inspector (the oldest go first).
    public var pagesKept: Int { didSet { shared = DebuggerShared() } }

    /// What every stack this value is wrapped into shares (pages, PIN failures, the hook): made
    /// once, on the first ``wrap(_:)``; a changed setting starts a new one.
    private var shared = DebuggerShared()

    /// Werkzeug's trusted hosts, plus IPv6 loopback.
    public static let defaultTrustedHosts = ["localhost", ".localhost", "127.0.0.1", "[::1]"]

    /// A debugger. The defaults serve loopback clients at `localhost`/`127.0.0.1` only.
    public init(allowRemote: Bool = false, trustedHosts: [String] = Debugger.defaultTrustedHosts,
                editorURL: String? = "vscode://file/{file}:{line}", pin: DebuggerPIN? = nil,
                applicationName: String = "app", endpointPath: String = "/__debugger__",
                pinFailureDelay: Duration = .milliseconds(500), pagesKept: Int = 16) {
        self.allowRemote = allowRemote
        self.trustedHosts = trustedHosts
        self.editorURL = editorURL
        self.pin = pin
        self.applicationName = applicationName
        self.endpointPath = endpointPath
        self.pinFailureDelay = pinFailureDelay
        self.pagesKept = pagesKept
    }

    /// Wraps `next`: installs the will-throw hook for as long as the stack lives, logs the PIN and
    /// the warnings, and answers errors with pages. The layer is asynchronous (the inspector reads
    /// request bodies), so `description` marks it `[async]` in a synchronous stack.
    ///
    /// Wrapping the same value again (a sampling `Profiler` builds the layers inside it twice) shares
    /// the first wrap's state: one PIN announcement, one page list (a page made through one build is
    /// inspected through the other), one count of wrong PINs.
    public func wrap(_ next: Handler) -> Handler {
        let context = shared.context(for: self)
        let layers = next.layers
        let endpointPrefix = endpointPath + "/"
        return Handler(layers: next.layers) { request in
            if request.pathInfo.hasPrefix(endpointPrefix) {
                return await context.answerEndpoint(request, action: String(request.pathInfo.dropFirst(endpointPrefix.count)))
            }
            let trail = DebuggerTrail()
            do {
                return try await DebuggerTrail.$current.withValue(trail) { try await next(request) }
            } catch let error as HTTPError {
                throw error
            } catch {
                return try await context.page(for: error, request: request, trail: trail, layers: layers)
            }
        }
    }
}

/// The state a Debugger value's stacks share, made on the first wrap.
final class DebuggerShared: Sendable {
    private let made = Mutex<DebuggerContext?>(nil)

    /// The context, made (and announced) the first time.
    func context(for configuration: Debugger) -> DebuggerContext {
        made.withLock { made in
            if let context = made { return context }
            let context = DebuggerContext(configuration: configuration)
            context.logStart()
            made = context
            return context
        }
    }
}

/// What one Debugger keeps while its stacks live: the configuration, the hook installation, the
/// recent pages and the PIN failure count.
final class DebuggerContext: Sendable {
    let configuration: Debugger
    let pin: DebuggerPIN
    let hosts: [TrustedHostPattern]
    private let installation: ThrowSites.Installation
    let pages: Mutex<[DebuggerPage]> = Mutex([])
    let pinFailures = Atomic<Int>(0)

    /// Wrong PINs after which the inspector is locked until restart.
    static let maximumPINFailures = 10

    init(configuration: Debugger) {
        self.configuration = configuration
        self.pin = configuration.pin ?? DebuggerPIN.forThisMachine(application: configuration.applicationName)
        self.hosts = configuration.trustedHosts.map(TrustedHostPattern.init)
        self.installation = ThrowSites.install()
    }

    /// Logs the PIN and the warnings when the stack is built: on ``Log/current`` when a logger is
    /// bound there, else on standard error (stacks are usually built before the server binds its
    /// logger, and the PIN must reach the developer).
    func logStart() {
        #if !DEBUG
        announce("THE DEBUGGER IS IN A RELEASE BUILD'S STACK. It shows source code, request data and values to "
                 + "anyone who can reach it. Never deploy it; remove Debugger() from production stacks.")
        #endif
        if configuration.allowRemote {
            announce("The debugger answers remote clients (allowRemote: true): anyone who can reach this server and "
                     + "knows the PIN can read its pages. Use it on trusted networks only.")
        }
        if let pin = pin.pin {
            announce("Debugger PIN: \(pin)")
        } else {
            announce("The debugger's PIN is off (WERK_DEBUG_PIN=off): the inspector answers without it.")
        }
    }

    private func announce(_ message: String) {
        let log = Log.current
        if log.isEnabled(.warning) {
            log.warning(message, label: "debugger")
        } else {
            let line = Array("debugger: \(message)\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }

    /// Whether `request` may see pages and call endpoints: a loopback client (or `allowRemote`).
    func clientAllowed(_ request: Request) -> Bool {
        configuration.allowRemote || Self.isLoopback(request.remoteAddress)
    }

    /// Whether the request's Host is one of the trusted hosts.
    func hostTrusted(_ request: Request) -> Bool {
        guard !request.host.isEmpty else { return false }
        let name = ASCII.lowercased(request.hostName)
        return hosts.contains { $0.matches(lowercasedName: name) }
    }

    /// 127.0.0.0/8, ::1 and IPv4-mapped loopback, with or without a port.
    static func isLoopback(_ address: String?) -> Bool {
        guard var address = address?.lowercased() else { return false }
        if address.hasPrefix("[") { address = String(address.dropFirst().prefix { $0 != "]" }) }
        if address == "::1" { return true }
        if address.hasPrefix("::ffff:") { address = String(address.dropFirst(7)) }
        let host = address.split(separator: ":", maxSplits: 1).first.map(String.init) ?? address
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// A rendered page the inspector can still answer about.
struct DebuggerPage: Sendable {
    let id: String
    let secret: String
    let error: any Error
    let request: Request
}
