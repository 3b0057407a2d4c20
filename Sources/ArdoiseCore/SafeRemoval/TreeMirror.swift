import CLinux
import Dispatch
import FoundationEssentials
import Glibc

/// Makes the tree below one opened root (`target`) equal to the tree below another (`reference`), walking both side by side
/// by descriptor with the safe remover's rules: no link ever followed on either side, no mount point crossed, every failure
/// collected. Extra entries go, changed files are rewritten beside the old one and renamed over it, missing ones come back,
/// with their owner, mode and modification time. Links are copied as links; FIFOs, sockets and devices are never copied.
/// Used both ways: capture (target = the baseline copy, reference = the home) and reset (target = the home).
public struct TreeMirror: Sendable {
    public let target: OpenedRoot
    public let reference: OpenedRoot
    /// Files of the target changed after this time (µs, the inode's change time) are compared byte by byte even when
    /// their size and modification time match, since a user can set a modification time back but not a change time.
    public var trustedBefore: Int64
    /// Files this tool itself wrote from the reference (the previous pass of the same reset), trusted while their inode and
    /// change time are the same: the re-scan that proves a reset does not read them again.
    public var written: Set<WrittenFile>
    /// Extra entries of this account (root, in a user's home) are reported and left, not removed.
    public var spared: UInt32?

    public init(target: OpenedRoot, reference: OpenedRoot, trustedBefore: Int64 = 0, written: Set<WrittenFile> = []) {
        self.target = target
        self.reference = reference
        self.trustedBefore = trustedBefore
        self.written = written
    }

    /// One file as written from the reference: its inode, and its change time once in place.
    public struct WrittenFile: Sendable, Hashable {
        var device: UInt64
        var inode: UInt64
        var changeTime: Int64
        init(_ status: EntryStatus) {
            device = status.device
            inode = status.inode
            changeTime = status.changeTime
        }
    }

    public struct Change: Sendable, Equatable {
        public enum Kind: String, Sendable { case removed, restored, created, skipped }
        public var kind: Kind
        public var path: HomePath
        /// What went from the target (removed, or the old version of a restored file).
        public var tally: RemovalTally
    }

    public struct Outcome: Sendable {
        public var changes: [Change] = []
        public var failures: [RemovalFailure] = []
        /// The files written from the reference, for the re-scan.
        public var written: Set<WrittenFile> = []
        public var isIdentical: Bool { changes.allSatisfy { $0.kind == .skipped } && failures.isEmpty }
    }

    public func reconcile(dryRun: Bool = false) -> Outcome {
        let work = FolderQueue(PendingFolder(parent: nil, name: nil, path: HomePath(), have: target.status, want: reference.status))
        let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        // Threads of its own, not libdispatch's pool: that pool's first worker starts a timer that wakes the daemon every second.
        DetachedThread.runConcurrently(workers) { _ in
            while let folder = work.next() {
                var outcome = Outcome()
                var children: [PendingFolder] = []
                if let pair = open(folder, into: &outcome) {
                    children = visit(pair, folder, changing: !dryRun, into: &outcome)
                }
                work.finished(outcome, children: children)
            }
        }
        var outcome = work.outcome
        // Folders are done in any order, one per core: the report is given in path order.
        outcome.changes.sort { $0.path < $1.path }
        return outcome
    }

    /// What `reconcile` would change, touching nothing (the plan, the re-scan that proves a reset, `baseline diff`).
    public func compare() -> Outcome { reconcile(dryRun: true) }

    /// One folder open on both sides; closed once it is done and no subfolder waits to be opened from it.
    private final class FolderPair: Sendable {
        let target: Int32
        let reference: Int32
        init(target: Int32, reference: Int32) {
            self.target = target
            self.reference = reference
        }
        deinit {
            close(target)
            close(reference)
        }
    }

    /// A folder still to do: opened from its parent by name when a core takes it, so waiting folders hold no descriptor.
    private struct PendingFolder: Sendable {
        var parent: FolderPair?
        var name: EntryName?
        var path: HomePath
        /// The target folder as its parent listed it (nil when it was just made).
        var have: EntryStatus?
        var want: EntryStatus
    }

    private func open(_ folder: PendingFolder, into outcome: inout Outcome) -> FolderPair? {
        guard let parent = folder.parent, let name = folder.name else {
            return FolderPair(target: dup(target.descriptor), reference: dup(reference.descriptor))
        }
        let child: Int32
        switch target.openChildDirectory(parent.target, name, at: folder.path) {
        case .success(let opened): child = opened
        case .failure(let obstacle):
            outcome.failures.append(RemovalFailure(location: target.display(folder.path), reason: Self.reason(obstacle)))
            return nil
        }
        switch reference.openChildDirectory(parent.reference, name, at: folder.path) {
        case .success(let source): return FolderPair(target: child, reference: source)
        case .failure(let obstacle):
            close(child)
            outcome.failures.append(RemovalFailure(location: reference.display(folder.path), reason: Self.reason(obstacle)))
            return nil
        }
    }

    /// Why a folder listed a moment ago could not be opened: a system error (out of descriptors, no access) is told as such.
    private static func reason(_ obstacle: OpenedRoot.Obstacle) -> RemovalFailure.Reason {
        switch obstacle {
        case .system(_, let error): .system(error)
        case .mountPoint: .mountPoint
        default: .changedDuringWipe
        }
    }

    /// One folder: extra entries removed, changed files written again, missing ones made, then the folder's own owner, mode
    /// and time (nothing done below it changes them). Returns its subfolders, still to do. `changing: false` only counts.
    private func visit(_ pair: FolderPair, _ folder: PendingFolder, changing: Bool, into outcome: inout Outcome) -> [PendingFolder] {
        let remover = SafeRemover(root: target)
        let options = SafeRemover.Options(dryRun: !changing, spared: spared)
        let here = listing(pair.target)
        let wanted = listing(pair.reference)
        var touched = false
        var children: [PendingFolder] = []
        for name in here.keys where wanted[name].map(Self.isCopyable) != true {
            let path = folder.path.appending(name)
            var removal = RemovalResult()
            remover.removeEntry(name, in: pair.target, at: path, options, into: &removal)
            outcome.changes.append(Change(kind: .removed, path: path, tally: removal.tally))
            outcome.failures += removal.failures
            touched = changing
        }
        for (name, want) in wanted {
            let path = folder.path.appending(name)
            guard Self.isCopyable(want), !reference.crossesMount(want) else {
                outcome.changes.append(Change(kind: .skipped, path: path, tally: RemovalTally(files: 1, bytes: want.size)))
                continue
            }
            var have = here[name]
            if let present = have, present.kind != want.kind {
                // A folder where a file should be (or the reverse): the entry goes, then comes back as it should be.
                var removal = RemovalResult()
                remover.removeEntry(name, in: pair.target, at: path, options, into: &removal)
                outcome.failures += removal.failures
                guard removal.failures.isEmpty else { continue }
                outcome.changes.append(Change(kind: .restored, path: path, tally: removal.tally))
                guard changing else { continue }
                touched = true
                have = nil
            }
            switch want.kind {
            case .directory:
                if let present = have, target.crossesMount(present) {
                    outcome.failures.append(RemovalFailure(location: target.display(path), reason: .mountPoint))
                    continue
                }
                if have == nil {
                    outcome.changes.append(Change(kind: .created, path: path, tally: RemovalTally()))
                    guard changing else { continue }
                    guard name.withCString({ mkdirat(pair.target, $0, 0o700) }) == 0 else {
                        outcome.failures.append(RemovalFailure(location: target.display(path), reason: .system(SystemError(errno))))
                        continue
                    }
                    touched = true
                } else if !Self.sameMetadata(have!, want) {
                    outcome.changes.append(Change(kind: .restored, path: path, tally: RemovalTally()))
                }
                children.append(PendingFolder(parent: pair, name: name, path: path, have: have, want: want))
            case .regular, .symbolicLink:
                if let present = have {
                    if Self.sameMetadata(present, want) && sameContent(name, present, want, pair) {
                        guard want.kind == .regular, !isTrusted(present) else { continue }
                        // Same bytes, other attributes or ACL: those alone are set back, on the file held open.
                        if reconcileAttributes(name, present, pair, at: path, changing: changing, into: &outcome) && changing { touched = true }
                        continue
                    }
                    outcome.changes.append(Change(kind: .restored, path: path, tally: RemovalTally(files: 1, bytes: present.kind == .regular ? present.size : 0)))
                } else {
                    outcome.changes.append(Change(kind: .created, path: path, tally: RemovalTally()))
                }
                guard changing else { continue }
                touched = true
                var unset: [(name: String, error: SystemError)] = []
                switch copy(name, want, from: pair.reference, to: pair.target, attributeFailures: &unset) {
                case .success(let written): if let written { outcome.written.insert(written) }
                case .failure(let error): outcome.failures.append(RemovalFailure(location: target.display(path), reason: .system(error)))
                }
                outcome.failures += attributeFailures(unset, at: path)
            default:
                break
            }
        }
        // A folder's attributes are read every time: its change time moves with every entry made or removed in it.
        let attributes = differingAttributes(pair.target, pair.reference, at: folder.path, tally: RemovalTally(), into: &outcome)
        if changing && (touched || attributes != nil || folder.have.map { !Self.sameFolderMetadata($0, folder.want) } ?? true) {
            applyMetadata(folder.want, to: pair.target)
            if let (have, want) = attributes { outcome.failures += attributeFailures(want.apply(to: pair.target, replacing: have), at: folder.path) }
        }
        return children
    }

    /// Folders waiting to be done, shared by the cores; finished when none is waiting and none is being done.
    private final class FolderQueue: @unchecked Sendable {
        private let condition = Condition()
        private var waiting: [PendingFolder]
        private var busy = 0
        private(set) var outcome = Outcome()

        init(_ root: PendingFolder) { waiting = [root] }

        func next() -> PendingFolder? {
            condition.lock()
            defer { condition.unlock() }
            while waiting.isEmpty && busy > 0 { condition.wait() }
            guard let folder = waiting.popLast() else { return nil }
            busy += 1
            return folder
        }

        func finished(_ part: Outcome, children: [PendingFolder]) {
            condition.lock()
            outcome.changes += part.changes
            outcome.failures += part.failures
            outcome.written.formUnion(part.written)
            waiting += children
            busy -= 1
            condition.broadcast()
            condition.unlock()
        }
    }

    static func isCopyable(_ status: EntryStatus) -> Bool {
        status.kind == .directory || status.kind == .regular || status.kind == .symbolicLink
    }

    static func sameMetadata(_ have: EntryStatus, _ want: EntryStatus) -> Bool {
        guard have.kind == want.kind, have.mode == want.mode, have.owner == want.owner, have.group == want.group else { return false }
        switch want.kind {
        case .regular, .symbolicLink:
            return have.size == want.size && sameModificationTime(have, want)
        default:
            return true
        }
    }

    /// A folder's owner, mode and modification time (which `sameMetadata` leaves out: writing inside a folder changes it).
    static func sameFolderMetadata(_ have: EntryStatus, _ want: EntryStatus) -> Bool {
        sameMetadata(have, want) && sameModificationTime(have, want)
    }

    private static func sameModificationTime(_ have: EntryStatus, _ want: EntryStatus) -> Bool {
        have.modificationTime == want.modificationTime && have.modificationNanoseconds == want.modificationNanoseconds
    }

    /// Same bytes (or same link target). A file untouched since the last reset is trusted on its size and time.
    private func sameContent(_ name: EntryName, _ have: EntryStatus, _ want: EntryStatus, _ pair: FolderPair) -> Bool {
        if want.kind == .symbolicLink {
            return Self.linkTarget(name, in: pair.target) == Self.linkTarget(name, in: pair.reference)
        }
        if isTrusted(have) { return true }
        let left = name.withCString { openat(pair.target, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        let right = name.withCString { openat(pair.reference, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        defer { if left >= 0 { close(left) }; if right >= 0 { close(right) } }
        guard left >= 0, right >= 0, case .success(let opened) = EntryStatus.of(descriptor: left), opened.isSameEntry(as: have), opened.kind == .regular else {
            return false
        }
        var a = [UInt8](repeating: 0, count: 65536)
        var b = [UInt8](repeating: 0, count: 65536)
        while true {
            let countA = a.withUnsafeMutableBytes { read(left, $0.baseAddress, $0.count) }
            guard countA >= 0 else { return false }
            var countB = 0
            while countB < countA {
                let got = b.withUnsafeMutableBytes { read(right, $0.baseAddress! + countB, countA - countB) }
                guard got > 0 else { return false }
                countB += got
            }
            if countA == 0 {
                return b.withUnsafeMutableBytes { read(right, $0.baseAddress, 1) } == 0
            }
            guard a[..<countA] == b[..<countA] else { return false }
        }
    }

    /// Untouched since the last clean reset (its change time, which covers attributes too), or written by this reset.
    private func isTrusted(_ have: EntryStatus) -> Bool {
        have.changeTime < trustedBefore || written.contains(WrittenFile(have))
    }

    /// Opens a regular file of either side for its attributes, only if it is still the entry that was listed.
    private static func openListed(_ name: EntryName, in directory: Int32, _ listed: EntryStatus?) -> Int32? {
        let fd = name.withCString { openat(directory, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        guard case .success(let opened) = EntryStatus.of(descriptor: fd), opened.kind == .regular, listed.map(opened.isSameEntry) ?? true else {
            close(fd)
            return nil
        }
        return fd
    }

    /// The attributes of an entry held open on both sides when they differ (nil when equal); a difference is counted as a
    /// change of `path`, a failure to read them as a failure.
    private func differingAttributes(_ left: Int32, _ right: Int32, at path: HomePath, tally: RemovalTally,
                                     into outcome: inout Outcome) -> (have: ExtendedAttributes, want: ExtendedAttributes)? {
        switch (ExtendedAttributes.of(descriptor: left), ExtendedAttributes.of(descriptor: right)) {
        case (.success(let have), .success(let want)):
            guard have != want else { return nil }
            outcome.changes.append(Change(kind: .restored, path: path, tally: tally))
            return (have, want)
        case (.failure(let error), _), (_, .failure(let error)):
            outcome.failures.append(RemovalFailure(location: target.display(path), reason: .system(error)))
            return nil
        }
    }

    private func attributeFailures(_ failed: [(name: String, error: SystemError)], at path: HomePath) -> [RemovalFailure] {
        failed.map { RemovalFailure(location: target.display(path), reason: .attribute($0.name, $0.error)) }
    }

    /// A file whose bytes are the reference's: its attributes compared, and set back when `changing`, both files opened once.
    /// True when they differed.
    private func reconcileAttributes(_ name: EntryName, _ have: EntryStatus, _ pair: FolderPair, at path: HomePath, changing: Bool,
                                     into outcome: inout Outcome) -> Bool {
        guard let left = Self.openListed(name, in: pair.target, have) else {
            // Swapped since it was listed: it is no longer the file that was compared.
            outcome.changes.append(Change(kind: .restored, path: path, tally: RemovalTally(files: 1)))
            if changing { outcome.failures.append(RemovalFailure(location: target.display(path), reason: .changedDuringWipe)) }
            return true
        }
        defer { close(left) }
        guard let right = Self.openListed(name, in: pair.reference, nil) else {
            outcome.failures.append(RemovalFailure(location: reference.display(path), reason: .system(SystemError(errno == 0 ? EIO : errno))))
            return false
        }
        defer { close(right) }
        guard let (current, wanted) = differingAttributes(left, right, at: path, tally: RemovalTally(files: 1), into: &outcome) else { return false }
        if changing { outcome.failures += attributeFailures(wanted.apply(to: left, replacing: current), at: path) }
        return true
    }

    static func linkTarget(_ name: EntryName, in directory: Int32) -> [UInt8]? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = name.withCString { readlinkat(directory, $0, &buffer, buffer.count - 1) }
        guard count >= 0 else { return nil }
        return buffer[..<count].map { UInt8(bitPattern: $0) }
    }

    /// Writes `want` beside the target entry, then renames it over: a reader never sees half a file. Returns what was written
    /// (nil for a link), for the re-scan.
    private func copy(_ name: EntryName, _ want: EntryStatus, from source: Int32, to destination: Int32,
                      attributeFailures: inout [(name: String, error: SystemError)]) -> Result<WrittenFile?, SystemError> {
        let temporary = EntryName(".ardoise-\(Self.processID)-\(UInt64.random(in: 0...UInt64.max))")!
        var failure: SystemError?
        var output: Int32 = -1
        defer { if output >= 0 { close(output) } }
        if want.kind == .symbolicLink {
            guard let link = Self.linkTarget(name, in: source) else { return .failure(SystemError(errno)) }
            let made = (link.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { target in
                temporary.withCString { symlinkat(target.baseAddress!, destination, $0) }
            }
            guard made == 0 else { return .failure(SystemError(errno)) }
            if Self.isRoot, temporary.withCString({ fchownat(destination, $0, want.owner, want.group, AT_SYMLINK_NOFOLLOW) }) != 0 { failure = SystemError(errno) }
            // A link has no descriptor to set its time on: by name, in the folder held open, never following it.
            var times = Self.times(want)
            if failure == nil, temporary.withCString({ utimensat(destination, $0, &times, AT_SYMLINK_NOFOLLOW) }) != 0 { failure = SystemError(errno) }
        } else {
            let input = name.withCString { openat(source, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
            guard input >= 0 else { return .failure(SystemError(errno)) }
            defer { close(input) }
            guard case .success(let opened) = EntryStatus.of(descriptor: input), opened.kind == .regular else { return .failure(SystemError(EINVAL)) }
            output = temporary.withCString { openat(destination, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600)) }
            guard output >= 0 else { return .failure(SystemError(errno)) }
            failure = Self.copyBytes(from: input, to: output, size: opened.size)
            if failure == nil { applyMetadata(want, to: output) }
            if failure == nil {
                switch ExtendedAttributes.of(descriptor: input) {
                case .success(let attributes) where !attributes.isEmpty:
                    attributeFailures = attributes.apply(to: output, replacing: ExtendedAttributes())
                case .success: break
                case .failure(let error): failure = error
                }
            }
        }
        if failure == nil {
            let renamed = temporary.withCString { from in name.withCString { to in renameat(destination, from, destination, to) } }
            if renamed != 0 { failure = SystemError(errno) }
        }
        if let failure {
            _ = temporary.withCString { unlinkat(destination, $0, 0) }
            return .failure(failure)
        }
        // The inode's change time once renamed: a later write, chmod or rename would change it.
        guard output >= 0, case .success(let placed) = EntryStatus.of(descriptor: output) else { return .success(nil) }
        return .success(WrittenFile(placed))
    }

    /// The bytes of one file into another: in the kernel when the filesystem allows it, else through a buffer.
    static func copyBytes(from input: Int32, to output: Int32, size: UInt64) -> SystemError? {
        var left = size
        while left > 0 {
            let copied = ardoise_copy_file_range(input, output, UInt(min(left, 1 << 30)))
            if copied > 0 { left -= UInt64(copied); continue }
            if copied == 0 { return nil }
            // Another filesystem, or one that cannot copy in the kernel: read and write what is left.
            guard [EXDEV, EINVAL, ENOSYS, EOPNOTSUPP].contains(errno) else { return SystemError(errno) }
            break
        }
        if left == 0 { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { return nil }
            if count < 0 { return SystemError(errno) }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, count - offset) }
                if written <= 0 { return SystemError(errno) }
                offset += written
            }
        }
    }

    private static let processID = getpid()
    private static let isRoot = geteuid() == 0

    /// Owner, mode and modification time, set on an open descriptor (never through a path).
    private func applyMetadata(_ want: EntryStatus, to descriptor: Int32) {
        if Self.isRoot { _ = fchown(descriptor, want.owner, want.group) }
        _ = fchmod(descriptor, mode_t(want.mode))
        var times = Self.times(want)
        _ = futimens(descriptor, &times)
    }

    /// The access time left alone (UTIME_OMIT, (1 << 30) - 2, not imported), the modification time of `want`.
    private static func times(_ want: EntryStatus) -> [timespec] {
        [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), timespec(tv_sec: Int(want.modificationTime), tv_nsec: Int(want.modificationNanoseconds))]
    }

    private func listing(_ directory: Int32) -> [EntryName: EntryStatus] {
        var entries: [EntryName: EntryStatus] = [:]
        _ = DirectoryReader.forEach(in: directory) { name in
            if case .success(let status) = EntryStatus.of(name, in: directory) { entries[name] = status }
        }
        return entries
    }
}
