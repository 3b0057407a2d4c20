import FoundationEssentials
import Glibc

/// What a wipe did for one kind of trace.
public struct KindReport: Sendable, Equatable, Codable {
    public var kind: TraceKind
    /// What was there when the wipe started (what a dry run would remove).
    public var found = RemovalTally()
    /// What went.
    public var removed = RemovalTally()
    /// Entries the re-scan still finds.
    public var left = 0
    public var problems: [Problem] = []

    public struct Problem: Sendable, Equatable, Codable {
        public var location: String
        public var code: String
        /// The explanation in each language, keyed by language code (`fr`, `en`).
        public var messages: [String: String]

        public func message(_ language: Language) -> String { messages[language.rawValue] ?? messages["fr"] ?? code }
    }

    public init(kind: TraceKind) { self.kind = kind }
}

/// The outcome of one wipe of one home: plan, removal, re-scan.
public struct WipeReport: Sendable, Equatable, Codable {
    public var home: String
    public var owner: UInt32
    public var dryRun: Bool
    public var startedAt: Date
    public var duration: Double
    public var kinds: [KindReport]
    /// `baseline` (the home returned to its reference) or `catalogue` (only the traces the catalogue names).
    public var mode = "catalogue"
    /// In catalogue mode: what changed since the last wipe outside what the catalogue names.
    public var outside: OutsideCatalogue?

    public var removed: RemovalTally { kinds.reduce(RemovalTally()) { $0 + $1.removed } }
    public var found: RemovalTally { kinds.reduce(RemovalTally()) { $0 + $1.found } }
    public var left: Int { kinds.reduce(0) { $0 + $1.left } }
    public var problemCount: Int { kinds.reduce(0) { $0 + $1.problems.count } }
    /// Nothing of the session is left: never said in catalogue mode while files outside the catalogue changed, or when
    /// nothing is known of the home's earlier state.
    public var isClean: Bool {
        left == 0 && (outside.map { $0.known && $0.total == 0 } ?? true) && refusedPaths == 0 && printJobs?.failure == nil
    }

    /// The account's print jobs purged from CUPS with the wipe (nil: no CUPS here, or not asked).
    public var printJobs: PrintJobsPurged?
    /// The Firefox profiles that ran in the session, and how many had no policies (nil: none installed, or not asked).
    public var firefoxPolicies: FirefoxPolicyProof?

    public struct PrintJobsPurged: Sendable, Equatable, Codable {
        /// How many jobs of the account CUPS had: pending, held and done.
        public var removed: Int
        /// CUPS's reason when it did not purge them all.
        public var failure: String?

        public init(removed: Int, failure: String?) {
            self.removed = removed
            self.failure = failure
        }
    }
    /// Paths read from the session's own files and refused: what they named was not looked at.
    public var refusedPaths: Int { kinds.reduce(0) { $0 + $1.problems.filter { $0.code == "refused-path" }.count } }
}

public enum WipeError: Error, Sendable, Equatable {
    case cannotOpenHome(OpenedRoot.OpenError)
    case cannotOpenBaseline(BaselineError)
}

/// Plan -> remove -> re-scan, for one home, through the safe remover only.
public struct Wipe: Sendable {
    public var home: String
    /// The account the home belongs to: its files in the shared temporary folders go too.
    public var owner: UInt32
    /// The account's name: its crontab and linger flag are named after it.
    public var account: String?
    public var settings: WipeSettings
    public var catalogue: TraceCatalogue
    /// Set to return the home to this account's baseline instead of applying the catalogue.
    public var baseline: (store: BaselineStore, account: String)?
    /// In catalogue mode, where the home's state after the last wipe is kept, to count what changed outside the catalogue.
    public var history: (store: BaselineStore, account: String)?

    public init(home: String, owner: UInt32, account: String? = nil, settings: WipeSettings = WipeSettings(), catalogue: TraceCatalogue = .standard,
                baseline: (store: BaselineStore, account: String)? = nil) {
        self.home = home
        self.owner = owner
        self.account = account
        self.settings = settings
        self.catalogue = catalogue
        self.baseline = baseline
    }

    public func run(dryRun: Bool = false) throws(WipeError) -> WipeReport {
        let started = Date()
        let clock = ContinuousClock.now
        let root: OpenedRoot
        do {
            root = try OpenedRoot(path: home)
        } catch {
            throw .cannotOpenHome(error)
        }
        var kinds: [TraceKind: KindReport] = [:]
        func record(_ kind: TraceKind, _ update: (inout KindReport) -> Void) {
            var report = kinds[kind] ?? KindReport(kind: kind)
            update(&report)
            kinds[kind] = report
        }

        var reference: OpenedRoot?
        if let baseline {
            if !dryRun { baseline.store.removeLeftovers() }
            do {
                guard baseline.store.exists(baseline.account) else { throw BaselineError.missing(baseline.account) }
                let path = try baseline.store.copyPath(baseline.account)
                do { reference = try OpenedRoot(path: path) } catch { throw BaselineError.cannotOpen(path, "\(error)") }
            } catch let error as BaselineError {
                throw .cannotOpenBaseline(error)
            } catch {
                throw .cannotOpenBaseline(.missing(baseline.account))
            }
        }
        let trusted = baseline.map { $0.store.trustedBefore($0.account) } ?? 0
        func pass(dryRun: Bool, isRescan: Bool = false, written: Set<TreeMirror.WrittenFile> = []) -> Pass {
            if let reference {
                var mirror = TreeMirror(target: root, reference: reference, trustedBefore: trusted, written: written)
                mirror.spared = spared(root)
                return baselinePass(mirror, dryRun: dryRun, isRescan: isRescan)
            }
            return cataloguePass(root, dryRun: dryRun, isRescan: isRescan)
        }
        let first = pass(dryRun: dryRun)
        for (kind, outcome) in first.byKind {
            record(kind) { report in
                report.found = outcome.tally
                if !dryRun { report.removed = outcome.tally }
                report.problems += outcome.failures.map(problem)
            }
        }
        if !dryRun {
            let rescan = pass(dryRun: true, isRescan: true, written: first.written)
            for (kind, outcome) in rescan.byKind {
                let left = outcome.tally.files + outcome.tally.directories + outcome.failures.count
                guard left > 0 else { continue }
                record(kind) { report in
                    report.left = left
                    report.found += outcome.tally
                    let known = Set(report.problems.map(\.location))
                    for failure in outcome.failures where !known.contains(failure.location) { report.problems.append(problem(failure)) }
                }
            }
        }
        var outside: OutsideCatalogue?
        if reference == nil, let history {
            // What the catalogue does not name, changed since the last wipe: counted, so the report never says more than it knows.
            let plan = TraceResolver.plan(home: root, catalogue: catalogue, extra: settings.extra)
            let known = plan.targets.map(\.path)
            let now = TreeRecord.of(root)
            let earlier = history.store.lastRecord(history.account, home: root.path)
            outside = OutsideCatalogue(known: earlier != nil, folders: earlier.map { now.changes(since: $0) { path in known.contains { path.hasPrefix($0) } } } ?? [])
            if !dryRun { history.store.saveRecord(now, for: history.account) }
        }
        var report = WipeReport(
            home: home, owner: owner, dryRun: dryRun, startedAt: started,
            duration: (ContinuousClock.now - clock).seconds,
            kinds: kinds.values.sorted { $0.kind < $1.kind }
        )
        report.mode = reference == nil ? "catalogue" : "baseline"
        report.outside = outside
        // Only a clean reset lets the next one trust untouched files on their size and time.
        if let baseline, !dryRun, report.isClean { baseline.store.markReset(baseline.account) }
        return report
    }

    private func problem(_ failure: RemovalFailure) -> KindReport.Problem {
        let code: String
        switch failure.reason {
        case .immutable: code = "immutable"
        case .mountPoint: code = "mount-point"
        case .otherOwner: code = "other-owner"
        case .ownedByRoot: code = "owned-by-root"
        case .symbolicLinkOnTheWay: code = "symbolic-link"
        case .changedDuringWipe: code = "changed-during-wipe"
        case .refusedPath: code = "refused-path"
        case .cannotScrub: code = "cannot-scrub"
        case .attribute: code = "attribute"
        case .system(let error): code = error.symbol
        }
        var messages: [String: String] = [:]
        for language in Language.allCases { messages[language.rawValue] = failure.reasonText(language) }
        return KindReport.Problem(location: failure.location, code: code, messages: messages)
    }

    private struct Pass {
        var byKind: [TraceKind: RemovalResult] = [:]
        /// Files a reset wrote from the baseline: the re-scan does not read them again.
        var written: Set<TreeMirror.WrittenFile> = []
    }

    /// One pass over the home and its baseline side by side; every change is counted under the catalogue's kind of its path.
    private func baselinePass(_ mirror: TreeMirror, dryRun: Bool, isRescan: Bool) -> Pass {
        var outcome = Pass()
        let plan = TraceResolver.plan(home: mirror.target, catalogue: catalogue, extra: settings.extra)
        let mirrored = mirror.reconcile(dryRun: dryRun)
        outcome.written = mirrored.written
        for change in mirrored.changes where change.kind != .skipped {
            // A missing kiosk file put back is no trace of the session, but the re-scan counts it as not yet equal.
            if change.kind == .created && !isRescan { continue }
            let kind = Self.startup.reason(for: change.path) != nil ? .startupPrograms : Self.kind(of: change.path, in: plan)
            var tally = change.tally
            if tally.isEmpty { tally.files = 1 }
            outcome.byKind[kind, default: RemovalResult()].tally += tally
        }
        outcome.byKind[.other, default: RemovalResult()].failures += mirrored.failures
        sweepTemporaryFolders(dryRun: dryRun, into: &outcome)
        return outcome
    }

    static let startup = StartupEntries()

    /// Root's entries are spared in a home that is not root's own.
    func spared(_ root: OpenedRoot) -> UInt32? { settings.spareRootEntries && root.status.owner != 0 ? 0 : nil }

    /// The catalogue's kind for a path: the kind of the entry that holds it, or of the first trace inside it, else `other`.
    static func kind(of path: HomePath, in plan: TracePlan) -> TraceKind {
        // The home folder itself (its mode, owner, attributes) is no trace of one kind.
        if path.isEmpty { return .other }
        var best: PlannedTarget?
        for target in plan.targets where path.hasPrefix(target.path) {
            if best == nil || target.path.components.count > best!.path.components.count { best = target }
        }
        if let best { return best.kind }
        return plan.targets.first { $0.path.hasPrefix(path) }?.kind ?? .other
    }

    /// Outside the home: the account's entries in the shared temporary folders (any depth), its crontab, `at` jobs and linger flag.
    private func sweepTemporaryFolders(dryRun: Bool, into outcome: inout Pass) {
        guard owner != 0 else { return }
        if !settings.excludedKinds.contains(.temporaryFiles) {
            for directory in settings.temporaryDirectories {
                guard let shared = try? OpenedRoot(path: directory) else { continue }
                let sharedOptions = SafeRemover.Options(dryRun: dryRun, owner: owner)
                outcome.byKind[.temporaryFiles, default: RemovalResult()] += SafeRemover(root: shared).removeContents(of: HomePath(), sharedOptions)
            }
        }
        guard !settings.excludedKinds.contains(.scheduledTasks) else { return }
        let folders = settings.scheduledTaskFolders
        var tasks = RemovalResult()
        if let at = try? OpenedRoot(path: folders.atJobs) {
            tasks += SafeRemover(root: at).removeContents(of: HomePath(), .init(dryRun: dryRun, owner: owner))
        }
        if let account, let name = EntryName(account), !name.isDotOrDotDot {
            for folder in [folders.crontabs, folders.linger] {
                guard let root = try? OpenedRoot(path: folder), case .success = root.status(of: HomePath([name])) else { continue }
                tasks += SafeRemover(root: root).remove(HomePath([name]), .init(dryRun: dryRun))
            }
        }
        if !tasks.tally.isEmpty || !tasks.failures.isEmpty { outcome.byKind[.scheduledTasks, default: RemovalResult()] += tasks }
    }

    /// One pass over everything the catalogue finds now; `dryRun` counts without removing (the plan, and the re-scan).
    private func cataloguePass(_ root: OpenedRoot, dryRun: Bool, isRescan: Bool = false) -> Pass {
        var outcome = Pass()
        let remover = SafeRemover(root: root)
        let options = SafeRemover.Options(dryRun: dryRun, keep: settings.keep, spared: spared(root))
        let plan = TraceResolver.plan(home: root, catalogue: catalogue, extra: settings.extra, excluded: settings.excludedKinds)
        // A path refused while planning is reported once, by the first pass; the re-scan does not count it as left.
        if !isRescan {
            for problem in plan.problems {
                outcome.byKind[problem.kind, default: RemovalResult()].failures.append(problem.failure)
            }
        }
        for target in plan.targets where !settings.keep.keeps(target.path) {
            let result: RemovalResult
            switch target.action {
            case .remove: result = remover.remove(target.path, options)
            case .empty: result = remover.removeContents(of: target.path, options)
            case .scrub(let scrubber): result = scrub(target.path, with: scrubber, in: root, remover: remover, options)
            }
            outcome.byKind[target.kind, default: RemovalResult()] += result
        }
        sweepTemporaryFolders(dryRun: dryRun, into: &outcome)
        return outcome
    }

    /// Cleans a file that must stay; a link or a special file found in its place is removed, never followed.
    private func scrub(_ path: HomePath, with scrubber: Scrubber, in root: OpenedRoot, remover: SafeRemover, _ options: SafeRemover.Options) -> RemovalResult {
        var result = removeLeftoverCopies(of: path, in: root, remover: remover, options)
        let location = root.display(path)
        switch root.readFile(path, limit: Scrubber.sizeLimit) {
        case .failure(.unreachable(.missing)):
            return result
        case .failure(.unreachable(.symbolicLink(let at))) where at == path:
            return remover.remove(path, options)
        case .failure(.notARegularFile):
            return remover.remove(path, options)
        case .failure(.unreachable(let obstacle)):
            if let failure = remover.describe(obstacle) { result.failures.append(failure) }
        case .failure(.linkedElsewhere):
            result.failures.append(RemovalFailure(location: location, reason: .cannotScrub(.linkedElsewhere)))
        case .failure(.tooLarge):
            // Too large to be read within the memory budget: the file goes whole (the browser makes a new one), and the report says so.
            result = remover.remove(path, options)
            result.failures.append(RemovalFailure(location: location, reason: .cannotScrub(.tooLarge)))
        case .failure(.system(let error)):
            result.failures.append(RemovalFailure(location: location, reason: .system(error)))
        case .success(let file):
            let cleaned: [UInt8]?
            do {
                cleaned = try scrubber.scrub(file.bytes)
            } catch {
                result.failures.append(RemovalFailure(location: location, reason: .cannotScrub(.unreadable(error.description))))
                return result
            }
            guard let cleaned else { return result }
            if !options.dryRun {
                if case .failure(let problem) = root.replaceFile(path, with: cleaned, like: file.status) {
                    let reason: RemovalFailure.Reason
                    if case .system(let error) = problem { reason = .system(error) } else { reason = .changedDuringWipe }
                    result.failures.append(RemovalFailure(location: location, reason: reason))
                    return result
                }
            }
            result.tally.files += 1
            result.tally.bytes += file.status.size
        }
        return result
    }

    /// The copy a killed wipe left beside a file it was cleaning (`.NAME.ardoise-PID-RANDOM`) holds
    /// what the file held: removed (and, in the proof re-scan, counted as left).
    private func removeLeftoverCopies(of path: HomePath, in root: OpenedRoot, remover: SafeRemover, _ options: SafeRemover.Options) -> RemovalResult {
        var result = RemovalResult()
        guard let name = path.last, case .success(let entries) = root.list(path.parent) else { return result }
        let prefix = "." + name.string + ".ardoise-"
        for entry in entries where entry.name.string.hasPrefix(prefix) {
            let parts = entry.name.string.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            // Whoever made it (this process cleans one file at a time), it is not the file: it goes.
            guard parts.count == 2, Int32(parts[0]) != nil, UInt32(parts[1]) != nil else { continue }
            result += remover.remove(path.parent.appending(entry.name), options)
        }
        return result
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
