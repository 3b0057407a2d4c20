import Dispatch
import Foundation
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

    public init(target: OpenedRoot, reference: OpenedRoot, trustedBefore: Int64 = 0) {
        self.target = target
        self.reference = reference
        self.trustedBefore = trustedBefore
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
        public var isIdentical: Bool { changes.allSatisfy { $0.kind == .skipped } && failures.isEmpty }
    }

    private struct Frame: @unchecked Sendable {
        var target: Int32
        var reference: Int32
        var path: HomePath
        var referenceStatus: EntryStatus
        var visited = false
    }

    public func reconcile(dryRun: Bool = false) -> Outcome {
        if dryRun { return compare() }
        var outcome = Outcome()
        let remover = SafeRemover(root: target)
        var stack = [Frame(target: dup(target.descriptor), reference: dup(reference.descriptor), path: HomePath(), referenceStatus: reference.status)]
        defer { for frame in stack { close(frame.target); close(frame.reference) } }
        while let index = stack.indices.last {
            if stack[index].visited {
                let frame = stack.removeLast()
                if !dryRun && frame.target >= 0 { applyMetadata(frame.referenceStatus, to: frame.target) }
                close(frame.target)
                close(frame.reference)
                continue
            }
            stack[index].visited = true
            let frame = stack[index]
            let here = listing(frame.target)
            let wanted = listing(frame.reference)
            for name in here.keys.sorted() where wanted[name] == nil || !Self.isCopyable(wanted[name]!) {
                let path = frame.path.appending(name)
                var removal = RemovalResult()
                remover.removeEntry(name, in: frame.target, at: path, SafeRemover.Options(dryRun: dryRun), into: &removal)
                outcome.changes.append(Change(kind: .removed, path: path, tally: removal.tally))
                outcome.failures += removal.failures
            }
            var rewrites: [(name: EntryName, want: EntryStatus, path: HomePath)] = []
            for (name, want) in wanted.sorted(by: { $0.key < $1.key }) {
                let path = frame.path.appending(name)
                guard Self.isCopyable(want), !reference.crossesMount(want) else {
                    outcome.changes.append(Change(kind: .skipped, path: path, tally: RemovalTally(files: 1, bytes: want.size)))
                    continue
                }
                var have = here[name]
                if let present = have, present.kind != want.kind {
                    // A folder where a file should be (or the reverse): the entry goes, then comes back as it should be.
                    var removal = RemovalResult()
                    remover.removeEntry(name, in: frame.target, at: path, SafeRemover.Options(dryRun: dryRun), into: &removal)
                    outcome.failures += removal.failures
                    guard removal.failures.isEmpty else { continue }
                    outcome.changes.append(Change(kind: .restored, path: path, tally: removal.tally))
                    if dryRun { continue }
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
                        if dryRun { continue }
                        guard name.withCString({ mkdirat(frame.target, $0, 0o700) }) == 0 else {
                            outcome.failures.append(RemovalFailure(location: target.display(path), reason: .system(SystemError(errno))))
                            continue
                        }
                    } else if !Self.sameMetadata(have!, want) {
                        outcome.changes.append(Change(kind: .restored, path: path, tally: RemovalTally()))
                    }
                    if let child = openChild(name, of: frame, at: path, want, into: &outcome) { stack.append(child) }
                case .regular, .symbolicLink:
                    if let present = have {
                        if Self.sameMetadata(present, want) && sameContent(name, present, want, frame) { continue }
                        outcome.changes.append(Change(kind: .restored, path: path, tally: RemovalTally(files: 1, bytes: present.kind == .regular ? present.size : 0)))
                    } else {
                        outcome.changes.append(Change(kind: .created, path: path, tally: RemovalTally()))
                    }
                    if !dryRun { rewrites.append((name, want, path)) }
                default:
                    break
                }
            }
            outcome.failures += rewrite(rewrites, from: frame.reference, to: frame.target)
        }
        return outcome
    }

    /// What `reconcile` would change, touching nothing (the plan, the re-scan that proves a reset, `baseline diff`).
    /// Nothing is written, so the folders are shared out to every core, each read by descriptor with the same rules.
    public func compare() -> Outcome {
        let work = ComparisonQueue(Frame(target: dup(target.descriptor), reference: dup(reference.descriptor), path: HomePath(),
                                         referenceStatus: reference.status))
        let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let frame = work.next() {
                var outcome = Outcome()
                let children = compareFolder(frame, into: &outcome)
                close(frame.target)
                close(frame.reference)
                work.finished(frame, outcome: outcome, children: children)
            }
        }
        var outcome = work.outcome
        // Workers finish in any order: the report is given in path order.
        outcome.changes.sort { $0.path < $1.path }
        return outcome
    }

    /// One folder of `compare`: its changes, and the subfolders still to compare (opened).
    private func compareFolder(_ frame: Frame, into outcome: inout Outcome) -> [Frame] {
        let remover = SafeRemover(root: target)
        let counting = SafeRemover.Options(dryRun: true)
        let here = listing(frame.target)
        let wanted = listing(frame.reference)
        var children: [Frame] = []
        for (name, present) in here where wanted[name] == nil || !Self.isCopyable(wanted[name]!) {
            _ = present
            let path = frame.path.appending(name)
            var removal = RemovalResult()
            remover.removeEntry(name, in: frame.target, at: path, counting, into: &removal)
            outcome.changes.append(Change(kind: .removed, path: path, tally: removal.tally))
            outcome.failures += removal.failures
        }
        for (name, want) in wanted {
            let path = frame.path.appending(name)
            guard Self.isCopyable(want), !reference.crossesMount(want) else {
                outcome.changes.append(Change(kind: .skipped, path: path, tally: RemovalTally(files: 1, bytes: want.size)))
                continue
            }
            guard let have = here[name] else {
                outcome.changes.append(Change(kind: .created, path: path, tally: RemovalTally()))
                continue
            }
            if have.kind != want.kind {
                var removal = RemovalResult()
                remover.removeEntry(name, in: frame.target, at: path, counting, into: &removal)
                outcome.failures += removal.failures
                if removal.failures.isEmpty { outcome.changes.append(Change(kind: .restored, path: path, tally: removal.tally)) }
                continue
            }
            switch want.kind {
            case .directory:
                if target.crossesMount(have) {
                    outcome.failures.append(RemovalFailure(location: target.display(path), reason: .mountPoint))
                    continue
                }
                if !Self.sameMetadata(have, want) { outcome.changes.append(Change(kind: .restored, path: path, tally: RemovalTally())) }
                if let child = openChild(name, of: frame, at: path, want, into: &outcome) { children.append(child) }
            case .regular, .symbolicLink:
                if Self.sameMetadata(have, want) && sameContent(name, have, want, frame) { continue }
                outcome.changes.append(Change(kind: .restored, path: path, tally: RemovalTally(files: 1, bytes: have.kind == .regular ? have.size : 0)))
            default:
                break
            }
        }
        return children
    }

    /// The subfolder `name` on both sides, opened with the remover's rules; nil (and a failure) if either changed under us.
    private func openChild(_ name: EntryName, of frame: Frame, at path: HomePath, _ want: EntryStatus, into outcome: inout Outcome) -> Frame? {
        guard case .success(let child) = target.openChildDirectory(frame.target, name, at: path) else {
            outcome.failures.append(RemovalFailure(location: target.display(path), reason: .changedDuringWipe))
            return nil
        }
        guard case .success(let source) = reference.openChildDirectory(frame.reference, name, at: path) else {
            close(child)
            outcome.failures.append(RemovalFailure(location: reference.display(path), reason: .changedDuringWipe))
            return nil
        }
        return Frame(target: child, reference: source, path: path, referenceStatus: want)
    }

    /// Folders waiting to be compared, shared by the workers; done when none is waiting and none is being compared.
    private final class ComparisonQueue: @unchecked Sendable {
        private let condition = NSCondition()
        private var waiting: [Frame]
        private var busy = 0
        private(set) var outcome = Outcome()

        init(_ root: Frame) { waiting = [root] }

        func next() -> Frame? {
            condition.lock()
            defer { condition.unlock() }
            while waiting.isEmpty && busy > 0 { condition.wait() }
            guard let frame = waiting.popLast() else { return nil }
            busy += 1
            return frame
        }

        func finished(_ frame: Frame, outcome part: Outcome, children: [Frame]) {
            condition.lock()
            outcome.changes += part.changes
            outcome.failures += part.failures
            waiting += children
            busy -= 1
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The files of one folder to write again, on both cores when there are several (each is independent of the others).
    private func rewrite(_ files: [(name: EntryName, want: EntryStatus, path: HomePath)], from source: Int32, to destination: Int32) -> [RemovalFailure] {
        guard files.count > 1 else {
            return files.compactMap { file in
                copy(file.name, file.want, from: source, to: destination).map { RemovalFailure(location: target.display(file.path), reason: .system($0)) }
            }
        }
        let failures = FailureList()
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let file = files[index]
            if let error = copy(file.name, file.want, from: source, to: destination) {
                failures.append(RemovalFailure(location: target.display(file.path), reason: .system(error)))
            }
        }
        return failures.all
    }

    static func isCopyable(_ status: EntryStatus) -> Bool {
        status.kind == .directory || status.kind == .regular || status.kind == .symbolicLink
    }

    static func sameMetadata(_ have: EntryStatus, _ want: EntryStatus) -> Bool {
        guard have.kind == want.kind, have.mode == want.mode, have.owner == want.owner, have.group == want.group else { return false }
        switch want.kind {
        case .regular:
            return have.size == want.size && have.modificationTime == want.modificationTime && have.modificationNanoseconds == want.modificationNanoseconds
        case .symbolicLink:
            return have.size == want.size
        default:
            return true
        }
    }

    /// Same bytes (or same link target). A file untouched since the last reset is trusted on its size and time.
    private func sameContent(_ name: EntryName, _ have: EntryStatus, _ want: EntryStatus, _ frame: Frame) -> Bool {
        if want.kind == .symbolicLink {
            return Self.linkTarget(name, in: frame.target) == Self.linkTarget(name, in: frame.reference)
        }
        if have.changeTime < trustedBefore { return true }
        let left = name.withCString { openat(frame.target, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        let right = name.withCString { openat(frame.reference, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
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

    static func linkTarget(_ name: EntryName, in directory: Int32) -> [UInt8]? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = name.withCString { readlinkat(directory, $0, &buffer, buffer.count - 1) }
        guard count >= 0 else { return nil }
        return buffer[..<count].map { UInt8(bitPattern: $0) }
    }

    /// Writes `want` beside the target entry, then renames it over: a reader never sees half a file.
    private func copy(_ name: EntryName, _ want: EntryStatus, from source: Int32, to destination: Int32) -> SystemError? {
        let temporary = EntryName(".ardoise-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")!
        var failure: SystemError?
        if want.kind == .symbolicLink {
            guard let link = Self.linkTarget(name, in: source) else { return SystemError(errno) }
            let made = (link.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { target in
                temporary.withCString { symlinkat(target.baseAddress!, destination, $0) }
            }
            guard made == 0 else { return SystemError(errno) }
            if geteuid() == 0, temporary.withCString({ fchownat(destination, $0, want.owner, want.group, AT_SYMLINK_NOFOLLOW) }) != 0 { failure = SystemError(errno) }
        } else {
            let input = name.withCString { openat(source, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
            guard input >= 0 else { return SystemError(errno) }
            defer { close(input) }
            guard case .success(let opened) = EntryStatus.of(descriptor: input), opened.kind == .regular else { return SystemError(EINVAL) }
            let output = temporary.withCString { openat(destination, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600)) }
            guard output >= 0 else { return SystemError(errno) }
            var buffer = [UInt8](repeating: 0, count: 65536)
            copying: while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count == 0 { break }
                if count < 0 { failure = SystemError(errno); break }
                var offset = 0
                while offset < count {
                    let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, count - offset) }
                    if written <= 0 { failure = SystemError(errno); break copying }
                    offset += written
                }
            }
            if failure == nil { applyMetadata(want, to: output) }
            close(output)
        }
        if failure == nil {
            let renamed = temporary.withCString { from in name.withCString { to in renameat(destination, from, destination, to) } }
            if renamed != 0 { failure = SystemError(errno) }
        }
        if failure != nil { _ = temporary.withCString { unlinkat(destination, $0, 0) } }
        return failure
    }

    /// Owner, mode and modification time, set on an open descriptor (never through a path).
    private func applyMetadata(_ want: EntryStatus, to descriptor: Int32) {
        if geteuid() == 0 { _ = fchown(descriptor, want.owner, want.group) }
        _ = fchmod(descriptor, mode_t(want.mode))
        // UTIME_OMIT ((1 << 30) - 2, not imported): leave the access time alone.
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), timespec(tv_sec: Int(want.modificationTime), tv_nsec: Int(want.modificationNanoseconds))]
        _ = futimens(descriptor, &times)
    }

    private func listing(_ directory: Int32) -> [EntryName: EntryStatus] {
        var entries: [EntryName: EntryStatus] = [:]
        _ = DirectoryReader.forEach(in: directory) { name in
            if case .success(let status) = EntryStatus.of(name, in: directory) { entries[name] = status }
        }
        return entries
    }
}

/// Failures gathered from several threads.
private final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [RemovalFailure] = []
    func append(_ failure: RemovalFailure) { lock.withLock { failures.append(failure) } }
    var all: [RemovalFailure] { lock.withLock { failures } }
}
