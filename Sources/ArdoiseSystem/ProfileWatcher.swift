import ArdoiseCore
import CInotifyTools
import Dispatch
import FoundationEssentials
import Glibc

/// Watches a session's browser profiles and download folder while it lasts.
public protocol ProfileWatching: Sendable {
    func watch(session: String, roots: WatchRoots)
    func unwatch(session: String)
    /// What was seen, by session (one consumer).
    var warnings: AsyncStream<(session: String, warning: SessionWarning)> { get }
}

/// libinotifytools, which keeps global state: one owner thread makes every call; others hand it commands
/// and wake it by creating a file in a private folder it watches.
public final class InotifyProfileWatcher: ProfileWatching, @unchecked Sendable {
    public let warnings: AsyncStream<(session: String, warning: SessionWarning)>
    private let continuation: AsyncStream<(session: String, warning: SessionWarning)>.Continuation
    private let lock = Lock()
    private var commands: [Command] = []
    private let wakeDirectory: String
    private var wakeCount = 0
    private var startFailure: Int32?

    enum Command {
        case watch(String, WatchRoots)
        case unwatch(String)
        case stop
    }

    struct Watched {
        var roots: WatchRoots
        /// Files of the download folders already counted (in memory only, never journaled).
        var downloaded: Set<String>
    }

    static let mask = Int32(bitPattern: UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE) | UInt32(IN_DONT_FOLLOW) | UInt32(IN_ONLYDIR))
    static let temporarySuffixes = [".part", ".crdownload", ".download", ".tmp", ".partial"]

    /// `scratch`: a root-only folder for the wake-up files (the service's runtime folder).
    public init(scratch: String) throws {
        (warnings, continuation) = AsyncStream.makeStream(of: (session: String, warning: SessionWarning).self)
        wakeDirectory = scratch + "/watch-wake-\(getpid())"
        guard mkdir(wakeDirectory, 0o700) == 0 || errno == EEXIST else { throw SystemError(errno) }
        let ready = DispatchSemaphore(value: 0)
        DetachedThread.start(name: "profile watcher") { [self] in
            let started = inotifytools_initialize() != 0 && inotifytools_watch_file(wakeDirectory, Int32(bitPattern: UInt32(IN_CREATE))) != 0
            lock.withLock { startFailure = started ? nil : inotifytools_error() }
            ready.signal()
            if started { run() }
        }
        ready.wait()
        if let failure = lock.withLock({ startFailure }) { throw SystemError(failure) }
    }

    deinit {
        send(.stop)
    }

    public func watch(session: String, roots: WatchRoots) { send(.watch(session, roots)) }
    public func unwatch(session: String) { send(.unwatch(session)) }

    private func send(_ command: Command) {
        let name = lock.withLock { () -> String in
            commands.append(command)
            wakeCount += 1
            return "\(wakeDirectory)/\(wakeCount)"
        }
        let fd = open(name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd >= 0 { close(fd) }
        unlink(name)
    }

    // MARK: The owner thread

    private var sessions: [String: Watched] = [:]

    private func run() {
        // After an overflow, events may go on being lost while the queue is full: scan again once it is drained.
        var rescanWhenQuiet = false
        while true {
            guard let raw = inotifytools_next_event(rescanWhenQuiet ? 0 : -1) else {
                if rescanWhenQuiet {
                    rescanWhenQuiet = false
                    rescan()
                }
                continue
            }
            // The library hands out a static buffer: copy what is needed before anything else.
            let event = raw.pointee
            let name = event.len > 0 ? String(cString: UnsafeRawPointer(raw).advanced(by: MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)) : ""
            // First the overflow (its watch number is -1, which no folder has).
            if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                rescan()
                rescanWhenQuiet = true
                continue
            }
            if inotifytools_filename_from_wd(event.wd).map({ String(cString: $0).hasPrefix(wakeDirectory) }) == true {
                if !applyCommands() { break }
                continue
            }
            guard let folderPointer = inotifytools_filename_from_wd(event.wd) else { continue }
            var folder = String(cString: folderPointer)
            if folder.hasSuffix("/") { folder.removeLast() }
            handle(folder: folder, name: name, mask: event.mask)
        }
        inotifytools_cleanup()
        continuation.finish()
    }

    /// Applies the queued commands; false once asked to stop.
    private func applyCommands() -> Bool {
        let pending = lock.withLock { () -> [Command] in
            defer { commands.removeAll() }
            return commands
        }
        for command in pending {
            switch command {
            case .watch(let session, let roots):
                sessions[session] = Watched(roots: roots, downloaded: Set(roots.downloads.flatMap(Self.files(in:))))
                addWatches(roots)
            case .unwatch(let session):
                if let watched = sessions.removeValue(forKey: session) { removeWatches(watched.roots) }
            case .stop:
                return false
            }
        }
        return true
    }

    private func addWatches(_ roots: WatchRoots) {
        for root in roots.profiles + roots.downloads {
            if Self.isDirectory(root) {
                _ = inotifytools_watch_recursively(root, Self.mask)
            } else if let ancestor = Self.nearestExistingAncestor(of: root) {
                // Not there yet (a browser never started): its creation is seen from the closest folder that exists.
                _ = inotifytools_watch_file(ancestor, Self.mask)
            }
        }
    }

    private func removeWatches(_ roots: WatchRoots) {
        for root in roots.profiles + roots.downloads {
            for folder in [root] + Self.folders(below: root) {
                _ = inotifytools_remove_watch_by_filename(folder + "/")
                _ = inotifytools_remove_watch_by_filename(folder)
            }
            if let ancestor = Self.nearestExistingAncestor(of: root) { _ = inotifytools_remove_watch_by_filename(ancestor) }
        }
    }

    private func handle(folder: String, name: String, mask: UInt32) {
        let path = name.isEmpty ? folder : folder + "/" + name
        let isDirectory = mask & UInt32(IN_ISDIR) != 0
        for (session, watched) in sessions {
            let inProfiles = watched.roots.profiles.contains { Self.isInside(path, $0) }
            let inDownloads = watched.roots.downloads.contains { Self.isInside(path, $0) }
            if isDirectory {
                // A new profile, a new folder in the downloads, or a folder on the way to a root not created yet.
                if inProfiles || inDownloads {
                    _ = inotifytools_watch_recursively(path, Self.mask)
                    if inDownloads { for file in Self.files(in: path) { countDownload(file, session: session) } }
                } else if (watched.roots.profiles + watched.roots.downloads).contains(where: { Self.isInside($0, path) }) {
                    addWatches(watched.roots)
                }
                continue
            }
            guard mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)) != 0 else { continue }
            if inProfiles && watched.roots.passwordFiles.contains(name) {
                continuation.yield((session, .passwordSaved))
            } else if inDownloads && !Self.temporarySuffixes.contains(where: { name.lowercased().hasSuffix($0) }) {
                countDownload(path, session: session)
            }
        }
    }

    private func countDownload(_ path: String, session: String) {
        guard sessions[session]?.downloaded.insert(path).inserted == true else { return }
        continuation.yield((session, .downloadFinished))
    }

    /// Events were lost (queue overflow): watch every folder again and count the downloads not yet counted.
    private func rescan() {
        for (session, watched) in sessions {
            addWatches(watched.roots)
            for root in watched.roots.downloads {
                for file in Self.files(in: root) where !Self.temporarySuffixes.contains(where: { file.lowercased().hasSuffix($0) }) {
                    countDownload(file, session: session)
                }
            }
        }
    }

    // MARK: Reading the home, without following links

    static func isInside(_ path: String, _ root: String) -> Bool { path == root || path.hasPrefix(root + "/") }

    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    static func nearestExistingAncestor(of path: String) -> String? {
        var current = path.deletingLastPathComponent
        while current.count > 1 {
            if isDirectory(current) { return current }
            current = current.deletingLastPathComponent
        }
        return nil
    }

    /// Regular files below `folder`, walked by descriptor (links are neither followed nor counted).
    static func files(in folder: String) -> [String] { walk(folder).files }
    static func folders(below folder: String) -> [String] { walk(folder).folders }

    private static func walk(_ folder: String) -> (files: [String], folders: [String]) {
        guard let root = try? OpenedRoot(path: folder) else { return ([], []) }
        var files: [String] = [], folders: [String] = []
        var pending = [HomePath()]
        while let current = pending.popLast() {
            guard case .success(let entries) = root.list(current) else { continue }
            for entry in entries {
                let path = current.appending(entry.name)
                let absolute = folder + "/" + path.components.map(\.string).joined(separator: "/")
                switch entry.status.kind {
                case .regular: files.append(absolute)
                case .directory where !root.crossesMount(entry.status):
                    folders.append(absolute)
                    pending.append(path)
                default: break
                }
            }
        }
        return (files, folders)
    }
}
