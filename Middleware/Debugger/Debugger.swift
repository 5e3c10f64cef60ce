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
    public var allowRemote: Bool
    /// The `Host` values pages and the inspector answer to (a leading `.` accepts subdomains):
    /// the defence against DNS rebinding.
    public var trustedHosts: [String]
    /// The "open in editor" link (`{file}`, `{line}`, `{column}`), nil for none.
    public var editorURL: String?
    /// The PIN; nil derives it from this machine and ``applicationName`` (and `WERK_DEBUG_PIN`).
    public var pin: DebuggerPIN?
    /// The application's name, part of the derived PIN.
    public var applicationName: String
    /// The path the inspector endpoints live under (`<path>/pin`, `<path>/inspect`).
    public var endpointPath: String
    /// The pause after a wrong PIN (slows guessing down; the 10-failure lock-out stops it).
    public var pinFailureDelay: Duration
    /// How many pages are kept for the inspector (the oldest go first).
    public var pagesKept: Int

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
    public func wrap(_ next: Handler) -> Handler {
        let context = DebuggerContext(configuration: self, layers: next.layers)
        context.logStart()
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
                return try await context.page(for: error, request: request, trail: trail)
            }
        }
    }
}

/// What one Debugger keeps while its stack lives: the configuration, the hook installation, the
/// recent pages and the PIN failure count.
final class DebuggerContext: Sendable {
    let configuration: Debugger
    let layers: [String]
    let pin: DebuggerPIN
    let hosts: [TrustedHostPattern]
    private let installation: ThrowSites.Installation
    let pages: Mutex<[DebuggerPage]> = Mutex([])
    let pinFailures = Atomic<Int>(0)

    /// Wrong PINs after which the inspector is locked until restart.
    static let maximumPINFailures = 10

    init(configuration: Debugger, layers: [String]) {
        self.configuration = configuration
        self.layers = layers
        self.pin = configuration.pin ?? DebuggerPIN.forThisMachine(application: configuration.applicationName)
        self.hosts = configuration.trustedHosts.map(TrustedHostPattern.init)
        self.installation = ThrowSites.install()
    }

    func logStart() {
        let log = Log.current
        #if !DEBUG
        log.warning("THE DEBUGGER IS IN A RELEASE BUILD'S STACK. It shows source code, request data and values to "
                    + "anyone who can reach it. Never deploy it; remove Debugger() from production stacks.", label: "debugger")
        #endif
        if configuration.allowRemote {
            log.warning("The debugger answers remote clients (allowRemote: true): anyone who can reach this server and "
                        + "knows the PIN can read its pages. Use it on trusted networks only.", label: "debugger")
        }
        if let pin = pin.pin {
            log.warning("Debugger PIN: \(pin)", label: "debugger")
        } else {
            log.warning("The debugger's PIN is off (WERK_DEBUG_PIN=off): the inspector answers without it.", label: "debugger")
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
