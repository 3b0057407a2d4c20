import ArdoiseCore
import ArdoiseSystem
import FoundationEssentials
import Glibc
import Logging

/// The notice and the live warnings: what the session's agent reports, and what it is told.
extension SessionSupervisor {
    public enum NoticeAnswer: Sendable, Equatable {
        case recorded
        case endedSession
        /// The session is not this caller's (or is unknown): nothing is recorded.
        case notYourSession
    }

    /// The agent says the notice was shown, acknowledged or declined; only the session's own account may say so.
    public func noticeReport(_ report: NoticeReport, session id: String, peerUID: UInt32) async -> NoticeAnswer {
        guard let tracked = await openSession(id, of: peerUID) else { return .notYourSession }
        record(JournalEvent(kind: report.eventKind, seat: tracked.session.seat, session: id, uid: peerUID, user: tracked.account?.name,
                            outcome: "ok", detail: ["mirrored": .bool(configuration.notice.screenMirrored),
                                                    "acknowledgement_required": .bool(configuration.notice.requireAcknowledgement)]))
        if report == .acknowledged { sessions[id]?.noticeAcknowledged = true }
        guard report == .declined, configuration.notice.onDecline == .logout else { return .recorded }
        logger.notice("session \(id): notice declined, the session is ended as configured")
        sessions[id]?.endReason = .declinedNotice
        stopLimitWatch(id)
        guard await dependencies.stopper.endSession(id) else {
            sessions[id]?.endReason = nil
            return .recorded
        }
        return .endedSession
    }

    /// The agent of session `id` listens for warnings until the session ends; nil when the session is not the caller's.
    public func listen(session id: String, peerUID: UInt32) async -> AsyncStream<WarningDelivery>? {
        guard await openSession(id, of: peerUID) != nil else { return nil }
        let (stream, continuation) = AsyncStream.makeStream(of: WarningDelivery.self)
        let key = UUID()
        listeners[id, default: [:]][key] = continuation
        continuation.onTermination = { _ in Task { await self.forget(listener: key, session: id) } }
        return stream
    }

    func forget(listener key: UUID, session id: String) {
        listeners[id]?[key] = nil
    }

    /// The watcher saw something in session `id`: counted, then shown unless the throttle holds it.
    public func saw(_ warning: SessionWarning, session id: String, now: Int64 = JournalClock.now()) {
        guard sessions[id]?.phase == .opened else { return }
        seen[id, default: [:]][warning, default: 0] += 1
        let enabled = warning == .passwordSaved ? configuration.liveWarnings.passwords : configuration.liveWarnings.downloads
        guard enabled else { return }
        var throttle = throttles[id] ?? WarningThrottle()
        let count = throttle.offer(warning, now: now)
        throttles[id] = throttle
        if let count {
            deliver(WarningDelivery(warning: warning, count: count), to: id)
        } else if heldWarnings[id] == nil {
            scheduleHeld(session: id)
        }
    }

    /// One wake-up when the held warnings are due; none while nothing is held.
    func scheduleHeld(session id: String) {
        guard let due = throttles[id]?.nextDue else { return }
        heldWarnings[id] = Task {
            await TaskPause.sleep(for: .microseconds(max(0, due - JournalClock.now())))
            self.releaseHeld(session: id)
        }
    }

    func releaseHeld(session id: String) {
        heldWarnings[id] = nil
        guard var throttle = throttles[id] else { return }
        for (warning, count) in throttle.due(now: JournalClock.now()) { deliver(WarningDelivery(warning: warning, count: count), to: id) }
        throttles[id] = throttle
        scheduleHeld(session: id)
    }

    func deliver(_ delivery: WarningDelivery, to id: String) {
        for continuation in (listeners[id] ?? [:]).values { continuation.yield(delivery) }
    }

    /// The session is over: no more watching, counting or listening.
    func stopWatching(_ id: String, watched: Bool) {
        if watched { dependencies.watcher?.unwatch(session: id) }
        for continuation in (listeners.removeValue(forKey: id) ?? [:]).values { continuation.finish() }
        heldWarnings.removeValue(forKey: id)?.cancel()
        throttles[id] = nil
        seen[id] = nil
    }

    public func warningCount(_ warning: SessionWarning, session id: String) -> Int { seen[id]?[warning] ?? 0 }
}
