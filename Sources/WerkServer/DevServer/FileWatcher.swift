import Glibc

/// Watches directory trees for source changes with inotify: one watch per directory (inotify is not
/// recursive), new directories watched as they appear (their files reported, since they may have been
/// written before the watch existed), editors' temp-file-then-rename saves seen as the `IN_MOVED_TO`
/// of the real name. ``nextChanges(quiet:limit:timeout:)`` debounces: it returns once no event came
/// for the quiet window, so one save (or a `git checkout` of many files) is one rebuild.
///
/// Hidden entries (`.build`, `.git`, `.swiftpm`, editors' `.x.swp`) and backup names (`x~`, vim's
/// `4913` probe) are ignored.
package final class FileWatcher {
    /// The inotify descriptor (non-blocking, close-on-exec).
    private let fd: Int32
    /// Watched directories by watch descriptor.
    private var directories: [Int32: String] = [:]
    /// Directory names never descended into, besides hidden ones.
    private let skippedDirectories: Set<String>
    /// Folders watched for a few named files only (the package root for `Package.swift`).
    private var fileWatches: [Int32: (directory: String, names: Set<String>)] = [:]
    /// Changes seen but not yet returned (a rescan after new directories, or events past a limit).
    private var pending: [String] = []

    /// The events that mean "a file changed": a write closed, a file renamed into place or created,
    /// a file or directory removed or renamed away.
    private static let mask: UInt32 = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE
                                             | IN_DELETE_SELF | IN_ONLYDIR)

    /// Watches every directory under each of `roots` (missing roots are skipped), except hidden ones
    /// and those named in `skipping`, and the single `files` (through their folders, not
    /// recursively). Throws ``ServerError/system(_:_:)`` when inotify is unavailable.
    package init(roots: [String], files: [String] = [], skipping: Set<String> = []) throws(ServerError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw ServerError.system("inotify_init1", errno) }
        self.fd = fd
        self.skippedDirectories = skipping
        for root in roots { _ = addTree(root) }
        for file in files {
            guard let slash = file.lastIndex(of: "/") else { continue }
            let directory = String(file[..<slash]), name = String(file[file.index(after: slash)...])
            let wd = inotify_add_watch(fd, directory, UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE))
            guard wd >= 0 else { continue }
            fileWatches[wd, default: (directory, [])].names.insert(name)
        }
    }

    deinit { close(fd) }

    /// The number of directories watched.
    package var watchedDirectoryCount: Int { directories.count }

    /// Waits up to `timeout` (nil: for ever) for a change, then keeps collecting until no event came
    /// for `quiet` (or `limit` passed since the first event). Returns the changed paths (each once, in
    /// the order first seen), or an empty array after the timeout.
    package func nextChanges(quiet: Duration = .milliseconds(100), limit: Duration = .seconds(2),
                             timeout: Duration? = nil) -> [String] {
        var changed: [String] = pending
        pending.removeAll()
        let clock = ContinuousClock()
        let start = clock.now
        var firstEvent: ContinuousClock.Instant? = changed.isEmpty ? nil : start
        while true {
            let waitFor: Duration
            if let firstEvent {
                let sinceFirst = clock.now - firstEvent
                if sinceFirst >= limit { break }
                waitFor = min(quiet, limit - sinceFirst)
            } else if let timeout {
                let elapsed = clock.now - start
                if elapsed >= timeout { break }
                waitFor = timeout - elapsed
            } else {
                waitFor = .seconds(3600)
            }
            guard wait(for: waitFor) else {
                if firstEvent != nil { break }   // quiet for the window: done
                continue
            }
            let before = changed.count
            readEvents(into: &changed)
            if changed.count > before && firstEvent == nil { firstEvent = clock.now }
        }
        var seen = Set<String>()
        return changed.filter { seen.insert($0).inserted }
    }

    /// Drops every event that arrived so far (for changes made by the dev server itself).
    package func discardPending() {
        var ignored: [String] = []
        while wait(for: .zero) { readEvents(into: &ignored) }
        pending.removeAll()
    }

    /// Whether the descriptor became readable within `duration`.
    private func wait(for duration: Duration) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let (seconds, attoseconds) = duration.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        while true {
            let rc = poll(&descriptor, 1, max(0, milliseconds))
            if rc < 0 && errno == EINTR { continue }
            return rc > 0
        }
    }

    /// Reads every queued event, appending the relevant paths to `changed`.
    private func readEvents(into changed: inout [String]) {
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, capacity)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let event = (buffer + offset).loadUnaligned(as: inotify_event.self)
                let nameLength = Int(event.len)
                let nameStart = (buffer + offset + header).assumingMemoryBound(to: UInt8.self)
                let nameBytes = UnsafeBufferPointer(start: nameStart, count: min(nameLength, n - offset - header))
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += header + nameLength
                handle(event, name: name, into: &changed)
            }
        }
    }

    private func handle(_ event: inotify_event, name: String, into changed: inout [String]) {
        if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
            changed.append("(too many changes at once)")
            return
        }
        if event.mask & UInt32(IN_IGNORED) != 0 {
            directories[event.wd] = nil
            return
        }
        if let watch = fileWatches[event.wd], directories[event.wd] == nil {
            if watch.names.contains(name) { changed.append(watch.directory + "/" + name) }
            return
        }
        guard let directory = directories[event.wd] else { return }
        if event.mask & UInt32(IN_DELETE_SELF) != 0 {
            changed.append(directory)
            return
        }
        guard !name.isEmpty, FileWatcher.isRelevant(name) else { return }
        let path = directory + "/" + name
        let isDirectory = event.mask & UInt32(IN_ISDIR) != 0
        if isDirectory {
            if event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !skippedDirectories.contains(name) {
                changed.append(contentsOf: addTree(path))
            } else if event.mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
                changed.append(path)
            }
            return
        }
        // A created file is reported when its write closes (IN_CLOSE_WRITE); a hard link or an empty
        // `touch` has no write, so a create counts as well (the debounce merges the two).
        changed.append(path)
    }

    /// Watches `root` and every directory below it; returns the regular files found (new content a
    /// watch may have missed).
    @discardableResult
    private func addTree(_ root: String) -> [String] {
        var files: [String] = []
        var stack = [root]
        var visited = 0
        while let directory = stack.popLast(), visited < 10_000 {
            visited += 1
            let wd = inotify_add_watch(fd, directory, FileWatcher.mask)
            guard wd >= 0 else { continue }
            directories[wd] = directory
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard name != ".", name != "..", FileWatcher.isRelevant(name) else { continue }
                let path = directory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    if !skippedDirectories.contains(name) { stack.append(path) }
                } else {
                    files.append(path)
                }
            }
        }
        return files
    }

    /// Whether a change to an entry with this name matters: not hidden, not a backup or swap file.
    package static func isRelevant(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: ".") else { return false }
        if name.hasSuffix("~") || name.hasSuffix(".swp") || name.hasSuffix(".swx") || name == "4913" { return false }
        return true
    }
}
