import ArdoiseCore
import ArdoiseSystem
import FoundationEssentials
import Glibc
import Logging

/// Idle and time limits of kiosk sessions: the countdown told to the session's agent, the end asked of logind with its
/// reason, and what staff see and do (`ardoise sessions`).
extension SessionSupervisor {
    /// Starts watching a kiosk session's limits (nothing for other sessions, nor when no limit applies).
    func watchLimits(_ id: String) {
        guard let tracked = sessions[id], tracked.isKiosk else { return }
        let limits = configuration.sessions.limits(for: tracked.account?.name)
        sessions[id]?.clock = SessionClock(limits: limits, openedAt: tracked.openedAt)
        guard limits.idleMinutes > 0 || limits.maxMinutes > 0 || limits.lockScreen == .end else { return }
        restartLimitWatch(id)
    }

    func restartLimitWatch(_ id: String) {
        limitWatches.removeValue(forKey: id)?.cancel()
        let probe = dependencies.activity
        // Detached: logind is read over the bus outside the supervisor's turn.
        limitWatches[id] = Task.detached { [weak self] in
            while !Task.isCancelled {
                guard let self, let session = await self.sessions[id]?.session else { return }
                let activity = probe(session)
                guard !Task.isCancelled, let wait = await self.checkLimits(id, activity: activity, now: JournalClock.now()) else { return }
                await TaskPause.sleep(for: .microseconds(max(wait, 50_000)))
            }
        }
    }

    /// Whether logind's announcements of changed hints reach the service (false again when they stop: it looks again).
    public func activityAnnouncements(_ on: Bool) {
        guard on != activityAnnounced else { return }
        activityAnnounced = on
        if !on { for id in limitWatches.keys { restartLimitWatch(id) } }
    }

    /// logind says a session's hints changed: its clock is looked at within a fifth of a second. News that come faster
    /// (a visitor toggling their own idle hint in a loop) make one look, not one each.
    public func activityChanged(_ id: String) {
        guard limitWatches[id] != nil, announcedLooks.insert(id).inserted else { return }
        Task {
            await TaskPause.sleep(for: .milliseconds(200))
            self.lookAfterAnnouncement(id)
        }
    }

    func lookAfterAnnouncement(_ id: String) {
        announcedLooks.remove(id)
        guard limitWatches[id] != nil else { return }
        restartLimitWatch(id)
    }

    func stopLimitWatch(_ id: String) {
        limitWatches.removeValue(forKey: id)?.cancel()
        releaseSeatInputs()
    }

    /// Stops reading the input devices of seats where no open session needs them any more.
    func releaseSeatInputs() {
        guard let inputs = dependencies.seatInputs else { return }
        let needed = sessions.values.filter { $0.phase == .opened && $0.agentSource == nil && $0.inputSource != nil }.compactMap(\.session.seat)
        inputs.keep(Set(needed))
    }

    /// Looks at one session's clock now and acts on it; how long to wait before looking again (nil: stop looking).
    func checkLimits(_ id: String, activity: SessionActivity, now: Int64) -> Int64? {
        guard var tracked = sessions[id], tracked.phase == .opened, tracked.endReason == nil, let clock = tracked.clock else { return nil }
        var activity = activity
        // A desktop session whose agent does not report, and that tells logind nothing: its seat's input devices. The
        // agent is given half the idle limit (at most 30 s) to start; someone logged in then.
        var waitingForAgent = false
        let agentDeadline = tracked.openedAt + Int64(min(30, clock.limits.idleMinutes * 30) * 1e6)
        if activity.lastInput == nil, tracked.agentSource == nil, tracked.session.isGraphical, clock.limits.idleMinutes > 0,
           let inputs = dependencies.seatInputs, let seat = tracked.session.seat {
            if now < agentDeadline {
                activity.lastInput = tracked.openedAt
                waitingForAgent = true
            } else if let last = inputs.lastInput(seat: seat) {
                if tracked.inputSource == nil { logger.info("session \(id): no agent reports; idleness from the seat's input devices") }
                activity.lastInput = max(last, tracked.openedAt)
                tracked.inputSource = SeatInput.source
            } else {
                // No input device on the seat: nothing to read.
                releaseSeatInputs()
            }
        }
        if tracked.idleMeasured == nil && !waitingForAgent {
            tracked.idleMeasured = activity.lastInput != nil
            if activity.lastInput == nil && clock.limits.idleMinutes > 0 {
                logger.warning("session \(id): idleness cannot be measured here (no input time from logind): only the time limit and staff can end it")
            }
        }
        // The agent measures the display's own input: in use unless it says since when nobody is there.
        if tracked.agentSource != nil { activity.lastInput = tracked.agentIdleSince ?? now }
        // Locked since the first time it was seen locked, as long as it stays so.
        if activity.lockedSince != nil, let before = tracked.lastActivity?.lockedSince { activity.lockedSince = before }
        tracked.lastActivity = activity
        var wait = clock.nextLook(now: now, activity: activity, lockProbe: activityAnnounced ? nil : 30_000_000).map { $0 - now }
        if waitingForAgent { wait = min(wait ?? .max, agentDeadline - now) }
        switch clock.due(now: now, activity: activity) {
        case .nothing:
            if tracked.announced?.kind == .idle { deliver(WarningDelivery(warning: .sessionContinues, count: 0), to: id) }
            tracked.announced = nil
            tracked.lateEnd = nil
        case .timeLimitSoon(let endsAt):
            if !tracked.firstWarningGiven {
                tracked.firstWarningGiven = true
                deliver(WarningDelivery(warning: .timeLimitSoon, count: Int(((Double(endsAt - now) / 60e6)).rounded(.up))), to: id)
            }
        case .countdown(let kind, let endsAt):
            let left = Double(endsAt - now) / 1e6
            // Someone touched the computer since the last look, and is idle again already: that countdown stopped.
            if kind == .idle, let before = tracked.announced, before.kind == .idle, endsAt > before.endsAt {
                deliver(WarningDelivery(warning: .sessionContinues, count: 0), to: id)
                tracked.announced = nil
            }
            // Said at its start, then at 30 and 10 seconds: a countdown the agent shows second by second.
            let marks: [Double] = [30, 10]
            let due = tracked.announced?.kind != kind || marks.contains { left <= $0 && (tracked.announced?.left ?? .infinity) > $0 }
            if due {
                deliver(WarningDelivery(warning: kind.warning, count: Int(left.rounded(.up))), to: id)
                tracked.announced = (kind, left, endsAt)
            }
            if let next = marks.filter({ $0 < left }).max() { wait = min(wait ?? .max, Int64((left - next) * 1e6)) }
        case .end(let reason):
            // Never an end nobody was warned of (the service woke late: a busy or suspended computer): the countdown first.
            if let kind = reason.countdown, tracked.announced?.kind != kind || now < tracked.lateEnd ?? now {
                if tracked.announced?.kind != kind {
                    let seconds = clock.limits.warningSeconds
                    deliver(WarningDelivery(warning: kind.warning, count: Int(seconds.rounded(.up))), to: id)
                    tracked.announced = (kind, seconds, now + Int64(seconds * 1e6))
                    tracked.lateEnd = now + Int64(seconds * 1e6)
                }
                sessions[id] = tracked
                return min(1_000_000, max(50_000, (tracked.lateEnd ?? now) - now))
            }
            sessions[id] = tracked
            endByService(id, reason: reason, by: nil)
            return nil
        }
        sessions[id] = tracked
        return wait
    }

    /// Ends a session for a reason of the service's (or staff's): first gracefully (a desktop session's agent asks the
    /// desktop to log out, which lets programs close), then logind is asked to terminate it; its end is journaled with the
    /// reason when logind reports it; if logind refuses, it is ended here (programs stopped, wiped).
    func endByService(_ id: String, reason: SessionEndReason, by actor: String?) {
        guard sessions[id]?.phase == .opened, sessions[id]?.endReason == nil else { return }
        sessions[id]?.endReason = reason
        if let actor { sessions[id]?.endedBy = actor }
        stopLimitWatch(id)
        logger.notice("session \(id): ending it (\(reason.rawValue)\(actor.map { ", asked by \($0)" } ?? ""))")
        let stopper = dependencies.stopper
        let graphical = ["x11", "wayland", "mir"].contains(sessions[id]?.session.type ?? "")
        let graceful = graphical && !(listeners[id]?.isEmpty ?? true)
        if graceful { deliver(WarningDelivery(warning: .sessionEnding, count: 0), to: id) }
        let grace = dependencies.desktopLogoutGrace
        Task {
            if graceful {
                // The desktop logs out by itself: logind then reports the session closing and nothing more is needed.
                let deadline = ContinuousClock.now + grace
                while ContinuousClock.now < deadline, self.sessions[id]?.phase == .opened { await TaskPause.sleep(for: .milliseconds(100)) }
                guard self.sessions[id]?.phase == .opened else { return }
            }
            if !(await stopper.endSession(id)) {
                self.logger.error("session \(id): logind did not terminate it; its programs are stopped and it is wiped")
                self.end(id, trigger: reason.rawValue, because: "terminate-refused")
            }
        }
    }

    /// The agent of session `id` reports the display's input; only the session's own account may. The clock is looked at now.
    public func agentActivity(session id: String, peerUID: UInt32, idleSince: Int64?, source: String) async -> Bool {
        guard let tracked = await openSession(id, of: peerUID) else { return false }
        if tracked.agentSource == nil { logger.info("session \(id): its agent measures idleness (\(source))") }
        sessions[id]?.agentSource = source
        sessions[id]?.idleMeasured = true
        sessions[id]?.agentIdleSince = idleSince.map { min($0, JournalClock.now()) }
        sessions[id]?.inputSource = nil
        releaseSeatInputs()
        if limitWatches[id] != nil { restartLimitWatch(id) }
        return true
    }

    // MARK: Staff

    public enum StaffAnswer: Sendable, Equatable {
        case done(String)
        case noSuchSession
    }

    /// The open sessions, as `ardoise sessions` shows them.
    public func overview(now: Int64 = JournalClock.now()) -> [SessionOverview] {
        sessions.values.filter { $0.phase == .opened }.sorted { $0.openedAt < $1.openedAt }.map { tracked in
            var countdown: (String, Double)?
            if let clock = tracked.clock, let activity = tracked.lastActivity, case .countdown(let kind, let endsAt) = clock.due(now: now, activity: activity) {
                countdown = (kind.rawValue, Double(endsAt - now) / 1e6)
            }
            return SessionOverview(session: tracked.session.id, user: tracked.account?.name, seat: tracked.session.seat, type: tracked.session.type,
                                   kiosk: tracked.isKiosk, openedAt: tracked.openedAt,
                                   idleSeconds: tracked.lastActivity?.lastInput.map { max(0, Double(now - $0) / 1e6) },
                                   idleSource: tracked.idleSourceName,
                                   secondsLeft: tracked.clock?.limitAt.map { Double($0 - now) / 1e6 },
                                   noticeAcknowledged: tracked.noticeAcknowledged, countdown: countdown?.0, countdownSeconds: countdown?.1)
        }
    }

    /// The open session named by its id, or the one on `seat`.
    func sessionID(session: String?, seat: String?) -> String? {
        if let session { return sessions[session]?.phase == .opened ? session : nil }
        guard let seat else { return nil }
        return sessions.values.filter { $0.phase == .opened && $0.session.seat == seat }.max { $0.openedAt < $1.openedAt }?.session.id
    }

    /// Staff end a session: at once, or after the countdown (the person can save their work).
    public func endByStaff(session: String?, seat: String?, now: Bool, by actor: String) -> StaffAnswer {
        guard let id = sessionID(session: session, seat: seat) else { return .noSuchSession }
        if now || sessions[id]?.clock == nil {
            endByService(id, reason: .staff, by: actor)
            return .done(id)
        }
        let seconds = sessions[id]!.clock!.limits.warningSeconds
        sessions[id]?.clock?.staffEndsAt = JournalClock.now() + Int64(seconds * 1e6)
        sessions[id]?.endedBy = actor
        restartLimitWatch(id)
        return .done(id)
    }

    /// Staff give more time to someone in the middle of a long form.
    public func extend(session: String?, seat: String?, minutes: Double) -> StaffAnswer {
        guard let id = sessionID(session: session, seat: seat), sessions[id]?.clock != nil else { return .noSuchSession }
        sessions[id]?.clock?.extraMinutes += minutes
        sessions[id]?.firstWarningGiven = false
        if sessions[id]?.announced?.kind == .timeLimit {
            sessions[id]?.announced = nil
            deliver(WarningDelivery(warning: .sessionContinues, count: 0), to: id)
        }
        restartLimitWatch(id)
        return .done(id)
    }
}

extension SessionEndReason {
    /// The countdown that comes before this end.
    var countdown: SessionClock.Countdown? {
        switch self {
        case .idle, .locked: .idle
        case .timeLimit: .timeLimit
        case .staff: .staff
        case .logout, .declinedNotice: nil
        }
    }
}

extension SessionClock.Countdown {
    var warning: SessionWarning {
        switch self {
        case .idle: .idleCountdown
        case .timeLimit: .timeLimitCountdown
        case .staff: .staffCountdown
        }
    }
}
