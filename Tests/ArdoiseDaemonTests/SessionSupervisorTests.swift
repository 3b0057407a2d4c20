import ArdoiseCore
import ArdoiseSystem
import Foundation
import Logging
import Testing
@testable import ArdoiseDaemon

/// Records each wipe asked for; can hold a wipe until released (to see what happens meanwhile).
final class FakeWiper: HomeWiping, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(user: String, trigger: String, session: String?)] = []
    private var gate: CheckedContinuation<Void, Never>?
    private var holding = false
    var outcome: WipeOutcome = .clean

    var wipes: [(user: String, trigger: String, session: String?)] { lock.withLock { calls } }

    func hold() { lock.withLock { holding = true } }

    func release() {
        let waiting = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            holding = false
            defer { gate = nil }
            return gate
        }
        waiting?.resume()
    }

    func wipe(_ account: Account, settings: WipeSettings, trigger: String, session: String?, seat: String?) async -> WipeOutcome {
        lock.withLock { calls.append((account.name, trigger, session)) }
        if lock.withLock({ holding }) {
            await withCheckedContinuation { continuation in
                let resumeNow = lock.withLock { () -> Bool in
                    guard holding else { return true }
                    gate = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        return lock.withLock { outcome }
    }
}

final class FakeStopper: ProcessStopping, @unchecked Sendable {
    private let lock = NSLock()
    private var stopped: [UInt32] = []
    var uids: [UInt32] { lock.withLock { stopped } }
    private var ended: [String] = []
    var endedSessions: [String] { lock.withLock { ended } }
    func stopAll(uid: UInt32, grace: Duration) async -> Int {
        lock.withLock { stopped.append(uid) }
        return 0
    }
    func endSession(_ id: String) async -> Bool {
        lock.withLock { ended.append(id) }
        return true
    }
}

/// Accounts kiosk (2001), kiosk2 (2002), staff (1000, not kiosk), admin (1001, in ardoise-admin even if listed).
struct World {
    static let accounts = [Account(name: "kiosk", uid: 2001, gid: 2001, home: "/home/kiosk"), Account(name: "kiosk2", uid: 2002, gid: 2002, home: "/home/kiosk2"),
                           Account(name: "staff", uid: 1000, gid: 1000, home: "/home/staff"), Account(name: "admin", uid: 1001, gid: 1001, home: "/home/admin")]
    let folder: String
    let journal: AccessJournal
    let wiper = FakeWiper()
    let stopper = FakeStopper()
    let supervisor: SessionSupervisor

    init(pending: [(UInt32, String)] = [], watcher: ProfileWatching? = nil, configure: (inout ArdoiseConfiguration) -> Void = { _ in },
         activity: @escaping @Sendable (LoginSession) -> SessionActivity = { _ in SessionActivity(lastInput: nil) },
         desktopLogoutGrace: Duration = .milliseconds(600), seatInputs: SeatInputs? = nil,
         sessionsNow: @escaping @Sendable () -> [LoginSession]? = { nil }) throws {
        folder = NSTemporaryDirectory() + "ardoise-supervisor-" + UUID().uuidString
        journal = try AccessJournal(directory: folder)
        for (uid, user) in pending { try journal.addPendingWipe(uid: uid, user: user, trigger: "logout") }
        var configuration = ArdoiseConfiguration()
        configuration.kiosk.users = ["kiosk", "kiosk2", "admin"]
        configuration.kiosk.logoutGraceSeconds = 0
        configure(&configuration)
        let accounts = Self.accounts
        let isKiosk: @Sendable (Account, KioskSettings) -> Bool = { account, settings in account.name != "admin" && settings.users.contains(account.name) }
        supervisor = SessionSupervisor(configuration: configuration, dependencies: .init(
            journal: journal, wiper: wiper, stopper: stopper, watcher: watcher,
            account: { uid in accounts.first { $0.uid == uid } }, accountNamed: { name in accounts.first { $0.name == name } },
            kioskAccounts: { settings in accounts.filter { isKiosk($0, settings) } }, isKiosk: isKiosk,
            logger: Logger(label: "test"), activity: activity, desktopLogoutGrace: desktopLogoutGrace, seatInputs: seatInputs,
            sessionsNow: sessionsNow))
    }

    func events(_ kind: EventKind) throws -> [JournalEvent] { try journal.events(JournalFilter(kinds: [kind])) }

    /// Waits until the supervisor has no wipe under way.
    func settle() async { await supervisor.drain() }

    func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }
}

func session(_ id: String, _ uid: UInt32, _ state: LoginSession.State = .active, seat: String? = "seat0", kind: String = "user") -> LoginSession {
    LoginSession(id: id, uid: uid, seat: seat, state: state, sessionClass: kind)
}

@Suite struct SessionSupervisorTests {
    @Test func aSessionThatOpensThenIsRemovedIsWipedOnceAndJournaled() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        world.wiper.hold()
        await world.supervisor.apply([session("1", 2001, .online)])
        await world.supervisor.apply([session("1", 2001, .active)])
        await world.supervisor.apply([])
        // Before the wipe ends, a pending record is in the state database: a crash now would be finished at restart.
        try await waitUntil { world.wiper.wipes.count == 3 }
        #expect(try world.journal.pendingWipes().map(\.user) == ["kiosk"])
        world.wiper.release()
        await world.settle()
        #expect(world.wiper.wipes.map(\.trigger) == ["boot-sweep", "boot-sweep", "logout"])
        #expect(world.wiper.wipes.last?.session == "1")
        #expect(world.stopper.uids == [2001])
        #expect(try world.journal.pendingWipes().isEmpty)
        #expect(try world.events(.sessionStart).map(\.session) == ["1"])
        let end = try #require(try world.events(.sessionEnd).first)
        #expect(end.session == "1" && end.user == "kiosk" && end.seat == "seat0" && end.detail["reason"] == .text("removed"))
        #expect(end.duration != nil)
        #expect(await world.supervisor.phase(of: "1") == nil)
    }

    @Test func closingBeforeActiveStillEndsTheSessionAndWipes() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        // The first thing logind shows of this session is its closing.
        await world.supervisor.apply([session("7", 2001, .closing)])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.count == 1)
        #expect(try world.events(.sessionEnd).first?.detail["reason"] == .text("closing"))
        // Then its removal: not ended nor wiped a second time.
        await world.supervisor.apply([])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.count == 1)
        #expect(try world.events(.sessionEnd).count == 1)
    }

    @Test func removalWithoutClosingEndsTheSession() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("3", 2001)])
        await world.supervisor.apply([])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.map(\.session) == ["3"])
    }

    @Test func twoSessionsOfOneAccountWipeAtTheLastOnly() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001), session("2", 2001, seat: nil)])
        await world.supervisor.apply([session("1", 2001, .closing), session("2", 2001, seat: nil)])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.isEmpty)
        await world.supervisor.apply([session("2", 2001, seat: nil)])
        await world.supervisor.apply([])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.map(\.session) == ["2"])
        #expect(try world.events(.sessionEnd).count == 2)
    }

    @Test func twoKioskAccountsOnTwoSeatsAreIndependent() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001, seat: "seat0"), session("2", 2002, seat: "seat1")])
        await world.supervisor.apply([session("2", 2002, seat: "seat1")])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.map(\.user) == ["kiosk"])
        await world.supervisor.apply([])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.map(\.user) == ["kiosk", "kiosk2"])
        #expect(Set(try world.events(.sessionStart).compactMap(\.seat)) == ["seat0", "seat1"])
    }

    @Test func aNonKioskAccountIsJournaledButNeverWiped() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        // staff is not listed; admin is listed but an administrator; a greeter session is not a user session.
        await world.supervisor.apply([session("5", 1000), session("6", 1001), session("g", 2001, kind: "greeter")])
        await world.supervisor.apply([])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.isEmpty)
        #expect(world.stopper.uids.isEmpty)
        #expect(try world.events(.sessionStart).map { $0.detail["kiosk"] } == [.bool(false), .bool(false)])
        #expect(await world.supervisor.sessionEnded(user: "staff", session: nil) == .notKiosk)
        #expect(await world.supervisor.sessionEnded(user: "admin", session: nil) == .notKiosk)
        #expect(await world.supervisor.sessionEnded(user: "nobody-here", session: nil) == .unknownAccount)
    }

    @Test func startUpFinishesPendingWipesThenSweepsAccountsWithoutASession() async throws {
        let world = try World(pending: [(2002, "kiosk2")])
        defer { world.cleanUp() }
        // kiosk has a session open at start: not swept; kiosk2 had a wipe cut short: finished first.
        await world.supervisor.startUp([session("9", 2001)])
        #expect(world.wiper.wipes.map(\.user) == ["kiosk2"])
        #expect(world.wiper.wipes.map(\.trigger) == ["pending"])
        #expect(try world.journal.pendingWipes().isEmpty)
        // The wipe cut short is said as such (neither done nor failed), then done again.
        let interrupted = try #require(try world.events(.wipeInterrupted).first)
        #expect(interrupted.user == "kiosk2" && interrupted.detail["trigger"] == .text("logout") && interrupted.outcome == "interrupted")
        let figures = try world.journal.statistics(by: .day)
        #expect(figures.map(\.wipesInterrupted).reduce(0, +) == 1 && figures.map(\.wipesFailed).reduce(0, +) == 0)
        #expect(try world.journal.verify().statisticsMatch == true)
        let sweep = try #require(try world.events(.bootSweep).first)
        #expect(sweep.detail["pending"] == .int(1) && sweep.detail["wiped"] == .int(1) && sweep.detail["open_sessions"] == .int(1))
        #expect(try world.events(.sessionStart).first?.detail["open_at_start"] == .bool(true))
        await world.supervisor.apply([])
        await world.settle()
        #expect(world.wiper.wipes.map(\.user) == ["kiosk2", "kiosk"])
    }

    @Test func theHookWipesNowAndLogindDoesNotWipeAgain() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("4", 2001)])
        #expect(await world.supervisor.sessionEnded(user: "kiosk", session: "4") == .wiped(.clean))
        #expect(world.wiper.wipes.last?.trigger == "session-end-hook")
        await world.supervisor.apply([session("4", 2001, .closing)])
        await world.supervisor.apply([])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.session == "4" }.count == 1)
        #expect(try world.events(.sessionEnd).count == 1)
        // Asked again with nothing open: already clean, no new wipe.
        #expect(await world.supervisor.sessionEnded(user: "kiosk", session: nil) == .wiped(.clean))
        #expect(world.wiper.wipes.filter { $0.user == "kiosk" }.count == 2)
    }

    @Test func aHookBeforeLogindsNewsOpensThatSessionThenEndsAndWipesIt() async throws {
        // logind lists session 7 and 8 (another account, just logged in); the service has heard of neither yet.
        let world = try World(sessionsNow: { [session("7", 2001), session("8", 2002)] })
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([])
        // After the boot sweep the home was clean: that must not answer for a session the service never saw.
        #expect(await world.supervisor.sessionEnded(user: "kiosk", session: "7") == .wiped(.clean))
        #expect(world.wiper.wipes.last?.trigger == "session-end-hook" && world.wiper.wipes.last?.session == "7")
        #expect(try world.events(.sessionStart).map(\.session) == ["7"])
        #expect(try world.events(.sessionEnd).map(\.session) == ["7"])
        // Only the hook's own session was taken from that reading: kiosk2's is left to logind's news.
        #expect(await world.supervisor.phase(of: "8") == nil)
        // logind's news, late and still without session 7, ends nothing more and wipes nothing again.
        await world.supervisor.apply([])
        await world.supervisor.apply([session("8", 2002)])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.session == "7" }.count == 1)
        #expect(try world.events(.sessionEnd).map(\.session) == ["7"])
        #expect(await world.supervisor.phase(of: "8") == .opened)
        // The same hook again, for the session now forgotten: already clean.
        #expect(await world.supervisor.sessionEnded(user: "kiosk", session: "7") == .wiped(.clean))
        #expect(world.wiper.wipes.filter { $0.session == "7" }.count == 1)
    }

    @Test func aHookForASessionNeitherSeenNorListedWipesEvenIfTheHomeWasClean() async throws {
        let world = try World(sessionsNow: { [] })
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        let before = world.wiper.wipes.count
        #expect(await world.supervisor.sessionEnded(user: "kiosk", session: "12") == .wiped(.clean))
        #expect(world.wiper.wipes.count == before + 1)
        #expect(world.wiper.wipes.last?.trigger == "session-end-hook")
        // Nothing says the session existed but the hook: no session event is made up for it.
        #expect(try world.events(.sessionStart).isEmpty)
    }

    @Test func theHookWithAnotherSessionOpenIsPostponed() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001), session("2", 2001)])
        #expect(await world.supervisor.sessionEnded(user: "kiosk", session: "1") == .wiped(.postponed))
        #expect(world.wiper.wipes.filter { $0.trigger != "boot-sweep" }.isEmpty)
    }

    @Test func theHookJoinsAWipeUnderWayAndReportsItsOutcome() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        world.wiper.outcome = .leftOvers(2)
        world.wiper.hold()
        await world.supervisor.apply([session("1", 2001)])
        await world.supervisor.apply([])
        try await waitUntil { world.wiper.wipes.count == 3 }
        async let answer = world.supervisor.sessionEnded(user: "kiosk", session: "1")
        try await Task.sleep(for: .milliseconds(50))
        world.wiper.release()
        #expect(await answer == .wiped(.leftOvers(2)))
        #expect(world.wiper.wipes.count == 3)
        // Not clean: the next hook call wipes again.
        world.wiper.outcome = .clean
        #expect(await world.supervisor.sessionEnded(user: "kiosk", session: nil) == .wiped(.clean))
        #expect(world.wiper.wipes.count == 4)
    }

    @Test func aReloadChangesWhoIsAKioskAccount() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        var configuration = await world.supervisor.configuration
        configuration.kiosk.users = ["kiosk2"]
        await world.supervisor.reload(configuration)
        await world.supervisor.apply([session("1", 2001), session("2", 2002)])
        await world.supervisor.apply([])
        await world.settle()
        #expect(world.wiper.wipes.filter { $0.trigger == "logout" }.map(\.user) == ["kiosk2"])
    }

    @Test func aReloadNamingANewKioskAccountTakesItInHandAtOnce() async throws {
        let world = try World { $0.kiosk.users = ["kiosk"] }
        defer { world.cleanUp() }
        await world.supervisor.startUp([session("3", 1000)])
        await world.settle()
        #expect(world.wiper.wipes.map(\.trigger) == ["boot-sweep"])
        var configuration = await world.supervisor.configuration
        configuration.kiosk.users = ["kiosk", "kiosk2", "staff"]
        await world.supervisor.reload(configuration)
        await world.settle()
        // kiosk2 is new and has no session: reset now (its reference captured there); staff has a session open: its logout will.
        #expect(world.wiper.wipes.filter { $0.trigger == "reload" }.map(\.user) == ["kiosk2"])
    }

    @Test func theStatusLineCountsSessionsAndWipes() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([session("1", 2001), session("2", 2002)])
        #expect(await world.supervisor.status == "2 sessions")
        await world.supervisor.apply([session("2", 2002)])
        await world.settle()
        #expect(await world.supervisor.status.hasPrefix("1 session, last wipe at "))
    }
}

func waitUntil(_ condition: () -> Bool, timeout: Duration = .seconds(5)) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw CancellationError() }
        try await Task.sleep(for: .milliseconds(5))
    }
}
