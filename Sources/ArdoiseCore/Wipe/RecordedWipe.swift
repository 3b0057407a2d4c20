import FoundationEssentials
import Glibc

/// One wipe of one home, chosen per the configuration (catalogue or baseline) and written to the access journal:
/// `wipe-started`, then `wipe-finished` (counts per kind, never a path) or `wipe-failed`.
/// The one way the command line, the session-end hook and the daemon wipe a home.
public struct RecordedWipe: Sendable {
    public var home: String
    public var owner: UInt32
    public var account: String?
    public var settings: WipeSettings
    public var stateDirectory: String
    /// Why: `manual`, `logout`, `session-end-hook`, `pending`, `boot-sweep`.
    public var trigger: String
    public var actor: Actor?
    public var session: String?
    public var seat: String?
    /// A kiosk account with no reference gets one captured before this wipe (at the service's start, `wipe --user`).
    public var captureIfMissing = false
    /// The account's print jobs, purged with the wipe (CUPS, given by the caller); nil when there is no CUPS.
    public var purgePrintJobs: (@Sendable (String) -> WipeReport.PrintJobsPurged?)?
    /// Whether a Firefox policy file is installed (given by the caller): then every Firefox profile that ran is checked.
    public var firefoxPoliciesInstalled: (@Sendable () -> Bool)?

    public init(home: String, owner: UInt32, account: String?, settings: WipeSettings, stateDirectory: String, trigger: String,
                actor: Actor? = nil, session: String? = nil, seat: String? = nil) {
        self.home = home
        self.owner = owner
        self.account = account
        self.settings = settings
        self.stateDirectory = stateDirectory
        self.trigger = trigger
        self.actor = actor
        self.session = session
        self.seat = seat
    }

    public init(account: Account, settings: WipeSettings, stateDirectory: String, trigger: String, session: String? = nil, seat: String? = nil) {
        self.init(home: account.home, owner: account.uid, account: account.name, settings: settings, stateDirectory: stateDirectory,
                  trigger: trigger, session: session, seat: seat)
    }

    /// The wipe as configured: the account's baseline when its mode asks for one (or `auto` and one exists); in catalogue
    /// mode, the home's state after the last wipe, to count what changed outside the catalogue.
    public var wipe: Wipe {
        var wipe = Wipe(home: home, owner: owner, account: account, settings: settings)
        let store = BaselineStore(stateDirectory: stateDirectory)
        let mode = settings.mode(for: account)
        if let account, mode == .baseline || (mode == .auto && store.exists(account)) {
            wipe.baseline = (store, account)
        } else if let account {
            wipe.history = (store, account)
        }
        return wipe
    }

    /// Captures the account's reference when it has none and the wipe is to use one; journaled `baseline-captured`.
    func captureWhenMissing(record: (JournalEvent) -> Void) -> Result<BaselineStore.CaptureReport, BaselineError>? {
        guard captureIfMissing, let account, settings.mode(for: account) != .catalogue else { return nil }
        let store = BaselineStore(stateDirectory: stateDirectory)
        guard !store.exists(account) else { return nil }
        do {
            let captured = try store.capture(account: account, home: home, owner: owner, settings: settings)
            var detail = captured.journalDetail
            detail["automatic"] = .bool(true)
            detail["trigger"] = .text(trigger)
            record(JournalEvent(kind: .baselineCaptured, seat: seat, session: session, uid: owner, user: account, outcome: "ok", detail: detail))
            return .success(captured)
        } catch {
            record(JournalEvent(kind: .baselineCaptured, seat: seat, session: session, uid: owner, user: account, outcome: "failed",
                                detail: ["automatic": .bool(true), "trigger": .text(trigger)]))
            return .failure(error)
        }
    }

    var commonDetail: [String: DetailValue] {
        var detail: [String: DetailValue] = ["trigger": .text(trigger)]
        if let actor { detail["by"] = .text(actor.name) }
        return detail
    }

    /// Runs the wipe; a journal that cannot be written never stops it (the recorder retries, spools and counts).
    public func run(dryRun: Bool = false, recorder: JournalRecorder?,
                    onCapture: (Result<BaselineStore.CaptureReport, BaselineError>) -> Void = { _ in }) -> Result<WipeReport, WipeError> {
        func record(_ event: JournalEvent) {
            guard let recorder, !dryRun else { return }
            recorder.record(event)
        }
        if !dryRun, let captured = captureWhenMissing(record: record) { onCapture(captured) }
        let wipe = self.wipe
        var common = commonDetail
        common["mode"] = .text(wipe.baseline == nil ? "catalogue" : "baseline")
        record(JournalEvent(kind: .wipeStarted, seat: seat, session: session, uid: owner, user: account, detail: common))
        // Read before the wipe resets the profiles.
        let proof = dryRun ? nil : firefoxPolicyProof(journal: recorder?.journal)
        if let proof, proof.notApplied > 0 {
            record(JournalEvent(kind: .policyNotApplied, seat: seat, session: session, uid: owner, user: account, outcome: "failed",
                                detail: ["browser": .text("Firefox"), "profiles": .int(Int64(proof.notApplied)), "ran": .int(Int64(proof.ran))]))
        }
        do {
            var report = try wipe.run(dryRun: dryRun)
            report.firefoxPolicies = proof
            if !dryRun, let account, let purgePrintJobs { report.printJobs = purgePrintJobs(account) }
            record(JournalEvent(kind: .wipeFinished, seat: seat, session: session, uid: owner, user: account, duration: Int64(report.duration * 1e6),
                                outcome: report.isClean ? "ok" : "left-overs", detail: report.journalDetail.merging(common) { $1 }))
            return .success(report)
        } catch {
            var detail = common
            detail["reason"] = .text(error.code)
            record(JournalEvent(kind: .wipeFailed, seat: seat, session: session, uid: owner, user: account, outcome: "failed", detail: detail))
            return .failure(error)
        }
    }
}

extension RecordedWipe {
    /// Whether the Firefox profiles that ran since the account's last wipe had their policies; nil when no Firefox policy
    /// file is installed (`ardoise check` says so) or the home cannot be opened (the wipe says so).
    func firefoxPolicyProof(journal: AccessJournal?) -> FirefoxPolicyProof? {
        guard firefoxPoliciesInstalled?() == true, let opened = try? OpenedRoot(path: home) else { return nil }
        // Since the last wipe of the account journaled (a month back at most); every profile that ever ran otherwise.
        let month: Int64 = 31 * 86_400 * 1_000_000
        let since = account.flatMap { name in
            try? journal?.events(JournalFilter(since: JournalClock.now() - month, user: name, kinds: [.wipeFinished])).map(\.time).max()
        } ?? nil
        return FirefoxPolicyProof.check(home: opened, since: since)
    }
}

extension WipeError {
    /// A word from a closed list for the journal (never a path).
    public var code: String {
        switch self {
        case .cannotOpenHome: "home-unreachable"
        case .cannotOpenBaseline: "baseline-unreachable"
        }
    }

    public func message(_ language: Language) -> String {
        switch self {
        case .cannotOpenHome(let reason): "\(reason)"
        case .cannotOpenBaseline(let reason): reason.message(language)
        }
    }
}
