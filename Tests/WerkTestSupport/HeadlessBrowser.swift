import Glibc
import Synchronization
import WerkCore

/// A headless chromium driven over the Chrome DevTools Protocol, for tests that load Werk pages and
/// check them through the DOM.
///
/// The browser is spawned with `--remote-debugging-pipe`: it reads NUL-terminated JSON commands on
/// its fd 3 and writes replies and events on its fd 4, so no websocket client is needed. Requests,
/// cookies and redirects go through the browser's real network stack.
///
/// ```swift
/// let browser = try await HeadlessBrowser.launch()
/// defer { browser.kill() }
/// let page = try await browser.open("http://127.0.0.1:\(port)/")
/// try await page.click("#go")
/// try await page.waitUntil("document.querySelector('#out').textContent === 'done'")
/// #expect(page.consoleErrors.isEmpty)
/// await browser.close()
/// ```
///
/// Every wait is bounded (30 s unless given) and fails with `HeadlessBrowserError.timedOut` naming
/// what was awaited. `close()` (or, as a last resort, deinit) kills the process group and removes the
/// temporary profile folder.
public final class HeadlessBrowser: Sendable {
    /// The default bound on every wait: generous, since chromium may start slowly on a loaded machine.
    public static let defaultTimeout: Duration = .seconds(30)

    /// The browser's process id (also its process group id).
    public let pid: pid_t
    /// The temporary `--user-data-dir`, removed by `close()`.
    public let profileFolder: String
    private let commands: Int32
    private let events: Int32

    private struct State {
        var nextID = 1
        var pending: [Int: (method: String, reply: OneShot)] = [:]
        var pages: [String: WeakPage] = [:]  // weak: a page holds its browser
        var exited = false
        var reaped = false
    }
    private let state = Mutex(State())
    private let commandsClosed = Mutex(false)  // guards writes to `commands` against its close

    private init(pid: pid_t, profileFolder: String, commands: Int32, events: Int32) {
        self.pid = pid
        self.profileFolder = profileFolder
        self.commands = commands
        self.events = events
    }

    /// The default bound on the launch: chromium's cold start competes with the whole test suite for CPU.
    public static let defaultLaunchTimeout: Duration = .seconds(60)

    /// Starts chromium (`executable`, found in `PATH` unless given) and waits until it answers.
    public static func launch(executable: String? = nil, timeout: Duration = defaultLaunchTimeout) async throws -> HeadlessBrowser {
        guard let path = executable ?? ExternalTool.chromium.path else {
            throw HeadlessBrowserError.launchFailed(ExternalTool.chromium.description)
        }
        let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(tmp)/werk-chromium-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw HeadlessBrowserError.launchFailed("mkdtemp in \(tmp) failed (errno \(errno))")
        }
        let folder = String(cString: made)
        let arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(folder)", "--no-first-run",
                         "--no-default-browser-check", "--disable-crash-reporter", "--remote-debugging-pipe", "about:blank"]
        let spawned: (pid: pid_t, commands: Int32, events: Int32)
        do {
            spawned = try spawnWithPipes(path, arguments, stderrPath: folder + "/chromium-stderr.log")
        } catch {
            _ = ExternalTool.run(["rm", "-rf", folder])
            throw error
        }
        let browser = HeadlessBrowser(pid: spawned.pid, profileFolder: folder, commands: spawned.commands, events: spawned.events)
        signal(SIGPIPE, SIG_IGN)  // a write to a browser that just died must fail, not kill the tests
        let reference = WeakBrowser(browser)
        DetachedThread.start { [events = spawned.events] in readEvents(events, reference) }
        do {
            _ = try await browser.send("Browser.getVersion", timeout: timeout)
        } catch {
            let log = browser.stderrTail()
            browser.kill()
            throw HeadlessBrowserError.launchFailed("no answer to Browser.getVersion (\(error)); stderr: \(log)")
        }
        return browser
    }

    /// Opens a new tab on `url` and returns once its load event fired: creates a target, attaches to
    /// it (flat session), enables the Runtime, Page and Log domains, then navigates.
    public func open(_ url: String, timeout: Duration = defaultTimeout) async throws -> BrowserPage {
        let target = try await send("Target.createTarget", ["url": "about:blank"], timeout: timeout)
        guard let targetID = target["targetId"]?.stringValue else {
            throw HeadlessBrowserError.protocolError(method: "Target.createTarget", message: "no targetId in \(target)")
        }
        let attached = try await send("Target.attachToTarget", ["targetId": .string(targetID), "flatten": true], timeout: timeout)
        guard let session = attached["sessionId"]?.stringValue else {
            throw HeadlessBrowserError.protocolError(method: "Target.attachToTarget", message: "no sessionId in \(attached)")
        }
        let page = BrowserPage(browser: self, session: session, targetID: targetID)
        state.withLock { $0.pages[session] = WeakPage(page) }
        for domain in ["Runtime", "Page", "Log"] {
            _ = try await send("\(domain).enable", session: session, timeout: timeout)
        }
        try await page.navigate(url, timeout: timeout)
        return page
    }

    /// Sends a DevTools command (to the browser, or to a page's `session`) and returns its result.
    @discardableResult
    public func send(_ method: String, _ params: JSON = [:], session: String? = nil,
                     timeout: Duration = defaultTimeout) async throws -> JSON {
        let reply = OneShot()
        let id: Int? = state.withLock { state in
            guard !state.exited else { return nil }
            defer { state.nextID += 1 }
            state.pending[state.nextID] = (method, reply)
            return state.nextID
        }
        guard let id else { throw HeadlessBrowserError.browserExited("the reply to \(method)") }
        var message: JSON = ["id": .int(id), "method": .string(method), "params": params]
        if let session { message["sessionId"] = .string(session) }
        let bytes = message.serializedBytes(sortKeys: false) + [0]
        let written = commandsClosed.withLock { closed in !closed && writeAll(commands, bytes) }
        if !written {
            state.withLock { _ = $0.pending.removeValue(forKey: id) }
            throw HeadlessBrowserError.browserExited("sending \(method)")
        }
        defer { state.withLock { _ = $0.pending.removeValue(forKey: id) } }
        return try await reply.value(timeout: timeout, what: "the reply to \(method)")
    }

    /// Asks the browser to quit, waits (bounded) for it, kills what is left of its process group and
    /// removes the profile folder. Safe to call more than once.
    public func close() async {
        if !state.withLock({ $0.exited || $0.reaped }) {
            _ = try? await send("Browser.close", timeout: .seconds(5))
        }
        // The bounded wait blocks, so it runs on its own thread, not on one of the few cooperative ones.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DetachedThread.start { [self] in
                kill(waitingUpTo: .seconds(10))
                done.resume()
            }
        }
    }

    /// Kills the browser at once (SIGKILL to its process group), reaps it and removes the profile
    /// folder; for `defer` and failure paths. Safe to call more than once.
    public func kill() { kill(waitingUpTo: .zero) }

    deinit { kill() }

    private func kill(waitingUpTo grace: Duration) {
        guard state.withLock({ state in defer { state.reaped = true }; return !state.reaped }) else { return }
        var status: Int32 = 0
        var exited = false
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        repeat {
            if waitpid(pid, &status, WNOHANG) == pid { exited = true; break }
            if clock.now >= deadline { break }
            usleep(20_000)
        } while true
        // After a clean exit, give the helpers (zygotes, renderers) the rest of the grace period to
        // quit on their own, so their parents reap them; then kill whatever is left of the group.
        while exited, Glibc.kill(-pid, 0) == 0, clock.now < deadline { usleep(20_000) }
        Glibc.kill(-pid, SIGKILL)  // the group: renderers, zygotes and crash handlers with it
        if !exited { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        commandsClosed.withLock { closed in
            closed = true
            Glibc.close(commands)
        }
        _ = ExternalTool.run(["rm", "-rf", profileFolder])  // our own mkdtemp folder
    }

    /// Whether the browser process has been reaped by `close()` or `kill()`.
    public var isClosed: Bool { state.withLock { $0.reaped } }

    /// The end of chromium's standard error, for launch failure messages.
    private func stderrTail() -> String {
        let fd = Glibc.open(profileFolder + "/chromium-stderr.log", O_RDONLY)
        guard fd >= 0 else { return "(none)" }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = lseek(fd, 0, SEEK_END)
        _ = lseek(fd, max(0, end - 4096), SEEK_SET)
        let n = read(fd, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "(empty)"
    }

    /// The reader thread: splits fd 4's stream at NULs and dispatches replies and events until EOF
    /// (holding the browser weakly, so a forgotten browser is still killed by its deinit).
    private static func readEvents(_ events: Int32, _ reference: WeakBrowser) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(events, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer += chunk[0..<n]
            while let nul = buffer.firstIndex(of: 0) {
                if let message = try? JSON.parse(buffer[..<nul]) { reference.browser?.dispatch(message) }
                buffer.removeSubrange(...nul)
            }
        }
        Glibc.close(events)
        reference.browser?.failPending()
    }

    private func failPending() {
        let pending = state.withLock { state in
            state.exited = true
            defer { state.pending = [:] }
            return state.pending
        }
        for (_, entry) in pending {
            entry.reply.resolve(.failure(HeadlessBrowserError.browserExited("the reply to \(entry.method)")))
        }
    }

    private func dispatch(_ message: JSON) {
        if let id = message["id"]?.intValue {
            guard let entry = state.withLock({ $0.pending[id] }) else { return }
            if let error = message["error"] {
                let text = error["message"]?.stringValue ?? error.serialized()
                entry.reply.resolve(.failure(HeadlessBrowserError.protocolError(method: entry.method, message: text)))
            } else {
                entry.reply.resolve(.success(message["result"] ?? [:]))
            }
        } else if let method = message["method"]?.stringValue, let session = message["sessionId"]?.stringValue,
                  let page = state.withLock({ $0.pages[session]?.page }) {
            page.handle(method, message["params"] ?? [:])
        }
    }
}

/// The reader thread's weak hold on its browser.
private final class WeakBrowser: @unchecked Sendable {  // set once, before the thread starts
    weak var browser: HeadlessBrowser?
    init(_ browser: HeadlessBrowser) { self.browser = browser }
}

/// The browser's weak hold on a page, for routing its session's events.
private struct WeakPage {
    weak var page: BrowserPage?
    init(_ page: BrowserPage) { self.page = page }
}

/// Writes all of `bytes` to `fd`; false when the reader is gone.
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

/// Spawns `path` in its own process group with a command pipe on its fd 3 and an event pipe on its
/// fd 4 (our ends close-on-exec, so no other child inherits them), stdin/stdout on /dev/null and
/// stderr into `stderrPath`.
private func spawnWithPipes(_ path: String, _ arguments: [String], stderrPath: String) throws -> (pid: pid_t, commands: Int32, events: Int32) {
    var toBrowser: [Int32] = [-1, -1], fromBrowser: [Int32] = [-1, -1]
    guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else {
        throw HeadlessBrowserError.launchFailed("pipe failed (errno \(errno))")
    }
    // Every end moved to fd >= 10 and close-on-exec, so the dup2s onto 3 and 4 cannot clobber each other.
    let moved = (toBrowser + fromBrowser).map { fd -> Int32 in
        defer { close(fd) }
        return fcntl(fd, F_DUPFD_CLOEXEC, 10)
    }
    let (childReads, commands, events, childWrites) = (moved[0], moved[1], moved[2], moved[3])
    defer { close(childReads); close(childWrites) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, childReads, 3)
    posix_spawn_file_actions_adddup2(&actions, childWrites, 4)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let rc = argv.withUnsafeBufferPointer { posix_spawn(&pid, path, &actions, &attributes, $0.baseAddress!, environ) }
    guard rc == 0 else {
        close(commands)
        close(events)
        throw HeadlessBrowserError.launchFailed("posix_spawn \(path) failed (\(String(cString: strerror(rc))))")
    }
    return (pid, commands, events)
}
