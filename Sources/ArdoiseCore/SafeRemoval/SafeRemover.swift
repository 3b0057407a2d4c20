import Glibc

/// How much a removal found (and, unless it was a dry run, removed).
public struct RemovalTally: Sendable, Equatable, Codable {
    public var files = 0
    public var bytes: UInt64 = 0
    public var directories = 0

    public init(files: Int = 0, bytes: UInt64 = 0, directories: Int = 0) {
        self.files = files
        self.bytes = bytes
        self.directories = directories
    }

    public static func + (lhs: RemovalTally, rhs: RemovalTally) -> RemovalTally {
        RemovalTally(files: lhs.files + rhs.files, bytes: lhs.bytes + rhs.bytes, directories: lhs.directories + rhs.directories)
    }

    public static func += (lhs: inout RemovalTally, rhs: RemovalTally) { lhs = lhs + rhs }
    public var isEmpty: Bool { files == 0 && directories == 0 }
}

/// One entry that could not be removed, and why.
public struct RemovalFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// `chattr +i` or `+a` on the entry or on its folder.
        case immutable
        /// Another filesystem (or a bind mount) is mounted here: never crossed.
        case mountPoint
        /// In a shared folder (`/tmp`), the entry belongs to another account.
        case otherOwner(UInt32)
        /// In a user's home, an entry of root's: no visitor can make one, so it is the administrator's, reported and left.
        case ownedByRoot
        /// A step of the path is a symbolic link: never followed.
        case symbolicLinkOnTheWay
        /// The entry was replaced while the wipe ran.
        case changedDuringWipe
        /// A path read from a file of the user is refused (it leaves the home, is relative, or names a hidden folder).
        case refusedPath(setting: String, Refusal)
        /// A file that must stay could not be cleaned.
        case cannotScrub(ScrubProblem)
        /// An extended attribute or ACL of the reference that could not be given back (or an extra one not taken off).
        case attribute(String, SystemError)
        case system(SystemError)
    }

    public enum Refusal: String, Sendable, Equatable {
        case leavesHome, relative, hidden
    }

    public enum ScrubProblem: Sendable, Equatable {
        /// Hard-linked elsewhere: rewriting it could alter or leak a file outside the home.
        case linkedElsewhere
        case tooLarge
        /// Not in the format the program writes (the parser's words).
        case unreadable(String)
    }

    public var location: String
    public var reason: Reason

    public init(location: String, reason: Reason) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(location): \(reasonText(.english))" }

    public func reasonText(_ language: Language) -> String {
        let fr = language == .french
        switch reason {
        case .immutable:
            return fr ? "fichier rendu non modifiable (chattr +i/+a)" : "made unchangeable (chattr +i/+a)"
        case .mountPoint:
            return fr ? "un autre système de fichiers est monté ici : pas traversé" : "another filesystem is mounted here: not crossed"
        case .otherOwner(let uid):
            return fr ? "appartient à un autre compte (uid \(uid))" : "belongs to another account (uid \(uid))"
        case .ownedByRoot:
            return fr ? "appartient à root (un visiteur ne peut pas le créer) : laissé en place, à vérifier par l'administrateur"
                      : "owned by root (no visitor can make it): left in place, for the administrator to check"
        case .symbolicLinkOnTheWay:
            return fr ? "le chemin passe par un lien symbolique : pas suivi" : "the path goes through a symbolic link: not followed"
        case .changedDuringWipe:
            return fr ? "remplacé pendant l'effacement" : "replaced while the wipe ran"
        case .refusedPath(let raw, let refusal):
            // The setting quotes a value of the user's own file: shown escaped and cut.
            let setting = DisplayText.escaped(raw)
            switch refusal {
            case .leavesHome: return fr ? "\(setting) sort du dossier personnel : refusé" : "\(setting) leaves the home: refused"
            case .relative: return fr ? "\(setting) n'est pas un chemin absolu ni relatif à $HOME : refusé" : "\(setting) is neither absolute nor relative to $HOME: refused"
            case .hidden: return fr ? "\(setting) désigne un dossier caché ou le dossier personnel lui-même : refusé" : "\(setting) names a hidden folder or the home itself: refused"
            }
        case .cannotScrub(.linkedElsewhere):
            return fr ? "fichier lié ailleurs (lien physique) : pas réécrit" : "hard-linked elsewhere: not rewritten"
        case .cannotScrub(.tooLarge):
            return fr ? "fichier trop gros pour être nettoyé : supprimé en entier" : "file too large to be cleaned: removed whole"
        case .cannotScrub(.unreadable(let detail)):
            return fr ? "fichier illisible, pas nettoyé (\(detail))" : "unreadable file, not cleaned (\(detail))"
        case .attribute(let name, let error):
            return (fr ? "attribut étendu \(DisplayText.escaped(name)) impossible à rétablir" : "extended attribute \(DisplayText.escaped(name)) cannot be restored")
                + " (\(error.symbol): \(error))"
        case .system(let error):
            return "\(error.symbol): \(error)"
        }
    }
}

/// What one removal did.
public struct RemovalResult: Sendable, Equatable {
    public var tally = RemovalTally()
    /// Entries left on purpose (the keep list, another account's files in a shared folder).
    public var kept = 0
    public var failures: [RemovalFailure] = []

    public init() {}

    public static func += (lhs: inout RemovalResult, rhs: RemovalResult) {
        lhs.tally += rhs.tally
        lhs.kept += rhs.kept
        lhs.failures += rhs.failures
    }
}

/// Names an admin wants kept in the folders that are emptied (desktop launchers...): shell patterns on paths below the root.
public struct KeepList: Sendable, Equatable {
    public var patterns: [String]
    public init(_ patterns: [String] = []) { self.patterns = patterns }
    public var isEmpty: Bool { patterns.isEmpty }

    /// Only a regular file is kept (a folder `stash.desktop/` is not a launcher), and a `.desktop` name only when the file
    /// is a desktop entry (a data file named `notes.desktop` is not one either).
    static func isKeepable(_ name: EntryName, _ status: EntryStatus, in directory: Int32) -> Bool {
        guard status.kind == .regular else { return false }
        guard name.string.hasSuffix(".desktop") else { return true }
        let fd = name.withCString { openat(directory, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return false }
        // The first line that is neither blank nor a comment is the group header.
        for line in buffer[..<count].split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self).trimming(.whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            return text == "[Desktop Entry]"
        }
        return false
    }

    /// A pattern that matches exactly this path (its `*`, `?`, `[` and `\\` escaped).
    static func literal(_ path: HomePath) -> String {
        var pattern = ""
        for character in String(decoding: path.bytes, as: UTF8.self) {
            if "*?[\\".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern
    }

    public func keeps(_ path: HomePath) -> Bool {
        guard !patterns.isEmpty else { return false }
        let text = path.bytes.map { CChar(bitPattern: $0) } + [0]
        return patterns.contains { pattern in
            text.withUnsafeBufferPointer { fnmatch(pattern, $0.baseAddress!, FNM_PATHNAME | FNM_PERIOD) == 0 }
        }
    }
}

/// Removes trees below an opened root the way a root process must: by directory descriptor
/// (`openat`/`statx`/`unlinkat`), never following a symbolic link, never crossing a mount point,
/// with an explicit stack and a bounded number of open descriptors, collecting every failure and going on.
public struct SafeRemover: Sendable {
    public let root: OpenedRoot
    /// Descriptors kept open along the current branch; deeper folders are left and found again through `..`.
    public var heldDescriptors = 48

    public init(root: OpenedRoot) { self.root = root }

    public struct Options: Sendable {
        /// Count only: remove nothing.
        public var dryRun = false
        public var keep = KeepList()
        /// Only entries of this account are touched (shared folders such as `/tmp`).
        public var owner: UInt32?
        /// Entries of this account (root, in a user's home) are reported and left, at any depth.
        public var spared: UInt32?
        /// Told of every entry the walk meets (a dry run that records a tree), by descriptor, with bounded descriptors.
        public var observe: (@Sendable (HomePath, EntryStatus) -> Void)?
        public init(dryRun: Bool = false, keep: KeepList = KeepList(), owner: UInt32? = nil, spared: UInt32? = nil,
                    observe: (@Sendable (HomePath, EntryStatus) -> Void)? = nil) {
            self.dryRun = dryRun
            self.keep = keep
            self.owner = owner
            self.spared = spared
            self.observe = observe
        }
    }

    /// Removes the entry at `path` (a file, a link, or a whole folder).
    public func remove(_ path: HomePath, _ options: Options = Options()) -> RemovalResult {
        guard let name = path.last else { return removeContents(of: path, options) }
        var result = RemovalResult()
        guard let parent = openParent(of: path, into: &result) else { return result }
        defer { close(parent) }
        removeEntry(name, in: parent, at: path, options, into: &result)
        return result
    }

    /// Removes everything inside the folder at `path`, keeping the folder. A link found there instead is removed.
    public func removeContents(of path: HomePath, _ options: Options = Options()) -> RemovalResult {
        var result = RemovalResult()
        if let name = path.last {
            guard let parent = openParent(of: path, into: &result) else { return result }
            defer { close(parent) }
            let status: EntryStatus
            switch EntryStatus.of(name, in: parent) {
            case .success(let found): status = found
            case .failure(let error):
                if error.code != ENOENT { result.failures.append(failure(path, .system(error))) }
                return result
            }
            guard status.kind == .directory else {
                // A link or a file where a folder is expected: the entry itself goes, its target is never touched.
                removeEntry(name, in: parent, at: path, options, into: &result)
                return result
            }
            walk(from: parent, name: name, status: status, path: path, removeSelf: false, options, into: &result)
        } else {
            let parent = dup(root.descriptor)
            defer { close(parent) }
            walk(from: parent, name: nil, status: root.status, path: path, removeSelf: false, options, into: &result)
        }
        return result
    }

    private func openParent(of path: HomePath, into result: inout RemovalResult) -> Int32? {
        switch root.openDirectory(path.parent) {
        case .success(let fd): return fd
        case .failure(let obstacle):
            if let reported = describe(obstacle) { result.failures.append(reported) }
            return nil
        }
    }

    func describe(_ obstacle: OpenedRoot.Obstacle) -> RemovalFailure? {
        switch obstacle {
        case .missing: nil
        case .symbolicLink(let at): failure(at, .symbolicLinkOnTheWay)
        case .notADirectory: nil
        case .mountPoint(let at): failure(at, .mountPoint)
        case .changed(let at): failure(at, .changedDuringWipe)
        case .system(let at, let error): failure(at, .system(error))
        }
    }

    private func failure(_ path: HomePath, _ reason: RemovalFailure.Reason) -> RemovalFailure {
        RemovalFailure(location: root.display(path), reason: reason)
    }

    /// One entry of `directory`: a file or link is unlinked, a folder is walked.
    func removeEntry(_ name: EntryName, in directory: Int32, at path: HomePath, _ options: Options, into result: inout RemovalResult) {
        let status: EntryStatus
        switch EntryStatus.of(name, in: directory) {
        case .success(let found): status = found
        case .failure(let error):
            if error.code != ENOENT { result.failures.append(failure(path, .system(error))) }
            return
        }
        if let spared = options.spared, status.owner == spared {
            result.failures.append(failure(path, .ownedByRoot))
            return
        }
        if status.kind == .directory {
            walk(from: directory, name: name, status: status, path: path, removeSelf: true, options, into: &result)
        } else {
            _ = unlinkFile(name, status, in: directory, parentStatus: nil, at: path, options, into: &result)
        }
    }

    /// Unlinks a non-folder entry; `false` when it stays.
    private func unlinkFile(_ name: EntryName, _ status: EntryStatus, in directory: Int32, parentStatus: EntryStatus?, at path: HomePath, _ options: Options, into result: inout RemovalResult) -> Bool {
        if !options.dryRun {
            guard name.withCString({ unlinkat(directory, $0, 0) }) == 0 else {
                let code = errno
                if code == ENOENT { return true }
                let immutable = (code == EPERM || code == EACCES)
                    && (status.isImmutable || status.isAppendOnly || parentStatus?.isImmutable == true || parentStatus?.isAppendOnly == true)
                result.failures.append(failure(path, immutable ? .immutable : .system(SystemError(code))))
                return false
            }
        }
        result.tally.files += 1
        result.tally.bytes += status.kind == .regular ? status.size : 0
        return true
    }

    private struct Frame {
        var descriptor: Int32
        let status: EntryStatus
        let name: EntryName?
        let path: HomePath
        let removeSelf: Bool
        /// In a shared folder, a folder of another account (or the shared folder itself): searched for the account's
        /// entries at any depth, never removed, its other entries not ours to report.
        var foreign = false
        var pending: [(EntryName, EntryStatus, foreign: Bool)] = []
        /// Something stays inside (kept, or failed): the folder itself cannot go.
        var holdsSomething = false
    }

    /// Walks the folder `name` of `base` depth first with an explicit stack.
    private func walk(from base: Int32, name: EntryName?, status: EntryStatus, path: HomePath, removeSelf: Bool, _ options: Options, into result: inout RemovalResult) {
        if root.crossesMount(status) {
            result.failures.append(failure(path, .mountPoint))
            return
        }
        var stack: [Frame] = []
        defer { for frame in stack where frame.descriptor >= 0 { close(frame.descriptor) } }

        let first: Int32
        if let name {
            switch root.openChildDirectory(base, name, at: path) {
            case .success(let fd): first = fd
            case .failure(.missing): return
            case .failure(.symbolicLink), .failure(.notADirectory):
                // Swapped for a link or a file since it was seen: remove that entry, never what it points to.
                removeEntry(name, in: base, at: path, options, into: &result)
                return
            case .failure(let obstacle):
                if let reported = describe(obstacle) { result.failures.append(reported) }
                return
            }
        } else {
            first = dup(base)
        }
        stack.append(Frame(descriptor: first, status: status, name: name, path: path, removeSelf: removeSelf,
                           foreign: options.owner != nil && !removeSelf))
        readEntries(of: &stack[stack.count - 1], depth: 0, options, into: &result)

        while !stack.isEmpty {
            let top = stack.count - 1
            if let (childName, childStatus, childForeign) = stack[top].pending.popLast() {
                let childPath = stack[top].path.appending(childName)
                switch root.openChildDirectory(stack[top].descriptor, childName, at: childPath) {
                case .success(let fd):
                    guard case .success(let opened) = EntryStatus.of(descriptor: fd), opened.isSameEntry(as: childStatus) else {
                        close(fd)
                        result.failures.append(failure(childPath, .changedDuringWipe))
                        stack[top].holdsSomething = true
                        continue
                    }
                    if stack.count > heldDescriptors {
                        let released = stack.count - heldDescriptors - 1
                        if stack[released].descriptor >= 0 {
                            close(stack[released].descriptor)
                            stack[released].descriptor = -1
                        }
                    }
                    stack.append(Frame(descriptor: fd, status: childStatus, name: childName, path: childPath, removeSelf: !childForeign, foreign: childForeign))
                    readEntries(of: &stack[stack.count - 1], depth: stack.count - 1, options, into: &result)
                case .failure(.missing):
                    continue
                case .failure(.symbolicLink), .failure(.notADirectory):
                    // Swapped for a link while the wipe ran: the link goes, its target is never touched.
                    let parent = stack[top]
                    switch EntryStatus.of(childName, in: parent.descriptor) {
                    case .success(let now) where now.kind != .directory && options.owner.map({ $0 != now.owner }) == true:
                        break
                    case .success(let now) where now.kind != .directory:
                        if !unlinkFile(childName, now, in: parent.descriptor, parentStatus: parent.status, at: childPath, options, into: &result) {
                            stack[top].holdsSomething = true
                        }
                    case .success:
                        stack[top].pending.append((childName, childStatus, childForeign))
                    case .failure:
                        break
                    }
                case .failure(let obstacle):
                    // Another account's folder that cannot be searched holds nothing of this account we could know of.
                    if !childForeign, let reported = describe(obstacle) { result.failures.append(reported) }
                    stack[top].holdsSomething = true
                }
                continue
            }

            // Every child handled: leave the folder and remove it from its parent.
            let done = stack.removeLast()
            let parentDescriptor: Int32
            if let parentIndex = stack.indices.last {
                if stack[parentIndex].descriptor < 0 {
                    guard let reopened = reopenParent(from: done.descriptor, expecting: stack[parentIndex].status) else {
                        close(done.descriptor)
                        result.failures.append(failure(stack[parentIndex].path, .changedDuringWipe))
                        return
                    }
                    stack[parentIndex].descriptor = reopened
                }
                parentDescriptor = stack[parentIndex].descriptor
            } else {
                parentDescriptor = base
            }
            close(done.descriptor)
            guard done.removeSelf, let doneName = done.name else { continue }
            if done.holdsSomething {
                if let parentIndex = stack.indices.last { stack[parentIndex].holdsSomething = true }
                continue
            }
            if !options.dryRun, doneName.withCString({ unlinkat(parentDescriptor, $0, AT_REMOVEDIR) }) != 0 {
                let code = errno
                if code != ENOENT {
                    let parentStatus = stack.last?.status
                    let immutable = (code == EPERM || code == EACCES) && (done.status.isImmutable || parentStatus?.isImmutable == true || parentStatus?.isAppendOnly == true)
                    result.failures.append(failure(done.path, immutable ? .immutable : .system(SystemError(code))))
                    if let parentIndex = stack.indices.last { stack[parentIndex].holdsSomething = true }
                }
                continue
            }
            result.tally.directories += 1
        }
    }

    /// Finds a released parent again through `..`, and only if it is still the same folder.
    private func reopenParent(from child: Int32, expecting status: EntryStatus) -> Int32? {
        let fd = openat(child, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard case .success(let found) = EntryStatus.of(descriptor: fd), found.isSameEntry(as: status) else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Reads a folder once: files and links are unlinked on the spot, sub-folders are queued.
    private func readEntries(of frame: inout Frame, depth: Int, _ options: Options, into result: inout RemovalResult) {
        let directory = frame.descriptor
        let frameStatus = frame.status
        let framePath = frame.path
        let isForeign = frame.foreign
        var holds = false
        var pending: [(EntryName, EntryStatus, foreign: Bool)] = []
        let outcome = DirectoryReader.forEach(in: directory) { name in
            let path = framePath.appending(name)
            let status: EntryStatus
            switch EntryStatus.of(name, in: directory) {
            case .success(let found): status = found
            case .failure(let error):
                if error.code != ENOENT {
                    result.failures.append(failure(path, .system(error)))
                    holds = true
                }
                return
            }
            if options.keep.keeps(path), KeepList.isKeepable(name, status, in: directory) {
                result.kept += 1
                holds = true
                return
            }
            options.observe?(path, status)
            if let spared = options.spared, status.owner == spared {
                result.failures.append(failure(path, .ownedByRoot))
                holds = true
                return
            }
            var foreignFolder = false
            if let owner = options.owner, status.owner != owner {
                // In a shared folder, other accounts' entries are not ours; their folders are searched for ours (any depth:
                // a file of the account inside root's /tmp/.X11-unix), never removed.
                guard isForeign else {
                    result.failures.append(failure(path, .otherOwner(status.owner)))
                    holds = true
                    return
                }
                guard status.kind == .directory, !root.crossesMount(status) else { return }
                foreignFolder = true
            }
            if status.kind == .directory {
                if root.crossesMount(status) {
                    result.failures.append(failure(path, .mountPoint))
                    holds = true
                } else {
                    pending.append((name, status, foreignFolder))
                }
            } else if !unlinkFile(name, status, in: directory, parentStatus: frameStatus, at: path, options, into: &result) {
                holds = true
            }
        }
        if case .failure(let error) = outcome {
            result.failures.append(failure(framePath, .system(error)))
            holds = true
        }
        frame.holdsSomething = frame.holdsSomething || holds
        frame.pending = pending.reversed()
    }
}
