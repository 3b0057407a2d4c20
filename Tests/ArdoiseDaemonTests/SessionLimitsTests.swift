import ArdoiseCore
import ArdoiseSystem
import Foundation
import Testing
@testable import ArdoiseDaemon

/// The input time a test moves by hand (someone touching the keyboard).
final class FakeInput: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Int64? = JournalClock.now()
    var lastInput: Int64? {
        get { lock.withLock { last } }
        set { lock.withLock { last = newValue } }
    }
}

/// The supervisor with idle and time limits of a few seconds (long enough for the test's listener to attach first, even
/// on a busy machine): countdowns told to the agent, sessions ended with their reason, staff's end and extension.
@Suite struct SessionLimitsTests {
    static func world(idle: Double = 0, warning: Double = 0.6, max: Double = 0, maxWarning: Double = 0, input: FakeInput = FakeInput()) throws -> World {
        try World(configure: { configuration in
            configuration.sessions.defaults.idleMinutes = idle
            configuration.sessions.defaults.warningSeconds = warning
            configuration.sessions.defaults.maxMinutes = max
            configuration.sessions.defaults.maxWarningMinutes = maxWarning
            configuration.sessions.defaults.lockScreen = .ignore
        }, activity: { _ in SessionActivity(lastInput: input.lastInput) })
    }

    /// What the agent of session `id` was told, collected on a task of its own.
    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var heard: [WarningDelivery] = []
        var deliveries: [WarningDelivery] { lock.withLock { heard } }
        func add(_ delivery: WarningDelivery) { lock.withLock { heard.append(delivery) } }
    }

    static func listen(_ world: World, _ id: String, uid: UInt32) async throws -> Heard {
        let stream = try #require(await world.supervisor.listen(session: id, peerUID: uid))
        let heard = Heard()
        Task { for await delivery in stream { heard.add(delivery) } }
        return heard
    }

    static func waitUntil(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    @Test func anIdleSessionGetsItsCountdownThenEndsWithTheReasonIdleAndIsWiped() async throws {
        let world = try Self.world(idle: 0.05)
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001)])
        let heard = try await Self.listen(world, "1", uid: 2001)
        #expect(await Self.waitUntil(15) { world.stopper.endedSessions == ["1"] }, "logind is asked to end it")
        #expect(heard.deliveries.first?.warning == .idleCountdown && (heard.deliveries.first?.count ?? 0) >= 1, "\(heard.deliveries)")
        // logind ends it: the end is journaled with its reason, the wipe says why.
        await world.supervisor.apply([])
        await world.settle()
        let end = try #require(try world.events(.sessionEnd).first)
        #expect(end.outcome == "idle" && end.detail["idle_measured"] == .bool(true))
        #expect(world.wiper.wipes.map(\.trigger).filter({ $0 != "boot-sweep" }) == ["idle"])
        #expect(try world.journal.statistics(by: .day).first?.endedBy[.idle] == 1)
        #expect(try world.journal.verify().statisticsMatch == true)
    }

    @Test func inputDuringTheCountdownKeepsTheSession() async throws {
        let input = FakeInput()
        let world = try Self.world(idle: 0.05, warning: 4, input: input)
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001)])
        let heard = try await Self.listen(world, "1", uid: 2001)
        #expect(await Self.waitUntil(15) { heard.deliveries.contains { $0.warning == .idleCountdown } })
        input.lastInput = JournalClock.now()
        #expect(await Self.waitUntil(4) { heard.deliveries.contains { $0.warning == .sessionContinues } }, "\(heard.deliveries)")
        #expect(world.stopper.endedSessions.isEmpty, "not ended")
        await world.supervisor.apply([])
        await world.settle()
        #expect(try world.events(.sessionEnd).first?.outcome == "logout")
    }

    @Test func theTimeLimitWarnsThenEndsTheSessionWhateverTheInput() async throws {
        let input = FakeInput()
        // 4.5 s of session, a first warning 2.4 s before, the countdown 0.6 s before.
        let world = try Self.world(max: 0.075, maxWarning: 0.04, input: input)
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001)])
        let heard = try await Self.listen(world, "1", uid: 2001)
        let typing = Task { while !Task.isCancelled { input.lastInput = JournalClock.now(); try? await Task.sleep(for: .milliseconds(50)) } }
        defer { typing.cancel() }
        #expect(await Self.waitUntil(15) { world.stopper.endedSessions == ["1"] })
        #expect(heard.deliveries.map(\.warning).prefix(2) == [.timeLimitSoon, .timeLimitCountdown], "\(heard.deliveries)")
        await world.supervisor.apply([])
        await world.settle()
        #expect(try world.events(.sessionEnd).first?.outcome == "time-limit")
        #expect(world.wiper.wipes.map(\.trigger).filter({ $0 != "boot-sweep" }) == ["time-limit"])
    }

    /// logind announces the lock (`PropertiesChanged`): the clock is looked at then, not at its next look (a minute
    /// away here, the idle limit from the last input) nor every 30 s.
    @Test func aLockLogindAnnouncesIsLookedAtWhenAnnounced() async throws {
        final class Screen: @unchecked Sendable {
            private let lock = NSLock()
            private var lockedFlag = false
            private var reads = 0
            var locked: Bool {
                get { lock.withLock { lockedFlag } }
                set { lock.withLock { lockedFlag = newValue } }
            }
            var looks: Int { lock.withLock { reads } }
            func read() -> SessionActivity {
                lock.withLock {
                    reads += 1
                    // As logind's reader: in use now (someone types), locked as of this look.
                    let now = JournalClock.now()
                    return SessionActivity(lastInput: now, lockedSince: lockedFlag ? now : nil)
                }
            }
        }
        let screen = Screen()
        let world = try World(configure: { configuration in
            configuration.sessions.defaults.idleMinutes = 1
            configuration.sessions.defaults.lockScreen = .end
        }, activity: { _ in screen.read() })
        defer { world.cleanUp() }
        await world.supervisor.activityAnnouncements(true)
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001)])
        #expect(await Self.waitUntil(15) { screen.looks >= 1 })
        try? await Task.sleep(for: .milliseconds(300))
        let before = screen.looks
        #expect(before == 1, "no look before the next instant that matters")
        screen.locked = true
        await world.supervisor.activityChanged("1")
        #expect(await Self.waitUntil(15) { screen.looks > before }, "looked at when announced")
        // Another session's news does not make this one looked at.
        let after = screen.looks
        await world.supervisor.activityChanged("2")
        try? await Task.sleep(for: .milliseconds(300))
        #expect(screen.looks == after)
        // Fifty news 20 ms apart (a visitor toggling their own idle hint in a loop): one look per fifth of a second at
        // most, however long the burst took on this machine, not one per news.
        let burst = Date()
        for _ in 0..<50 {
            await world.supervisor.activityChanged("1")
            try? await Task.sleep(for: .milliseconds(20))
        }
        try? await Task.sleep(for: .milliseconds(300))
        let allowed = Int(Date().timeIntervalSince(burst) / 0.2) + 2
        #expect(screen.looks > after, "looked at after the burst")
        #expect(screen.looks - after <= allowed, "\(screen.looks - after) looks for 50 news (at most \(allowed))")
    }

    /// The service looked too late (a busy or suspended computer): the end still waits for its countdown.
    @Test func noSessionEndsWithoutItsCountdownEvenWhenTheServiceLooksLate() async throws {
        let input = FakeInput()
        let world = try Self.world(idle: 0.05, warning: 1, input: input)
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001)])
        let heard = try await Self.listen(world, "1", uid: 2001)
        // Nobody there for a minute by the time the service looks: past the end already.
        input.lastInput = JournalClock.now() - 60_000_000
        #expect(await Self.waitUntil(15) { heard.deliveries.contains { $0.warning == .idleCountdown } })
        let warned = Date()
        #expect(world.stopper.endedSessions.isEmpty, "not ended before the countdown")
        #expect(await Self.waitUntil(5) { world.stopper.endedSessions == ["1"] })
        #expect(Date().timeIntervalSince(warned) >= 0.8, "the countdown's full length was given")
    }

    @Test func staffSeeEndAndExtendSessions() async throws {
        let world = try Self.world(max: 60)
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001, seat: "seat0"), session("2", 2002, seat: "seat1")])
        #expect(await Self.waitUntil(2) { await world.supervisor.overview().allSatisfy { $0.idleSeconds != nil } })
        let overview = await world.supervisor.overview()
        #expect(overview.map(\.session) == ["1", "2"] || overview.map(\.session) == ["2", "1"])
        #expect(overview.allSatisfy { ($0.secondsLeft ?? 0) > 3500 && $0.kiosk && $0.idleSeconds != nil })
        #expect(await world.supervisor.extend(session: nil, seat: "seat1", minutes: 30) == .done("2"))
        #expect(try #require(await world.supervisor.overview().first { $0.session == "2" }?.secondsLeft) > 5300)
        #expect(await world.supervisor.endByStaff(session: nil, seat: "seat9", now: true, by: "anne") == .noSuchSession)
        #expect(await world.supervisor.endByStaff(session: nil, seat: "seat0", now: true, by: "anne") == .done("1"))
        #expect(await Self.waitUntil(2) { world.stopper.endedSessions == ["1"] })
        await world.supervisor.apply([session("2", 2002, seat: "seat1")])
        await world.settle()
        let end = try #require(try world.events(.sessionEnd).first)
        #expect(end.outcome == "staff" && end.detail["by"] == .text("anne") && end.session == "1")
        #expect(world.wiper.wipes.map(\.trigger).filter({ $0 != "boot-sweep" }) == ["staff"])
        // Without --now: the countdown first, then the end.
        let heard = try await Self.listen(world, "2", uid: 2002)
        #expect(await world.supervisor.endByStaff(session: "2", seat: nil, now: false, by: "anne") == .done("2"))
        #expect(await Self.waitUntil(5) { world.stopper.endedSessions == ["1", "2"] })
        #expect(heard.deliveries.first?.warning == .staffCountdown)
    }

    @Test func aDesktopSessionIsFirstAskedToLogOutThroughItsAgentThenTerminated() async throws {
        let world = try Self.world(max: 60)
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        let desktop = LoginSession(id: "1", uid: 2001, seat: "seat0", type: "x11")
        await world.supervisor.apply([desktop])
        let heard = try await Self.listen(world, "1", uid: 2001)
        #expect(await world.supervisor.endByStaff(session: "1", seat: nil, now: true, by: "anne") == .done("1"))
        #expect(await Self.waitUntil(1) { heard.deliveries.contains { $0.warning == .sessionEnding } }, "the agent is asked to log out")
        // The desktop logs out by itself within the grace: logind is not asked.
        await world.supervisor.apply([])
        try await Task.sleep(for: .milliseconds(900))
        #expect(world.stopper.endedSessions.isEmpty)
        await world.settle()
        #expect(try world.events(.sessionEnd).first?.outcome == "staff")
        // A desktop that does not log out: logind terminates the session after the grace.
        await world.supervisor.apply([LoginSession(id: "2", uid: 2002, seat: "seat0", type: "x11")])
        _ = try await Self.listen(world, "2", uid: 2002)
        #expect(await world.supervisor.endByStaff(session: "2", seat: nil, now: true, by: "anne") == .done("2"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(world.stopper.endedSessions.isEmpty, "not before the grace")
        #expect(await Self.waitUntil(2) { world.stopper.endedSessions == ["2"] })
    }

    @Test func aSessionWhoseIdlenessCannotBeMeasuredIsSaidSoAndStaysOpen() async throws {
        let input = FakeInput()
        input.lastInput = nil
        let world = try Self.world(idle: 0.005, input: input)
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001)])
        try await Task.sleep(for: .seconds(1))
        #expect(world.stopper.endedSessions.isEmpty)
        let overview = await world.supervisor.overview()
        #expect(overview.first?.idleSeconds == nil && overview.first?.idleSource == "idle-unknown")
        // Staff read that it cannot be measured, not merely that it is not known yet.
        #expect(overview.rendered(.french).contains("non mesurable") && overview.rendered(.english).contains("cannot be measured"))
        await world.supervisor.apply([])
        await world.settle()
        let end = try #require(try world.events(.sessionEnd).first)
        #expect(end.detail["idle_measured"] == .bool(false) && end.detail["idle_source"] == .text("idle-unknown"))
    }
    /// A desktop session without its agent, of which logind knows nothing: the seat's input devices (a named pipe here).
    /// A seat with one input device (a named pipe in `folder`), logind knowing nothing, and a desktop session of type `type`.
    static func desktopWithoutAgent(idle: Double, warning: Double, type: String, folder: String) async throws -> (World, SeatInputs) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(mkfifo(folder + "/event0", 0o600) == 0)
        let inputs = SeatInputs(folder: folder)
        let world = try World(configure: { configuration in
            configuration.sessions.defaults.idleMinutes = idle
            configuration.sessions.defaults.warningSeconds = warning
            configuration.sessions.defaults.lockScreen = .ignore
        }, activity: { _ in SessionActivity(lastInput: nil) }, seatInputs: inputs)
        await world.supervisor.startUp([])
        var desktop = session("1", 2001)
        desktop.type = type
        await world.supervisor.apply([desktop])
        return (world, inputs)
    }

    @Test func aDesktopSessionWithoutAgentIsMeasuredByItsSeatsInputDevices() async throws {
        let folder = NSTemporaryDirectory() + "ardoise-input-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Idle after 3 s, with a countdown of 2 s; the agent had 1.5 s to say it was there.
        let (world, inputs) = try await Self.desktopWithoutAgent(idle: 0.05, warning: 2, type: "x11", folder: folder)
        defer { world.cleanUp() }
        let heard = try await Self.listen(world, "1", uid: 2001)
        #expect(await Self.waitUntil(10) { inputs.watchedSeats == ["seat0"] }, "read once the agent's time is over")
        // Someone types for 6 s, a key every half second: past the idle limit and its countdown, the session stays.
        let writer = open(folder + "/event0", O_WRONLY | O_NONBLOCK)
        #expect(writer >= 0)
        var event = [UInt8](repeating: 1, count: 24)
        for _ in 0..<12 {
            _ = write(writer, &event, event.count)
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(world.stopper.endedSessions.isEmpty, "in use: not ended (\(heard.deliveries))")
        #expect(await world.supervisor.overview().first?.idleSource == SeatInput.source)
        // Then nobody: the countdown, then the end.
        #expect(await Self.waitUntil(15) { world.stopper.endedSessions == ["1"] })
        #expect(heard.deliveries.contains { $0.warning == .idleCountdown })
        close(writer)
        await world.supervisor.apply([])
        await world.settle()
        let end = try #require(try world.events(.sessionEnd).first)
        #expect(end.outcome == "idle" && end.detail["idle_measured"] == .bool(true) && end.detail["idle_source"] == .text("input-devices"), "\(end.detail)")
        #expect(inputs.watchedSeats.isEmpty, "no session needs the seat's devices any more")
    }

    /// An agent that reports takes over from the devices, which are then no longer read.
    @Test func theAgentTakesOverFromTheSeatsInputDevices() async throws {
        let folder = NSTemporaryDirectory() + "ardoise-input-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (world, inputs) = try await Self.desktopWithoutAgent(idle: 0.02, warning: 30, type: "wayland", folder: folder)
        defer { world.cleanUp() }
        #expect(await Self.waitUntil(10) { inputs.watchedSeats == ["seat0"] })
        #expect(await world.supervisor.agentActivity(session: "1", peerUID: 2001, idleSince: nil, source: "ext-idle-notify"))
        #expect(inputs.watchedSeats.isEmpty)
        await world.supervisor.apply([])
        await world.settle()
        #expect(try world.events(.sessionEnd).first?.detail["idle_source"] == .text("ext-idle-notify"))
    }
}
