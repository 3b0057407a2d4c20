import ArdoiseCore
import ArdoiseSystem
import Foundation
import Testing
@testable import ArdoiseDaemon

/// Records what the supervisor asks to watch.
final class FakeWatcher: ProfileWatching, @unchecked Sendable {
    private let lock = NSLock()
    private var watchedSessions: [String] = []
    private var unwatchedSessions: [String] = []
    let warnings: AsyncStream<(session: String, warning: SessionWarning)>
    init() { warnings = AsyncStream { $0.finish() } }
    var watched: [String] { lock.withLock { watchedSessions } }
    var unwatched: [String] { lock.withLock { unwatchedSessions } }
    func watch(session: String, roots: WatchRoots) { lock.withLock { watchedSessions.append(session) } }
    func unwatch(session: String) { lock.withLock { unwatchedSessions.append(session) } }
}

@Suite struct NoticeAndWarningTests {
    @Test func theNoticeIsJournaledForItsOwnSessionOnly() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001), session("2", 2002)])
        #expect(await world.supervisor.noticeReport(.shown, session: "1", peerUID: 2001) == .recorded)
        #expect(await world.supervisor.noticeReport(.acknowledged, session: "1", peerUID: 2001) == .recorded)
        // kiosk2 cannot acknowledge for kiosk's session, nor anyone for a session that does not exist.
        #expect(await world.supervisor.noticeReport(.acknowledged, session: "1", peerUID: 2002) == .notYourSession)
        #expect(await world.supervisor.noticeReport(.shown, session: "9", peerUID: 2001) == .notYourSession)
        #expect(try world.events(.noticeShown).map(\.session) == ["1"])
        #expect(try world.events(.noticeAcknowledged).map { [$0.session, $0.user] } == [["1", "kiosk"]])
    }

    /// profile.d's notice can report before logind's news of the session reaches the service: it is recorded all the same.
    @Test func aNoticeReportedBeforeTheServiceSeesItsSessionIsStillRecorded() async throws {
        let world = try World()
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        async let early = world.supervisor.noticeReport(.shown, session: "1", peerUID: 2001)
        async let listening = world.supervisor.listen(session: "1", peerUID: 2001)
        try await Task.sleep(for: .milliseconds(400))
        await world.supervisor.apply([session("1", 2001)])
        #expect(await early == .recorded)
        #expect(await listening != nil, "the agent that asked early listens too")
        #expect(try world.events(.noticeShown).map(\.session) == ["1"])
        // Another account's session, even one that opens meanwhile, is still not the caller's.
        async let foreign = world.supervisor.noticeReport(.shown, session: "2", peerUID: 2001)
        await world.supervisor.apply([session("1", 2001), session("2", 2002)])
        #expect(await foreign == .notYourSession)
    }

    @Test func aDeclinedNoticeEndsTheSessionOnlyWhenConfigured() async throws {
        let world = try World { $0.notice.onDecline = .logout }
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001)])
        #expect(await world.supervisor.noticeReport(.declined, session: "1", peerUID: 2001) == .endedSession)
        #expect(world.stopper.endedSessions == ["1"])
        #expect(try world.events(.noticeDeclined).count == 1)
        // logind then ends it: its end says why.
        await world.supervisor.apply([])
        await world.settle()
        #expect(try world.events(.sessionEnd).first?.outcome == "declined-notice")

        let lenient = try World()
        defer { lenient.cleanUp() }
        await lenient.supervisor.startUp([])
        await lenient.supervisor.apply([session("1", 2001)])
        #expect(await lenient.supervisor.noticeReport(.declined, session: "1", peerUID: 2001) == .recorded)
        #expect(lenient.stopper.endedSessions.isEmpty)
        await lenient.supervisor.apply([])
        await lenient.settle()
        #expect(try lenient.events(.sessionEnd).first?.outcome == "logout")
    }

    @Test func warningsAreThrottledCountedAndJournaledAsCountsAtTheEnd() async throws {
        let watcher = FakeWatcher()
        let world = try World(watcher: watcher)
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001), session("5", 1000)])
        #expect(watcher.watched == ["1"], "kiosk sessions only")
        let listening = try #require(await world.supervisor.listen(session: "1", peerUID: 2001))
        #expect(await world.supervisor.listen(session: "1", peerUID: 2002) == nil)
        // An hour ahead: the held warnings fall due long after the session has ended, however slow the machine.
        let start = JournalClock.now() + 3_600_000_000
        await world.supervisor.saw(.passwordSaved, session: "1", now: start)
        for i in 0..<200 { await world.supervisor.saw(.downloadFinished, session: "1", now: start + Int64(i)) }
        await world.supervisor.apply([])
        var delivered: [WarningDelivery] = []
        for await delivery in listening { delivered.append(delivery) }
        // 200 downloads in a burst: one warning now, the rest held (and dropped with the session's end), not 200.
        #expect(delivered == [WarningDelivery(warning: .passwordSaved, count: 1), WarningDelivery(warning: .downloadFinished, count: 1)])
        #expect(watcher.unwatched == ["1"])
        let end = try #require(try world.events(.sessionEnd).first { $0.session == "1" })
        #expect(end.detail["passwords_saved"] == .int(1) && end.detail["downloads"] == .int(200))
        let other = try #require(try world.events(.sessionEnd).first { $0.session == "5" })
        #expect(other.detail["downloads"] == nil)
    }

    @Test func heldWarningsAreShownWithTheirCountWhenTheWindowEnds() {
        var throttle = WarningThrottle(window: 10)
        #expect(throttle.offer(.downloadFinished, now: 0) == 1)
        #expect(throttle.offer(.downloadFinished, now: 1) == nil)
        #expect(throttle.offer(.downloadFinished, now: 2) == nil)
        #expect(throttle.offer(.passwordSaved, now: 3) == 1)
        #expect(throttle.nextDue == 10)
        #expect(throttle.due(now: 9).isEmpty)
        #expect(throttle.due(now: 10).map { [$0.0.rawValue, "\($0.1)"] } == [["download-finished", "2"]])
        #expect(throttle.nextDue == nil)
        #expect(throttle.offer(.downloadFinished, now: 25) == 1)
    }

    @Test func theNoticeSaysWhatItMustInBothLanguages() {
        var settings = NoticeSettings()
        settings.overrideDirectory = "/nonexistent"
        settings.screenMirrored = true
        settings.contact = "Médiathèque — dpo@ville.example"
        let french = SessionNotice.text(.french, settings: settings, retentionDays: 180)
        #expect(french.body.contains("6 mois") && french.body.contains("peut voir votre écran") && french.body.contains("dpo@ville.example"))
        #expect(french.body.contains("efface tout") && french.body.contains("heure de connexion") && french.acknowledge == "J'ai compris")
        let english = SessionNotice.text(.english, settings: NoticeSettings(), retentionDays: 365)
        #expect(english.body.contains("1 year") && !english.body.contains("can see your screen") && english.acknowledge == "I understand")
        #expect(SessionNotice.duration(90, .french) == "3 mois" && SessionNotice.duration(45, .english) == "45 days")
    }

    /// Short sentences: one idea each. No line of the notice (the advice aside) holds more than two sentences.
    @Test(arguments: PublicLanguage.allCases)
    func everyLanguageSaysEverythingInShortSentences(_ language: PublicLanguage) {
        var settings = NoticeSettings()
        settings.overrideDirectory = "/nonexistent"
        settings.screenMirrored = true
        settings.contact = "accueil"
        let notice = SessionNotice.text(language, settings: settings, retentionDays: 365)
        let lines = notice.body.split(separator: "\n").map(String.init)
        #expect(lines.count == 11, "\(language): what is noted, the network, how long, who, the screen, erased, three pieces of advice, the contact")
        #expect(notice.body.contains(SessionNotice.duration(365, language)) && notice.body.contains("accueil"))
        for line in lines where !line.hasPrefix("•") {
            let sentences = line.split(whereSeparator: { ".?!؟".contains($0) }).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            #expect(sentences.count <= 2, "\(language): \(line)")
        }
        let others = PublicLanguage.allCases.filter { $0 != language }.map { SessionNotice.text($0, settings: settings, retentionDays: 365) }
        #expect(others.allSatisfy { $0.body != notice.body && $0.title != notice.title && $0.acknowledge != notice.acknowledge }, "\(language) is its own")
        for warning: SessionWarning in [.passwordSaved, .downloadFinished, .idleCountdown, .timeLimitSoon, .timeLimitCountdown, .staffCountdown, .sessionContinues, .sessionEnding] {
            let (title, body) = warning.text(language, count: 42)
            #expect(!title.isEmpty && !body.isEmpty, "\(language) \(warning)")
            if warning.isCountdown || warning == .timeLimitSoon { #expect(body.contains("42"), "\(language) \(warning): the number is said") }
        }
        #expect(!SessionNotice.declineWords(language).isEmpty && SessionNotice.pressEnter(language, acknowledge: notice.acknowledge).contains(notice.acknowledge))
    }

    @Test func eachLanguageCountsInItsOwnGrammar() {
        #expect(SessionNotice.duration(365, .ukrainian) == "1 рік" && SessionNotice.duration(730, .ukrainian) == "2 роки")
        #expect(SessionNotice.duration(45, .ukrainian) == "45 днів" && SessionNotice.duration(21, .ukrainian) == "21 день" && SessionNotice.duration(12, .ukrainian) == "12 днів")
        #expect(SessionNotice.duration(730, .romanian) == "2 ani" && SessionNotice.duration(90, .romanian) == "3 luni" && SessionNotice.duration(45, .romanian) == "45 de zile")
        #expect(SessionNotice.duration(15, .romanian) == "15 zile" && SessionNotice.duration(1, .romanian) == "1 zi")
        #expect(SessionNotice.duration(365, .arabic) == "سنة واحدة" && SessionNotice.duration(730, .arabic) == "سنتين" && SessionNotice.duration(1095, .arabic) == "3 سنوات")
        #expect(SessionNotice.duration(45, .arabic) == "45 يومًا" && SessionNotice.duration(90, .arabic) == "3 أشهر")
        #expect(SessionNotice.duration(730, .spanish) == "2 años" && SessionNotice.duration(30, .portuguese) == "1 mês" && SessionNotice.duration(90, .turkish) == "3 ay")
        #expect(SessionWarning.idleCountdown.text(.ukrainian, count: 22).body.contains("22 секунди") && SessionWarning.idleCountdown.text(.ukrainian, count: 60).body.contains("60 секунд"))
        #expect(SessionWarning.idleCountdown.text(.french, count: 1).body.contains("1 seconde."))
        #expect(SessionWarning.idleCountdown.text(.romanian, count: 60).body.contains("60 de secunde"))
    }

    @Test func theLanguageComesFromTheSessionsLocale() {
        #expect(PublicLanguage.fromEnvironment(["LANG": "ar_MA.UTF-8"]) == .arabic)
        #expect(PublicLanguage.fromEnvironment(["LANG": "fr_FR.UTF-8", "LC_MESSAGES": "uk_UA.UTF-8"]) == .ukrainian)
        #expect(PublicLanguage.fromEnvironment(["LANG": "pt_BR.UTF-8"]) == .portuguese && PublicLanguage.fromEnvironment(["LANG": "tr_TR"]) == .turkish)
        #expect(PublicLanguage.fromEnvironment(["LANG": "C.UTF-8"]) == .french && PublicLanguage.fromEnvironment(["LANG": "de_DE.UTF-8"]) == .french)
        #expect(PublicLanguage.fromEnvironment([:]) == .french)
    }

    @Test func anAdministratorsOwnTextReplacesOursWithTheRetentionFilledIn() throws {
        let folder = NSTemporaryDirectory() + "ardoise-notice-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "Bienvenue. Conservation : {retention}. Contact : {contact}.".write(toFile: folder + "/fr.txt", atomically: true, encoding: .utf8)
        var settings = NoticeSettings()
        settings.overrideDirectory = folder
        settings.contact = "accueil"
        #expect(SessionNotice.text(.french, settings: settings, retentionDays: 365).body == "Bienvenue. Conservation : 1 an. Contact : accueil.")
        #expect(SessionNotice.text(.english, settings: settings, retentionDays: 365).body.hasPrefix("For security"))
        // Any language may be given its own text.
        try "Ласкаво просимо. {retention}.".write(toFile: folder + "/uk.txt", atomically: true, encoding: .utf8)
        #expect(SessionNotice.text(.ukrainian, settings: settings, retentionDays: 365).body == "Ласкаво просимо. 1 рік.")
    }
}

@Suite struct HeldWarningTests {
    @Test(.timeLimit(.minutes(1))) func heldWarningsReachTheAgentWithTheirCountOnceTheWindowHasPassed() async throws {
        let world = try World(watcher: FakeWatcher())
        defer { world.cleanUp() }
        await world.supervisor.startUp([])
        await world.supervisor.apply([session("1", 2001)])
        let listening = try #require(await world.supervisor.listen(session: "1", peerUID: 2001))
        // Seen 6 s ago: the first shown at once, the next three held; their 15 s window ends 9 s from now (room for a
        // loaded machine to take the four in), then they follow together.
        let past = JournalClock.now() - 6_000_000
        for offset in 0..<4 { await world.supervisor.saw(.downloadFinished, session: "1", now: past + Int64(offset)) }
        var delivered: [WarningDelivery] = []
        for await delivery in listening {
            delivered.append(delivery)
            if delivered.count == 2 { break }
        }
        #expect(delivered == [WarningDelivery(warning: .downloadFinished, count: 1), WarningDelivery(warning: .downloadFinished, count: 3)])
    }
}
