import Foundation
import FoundationXML
import Glibc
import Testing

@testable import ArdoiseCore

/// A state folder for one test.
final class JournalSandbox {
    let directory: String
    var path: String { directory + "/journal.sqlite" }

    init() throws {
        var template = Array("/var/tmp/ardoise-journal-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError(errno) }
        directory = String(cString: made) + "/state"
    }

    deinit { _ = try? run("rm", ["-rf", (directory as NSString).deletingLastPathComponent]) }

    func open() throws -> AccessJournal { try AccessJournal(directory: directory) }

    /// Edits the database file directly, as someone with the disk in hand would.
    func sqlite(_ sql: String) throws {
        let result = try run("sqlite3", [path, sql])
        #expect(result.status == 0, "\(result.error)")
    }
}

let hour: Int64 = 3_600_000_000
let day: Int64 = 24 * hour
/// 2026-03-02 12:00 UTC, a Monday. Every session starts within half an hour of noon UTC,
/// so it falls on the same local day in every time zone from UTC-11 to UTC+11.
let monday: Int64 = 1_772_452_800_000_000
let minute: Int64 = 60_000_000

/// A known data set: two days of sessions for three accounts on two seats, with wipes.
func knownEvents() -> [JournalEvent] {
    var events: [JournalEvent] = []
    func session(_ id: String, _ user: String, _ seat: String, start: Int64, minutes: Int64, wipe: String) {
        let length = minutes * 60_000_000
        events.append(JournalEvent(time: start, kind: .sessionStart, host: "epn-1", seat: seat, session: id, uid: 2001, user: user))
        events.append(JournalEvent(time: start + 1_000_000, kind: .noticeShown, host: "epn-1", seat: seat, session: id, uid: 2001, user: user))
        events.append(JournalEvent(time: start + length, kind: .sessionEnd, host: "epn-1", seat: seat, session: id, uid: 2001, user: user, duration: length))
        if wipe == "failed" {
            events.append(JournalEvent(time: start + length + 1000, kind: .wipeFailed, host: "epn-1", seat: seat, session: id, uid: 2001, user: user, outcome: "failed"))
        } else {
            events.append(JournalEvent(time: start + length + 1000, kind: .wipeFinished, host: "epn-1", seat: seat, session: id, uid: 2001, user: user,
                                       duration: 250_000, outcome: wipe, detail: ["removed": .int(12), "left": .int(wipe == "ok" ? 0 : 1)]))
        }
    }
    session("s1", "kiosque1", "seat0", start: monday - 30 * minute, minutes: 10, wipe: "ok")
    session("s2", "kiosque2", "seat1", start: monday - 20 * minute, minutes: 20, wipe: "ok")
    session("s3", "kiosque1", "seat0", start: monday + 10 * minute, minutes: 30, wipe: "left-overs")
    session("s4", "kiosque3", "seat0", start: monday + day, minutes: 5, wipe: "ok")
    session("s5", "kiosque1", "seat1", start: monday + day + 20 * minute, minutes: 15, wipe: "failed")
    return events
}

@Suite struct JournalStoreTests {
    @Test func eventsAreWrittenInOrderWithTheirFieldsAndTheFileIsPrivate() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        let written = try journal.append(contentsOf: knownEvents())
        #expect(written.map(\.sequence) == Array(1...20))
        let read = try journal.events()
        #expect(read == written)
        var info = stat()
        #expect(stat(sandbox.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(stat(sandbox.path + "-wal", &info) == 0 && info.st_mode & 0o777 == 0o600, "the write-ahead log is as private as the database")
        #expect(stat(sandbox.directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
        let mode = try SQLiteDatabase(path: sandbox.path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func filtersSelectTheRightEvents() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        try journal.append(contentsOf: knownEvents())
        #expect(try journal.events(JournalFilter(user: "kiosque1")).count == 12)
        #expect(try journal.events(JournalFilter(seat: "seat1")).count == 8)
        #expect(try journal.events(JournalFilter(session: "s4")).map(\.kind) == [.sessionStart, .noticeShown, .sessionEnd, .wipeFinished])
        #expect(try journal.events(JournalFilter(kinds: [.wipeFailed])).map(\.session) == ["s5"])
        #expect(try journal.events(JournalFilter(kinds: [.sessionStart, .sessionEnd])).count == 10)
        let firstDay = try journal.events(JournalFilter(since: monday - 12 * hour, until: monday + 12 * hour, kinds: [.sessionStart]))
        #expect(firstDay.map(\.session) == ["s1", "s2", "s3"])
        #expect(try journal.events(JournalFilter(since: monday + day, user: "kiosque1", kinds: [.sessionStart])).map(\.session) == ["s5"])
    }

    @Test func formatsAreReadableBySpreadsheetsScriptsAndPeople() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        try journal.append(contentsOf: knownEvents())
        let events = try journal.events(JournalFilter(session: "s3"))

        let csv = events.rendered(.csv, language: .french)
        #expect(csv.hasPrefix("\u{FEFF}sequence,time_utc,time_local,event,"))
        let lines = csv.dropFirst().split(separator: "\r\n")
        #expect(lines.count == 5)
        #expect(lines[1].hasPrefix("9,2026-03-02T12:10:00.000000Z,"))
        #expect(lines[4].contains("\"{\"\"left\"\":1,\"\"removed\"\":12}\""))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(events.rendered(.json, language: .english).utf8)) as? [[String: Any]])
        #expect(json.count == 4)
        #expect(json[2]["duration_s"] as? Double == 1800)
        #expect(json[3]["outcome"] as? String == "left-overs")

        let french = events.rendered(.table, language: .french)
        #expect(french.contains("début de session") && french.contains("fin de session") && french.contains("kiosque1"))
        #expect(events.rendered(.table, language: .english).contains("session start"))
    }

    @Test func statisticsGiveTheFiguresOfAnActivityReport() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        try journal.append(contentsOf: knownEvents())

        let days = try journal.statistics(by: .day)
        #expect(days.count == 2)
        #expect(days[0].label == "2026-03-02" && days[1].label == "2026-03-03")
        #expect(days[0].sessions == 3 && days[0].users == 2)
        #expect(days[0].medianSessionSeconds == 1200 && days[0].meanSessionSeconds == 1200)
        #expect(days[0].wipes == 3 && days[0].wipesFailed == 1)
        #expect(days[1].sessions == 2 && days[1].users == 2 && days[1].medianSessionSeconds == 600)
        #expect(days[1].wipes == 2 && days[1].wipesFailed == 1)

        let month = try journal.statistics(by: .month)
        #expect(month.count == 1 && month[0].label == "2026-03" && month[0].sessions == 5 && month[0].users == 3)
        #expect(month[0].medianSessionSeconds == 900)
        let week = try journal.statistics(by: .week, language: .french)
        #expect(week.map(\.label) == ["semaine du 2026-03-02"])
        #expect(try journal.statistics(by: .hour).map(\.sessions).reduce(0, +) == 5)
        #expect(try journal.statistics(by: .day, since: monday + 12 * hour).map(\.sessions) == [2])

        let csv = days.rendered(.csv, language: .french)
        #expect(csv.contains("2026-03-02,3,2,20.0,20.0,3,1"))
        let svg = days.svg(title: "Fréquentation", language: .french)
        #expect(svg.hasPrefix("<svg") && svg.contains("Fréquentation") && svg.components(separatedBy: "<rect x=").count == 3)
        let parsed = try XMLDocument(xmlString: svg)
        #expect(parsed.rootElement()?.name == "svg")
    }

    /// Ten days of sessions at odd minutes and seconds, by five accounts, some wipes failed, written in several batches.
    static func scatteredEvents() -> [JournalEvent] {
        var generator = SeededGenerator(seed: 7)
        var events: [JournalEvent] = []
        var start = monday - 3 * day
        for index in 0..<600 {
            start += Int64.random(in: 1...40, using: &generator) * minute + Int64.random(in: 0...59_999_999, using: &generator)
            let length = Int64.random(in: 1...90, using: &generator) * minute + Int64.random(in: 0...999_999, using: &generator)
            let user = "kiosque\(index % 5)"
            events.append(JournalEvent(time: start, kind: .sessionStart, seat: "seat0", session: "s\(index)", uid: 2001, user: user))
            events.append(JournalEvent(time: start + length, kind: .sessionEnd, seat: "seat0", session: "s\(index)", uid: 2001, user: user, duration: length))
            let outcome = index % 9 == 0 ? "left-overs" : "ok"
            events.append(index % 13 == 0
                ? JournalEvent(time: start + length + 1000, kind: .wipeFailed, user: user, outcome: "failed")
                : JournalEvent(time: start + length + 1000, kind: .wipeFinished, user: user, duration: 250_000, outcome: outcome))
        }
        return events.sorted { $0.time < $1.time }
    }

    /// The figures counted the long way, event by event, to hold the summary to.
    static func expected(_ events: [JournalEvent], by period: StatisticsPeriod, since: Int64? = nil, until: Int64? = nil) -> [PeriodStatistics] {
        var offsets = LocalOffsets()
        var groups: [Int64: [JournalEvent]] = [:]
        for event in events where event.time >= (since ?? Int64.min) && event.time < (until ?? Int64.max) {
            guard [.sessionStart, .sessionEnd, .wipeFinished, .wipeFailed].contains(event.kind) else { continue }
            groups[period.key(of: offsets.local(event.time)), default: []].append(event)
        }
        return groups.keys.sorted().map { key in
            let group = groups[key]!
            var figures = PeriodStatistics(start: period.start(ofKey: key), label: period.label(ofKey: key, language: .french))
            figures.sessions = group.filter { $0.kind == .sessionStart }.count
            figures.users = Set(group.filter { $0.kind == .sessionStart }.compactMap(\.user)).count
            let lengths = group.filter { $0.kind == .sessionEnd }.compactMap(\.duration).sorted()
            if !lengths.isEmpty {
                let middle = lengths.count / 2
                let median = lengths.count % 2 == 1 ? Double(lengths[middle]) : (Double(lengths[middle - 1]) + Double(lengths[middle])) / 2
                figures.medianSessionSeconds = median / 1e6
                figures.meanSessionSeconds = Double(lengths.reduce(0, +)) / Double(lengths.count) / 1e6
            }
            figures.wipes = group.filter { $0.kind == .wipeFinished || $0.kind == .wipeFailed }.count
            figures.wipesFailed = group.filter { $0.kind == .wipeFailed || ($0.kind == .wipeFinished && $0.outcome != "ok") }.count
            return figures
        }
    }

    @Test func statisticsFromTheSummaryAreThoseOfTheEventsForAnyRange() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        let events = Self.scatteredEvents()
        for batch in stride(from: 0, to: events.count, by: 250) { try journal.append(contentsOf: Array(events[batch..<min(batch + 250, events.count)])) }
        let ranges: [(Int64?, Int64?)] = [(nil, nil), (monday, nil), (nil, monday + 2 * day), (monday + 7 * minute + 13_000_001, monday + 3 * day - 1),
                                          (monday + 1000, monday + 2000), (monday + 5 * minute, monday + 14 * minute)]
        for period in StatisticsPeriod.allCases {
            for (since, until) in ranges {
                let got = try journal.statistics(by: period, since: since, until: until), want = Self.expected(events, by: period, since: since, until: until)
                #expect(got == want, "\(period) \(String(describing: since)) \(String(describing: until)) \(got.count) \(want.count) \(zip(got, want).filter { $0 != $1 }.prefix(2))")
            }
        }
    }

    @Test func theMedianIsThatOfTheSortedValues() {
        var generator = SeededGenerator(seed: 11)
        for count in [1, 2, 3, 4, 5, 10, 101, 1000, 4096] {
            for spread in [Int64(3), 1_000_000] {
                var values = (0..<count).map { _ in Int64.random(in: 0...spread, using: &generator) }
                let sorted = values.sorted()
                let expected = count % 2 == 1 ? Double(sorted[count / 2]) : (Double(sorted[count / 2 - 1]) + Double(sorted[count / 2])) / 2
                #expect(AccessJournal.median(&values) == expected, "\(count) values up to \(spread)")
                var ascending = sorted, descending = Array(sorted.reversed())
                #expect(AccessJournal.median(&ascending) == expected && AccessJournal.median(&descending) == expected)
            }
        }
    }

    @Test func theSummaryFollowsAPurgeAndIsBuiltForAnOlderJournal() throws {
        let sandbox = try JournalSandbox()
        let events = Self.scatteredEvents()
        do {
            let journal = try sandbox.open()
            try journal.append(contentsOf: events)
        }
        // A journal written before the summary existed: it is counted when the journal is next opened.
        try sandbox.sqlite("DROP TABLE quarter_summary; DROP TABLE summary_user; DELETE FROM grdb_migrations WHERE identifier = 'v3-statistics-summary'")
        let journal = try sandbox.open()
        #expect(try journal.statistics(by: .day) == Self.expected(events, by: .day))

        // Purging at a time that is not a quarter's start: the quarter it cuts is counted again from what is left.
        let now = monday + 2 * day + 7 * minute + 30_000_000 + 365 * day
        let outcome = try journal.purge(retentionDays: 365, now: now)
        #expect(outcome.purged > 0)
        let left = try journal.events()
        #expect(left.count < events.count + 1)
        for period in [StatisticsPeriod.hour, .day] {
            #expect(try journal.statistics(by: period) == Self.expected(left, by: period))
        }
        #expect(try journal.verify().isIntact)
    }

    @Test(arguments: [("2026-11-01", 0, 0), ("2026-11-01T14:00", 14, 0), ("2026-11-01 14:30:15", 14, 30)])
    func datesAreReadInLocalTime(_ text: String, _ hours: Int32, _ minutes: Int32) throws {
        let time = try TimeArgument.parse(text)
        var seconds = time_t(time / 1_000_000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        #expect(parts.tm_year == 126 && parts.tm_mon == 10 && parts.tm_mday == 1 && parts.tm_hour == hours && parts.tm_min == minutes)
    }

    @Test func relativeDatesCountBackFromNow() throws {
        let now: Int64 = 1_800_000_000_000_000
        #expect(try TimeArgument.parse("7d", now: now) == now - 7 * day)
        #expect(try TimeArgument.parse("12h", now: now) == now - 12 * hour)
        #expect(try TimeArgument.parse("2w", now: now) == now - 14 * day)
        for bad in ["yesterday", "2026-13-01", "2026-02-31", "2026/11/01", "7", "d", "-3d", "2026-11-01T25:00"] {
            #expect(throws: TimeArgument.Invalid.self, "\(bad)") { try TimeArgument.parse(bad, now: now) }
        }
    }
}

@Suite struct JournalIntegrityTests {
    static func filled() throws -> (JournalSandbox, VerificationKey) {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        try journal.append(contentsOf: knownEvents())
        let key = try #require(journal.takeVerificationKeys().first)
        #expect(journal.pendingVerificationKey == nil, "the key is handed over once")
        return (sandbox, key)
    }

    @Test func anIntactJournalChecksWithAndWithoutTheKey() throws {
        let (sandbox, key) = try Self.filled()
        let journal = try sandbox.open()
        let plain = try journal.verify()
        #expect(plain.isIntact && plain.checked == 20 && !plain.sealsChecked)
        let sealed = try journal.verify(key: key)
        #expect(sealed.isIntact && sealed.checked == 20 && sealed.sealsChecked)
        #expect(VerificationKey(key.description) == key)
    }

    /// A journal as version 0.9.0 wrote it (its SQLite layer was then GRDB's, and its migrations are named in that
    /// layer's table): it opens without being set aside or migrated again, verifies with its key, and recording goes on.
    @Test func aJournalWrittenByVersion090OpensVerifiesWithItsKeyAndGoesOn() throws {
        let sandbox = try JournalSandbox()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/journal-0.9.0").path
        try FileManager.default.createDirectory(atPath: sandbox.directory, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture) {
            try FileManager.default.copyItem(atPath: fixture + "/" + name, toPath: sandbox.directory + "/" + name)
        }
        let key = try #require(VerificationKey("ardoise-vk1:1e5f4a83b07ff6b3:20788:10ed2dbc7b14edd225eed39d44089156d53a61711989518f5af484b66a135d56"))
        let journal = try sandbox.open()
        #expect(journal.setAside == nil && journal.journalID == "1e5f4a83b07ff6b3")
        #expect(try journal.events().map(\.kind) == [.adminQuery, .adminQuery, .integrityCheck, .adminQuery])
        let before = try journal.verify(key: key)
        #expect(before.isIntact && before.sealsChecked && before.checked == 4, "\(before.report(.english))")
        try journal.append(JournalEvent(kind: .sessionStart, seat: "seat0", session: "7", uid: 1001, user: "kiosque"))
        let after = try journal.verify(key: key)
        #expect(after.isIntact && after.sealsChecked && after.checked == 5, "\(after.report(.english))")
        let applied = try SQLiteDatabase(path: sandbox.path).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
        #expect(applied == ["v1", "v2-pending-wipes", "v3-statistics-summary", "v4-head", "v5-interrupted-wipes-and-session-ends"])
        #expect(try journal.pendingWipes().isEmpty)
    }

    @Test func anEditedEventIsNamed() throws {
        let (sandbox, _) = try Self.filled()
        try sandbox.sqlite("UPDATE event SET user = 'someone' WHERE seq = 7")
        let result = try sandbox.open().verify()
        #expect(result.problem == .altered && result.firstBroken == 7)
        #expect(result.message(.french).contains("n° 7"))
    }

    @Test func aDeletedEventIsNamed() throws {
        let (sandbox, _) = try Self.filled()
        try sandbox.sqlite("DELETE FROM event WHERE seq = 5")
        let result = try sandbox.open().verify()
        #expect(result.problem == .missingBefore(expected: 5) && result.firstBroken == 6)
    }

    @Test func anInsertedEventIsNamed() throws {
        let (sandbox, _) = try Self.filled()
        try sandbox.sqlite("""
            UPDATE event SET seq = -seq WHERE seq >= 4;
            UPDATE event SET seq = 1 - seq WHERE seq < 0;
            INSERT INTO event (seq, at, kind, host, seat, session, uid, user, duration_us, outcome, detail, epoch, chain, seal)
                SELECT 4, at + 1, 'session-end', host, seat, session, uid, user, 60000000, outcome, detail, epoch, chain, seal FROM event WHERE seq = 3;
            """)
        let result = try sandbox.open().verify()
        #expect(result.problem == .altered && result.firstBroken == 4)
    }

    @Test func reorderedEventsAreNamed() throws {
        let (sandbox, _) = try Self.filled()
        try sandbox.sqlite("UPDATE event SET seq = -1 WHERE seq = 9; UPDATE event SET seq = 9 WHERE seq = 10; UPDATE event SET seq = 10 WHERE seq = -1;")
        let result = try sandbox.open().verify()
        #expect(result.problem == .altered && result.firstBroken == 9)
    }

    /// Someone who knows the format rewrites an event and recomputes the whole hash chain: only the seals show it.
    @Test func aRecomputedChainIsCaughtByTheSeals() throws {
        let (sandbox, key) = try Self.filled()
        let queue = try SQLiteDatabase(path: sandbox.path)
        try queue.write { db in
            try db.execute(sql: "UPDATE event SET user = 'someone' WHERE seq = 12")
            let anchor = try SQLiteRow.fetchOne(db, sql: "SELECT chain FROM anchor")!
            var previous = [UInt8](anchor[0] as Data)
            for row in try SQLiteRow.fetchAll(db, sql: "SELECT seq, at, kind, host, seat, session, uid, user, duration_us, outcome, detail, epoch FROM event ORDER BY seq") {
                let canonical = JournalSeal.canonical(sequence: row[0], time: row[1], kind: row[2], host: row[3], seat: row[4], session: row[5], uid: row[6],
                                                      user: row[7], duration: row[8], outcome: row[9], detail: row[10], epoch: row[11])
                previous = JournalSeal.chain(previous: previous, canonical: canonical)
                try db.execute(sql: "UPDATE event SET chain = ? WHERE seq = ?", arguments: [Data(previous), row[0] as Int64])
            }
        }
        let journal = try sandbox.open()
        let unsealed = try journal.verify()
        #expect(unsealed.problem == nil, "the chain alone is fooled")
        #expect(unsealed.head == .rewritten(at: 20), "the head kept outside the database is not")
        let sealed = try journal.verify(key: key)
        #expect(sealed.problem == .badSeal && sealed.firstBroken == 12)
    }

    @Test func anotherJournalsKeyIsRefused() throws {
        let (sandbox, _) = try Self.filled()
        let (_, otherKey) = try Self.filled()
        #expect(try sandbox.open().verify(key: otherKey).problem == .keyMismatch)
    }

    @Test func theKeyMovesForwardEveryDayAndTheStoredKeyCannotSealThePast() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        let key = try #require(journal.takeVerificationKeys().first)
        let today = JournalClock.now()
        try journal.append(contentsOf: (0..<6).map { JournalEvent(time: today + Int64($0) * day, kind: .adminQuery, detail: ["n": .int(Int64($0))]) })
        let stored = try SQLiteDatabase(path: sandbox.path).read { db in try SQLiteRow.fetchOne(db, sql: "SELECT epoch, key FROM sealing")! }
        let storedEpoch: Int64 = stored[0]
        #expect(storedEpoch == JournalSeal.epoch(of: today + 5 * day))
        #expect([UInt8](stored[1] as Data) == JournalSeal.evolve(key.key, from: key.genesisEpoch, to: storedEpoch))
        #expect([UInt8](stored[1] as Data) != key.key, "the first key is not on the computer any more")
        #expect(try journal.verify(key: key).isIntact)
    }

    @Test func purgeKeepsWhatIsYoungerThanTheRetentionAndVerifyStillPasses() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        let key = try #require(journal.takeVerificationKeys().first)
        let now = JournalClock.now()
        let ages: [Int64] = [400 * day, 366 * day, 365 * day + 1, 365 * day, 365 * day - 1, 200 * day, day]
        // Events are written in the order of time, as a kiosk writes them.
        try journal.append(contentsOf: ages.map { JournalEvent(time: now - $0, kind: .sessionStart, user: "k") })

        let preview = try journal.purge(retentionDays: 365, now: now, dryRun: true)
        #expect(preview.purged == 3)
        #expect(try journal.count == 7, "a dry run deletes nothing")
        let outcome = try journal.purge(retentionDays: 365, now: now)

        #expect(outcome.purged == 3 && outcome.firstKept == 4)
        let left = try journal.events()
        #expect(left.map(\.sequence) == [4, 5, 6, 7, 8])
        #expect(left.first?.time == now - 365 * day, "an event exactly at the limit is kept")
        #expect(left.last?.kind == .retentionPurge && left.last?.detail["purged"] == .int(3))
        #expect(try journal.verify().isIntact)
        #expect(try journal.verify(key: key).isIntact)
        try journal.append(JournalEvent(kind: .sessionEnd, user: "k"))
        #expect(try journal.purge(retentionDays: 365, now: now).purged == 0)
        #expect(try journal.verify(key: key).isIntact)
    }

    @Test func deletingOldEventsWithoutAPurgeShows() throws {
        let (sandbox, _) = try Self.filled()
        try sandbox.sqlite("DELETE FROM event WHERE seq <= 3; UPDATE anchor SET seq = 3, chain = (SELECT chain FROM event WHERE seq = 4)")
        #expect(try sandbox.open().verify().problem == .anchorMismatch)
    }

    @Test func anUnreadableDatabaseIsSetAsideNeverOverwritten() throws {
        let sandbox = try JournalSandbox()
        try FileManager.default.createDirectory(atPath: sandbox.directory, withIntermediateDirectories: true)
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: sandbox.path))

        let journal = try sandbox.open()

        let aside = try #require(journal.setAside)
        #expect(FileManager.default.contents(atPath: sandbox.directory + "/" + aside) == garbage)
        var info = stat()
        #expect(stat(sandbox.path, &info) == 0 && info.st_mode & 0o777 == 0o600, "the new journal is private too")
        let events = try journal.events()
        #expect(events.map(\.kind) == [.journalRecovered])
        let verification = try journal.verify()
        #expect(verification.isIntact && !verification.isClear, "the new journal checks; the one set aside waits for an administrator")
    }

    @Test(.enabled(if: isRoot, "mounting a small filesystem needs root"))
    func aFullDiskFailsTheWriteClearlyAndTheCallerGoesOn() throws {
        let sandbox = try JournalSandbox()
        try FileManager.default.createDirectory(atPath: sandbox.directory, withIntermediateDirectories: true)
        #expect(try run("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", sandbox.directory]).status == 0)
        defer { _ = try? run("umount", ["-l", sandbox.directory]) }
        let journal = try sandbox.open()
        try journal.append(JournalEvent(kind: .daemonStart))
        _ = try? run("dd", ["if=/dev/zero", "of=\(sandbox.directory)/filler", "bs=4k"])
        var failure: JournalError?
        for index in 0..<200 {
            do {
                try journal.append(JournalEvent(kind: .adminQuery, detail: ["padding": .text(String(repeating: "x", count: 4000)), "n": .int(Int64(index))]))
            } catch {
                failure = error
                break
            }
        }
        guard case .diskFull = try #require(failure) else {
            Issue.record("expected diskFull, got \(String(describing: failure))")
            return
        }
        #expect(failure!.message(.french).contains("disque est plein"))
        unlink(sandbox.directory + "/filler")
        try journal.append(JournalEvent(kind: .daemonStop))
        #expect(try journal.verify().isIntact)
    }

    @Test func nothingOfASessionsContentReachesTheJournal() throws {
        let sandbox = try Sandbox(fixture: true)
        let report = try sandbox.wipe()
        let journalSandbox = try JournalSandbox()
        let journal = try journalSandbox.open()
        try journal.append(JournalEvent(kind: .wipeFinished, uid: testOwner, user: "kiosque", outcome: "ok", detail: report.journalDetail))
        let files = [journalSandbox.path, journalSandbox.path + "-wal"]
        let bytes = files.flatMap { [UInt8](FileManager.default.contents(atPath: $0) ?? Data()) }
        for marker in Markers.all + ["Downloads", "home-kiosk", ".mozilla", "chromium/Default"] {
            #expect(!Markers.contains(bytes, Array(marker.utf8)), "\(marker)")
        }
    }
}

/// SplitMix64: the same "random" data set on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The check a store of copies makes (the fleet's), event by event from an anchor.
@Suite struct SealedChainCheckTests {
    @Test func fromTheGenesisEverySealIsCheckedAndAnEditIsFound() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        _ = try journal.append(contentsOf: (0..<6).map { JournalEvent(kind: .sessionStart, session: "c\($0)", user: "kiosque") })
        let key = try #require(journal.takeVerificationKeys().first)
        let events = try journal.sealedEvents(after: 0, limit: 100)
        var check = SealedChainCheck(journalID: journal.journalID, anchor: try journal.chainAnchor(), key: key)
        for event in events { #expect(check.add(event) == nil) }
        #expect(check.checked == events.count && check.checksSeals && check.sealUnchecked == nil)
        var edited = events[2]
        edited.user = "quelqu'un"
        var again = SealedChainCheck(journalID: journal.journalID, anchor: try journal.chainAnchor(), key: key)
        #expect(again.add(events[0]) == nil && again.add(events[1]) == nil)
        #expect(again.add(edited) == .altered(edited.sequence))
    }

    @Test func anAnchorWithoutItsSealSaysWhichSealItCouldNotCheck() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        _ = try journal.append(contentsOf: (0..<6).map { JournalEvent(kind: .sessionStart, session: "c\($0)", user: "kiosque") })
        let key = try #require(journal.takeVerificationKeys().first)
        let events = try journal.sealedEvents(after: 0, limit: 100)
        // As a store would start from the third event, knowing its chain but not its seal.
        let anchor = ChainAnchor(sequence: events[2].sequence, chain: events[2].chain, seal: [])
        var check = SealedChainCheck(journalID: journal.journalID, anchor: anchor, key: key)
        for event in events.dropFirst(3) { #expect(check.add(event) == nil) }
        #expect(check.sealUnchecked == events[3].sequence, "the first seal follows an unknown one: said, not counted as checked")
        // The seals after it are checked: a forged one is found.
        var forged = events[5]
        forged.seal = Array(repeating: 0, count: forged.seal.count)
        var strict = SealedChainCheck(journalID: journal.journalID, anchor: anchor, key: key)
        #expect(strict.add(events[3]) == nil && strict.add(events[4]) == nil)
        #expect(strict.add(forged) == .badSeal(forged.sequence))
    }
}
