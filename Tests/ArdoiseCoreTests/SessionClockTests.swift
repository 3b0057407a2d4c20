@testable import ArdoiseCore
import Foundation
import Testing

/// The clock of a kiosk session under a fake clock: input resets it, warnings come at the right times, limits per account.
@Suite struct SessionClockTests {
    static let second: Int64 = 1_000_000
    static let t0: Int64 = 1_800_000_000_000_000

    static func clock(idle: Double = 1, warning: Double = 60, max: Double = 0, maxWarning: Double = 5, lock: SessionLimits.LockScreen = .end) -> SessionClock {
        var limits = SessionLimits()
        limits.idleMinutes = idle
        limits.warningSeconds = warning
        limits.maxMinutes = max
        limits.maxWarningMinutes = maxWarning
        limits.lockScreen = lock
        return SessionClock(limits: limits, openedAt: t0)
    }

    @Test func idleCountsFromTheLastInputAndInputStopsTheCountdown() {
        let clock = Self.clock()
        let still = SessionActivity(lastInput: Self.t0)
        #expect(clock.due(now: Self.t0 + 59 * Self.second, activity: still) == .nothing)
        #expect(clock.due(now: Self.t0 + 60 * Self.second, activity: still) == .countdown(.idle, endsAt: Self.t0 + 120 * Self.second))
        #expect(clock.due(now: Self.t0 + 119 * Self.second, activity: still) == .countdown(.idle, endsAt: Self.t0 + 120 * Self.second))
        #expect(clock.due(now: Self.t0 + 120 * Self.second, activity: still) == .end(.idle))
        // Someone touched the keyboard during the countdown.
        let touched = SessionActivity(lastInput: Self.t0 + 100 * Self.second)
        #expect(clock.due(now: Self.t0 + 110 * Self.second, activity: touched) == .nothing)
        #expect(clock.due(now: Self.t0 + 160 * Self.second, activity: touched) == .countdown(.idle, endsAt: Self.t0 + 220 * Self.second))
    }

    @Test func nobodyPollsTheInputWhileNothingIsNear() {
        let clock = Self.clock(lock: .ignore)
        let still = SessionActivity(lastInput: Self.t0)
        // The first look is when the countdown could start; during it, every second.
        #expect(clock.nextLook(now: Self.t0 + 10 * Self.second, activity: still) == Self.t0 + 60 * Self.second)
        #expect(clock.nextLook(now: Self.t0 + 70 * Self.second, activity: still) == Self.t0 + 71 * Self.second)
        // A session whose screen may get locked is looked at every 30 seconds.
        #expect(Self.clock().nextLook(now: Self.t0 + 10 * Self.second, activity: still) == Self.t0 + 40 * Self.second)
    }

    @Test func theTimeLimitWarnsThenCountsDownThenEndsWhateverTheInput() {
        let clock = Self.clock(idle: 0, warning: 60, max: 10, maxWarning: 5)
        let busy = SessionActivity(lastInput: Self.t0 + 599 * Self.second)
        let limit = Self.t0 + 600 * Self.second
        #expect(clock.due(now: Self.t0 + 299 * Self.second, activity: busy) == .nothing)
        #expect(clock.due(now: Self.t0 + 300 * Self.second, activity: busy) == .timeLimitSoon(endsAt: limit))
        #expect(clock.due(now: Self.t0 + 540 * Self.second, activity: busy) == .countdown(.timeLimit, endsAt: limit))
        #expect(clock.due(now: limit, activity: busy) == .end(.timeLimit))
        #expect(clock.nextLook(now: Self.t0 + 10 * Self.second, activity: busy) == Self.t0 + 300 * Self.second)
        var extended = clock
        extended.extraMinutes = 5
        #expect(extended.due(now: limit, activity: busy) == .timeLimitSoon(endsAt: limit + 300 * Self.second), "the first warning again, five minutes later")
        #expect(extended.due(now: limit + 300 * Self.second, activity: busy) == .end(.timeLimit))
    }

    @Test func aLockedScreenCountsAsNobodyThereWhenConfiguredSo() {
        let locked = SessionActivity(lastInput: Self.t0 + 50 * Self.second, lockedSince: Self.t0 + 10 * Self.second)
        #expect(Self.clock().due(now: Self.t0 + 70 * Self.second, activity: locked) == .countdown(.idle, endsAt: Self.t0 + 130 * Self.second))
        #expect(Self.clock().due(now: Self.t0 + 130 * Self.second, activity: locked) == .end(.locked))
        #expect(Self.clock(lock: .ignore).due(now: Self.t0 + 130 * Self.second, activity: locked) == .countdown(.idle, endsAt: Self.t0 + 170 * Self.second))
    }

    @Test func aSessionWhoseIdlenessCannotBeMeasuredEndsOnlyByItsTimeLimitOrStaff() {
        let unknown = SessionActivity(lastInput: nil)
        #expect(Self.clock().due(now: Self.t0 + 3600 * Self.second, activity: unknown) == .nothing)
        #expect(Self.clock(lock: .ignore).nextLook(now: Self.t0, activity: unknown) == nil, "nothing to look at")
        #expect(Self.clock().nextLook(now: Self.t0, activity: unknown) == Self.t0 + 30 * Self.second, "a screen that may get locked is looked at")
        #expect(Self.clock().nextLook(now: Self.t0, activity: unknown, lockProbe: nil) == nil, "unless logind announces the lock")
        #expect(Self.clock(max: 30).due(now: Self.t0 + 1800 * Self.second, activity: unknown) == .end(.timeLimit))
        var staff = Self.clock()
        staff.staffEndsAt = Self.t0 + 5 * Self.second
        #expect(staff.due(now: Self.t0, activity: unknown) == .countdown(.staff, endsAt: Self.t0 + 5 * Self.second))
        #expect(staff.due(now: Self.t0 + 5 * Self.second, activity: unknown) == .end(.staff))
    }

    @Test func whatEndsFirstWins() {
        // Idle and at the time limit at the same instant: the time limit's countdown, which input does not stop.
        let clock = Self.clock(idle: 10, warning: 60, max: 15)
        let still = SessionActivity(lastInput: Self.t0 + 4 * 60 * Self.second)
        #expect(clock.due(now: Self.t0 + 14 * 60 * Self.second + 1, activity: still) == .countdown(.timeLimit, endsAt: Self.t0 + 15 * 60 * Self.second))
        // Idle sooner than the time limit: the idle countdown.
        let sooner = SessionActivity(lastInput: Self.t0 + 2 * 60 * Self.second)
        #expect(clock.due(now: Self.t0 + 12 * 60 * Self.second + 1, activity: sooner) == .countdown(.idle, endsAt: Self.t0 + 13 * 60 * Self.second))
        #expect(clock.due(now: Self.t0 + 15 * 60 * Self.second, activity: still) == .end(.timeLimit))
    }

    @Test func limitsComeFromTheConfigurationPerAccount() throws {
        let configuration = try ArdoiseConfiguration.parse("""
            [sessions]
            idle_minutes = 10
            warning_seconds = 30
            [sessions.accounts.kiosque2]
            max_minutes = 120
            lock_screen = "ignore"
            """, file: "t.toml")
        let plain = configuration.sessions.limits(for: "kiosque")
        #expect(plain.idleMinutes == 10 && plain.warningSeconds == 30 && plain.maxMinutes == 0 && plain.lockScreen == .end)
        let own = configuration.sessions.limits(for: "kiosque2")
        #expect(own.idleMinutes == 10 && own.maxMinutes == 120 && own.lockScreen == .ignore, "what it does not say comes from [sessions]")
        #expect(try ArdoiseConfiguration.parse("[sessions]\nidle_minutes = 0.25\n", file: "t.toml").sessions.defaults.idleMinutes == 0.25)
        for (text, key, line) in [("[sessions]\nidle_minutes = -1\n", "sessions.idle_minutes", 2), ("[sessions]\n\nwarning_seconds = 1\n", "sessions.warning_seconds", 3),
                                  ("[sessions.accounts.k]\nlock_screen = \"maybe\"\n", "sessions.accounts.k.lock_screen", 2),
                                  ("[sessions]\nidle = 3\n", "sessions.idle", 2)] {
            do {
                _ = try ArdoiseConfiguration.parse(text, file: "t.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.key == key && error.line == line, "\(text): \(error.key ?? "-") line \(error.line.map(String.init) ?? "-")")
            }
        }
    }
}
