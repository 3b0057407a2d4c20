import CLinux
import FoundationEssentials
import Glibc

/// How an account's home is cleaned at each wipe.
public enum WipeMode: String, Sendable, Equatable, CaseIterable {
    /// The baseline when the admin captured one, else the catalogue.
    case auto
    /// Remove what the trace catalogue names.
    case catalogue
    /// Return the home exactly to the admin's sanitized reference copy.
    case baseline
}

public enum BaselineError: Error, Sendable, Equatable {
    case invalidAccountName(String)
    case missing(String)
    case cannotOpen(String, String)
    case captureFailed(String)

    public func message(_ language: Language) -> String {
        let fr = language == .french
        switch self {
        case .invalidAccountName(let name): return fr ? "Nom de compte refusé : « \(name) »." : "Account name refused: \"\(name)\"."
        case .missing(let name):
            return fr ? "Aucune référence enregistrée pour « \(name) » : lancez « ardoise baseline capture --user \(name) »."
                      : "No baseline for \"\(name)\": run \"ardoise baseline capture --user \(name)\"."
        case .cannotOpen(let path, let why): return fr ? "Impossible d'ouvrir \(path) : \(why)" : "Cannot open \(path): \(why)"
        case .captureFailed(let why): return fr ? "La capture a échoué : \(why)" : "The capture failed: \(why)"
        }
    }
}

/// The admin's reference copies of kiosk homes, under `<state>/baseline/` (root only).
public struct BaselineStore: Sendable {
    public let stateDirectory: String

    public init(stateDirectory: String) { self.stateDirectory = stateDirectory }

    public var folder: String { stateDirectory + "/baseline" }

    static func checked(_ account: String) throws(BaselineError) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !account.isEmpty, !account.hasPrefix("."), account.allSatisfy({ allowed.contains($0) }) else { throw .invalidAccountName(account) }
        return account
    }

    public func copyPath(_ account: String) throws(BaselineError) -> String { folder + "/" + (try Self.checked(account)) }
    func stampPath(_ account: String) throws(BaselineError) -> String { folder + "/" + (try Self.checked(account)) + ".reset" }

    public func exists(_ account: String) -> Bool {
        guard let path = try? copyPath(account) else { return false }
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & 0o170000 == 0o040000
    }

    /// Changes made to the home after this time are checked byte by byte (0 when unknown: check everything that could differ).
    public func trustedBefore(_ account: String) -> Int64 {
        guard let path = try? stampPath(account), let data = FileManager.default.contents(atPath: path) else { return 0 }
        return Int64(String(decoding: data, as: UTF8.self).trimming(.whitespacesAndNewlines)) ?? 0
    }

    func markReset(_ account: String, at time: Int64 = JournalClock.now()) {
        guard let path = try? stampPath(account) else { return }
        // Filesystems stamp inodes with a coarse clock that can lag a few milliseconds: keep a margin.
        let time = time - 2_000_000
        _ = FileManager.default.createFile(atPath: path, contents: Data("\(time)\n".utf8), attributes: [.posixPermissions: 0o600])
    }

    public struct CaptureReport: Sendable {
        /// What the catalogue removed from the copy (a cookie, a history entry the admin left while preparing).
        public var leftOut: WipeReport
        /// FIFOs, sockets, devices and mount points: never copied.
        public var skipped: [HomePath]
        /// Files and bytes kept, per top folder of the home.
        public var kept: [(folder: String, tally: RemovalTally)]
        /// What in the reference runs something at every login: every visitor gets it.
        public var startup: [StartupEntries.Entry]

        /// Counts only: top folders by name when the catalogue knows the name, the rest together.
        public var journalDetail: [String: DetailValue] {
            let total = kept.reduce(RemovalTally()) { $0 + $1.tally }
            var folders: [String: RemovalTally] = [:]
            for (folder, tally) in kept { folders[Self.knownFolders.contains(folder) ? folder : "other", default: RemovalTally()] += tally }
            var reasons: [String: Int64] = [:]
            for entry in startup { reasons[entry.reason.rawValue, default: 0] += 1 }
            return ["files": .int(Int64(total.files)), "bytes": .int(Int64(total.bytes)), "directories": .int(Int64(total.directories)),
                    "left_out": .int(Int64(leftOut.removed.files + leftOut.removed.directories)),
                    "folders": .object(folders.mapValues { .object(["files": .int(Int64($0.files)), "bytes": .int(Int64($0.bytes))]) }),
                    "startup_entries": .int(Int64(startup.count)), "startup": .object(reasons.mapValues { .int($0) })]
        }

        static let knownFolders: Set<String> = Set([".mozilla", ".config", ".local", ".cache", ".var", "snap", ".pki", ".ssh", ".gnupg",
                                                    ".thunderbird", ".bashrc", ".profile", ".bash_logout"]
            + TraceCatalogue.standard.userFolders.flatMap(\.usualNames))
    }

    /// Copies the home to `<state>/baseline/NAME`, then applies the trace catalogue to the copy (the user folders excepted:
    /// the admin prepares them), and replaces the previous baseline only once the new one is complete.
    public func capture(account: String, home: String, owner: UInt32, settings: WipeSettings, skeleton: String = "/etc/skel") throws(BaselineError) -> CaptureReport {
        let final = try copyPath(account)
        if mkdir(stateDirectory, 0o700) != 0 && errno != EEXIST { throw .cannotOpen(stateDirectory, String(cString: strerror(errno))) }
        if mkdir(folder, 0o700) != 0 && errno != EEXIST { throw .cannotOpen(folder, String(cString: strerror(errno))) }
        chmod(folder, 0o700)
        let store = try open(folder)
        removeLeftovers(in: store)
        let fresh = "\(account).new-\(getpid())"
        _ = SafeRemover(root: store).remove(HomePath(fresh)!)
        guard mkdir(folder + "/" + fresh, 0o700) == 0 else { throw .cannotOpen(folder + "/" + fresh, String(cString: strerror(errno))) }
        let source = try open(home)
        let copy = try open(folder + "/" + fresh)
        let copied = TreeMirror(target: copy, reference: source).reconcile()
        guard copied.failures.isEmpty else {
            _ = SafeRemover(root: store).remove(HomePath(fresh)!)
            let shown = copied.failures.prefix(5).map(\.description).joined(separator: "; ")
            throw .captureFailed(copied.failures.count > 5 ? shown + "; … (\(copied.failures.count))" : shown)
        }
        var sanitizing = settings
        sanitizing.temporaryDirectories = []
        sanitizing.excludedKinds.formUnion([.userFiles, .scheduledTasks])
        // Firefox's bookmarks live with its history: the history goes from the copy, the administrator's bookmarks stay.
        var scrubbed: [String] = []
        for target in TraceResolver.plan(home: copy, catalogue: .standard).targets
        where target.kind == .history && target.path.last?.string == "places.sqlite" {
            let file = copy.path + "/" + String(decoding: target.path.bytes, as: UTF8.self)
            var info = stat()
            guard lstat(file, &info) == 0, info.st_mode & 0o170000 == 0o100000, (try? PlacesHistory.scrub(file)) != nil else { continue }
            // The cleaned file keeps the time of the one it comes from: two captures of one home give the same reference.
            var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), info.st_mtim]
            utimensat(AT_FDCWD, file, &times, AT_SYMLINK_NOFOLLOW)
            scrubbed.append(KeepList.literal(target.path))
        }
        sanitizing.keep = KeepList(sanitizing.keep.patterns + scrubbed)
        let leftOut: WipeReport
        do {
            leftOut = try Wipe(home: copy.path, owner: owner, settings: sanitizing).run()
        } catch {
            throw .captureFailed("\(error)")
        }
        // The new reference takes the old one's place in one step; a kill at any instant leaves one of them whole at `final`
        // (the other, under a `.new-PID` name, is removed by the next run).
        if exists(account) {
            guard ardoise_rename_exchange(store.descriptor, fresh, store.descriptor, account) == 0 else {
                throw .captureFailed(String(cString: strerror(errno)))
            }
            _ = SafeRemover(root: store).remove(HomePath(fresh)!)
        } else {
            _ = SafeRemover(root: store).remove(HomePath(account)!)
            guard rename(folder + "/" + fresh, final) == 0 else { throw .captureFailed(String(cString: strerror(errno))) }
        }
        markReset(account)
        let captured = try open(final)
        var kept: [(folder: String, tally: RemovalTally)] = []
        if case .success(let entries) = captured.list(HomePath()) {
            for entry in entries {
                let tally = SafeRemover(root: captured).remove(HomePath([entry.name]), .init(dryRun: true)).tally
                kept.append((entry.name.string, tally))
            }
        }
        return CaptureReport(leftOut: leftOut, skipped: copied.changes.filter { $0.kind == .skipped }.map(\.path), kept: kept,
                             startup: StartupEntries().find(in: captured, skeleton: skeleton))
    }

    /// Copies a killed capture left, at the start of a reset or a capture.
    public func removeLeftovers() {
        guard let store = try? OpenedRoot(path: folder) else { return }
        removeLeftovers(in: store)
    }

    /// Copies a killed capture left (`NAME.new-PID` whose process is gone): never a reference, removed.
    func removeLeftovers(in store: OpenedRoot) {
        guard case .success(let entries) = store.list(HomePath()) else { return }
        for entry in entries {
            let name = entry.name.string
            guard let range = name.ranges(of: ".new-").last, let pid = Int32(name[range.upperBound...]) else { continue }
            // Another capture under way (the service and a command at once) keeps its copy.
            if pid != getpid() && kill(pid, 0) == 0 { continue }
            _ = SafeRemover(root: store).remove(HomePath([entry.name]))
        }
    }

    /// What the home now differs from its baseline (nothing is touched).
    public func differences(account: String, home: String) throws(BaselineError) -> TreeMirror.Outcome {
        guard exists(account) else { throw .missing(account) }
        let mirror = TreeMirror(target: try open(home), reference: try open(try copyPath(account)), trustedBefore: trustedBefore(account))
        return mirror.reconcile(dryRun: true)
    }

    private func open(_ path: String) throws(BaselineError) -> OpenedRoot {
        do {
            return try OpenedRoot(path: path)
        } catch {
            throw .cannotOpen(path, "\(error)")
        }
    }
}
