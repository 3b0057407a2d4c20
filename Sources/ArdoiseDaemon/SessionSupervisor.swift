import ArdoiseCore
import ArdoiseSystem
import FoundationEssentials
import Glibc
import Logging

/// Follows every login session and wipes a kiosk account's home once its last session has ended.
/// One state per session (opened -> ending -> wiping -> wiped); one wipe at a time per account;
/// a pending-wipe record in the state database covers a crash in the middle.
public actor SessionSupervisor {
    public enum Phase: String, Sendable {
        case opened, ending, wiping, wiped
    }

    struct TrackedSession {
        var session: LoginSession
        var account: Account?
        var isKiosk: Bool
        var openedAt: Int64
        var phase: Phase = .opened
        /// A kiosk session's idle and time limits.
        var clock: SessionClock?
        var lastActivity: SessionActivity?
        /// Whether logind gives this session's input time (nil until first looked at).
        var idleMeasured: Bool?
        var firstWarningGiven = false
        /// The countdown last told to the agent: which, its seconds left then, and when it ends.
        var announced: (kind: SessionClock.Countdown, left: Double, endsAt: Int64)?
        /// A countdown given late (the service woke after the end was due): the end waits for it.
        var lateEnd: Int64?
        /// Set when the service (or staff) ended the session: the reason its end is journaled with.
        var endReason: SessionEndReason?
        var endedBy: String?
        var noticeAcknowledged = false
        /// What the session's agent measures (the X11 screensaver extension...), and since when nobody is there (nil: in use).
        var agentSource: String?
        var agentIdleSince: Int64?
        /// Set when the seat's input devices give its input time (no agent, nothing from logind).
        var inputSource: String?

        /// What measures its idleness, as journaled and shown to staff; nil before the first look.
        var idleSourceName: String? {
            agentSource ?? inputSource ?? idleMeasured.map { $0 ? "logind" : "idle-unknown" }
        }
    }

    struct AccountState {
        var open: Set<String> = []
        var wipe: Task<WipeOutcome, Never>?
        /// Wiped since its last session ended: a second request (hook, then logind) does not wipe again.
        var cleanSinceLastSession = false
    }

    /// What the supervisor needs from the outside world; the daemon passes real ones, the tests fakes.
    public struct Dependencies: Sendable {
        public var journal: AccessJournal
        public var wiper: HomeWiping
        public var stopper: ProcessStopping
        /// Watches each kiosk session's profiles and downloads (nil: no live warnings).
        public var watcher: ProfileWatching?
        public var account: @Sendable (UInt32) -> Account?
        public var accountNamed: @Sendable (String) -> Account?
        public var kioskAccounts: @Sendable (KioskSettings) -> [Account]
        public var isKiosk: @Sendable (Account, KioskSettings) -> Bool
        public var logger: Logger
        public var onChange: @Sendable (String) -> Void
        /// What is known of a session's input (logind's idle and lock hints; tests give their own).
        public var activity: @Sendable (LoginSession) -> SessionActivity
        /// How long a desktop asked by the session's agent to log out has before logind terminates the session.
        public var desktopLogoutGrace: Duration
        /// The seats' input devices, for a desktop session whose agent does not run (nil: not read).
        public var seatInputs: SeatInputs?
        /// logind's sessions read now, for a hook that comes before logind's news of its session (nil: cannot be read).
        public var sessionsNow: @Sendable () -> [LoginSession]?

        public init(journal: AccessJournal, wiper: HomeWiping, stopper: ProcessStopping, watcher: ProfileWatching? = nil,
                    account: @escaping @Sendable (UInt32) -> Account? = { Account.withID($0) },
                    accountNamed: @escaping @Sendable (String) -> Account? = { Account.named($0) },
                    kioskAccounts: @escaping @Sendable (KioskSettings) -> [Account] = { KioskPolicy($0).accounts() },
                    isKiosk: @escaping @Sendable (Account, KioskSettings) -> Bool = { KioskPolicy($1).isKiosk($0) },
                    logger: Logger, onChange: @escaping @Sendable (String) -> Void = { _ in },
                    activity: @escaping @Sendable (LoginSession) -> SessionActivity = { LoginActivity.read($0) },
                    desktopLogoutGrace: Duration = .seconds(8), seatInputs: SeatInputs? = nil,
                    sessionsNow: @escaping @Sendable () -> [LoginSession]? = { nil }) {
            self.journal = journal
            self.wiper = wiper
            self.stopper = stopper
            self.watcher = watcher
            self.account = account
            self.accountNamed = accountNamed
            self.kioskAccounts = kioskAccounts
            self.isKiosk = isKiosk
            self.logger = logger
            self.onChange = onChange
            self.activity = activity
            self.desktopLogoutGrace = desktopLogoutGrace
            self.seatInputs = seatInputs
            self.sessionsNow = sessionsNow
        }
    }

    let dependencies: Dependencies
    public private(set) var configuration: ArdoiseConfiguration
    var sessions: [String: TrackedSession] = [:]
    /// Sessions already ended that logind still lists (closing): not ended twice.
    var ended: Set<String> = []
    /// The last sessions ended then forgotten once logind forgot them: a late hook for one of them is no stranger.
    var forgotten: [String] = []
    var accounts: [UInt32: AccountState] = [:]
    var lastWipe: Date?
    /// Per open session: what the watcher saw (journaled as counts at the session's end), the throttle, the agents listening.
    var seen: [String: [SessionWarning: Int]] = [:]
    var throttles: [String: WarningThrottle] = [:]
    var listeners: [String: [UUID: AsyncStream<WarningDelivery>.Continuation]] = [:]
    var heldWarnings: [String: Task<Void, Never>] = [:]
    /// Per kiosk session with limits: the task that looks at its clock.
    var limitWatches: [String: Task<Void, Never>] = [:]
    /// logind announces the changes of the idle and lock hints: a screen that may get locked is not looked at every 30 s.
    var activityAnnounced = false
    /// Sessions whose look, asked by logind's news, is due shortly.
    var announcedLooks: Set<String> = []
    /// The session's own programs that asked before logind's news of it came (`openSession`).
    var sessionWaiters: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]

    public init(configuration: ArdoiseConfiguration, dependencies: Dependencies) {
        self.configuration = configuration
        self.dependencies = dependencies
    }

    var journal: AccessJournal { dependencies.journal }
    var logger: Logger { dependencies.logger }

    public func reload(_ configuration: ArdoiseConfiguration) {
        let before = Set(dependencies.kioskAccounts(self.configuration.kiosk).map(\.uid))
        self.configuration = configuration
        for (id, tracked) in sessions {
            if let account = tracked.account { sessions[id]?.isKiosk = dependencies.isKiosk(account, configuration.kiosk) }
        }
        // An account newly named a kiosk account, with no session open, is taken in hand now: its reference is captured
        // (if it has none) and it is reset, before anyone logs in to it.
        for account in dependencies.kioskAccounts(configuration.kiosk) where !before.contains(account.uid) && (accounts[account.uid]?.open.isEmpty ?? true) {
            _ = startWipe(account, trigger: "reload", session: nil, seat: nil)
        }
    }

    // MARK: Sessions from logind

    /// The sessions now: new ones are opened, the ones gone or closing are ended.
    public func apply(_ snapshot: [LoginSession]) {
        let present = Dictionary(snapshot.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        for session in snapshot where sessions[session.id] == nil && !ended.contains(session.id) && session.sessionClass == "user" {
            open(session)
        }
        for (id, tracked) in sessions where tracked.phase == .opened {
            if let now = present[id] {
                sessions[id]?.session = now
                if now.state == .closing { end(id, trigger: "logout", because: "closing") }
            } else {
                end(id, trigger: "logout", because: "removed")
            }
        }
        ended.formIntersection(present.keys)
        // Wiped sessions are forgotten once logind forgets them.
        for (id, tracked) in sessions where tracked.phase != .opened && present[id] == nil {
            sessions[id] = nil
            forgotten.append(id)
        }
        if forgotten.count > 64 { forgotten.removeFirst(forgotten.count - 64) }
        dependencies.onChange(status)
    }

    func open(_ session: LoginSession, seenAtStart: Bool = false) {
        let account = dependencies.account(session.uid)
        let isKiosk = account.map { dependencies.isKiosk($0, configuration.kiosk) } ?? false
        sessions[session.id] = TrackedSession(session: session, account: account, isKiosk: isKiosk, openedAt: JournalClock.now())
        var state = accounts[session.uid] ?? AccountState()
        state.open.insert(session.id)
        state.cleanSinceLastSession = false
        accounts[session.uid] = state
        var detail: [String: DetailValue] = ["kiosk": .bool(isKiosk), "type": .text(session.type)]
        if seenAtStart { detail["open_at_start"] = .bool(true) }
        if isKiosk, let account, let watcher = dependencies.watcher, configuration.liveWarnings.passwords || configuration.liveWarnings.downloads {
            watcher.watch(session: session.id, roots: WatchRoots.of(home: account.home))
        }
        record(JournalEvent(kind: .sessionStart, seat: session.seat, session: session.id, uid: session.uid, user: account?.name, detail: detail))
        for waiter in sessionWaiters.removeValue(forKey: session.id)?.values ?? [:].values { waiter.resume() }
        watchLimits(session.id)
        logger.info("session \(session.id) of \(account?.name ?? String(session.uid)) opened on \(session.seat ?? "-")\(isKiosk ? " (kiosk)" : "")")
    }

    /// Ends a session; the account's last one starts its wipe (after the grace, its programs stopped).
    @discardableResult
    func end(_ id: String, trigger: String, because reason: String) -> Task<WipeOutcome, Never>? {
        guard var tracked = sessions[id], tracked.phase == .opened else { return nil }
        tracked.phase = .ending
        sessions[id] = tracked
        ended.insert(id)
        let session = tracked.session
        accounts[session.uid]?.open.remove(id)
        let ending = tracked.endReason ?? .logout
        // `reason`: what logind said (closing, removed); the outcome: why the session ended.
        var detail: [String: DetailValue] = ["kiosk": .bool(tracked.isKiosk), "reason": .text(reason)]
        if let by = tracked.endedBy { detail["by"] = .text(by) }
        if let measured = tracked.idleMeasured, tracked.clock.map({ $0.limits.idleMinutes > 0 }) ?? false {
            detail["idle_measured"] = .bool(measured)
            detail["idle_source"] = .text(tracked.idleSourceName ?? "idle-unknown")
        }
        if tracked.isKiosk && dependencies.watcher != nil {
            // Counts only: how many passwords were saved and files downloaded, never which.
            detail["passwords_saved"] = .int(Int64(seen[id]?[.passwordSaved] ?? 0))
            detail["downloads"] = .int(Int64(seen[id]?[.downloadFinished] ?? 0))
        }
        stopWatching(id, watched: tracked.isKiosk)
        stopLimitWatch(id)
        record(JournalEvent(kind: .sessionEnd, seat: session.seat, session: id, uid: session.uid, user: tracked.account?.name,
                            duration: JournalClock.now() - tracked.openedAt, outcome: ending.rawValue, detail: detail))
        logger.info("session \(id) of \(tracked.account?.name ?? String(session.uid)) ended (\(reason))")
        guard tracked.isKiosk, let account = tracked.account, accounts[session.uid]?.open.isEmpty ?? true else {
            sessions[id]?.phase = .wiped
            return nil
        }
        return startWipe(account, trigger: ending == .logout || ending == .declinedNotice ? trigger : ending.rawValue, session: id, seat: session.seat)
    }

    // MARK: Wipes

    func startWipe(_ account: Account, trigger: String, session: String?, seat: String?) -> Task<WipeOutcome, Never> {
        if let running = accounts[account.uid]?.wipe { return running }
        let task = Task { await self.performWipe(account, trigger: trigger, session: session, seat: seat) }
        accounts[account.uid, default: AccountState()].wipe = task
        return task
    }

    func performWipe(_ account: Account, trigger: String, session: String?, seat: String?) async -> WipeOutcome {
        do { try journal.addPendingWipe(uid: account.uid, user: account.name, trigger: trigger) } catch {
            logger.error("cannot record the pending wipe of \(account.name): \(error.message(.english))")
        }
        let isLogout = trigger != "pending" && trigger != "boot-sweep"
        if isLogout {
            let stopped = await dependencies.stopper.stopAll(uid: account.uid, grace: .milliseconds(Int64(configuration.kiosk.logoutGraceSeconds * 1000)))
            if stopped > 0 { logger.notice("\(account.name): \(stopped) programs still running after logout were stopped") }
        }
        let outcome: WipeOutcome
        if isLogout, !(accounts[account.uid]?.open.isEmpty ?? true) {
            // The account logged in again during the grace: its new session is not broken; its next logout wipes.
            logger.warning("\(account.name): a new session opened before the wipe; the wipe waits for its end")
            outcome = .postponed
        } else {
            mark(session, .wiping)
            outcome = await dependencies.wiper.wipe(account, settings: configuration.wipe, trigger: trigger, session: session, seat: seat)
        }
        if outcome != .postponed {
            do { try journal.removePendingWipe(uid: account.uid) } catch {
                logger.error("cannot clear the pending wipe of \(account.name): \(error.message(.english))")
            }
            lastWipe = Date()
        }
        mark(session, .wiped)
        accounts[account.uid]?.wipe = nil
        if outcome == .clean && (accounts[account.uid]?.open.isEmpty ?? true) { accounts[account.uid]?.cleanSinceLastSession = true }
        dependencies.onChange(status)
        return outcome
    }

    private func mark(_ session: String?, _ phase: Phase) {
        if let session, sessions[session] != nil { sessions[session]?.phase = phase }
    }

    /// At start: finish the wipes a crash interrupted, then sweep every kiosk home with no open session.
    public func startUp(_ snapshot: [LoginSession]) async {
        for session in snapshot where session.sessionClass == "user" && session.state != .closing { open(session, seenAtStart: true) }
        var finished = Set<UInt32>()
        var outcomes: [WipeOutcome] = []
        let pending = (try? journal.pendingWipes()) ?? []
        for interrupted in pending {
            guard accounts[interrupted.uid]?.open.isEmpty ?? true, let account = dependencies.account(interrupted.uid) else { continue }
            // Neither done nor failed: said as such, then done again (its end says `pending`, completed at restart).
            record(JournalEvent(kind: .wipeInterrupted, uid: interrupted.uid, user: interrupted.user, outcome: "interrupted",
                                detail: ["trigger": .text(interrupted.trigger), "since": .int(interrupted.since)]))
            outcomes.append(await startWipe(account, trigger: "pending", session: nil, seat: nil).value)
            finished.insert(interrupted.uid)
        }
        let kiosk = dependencies.kioskAccounts(configuration.kiosk)
        for account in kiosk where !finished.contains(account.uid) && (accounts[account.uid]?.open.isEmpty ?? true) {
            outcomes.append(await startWipe(account, trigger: "boot-sweep", session: nil, seat: nil).value)
        }
        let left = outcomes.reduce(0) { if case .leftOvers(let count) = $1 { $0 + count } else { $0 } }
        let failed = outcomes.filter { if case .failed = $0 { true } else { false } }.count
        record(JournalEvent(kind: .bootSweep, outcome: left == 0 && failed == 0 ? "ok" : "left-overs",
                            detail: ["accounts": .int(Int64(kiosk.count)), "pending": .int(Int64(pending.count)), "wiped": .int(Int64(outcomes.count)),
                                     "left": .int(Int64(left)), "failed": .int(Int64(failed)), "open_sessions": .int(Int64(sessions.count))]))
        dependencies.onChange(status)
    }

    // MARK: The session-end hook

    public enum HookAnswer: Sendable, Equatable {
        case wiped(WipeOutcome)
        case notKiosk
        case unknownAccount
    }

    /// `ardoise session-end`: this session is over; wipe now if it was the account's last, and answer when done.
    public func sessionEnded(user: String, session: String?) async -> HookAnswer {
        guard let account = dependencies.accountNamed(user) else { return .unknownAccount }
        guard dependencies.isKiosk(account, configuration.kiosk) else { return .notKiosk }
        // A session the service never heard of: ended before logind's news of it came (a short session on a busy
        // machine). logind is asked for that one session now; if it is gone too, nothing proves the home was wiped after it.
        var unseen = false
        if let session, sessions[session] == nil, !ended.contains(session), !forgotten.contains(session) {
            if let listed = dependencies.sessionsNow()?.first(where: { $0.id == session && $0.uid == account.uid && $0.sessionClass == "user" }) {
                open(listed)
            } else {
                unseen = true
            }
        }
        var task: Task<WipeOutcome, Never>?
        if let session, sessions[session] != nil {
            task = end(session, trigger: "session-end-hook", because: "hook")
        } else if session == nil, let open = accounts[account.uid]?.open, open.count == 1 {
            task = end(open.first!, trigger: "session-end-hook", because: "hook")
        }
        if task == nil {
            if !(accounts[account.uid]?.open.isEmpty ?? true) { return .wiped(.postponed) }
            if let running = accounts[account.uid]?.wipe {
                task = running
            } else if !unseen && accounts[account.uid]?.cleanSinceLastSession == true {
                return .wiped(.clean)
            } else {
                task = startWipe(account, trigger: "session-end-hook", session: session, seat: nil)
            }
        }
        return .wiped(await task!.value)
    }

    /// Waits for every wipe under way (SIGTERM lets a wipe finish).
    public func drain() async {
        while let running = accounts.values.compactMap(\.wipe).first { _ = await running.value }
    }

    public var status: String {
        let open = sessions.values.filter { $0.phase == .opened }.count
        let wiping = accounts.values.filter { $0.wipe != nil }.count
        var text = "\(open) session\(open == 1 ? "" : "s")"
        if wiping > 0 { text += ", \(wiping) wipe\(wiping == 1 ? "" : "s") under way" }
        // A time, not an age: the line is only rewritten when something happens.
        if let lastWipe { text += ", last wipe at \(Self.clockTime(lastWipe))" }
        return text
    }

    /// Local HH:MM:SS with the C library: formatters would load the locale data for one line.
    static func clockTime(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(cFormat: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    public func phase(of session: String) -> Phase? { sessions[session]?.phase }

    func stopWaiting(for id: String, token: UUID) {
        sessionWaiters[id]?.removeValue(forKey: token)?.resume()
        if sessionWaiters[id]?.isEmpty == true { sessionWaiters[id] = nil }
    }

    /// The open session `id` of account `uid`, as a session's own programs ask for it. A program started at login (the
    /// notice in profile.d, the agent) can ask before logind's news of the session has reached the service: it is
    /// waited for, a few seconds at most, so that a notice shown is never a notice unrecorded.
    /// The wait ends when the session opens (`open`), never by looking again and again: on a busy machine a look that
    /// comes late would give up on a session that is there.
    func openSession(_ id: String, of uid: UInt32) async -> TrackedSession? {
        if sessions[id] == nil && !ended.contains(id) {
            let token = UUID()
            await withCheckedContinuation { continuation in
                sessionWaiters[id, default: [:]][token] = continuation
                Task {
                    await TaskPause.sleep(for: .seconds(5))
                    self.stopWaiting(for: id, token: token)
                }
            }
        }
        guard let tracked = sessions[id], tracked.phase == .opened, tracked.session.uid == uid else { return nil }
        return tracked
    }

    func record(_ event: JournalEvent) {
        do { try journal.append(event) } catch { logger.error("journal: \(error.message(.english))") }
    }
}
