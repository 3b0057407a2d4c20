import FoundationEssentials
import Glibc

/// Why a session ended, as the journal records it (the `session-end` outcome) and `journal stats` counts it.
public enum SessionEndReason: String, Sendable, Codable, CaseIterable {
    /// The person logged out (or logind closed the session for a reason of its own).
    case logout
    /// Nobody touched the computer for the idle limit, then the countdown.
    case idle
    /// The session reached its time limit.
    case timeLimit = "time-limit"
    /// The screen of a kiosk session was locked (nobody else can use the computer, and the person may not come back).
    case locked
    /// A member of staff ended it (`ardoise sessions end`).
    case staff
    /// The person declined the notice and the configuration ends the session then.
    case declinedNotice = "declined-notice"
}

/// The limits of a kiosk session, from `[sessions]` and the account's own table in `[sessions.accounts]`.
public struct SessionLimits: Sendable, Equatable {
    /// Minutes without input before the countdown (0: no idle limit). A decimal is allowed (tests use seconds).
    public var idleMinutes = 15.0
    /// The countdown's length, in seconds, before an idle session or one at its time limit ends.
    public var warningSeconds = 60.0
    /// The session's longest length in minutes (0: no limit).
    public var maxMinutes = 0.0
    /// A first warning this many minutes before the time limit.
    public var maxWarningMinutes = 5.0
    /// What a locked screen means for a kiosk session.
    public var lockScreen = LockScreen.end

    public enum LockScreen: String, Sendable {
        /// Treated as idle: the countdown starts from the moment it was locked.
        case end
        /// Not counted: only real input idleness is.
        case ignore
    }

    public init() {}
}

public struct SessionSettings: Sendable, Equatable {
    public var defaults = SessionLimits()
    /// Per account, what differs from `defaults`.
    public var accounts: [String: SessionLimits] = [:]

    public init() {}

    public func limits(for account: String?) -> SessionLimits {
        account.flatMap { accounts[$0] } ?? defaults
    }
}

/// What the service knows of a session's input: when it was last used, and since when its screen is locked.
public struct SessionActivity: Sendable, Equatable {
    /// The last input, UTC microseconds; nil when this session offers no way to know.
    public var lastInput: Int64?
    /// Since when the screen is locked, if it is.
    public var lockedSince: Int64?

    public init(lastInput: Int64?, lockedSince: Int64? = nil) {
        self.lastInput = lastInput
        self.lockedSince = lockedSince
    }
}

/// The clock of one kiosk session: given its limits, when it opened, the time staff added and what is known of its
/// input, says what is due now and when to look again. Pure: the tests drive it with a fake clock.
public struct SessionClock: Sendable, Equatable {
    public var limits: SessionLimits
    public var openedAt: Int64
    /// Minutes staff added (`ardoise sessions extend`).
    public var extraMinutes = 0.0
    /// A countdown staff asked for (`ardoise sessions end` without `--now`): its end.
    public var staffEndsAt: Int64?

    public init(limits: SessionLimits, openedAt: Int64) {
        self.limits = limits
        self.openedAt = openedAt
    }

    public enum Countdown: String, Sendable, Codable {
        case idle, timeLimit = "time-limit", staff
    }

    public enum Due: Sendable, Equatable {
        /// Nothing to say.
        case nothing
        /// The first warning before the time limit: it ends at `endsAt`.
        case timeLimitSoon(endsAt: Int64)
        /// The last seconds: the session ends at `endsAt` unless (for idleness) someone touches the computer.
        case countdown(Countdown, endsAt: Int64)
        /// Now.
        case end(SessionEndReason)
    }

    static let minute = 60_000_000.0

    /// When the time limit falls, if there is one.
    public var limitAt: Int64? {
        guard limits.maxMinutes > 0 else { return nil }
        return openedAt + Int64((limits.maxMinutes + extraMinutes) * Self.minute)
    }

    /// Since when nobody is there, as far as is known (a locked screen counts as nobody, when configured so).
    func idleSince(_ activity: SessionActivity) -> (since: Int64, locked: Bool)? {
        var since = activity.lastInput.map { ($0, false) }
        if limits.lockScreen == .end, let locked = activity.lockedSince, since.map({ locked < $0.0 }) ?? true {
            since = (locked, true)
        }
        return since
    }

    /// When the idle countdown starts and when it ends, if idleness is measured and limited.
    func idleDeadlines(_ activity: SessionActivity) -> (starts: Int64, ends: Int64, locked: Bool)? {
        guard limits.idleMinutes > 0, let idle = idleSince(activity) else { return nil }
        let starts = idle.since + Int64(limits.idleMinutes * Self.minute)
        return (starts, starts + Int64(limits.warningSeconds * 1_000_000), idle.locked)
    }

    public func due(now: Int64, activity: SessionActivity) -> Due {
        var candidates: [(endsAt: Int64, due: Due)] = []
        if let staffEndsAt {
            candidates.append((staffEndsAt, now >= staffEndsAt ? .end(.staff) : .countdown(.staff, endsAt: staffEndsAt)))
        }
        if let limitAt {
            let countdown = limitAt - Int64(limits.warningSeconds * 1_000_000)
            let first = limitAt - Int64(limits.maxWarningMinutes * Self.minute)
            if now >= limitAt { candidates.append((limitAt, .end(.timeLimit))) }
            else if now >= countdown { candidates.append((limitAt, .countdown(.timeLimit, endsAt: limitAt))) }
            else if now >= first { candidates.append((limitAt, .timeLimitSoon(endsAt: limitAt))) }
        }
        if let idle = idleDeadlines(activity) {
            if now >= idle.ends { candidates.append((idle.ends, .end(idle.locked ? .locked : .idle))) }
            else if now >= idle.starts { candidates.append((idle.ends, .countdown(.idle, endsAt: idle.ends))) }
        }
        // What ends first wins; at the same instant an end before a countdown, a countdown before a warning.
        func rank(_ due: Due) -> Int {
            switch due {
            case .end: 0
            case .countdown: 1
            case .timeLimitSoon: 2
            case .nothing: 3
            }
        }
        return candidates.min { (rank($0.due), $0.endsAt) < (rank($1.due), $1.endsAt) }?.due ?? .nothing
    }

    /// When something may next be due. No polling of the input: the countdown can only start once the last input known
    /// is `idle_minutes` old, so that instant is looked at (input since then moves it on); during an idle countdown, every
    /// second (input cancels it); and every `lockProbe` for a screen that may get locked.
    public func nextLook(now: Int64, activity: SessionActivity, lockProbe: Int64? = 30_000_000) -> Int64? {
        var instants: [Int64] = []
        if let staffEndsAt { instants.append(staffEndsAt) }
        if let limitAt {
            instants += [limitAt - Int64(limits.maxWarningMinutes * Self.minute), limitAt - Int64(limits.warningSeconds * 1_000_000), limitAt]
        }
        if let idle = idleDeadlines(activity) {
            instants += [idle.starts, idle.ends]
            if now >= idle.starts { instants.append(now + 1_000_000) }
        }
        if let lockProbe, limits.idleMinutes > 0 && limits.lockScreen == .end && activity.lockedSince == nil { instants.append(now + lockProbe) }
        return instants.filter { $0 > now }.min()
    }
}

/// What staff see of an open session (`ardoise sessions`).
public struct SessionOverview: Sendable, Codable, Equatable {
    public var session: String
    public var user: String?
    public var seat: String?
    public var type: String
    public var kiosk: Bool
    /// UTC microseconds.
    public var openedAt: Int64
    /// Seconds since the last input; nil when this session offers no way to know.
    public var idleSeconds: Double?
    /// What measures it (`x11-screensaver`, `ext-idle-notify`, `input-devices`, `logind`...), `idle-unknown` when nothing
    /// can; nil before the first look.
    public var idleSource: String?
    /// Seconds before the time limit; nil without one.
    public var secondsLeft: Double?
    public var noticeAcknowledged: Bool
    /// A countdown under way: which, and its seconds left.
    public var countdown: String?
    public var countdownSeconds: Double?

    public init(session: String, user: String?, seat: String?, type: String, kiosk: Bool, openedAt: Int64, idleSeconds: Double?,
                idleSource: String? = nil, secondsLeft: Double?, noticeAcknowledged: Bool, countdown: String?, countdownSeconds: Double?) {
        self.session = session
        self.user = user
        self.seat = seat
        self.type = type
        self.kiosk = kiosk
        self.openedAt = openedAt
        self.idleSeconds = idleSeconds
        self.idleSource = idleSource
        self.secondsLeft = secondsLeft
        self.noticeAcknowledged = noticeAcknowledged
        self.countdown = countdown
        self.countdownSeconds = countdownSeconds
    }
}

extension Array where Element == SessionOverview {
    /// The table staff read: who, where, since when, idle for how long, time left, notice acknowledged.
    public func rendered(_ language: Language, now: Int64 = JournalClock.now()) -> String {
        let fr = language == .french
        guard !isEmpty else { return fr ? "Aucune session ouverte sur ce poste." : "No session open on this computer." }
        func minutes(_ seconds: Double?) -> String {
            guard let seconds else { return fr ? "inconnu" : "unknown" }
            let whole = Int(seconds.rounded(.down))
            return whole < 60 ? "\(whole) s" : "\(whole / 60) min"
        }
        let header = [fr ? "Session" : "Session", fr ? "Compte" : "Account", fr ? "Poste" : "Seat", fr ? "Depuis" : "Since",
                      fr ? "Inactive depuis" : "Idle for", fr ? "Temps restant" : "Time left", fr ? "Information acceptée" : "Notice acknowledged",
                      fr ? "Compte à rebours" : "Countdown"]
        let rows = map { overview -> [String] in
            [DisplayText.escaped(overview.session), DisplayText.escaped(overview.user ?? "-"), DisplayText.escaped(overview.seat ?? "-"),
             TimeArgument.local(overview.openedAt),
             overview.idleSource == "idle-unknown" ? (fr ? "non mesurable" : "cannot be measured") : minutes(overview.idleSeconds),
             overview.secondsLeft.map { minutes(Swift.max(0, $0)) } ?? (fr ? "sans limite" : "no limit"),
             overview.noticeAcknowledged ? (fr ? "oui" : "yes") : (fr ? "non" : "no"),
             overview.countdown.map { "\($0) \(Int((overview.countdownSeconds ?? 0).rounded(.up))) s" } ?? "-"]
        }
        return WipeReport.columns([header] + rows, numbersRight: false).joined(separator: "\n")
    }
}
