import ArdoiseCore
import ArdoiseSystem
import Foundation
import Glibc
import Testing
@testable import ArdoiseFleet

/// The fleet store on a real PostgreSQL server: what a kiosk sends arrives whole and once, a kiosk can change nothing
/// and see no other, and whatever is changed in the store afterwards is seen by `verify`.
// Skipped without PostgreSQL on a developer's machine; never in CI, where a missing server is a failure.
@Suite(.enabled(if: PostgresCluster.available || ProcessInfo.processInfo.environment["CI"] != nil, "needs PostgreSQL and openssl"), .serialized)
struct FleetStoreTests {
    final class Fixture: @unchecked Sendable {
        let cluster: PostgresCluster
        let owner: FleetStore
        let scratch: String

        init() async throws {
            cluster = try PostgresCluster()
            owner = FleetStore(database: try FleetDatabase(address: cluster.ownerAddress))
            scratch = cluster.directory + "/kiosks"
            mkdir(scratch, 0o700)
            try await owner.install()
        }

        /// A kiosk enrolled, and the store as that kiosk sees it, over TCP with its password (TLS or not).
        func kiosk(_ name: String, tls: Bool = false) async throws -> FleetStore {
            let enrolment = try await owner.enroll(name)
            let address = cluster.tcpAddress(user: enrolment.account, tls: tls)
            return FleetStore(database: try FleetDatabase(address: address, password: enrolment.password, caFile: tls ? cluster.caFile : nil))
        }

        func journal(_ name: String, events: Int, at time: Int64 = JournalClock.now()) throws -> AccessJournal {
            let journal = try AccessJournal(directory: scratch + "/" + name)
            try add(events, to: journal, at: time)
            return journal
        }

        func add(_ count: Int, to journal: AccessJournal, at time: Int64 = JournalClock.now()) throws {
            _ = try journal.append(contentsOf: (0..<count).map { index in
                JournalEvent(time: time + Int64(index), kind: index % 2 == 0 ? .sessionStart : .sessionEnd, seat: "seat0", session: "c\(index)",
                             uid: 2001, user: "kiosque", detail: ["n": .int(Int64(index)), "mot": .text("é\u{202e}\"x")])
            })
        }
    }

    @Test func whatAKioskSendsArrivesWholeAndOnceAndIsCheckedWithItsSeals() async throws {
        let fixture = try await Fixture()
        try await fixture.owner.install()
        let kiosk = try await fixture.kiosk("epn-1")
        let journal = try fixture.journal("epn-1", events: 40)
        let key = try #require(journal.takeVerificationKeys().first)
        let total = try journal.count

        let first = try await kiosk.upload(journal, batch: 7)
        #expect(first.sent == total && first.neverSent == 0 && first.journal == journal.journalID)
        let again = try await kiosk.upload(journal)
        #expect(again.sent == 0 && again.last == first.last)
        try fixture.add(5, to: journal)
        let more = try await kiosk.upload(journal)
        #expect(more.sent == 5 && more.last == first.last + 5)

        // The store's copy, field by field, is the kiosk's journal.
        let stored = try fixture.cluster.psql("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM ardoise_fleet.event", database: "ardoise")
        #expect(stored == "\(total + 5)|\(total + 5)|1|\(total + 5)")
        let detail = try fixture.cluster.psql("SELECT detail FROM ardoise_fleet.event WHERE seq = 2", database: "ardoise")
        let local = try journal.sealedEvents(after: 1, limit: 1)
        #expect(detail == local.first?.detail)

        let checks = try await fixture.owner.verify()
        #expect(checks.count == 1 && checks[0].problem == nil && checks[0].checked == total + 5 && checks[0].fromGenesis && !checks[0].sealsChecked)
        let sealed = try await fixture.owner.verify(keys: [key])
        #expect(sealed[0].problem == nil && sealed[0].sealsChecked && sealed[0].kiosk == "epn-1")
        let status = try await fixture.owner.status()
        #expect(status.map(\.kiosk) == ["epn-1"] && status[0].events == total + 5 && status[0].lastReceived != nil)
    }

    @Test func overTLSTheServersCertificateIsCheckedAndAStrangerIsRefused() async throws {
        let fixture = try await Fixture()
        let kiosk = try await fixture.kiosk("epn-tls", tls: true)
        let journal = try fixture.journal("epn-tls", events: 3)
        #expect(try await kiosk.upload(journal).sent == 3)
        #expect(try fixture.cluster.psql("SELECT count(*) FROM pg_stat_ssl WHERE ssl", database: "ardoise") == "0", "closed once sent")
        // Without the test authority, the server's certificate is not trusted: nothing is sent.
        let enrolment = try await fixture.owner.enroll("epn-tls")
        let stranger = FleetStore(database: try FleetDatabase(address: fixture.cluster.tcpAddress(user: enrolment.account, tls: true), password: enrolment.password))
        await #expect(throws: FleetError.self) { try await stranger.upload(journal) }
        // A wrong password is refused by the server.
        let wrong = FleetStore(database: try FleetDatabase(address: fixture.cluster.tcpAddress(user: enrolment.account, tls: false), password: "nope"))
        await #expect(throws: FleetError.self) { try await wrong.upload(journal) }
        // An enrolment again gives a new password: the old one no longer opens the account.
        let old = FleetStore(database: try FleetDatabase(address: fixture.cluster.tcpAddress(user: enrolment.account, tls: false), password: enrolment.password))
        _ = try await fixture.owner.enroll("epn-tls")
        await #expect(throws: FleetError.self) { try await old.upload(journal) }
    }

    @Test func aKioskCanChangeNothingAndSeesNoOtherKiosk() async throws {
        let fixture = try await Fixture()
        let first = try await fixture.kiosk("epn-a")
        _ = try await fixture.kiosk("epn-b")
        let journalA = try fixture.journal("epn-a", events: 6)
        _ = try await first.upload(journalA)
        let account = FleetSchema.kioskRolePrefix + "epn_b"
        func asSecond(_ sql: String) throws -> String {
            try fixture.cluster.psql("SET ROLE \(account);\n" + sql, database: "ardoise")
        }
        #expect(try asSecond("SELECT count(*) FROM ardoise_fleet.event") == "0")
        #expect(try asSecond("SELECT count(*) FROM ardoise_fleet.journal") == "0")
        #expect(try asSecond("SELECT count(*) FROM ardoise_fleet.kiosk") == "1")
        let accountA = FleetSchema.kioskRolePrefix + "epn_a"
        func asFirst(_ sql: String) throws -> String {
            try fixture.cluster.psql("SET ROLE \(accountA);\n" + sql, database: "ardoise")
        }
        // Its own events: neither changed, nor deleted, nor dated by it; the times are the server's.
        for sql in ["UPDATE ardoise_fleet.event SET \"user\" = 'x'", "DELETE FROM ardoise_fleet.event", "TRUNCATE ardoise_fleet.event",
                    "UPDATE ardoise_fleet.journal SET anchor_seq = 0", "DELETE FROM ardoise_fleet.journal",
                    "SELECT \"user\" FROM ardoise_fleet.event",
                    "INSERT INTO ardoise_fleet.journal (id, kiosk, anchor_seq, anchor_chain, anchor_seal) VALUES ('j', 'epn-b', 0, '', '')"] {
            #expect(throws: PostgresCluster.Failure.self, "\(sql)") { try asFirst(sql) }
        }
        // Another kiosk's journal: not written into, even knowing its number.
        let id = journalA.journalID
        #expect(throws: PostgresCluster.Failure.self) {
            try asSecond("""
                INSERT INTO ardoise_fleet.event (journal, seq, at, kind, host, detail, epoch, chain, seal) VALUES ('\(id)', 99, 0, 'x', 'h', '{}', 0, '', '')
                """)
        }
        #expect(try fixture.cluster.psql("SELECT count(*) FROM ardoise_fleet.event", database: "ardoise") == "6")
    }

    @Test func whatIsChangedInTheStoreIsSeenAndADifferentHistoryIsNotSent() async throws {
        let fixture = try await Fixture()
        let kiosk = try await fixture.kiosk("epn-2")
        let journal = try fixture.journal("epn-2", events: 12)
        _ = try await kiosk.upload(journal)
        try fixture.cluster.psql("UPDATE ardoise_fleet.event SET \"user\" = 'quelqu''un' WHERE seq = 5", database: "ardoise")
        #expect(try await fixture.owner.verify().first?.problem == .altered(5))
        try fixture.cluster.psql("UPDATE ardoise_fleet.event SET \"user\" = 'kiosque' WHERE seq = 5", database: "ardoise")
        #expect(try await fixture.owner.verify().first?.problem == nil)
        try fixture.cluster.psql("DELETE FROM ardoise_fleet.event WHERE seq = 7", database: "ardoise")
        #expect(try await fixture.owner.verify().first?.problem == .missing(expected: 7, found: 8))
        // The store's last event is not the kiosk's: nothing more is sent, and the error says where.
        try fixture.cluster.psql("UPDATE ardoise_fleet.event SET chain = '\\x00' WHERE seq = 12", database: "ardoise")
        try fixture.add(3, to: journal)
        await #expect(throws: FleetError.diverged(journal: journal.journalID, sequence: 12)) { try await kiosk.upload(journal) }
        #expect(try fixture.cluster.psql("SELECT max(seq) FROM ardoise_fleet.event", database: "ardoise") == "12")
    }

    @Test func thePurgeKeepsWhatRemainsCheckable() async throws {
        let fixture = try await Fixture()
        let kiosk = try await fixture.kiosk("epn-3")
        let old = JournalClock.now() - 400 * JournalClock.microsecondsPerDay
        let journal = try fixture.journal("epn-3", events: 10, at: old)
        let key = try #require(journal.takeVerificationKeys().first)
        try fixture.add(4, to: journal)
        _ = try await kiosk.upload(journal)
        #expect(try await fixture.owner.purge(retentionDays: 365) == 10)
        let checks = try await fixture.owner.verify(keys: [key])
        #expect(checks.first?.problem == nil && checks.first?.checked == 4 && checks.first?.fromGenesis == false)
        #expect(try await fixture.owner.purge(retentionDays: 365) == 0)
        // A later upload goes on from where the store is.
        try fixture.add(2, to: journal)
        #expect(try await kiosk.upload(journal).sent == 2)
        #expect(try await fixture.owner.verify(keys: [key]).first?.problem == nil)
    }

    /// Two kiosks' sessions, a day apart: each kiosk's `kiosque` is its own user, and one session of 10 min on each.
    func twoKiosksOfSessions(_ fixture: Fixture) async throws -> Int64 {
        let day = JournalClock.microsecondsPerDay
        let start = (JournalClock.now() / day - 3) * day + 12 * 3_600_000_000
        for (index, name) in ["epn-nord", "epn-sud"].enumerated() {
            let kiosk = try await fixture.kiosk(name)
            let journal = try AccessJournal(directory: fixture.scratch + "/" + name)
            let at = start + Int64(index) * day
            _ = try journal.append(contentsOf: [
                JournalEvent(time: at, kind: .sessionStart, host: name, seat: "seat0", session: "c1", uid: 2001, user: "kiosque"),
                JournalEvent(time: at + 600_000_000, kind: .sessionEnd, host: name, seat: "seat0", session: "c1", uid: 2001, user: "kiosque",
                             duration: 600_000_000, outcome: "logout"),
                JournalEvent(time: at + 601_000_000, kind: .wipeFinished, host: name, seat: "seat0", session: "c1", uid: 2001, user: "kiosque",
                             duration: 900_000, outcome: index == 0 ? "ok" : "left-overs", detail: ["left": .int(Int64(index))]),
            ])
            _ = try await kiosk.upload(journal)
        }
        return start
    }

    @Test func theFleetsEventsAreListedAndCountedAsOneJournalIs() async throws {
        let fixture = try await Fixture()
        let start = try await twoKiosksOfSessions(fixture)
        let fleet = FleetJournals(fixture.owner)
        let all = try await fleet.storedEvents(JournalFilter(kinds: [.sessionStart, .sessionEnd, .wipeFinished]))
        #expect(all.map(\.kiosk) == ["epn-nord", "epn-nord", "epn-nord", "epn-sud", "epn-sud", "epn-sud"])
        #expect(all.map(\.event.kind) == [.sessionStart, .sessionEnd, .wipeFinished, .sessionStart, .sessionEnd, .wipeFinished])
        #expect(all[5].event.detail["left"] == .int(1) && all[5].event.outcome == "left-overs" && all[4].event.duration == 600_000_000)
        // Each filter: the kiosk, the time, the kind, the account, the session.
        let south = try await FleetJournals(fixture.owner, kiosk: "epn-sud").storedEvents(JournalFilter(kinds: [.sessionStart]))
        #expect(south.map(\.kiosk) == ["epn-sud"] && south[0].event.time == start + JournalClock.microsecondsPerDay)
        let later = try await fleet.storedEvents(JournalFilter(since: start + 3_600_000_000, kinds: [.wipeFinished]))
        #expect(later.map(\.kiosk) == ["epn-sud"])
        #expect(try await fleet.storedEvents(JournalFilter(user: "personne")).isEmpty)
        #expect(try await fleet.storedEvents(JournalFilter(session: "c1", kinds: [.sessionEnd])).count == 2)

        // By day: one session each day; two users in all (a kiosque per kiosk); one wipe with left-overs counted failed.
        let days = try await fleet.statistics(by: .day, since: nil, until: nil, language: .english)
        #expect(days.map(\.sessions) == [1, 1] && days.map(\.wipes) == [1, 1] && days.map(\.wipesFailed) == [0, 1])
        #expect(days.allSatisfy { $0.medianSessionSeconds == 600 })
        let month = try await fleet.tally(by: .month, since: nil, until: nil).figures(language: .english)
        #expect(month.reduce(0) { $0 + $1.users } == 2, "two kiosks' kiosque are two users")
        let together = try await fleet.tally(by: .week, since: start - 1, until: start + 2 * JournalClock.microsecondsPerDay).figures(language: .english)
        #expect(together.reduce(0) { $0 + $1.sessions } == 2)

        // A kind this version does not know (a newer kiosk's) is counted, not passed off as another.
        let journal = try fixture.cluster.psql("SELECT id FROM ardoise_fleet.journal WHERE kiosk = 'epn-sud'", database: "ardoise")
        try fixture.cluster.psql("""
            INSERT INTO ardoise_fleet.event (journal, seq, at, kind, host, detail, epoch, chain, seal)
            VALUES ('\(journal)', 1000, \(start), 'future-kind', 'epn-sud', '{}', 0, '\\x00', '\\x00')
            """, database: "ardoise")
        let listing = try await fleet.listing(JournalFilter())
        #expect(listing.unknownKinds == 1 && !listing.events.contains { $0.event.sequence == 1000 })

        // A kiosk's own account reads nothing of the fleet.
        let kiosk = try await fixture.kiosk("epn-curieux")
        await #expect(throws: FleetError.self) { try await FleetJournals(kiosk).listing(JournalFilter()) }
    }

    @Test func theCommandListsCountsAndChecksTheFleetInTheUsersLanguage() async throws {
        let fixture = try await Fixture()
        _ = try await twoKiosksOfSessions(fixture)
        let program = ProcessInfo.processInfo.environment["ARDOISE_FLEET_BIN"]
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ardoise-fleet").path
        try #require(FileManager.default.isExecutableFile(atPath: program), "build ardoise-fleet first")
        func run(_ arguments: String, language: String = "fr_FR.UTF-8") throws -> String {
            try PostgresCluster.shell("LANG=\(language) LC_ALL= LANGUAGE= '\(program)' \(arguments) --database '\(fixture.cluster.ownerAddress)'")
        }
        let csv = try run("list --format csv --event session-start")
        let lines = csv.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" })
        // (The shell's output is trimmed here, the spreadsheet's byte-order mark with it.)
        #expect(lines.count == 3 && lines[0].hasPrefix("kiosk,sequence,") && lines[1].hasPrefix("epn-nord,") && lines[2].hasPrefix("epn-sud,"))
        let table = try run("list --kiosk epn-sud --event session-end")
        #expect(table.contains("Borne") && table.contains("epn-sud") && !table.contains("epn-nord"))
        #expect(try run("list --kiosk epn-sud --event session-end", language: "en_US.UTF-8").contains("Kiosk"))
        let stats = try run("stats --by day --format json")
        #expect(stats.contains("\"sessions\"") && stats.components(separatedBy: "\"sessions\" : 1").count - 1 == 2)
        let status = try run("status")
        #expect(status.contains("epn-nord\t1\t") && status.contains("epn-sud\t1\t"))
        // A kiosk whose journal has nothing yet: said as such, not "intact".
        let empty = try await fixture.kiosk("epn-vide")
        _ = try await empty.upload(try AccessJournal(directory: fixture.scratch + "/epn-vide"))
        let verify = try run("verify")
        #expect(verify.contains("epn-nord") && verify.contains("intact") && verify.contains("sceaux non vérifiés (sans clé)"))
        let emptyLine = verify.split(separator: "\n").first { $0.hasPrefix("epn-vide") }
        #expect(emptyLine?.hasSuffix("aucun événement dans la base : rien à vérifier") == true, "\(verify)")
        // Who did what with the store: each list, figures and check noted, with the store's account and the person here.
        #expect(try run("purge --retention-days 3650", language: "en_GB.UTF-8") == "0 event(s) deleted")
        let actions = try run("actions", language: "en_GB.UTF-8")
        let noted = actions.split(separator: "\n").dropFirst()
        #expect(noted.filter { $0.contains("\tpostgres\tlist\t") }.count == 3 && noted.contains { $0.contains("\tpostgres\tstats\t") }
                && noted.contains { $0.contains("\tpostgres\tverify\t") && $0.contains("\"by\":") }
                && noted.contains { $0.contains("\tpostgres\tpurge\t") && $0.contains("\"deleted\":0") && $0.contains("\"retention_days\":3650") }, "\(actions)")
        // A kiosk's account can neither read nor write them; the server sets the account, a reader cannot make it up.
        let kioskAccount = FleetSchema.kioskRolePrefix + "epn_vide"
        #expect(throws: (any Error).self) { try fixture.cluster.psql("SET ROLE \(kioskAccount);\nSELECT count(*) FROM ardoise_fleet.action", database: "ardoise") }
        #expect(throws: (any Error).self) {
            try fixture.cluster.psql("SET ROLE \(kioskAccount);\nINSERT INTO ardoise_fleet.action (action, detail) VALUES ('purge', '{}')", database: "ardoise")
        }
        try fixture.cluster.psql("CREATE ROLE lecteur LOGIN; GRANT \(FleetSchema.readerGroup) TO lecteur", database: "ardoise")
        #expect(throws: (any Error).self) {
            try fixture.cluster.psql("SET ROLE lecteur;\nINSERT INTO ardoise_fleet.action (account, action, detail) VALUES ('postgres', 'purge', '{}')", database: "ardoise")
        }
        try fixture.cluster.psql("SET ROLE lecteur;\nINSERT INTO ardoise_fleet.action (action, detail) VALUES ('list', '{}')", database: "ardoise")
        #expect(try fixture.cluster.psql("SELECT account FROM ardoise_fleet.action ORDER BY at DESC LIMIT 1", database: "ardoise") == "lecteur")
        // A date it cannot read: bad input, exit 2, said in French.
        #expect(throws: (any Error).self) { try run("list --since hier") }
        let refused = try PostgresCluster.shell("LANG=fr_FR.UTF-8 '\(program)' list --since hier --database '\(fixture.cluster.ownerAddress)' 2>&1; echo \"exit $?\"")
        #expect(refused.contains("Date illisible") && refused.hasSuffix("exit 2"))
    }

    @Test func theExportForALawfulRequestHoldsThePeriodsEventsAndSaysWhatWasChecked() async throws {
        let fixture = try await Fixture()
        _ = try await twoKiosksOfSessions(fixture)
        let program = ProcessInfo.processInfo.environment["ARDOISE_FLEET_BIN"]
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ardoise-fleet").path
        let out = fixture.cluster.directory + "/export.csv"
        func export(_ extra: String = "") -> (code: Int32, output: String) {
            let outcome = Subprocess.run("/bin/sh", ["-c", "LANG=en_GB.UTF-8 '\(program)' export --since 10d --until 1m --out '\(out)' \(extra) --database '\(fixture.cluster.ownerAddress)' 2>&1"])
            return (outcome.code, outcome.output)
        }
        let first = export()
        #expect(first.code == 0 && first.output.contains("6 event(s) exported"), "\(first.output)")
        var status = stat()
        #expect(stat(out, &status) == 0 && status.st_mode & 0o777 == 0o600, "personal data: the owner's only")
        let csv = try Data(contentsOf: URL(fileURLWithPath: out))
        let rows = String(decoding: csv, as: UTF8.self).split(separator: "\r\n")
        #expect(rows.count == 7 && rows[0].hasPrefix("\u{FEFF}kiosk,") && rows.dropFirst().allSatisfy { $0.hasPrefix("epn-") })
        let summary = try String(contentsOfFile: out + ".verification.txt", encoding: .utf8)
        #expect(summary.contains("Number of events: 6") && summary.contains("Kiosks: all"))
        #expect(summary.contains("SHA-256 of the CSV file: " + SHA256.hash(data: [UInt8](csv)).hex))
        #expect(summary.split(separator: "\n").filter { $0.contains("intact (") }.count == 2, "\(summary)")
        // Never over an earlier export without --force.
        let again = export()
        #expect(again.code == 1 && again.output.contains("exists already"))
        // An event edited in the store: the export is still written (evidence), says which, and the command fails.
        try fixture.cluster.psql("UPDATE ardoise_fleet.event SET \"user\" = 'autre' WHERE seq = 2 AND host = 'epn-sud'", database: "ardoise")
        let edited = export("--force --kiosk epn-sud")
        #expect(edited.code == 1 && edited.output.contains("does not check"), "\(edited.output)")
        let second = try String(contentsOfFile: out + ".verification.txt", encoding: .utf8)
        #expect(second.contains("Kiosks: epn-sud") && second.contains("event 2 altered") && !second.contains("epn-nord"))
    }

    @Test func theConsoleReadsTheFleetWithAReadersAccountAndSaysWhichKioskIsSilent() async throws {
        let fixture = try await Fixture()
        _ = try await twoKiosksOfSessions(fixture)
        _ = try await fixture.kiosk("epn-muette")
        // The console's own account, given the right to read every journal, over TCP with its password.
        try fixture.cluster.psql("CREATE ROLE console LOGIN PASSWORD 'lecture-seule-42'")
        try await fixture.owner.grantReading(to: "console")
        let folder = fixture.cluster.directory + "/console"
        mkdir(folder, 0o700)
        FileManager.default.createFile(atPath: folder + "/password", contents: Data("lecture-seule-42\n".utf8), attributes: [.posixPermissions: 0o600])
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let console = ProcessInfo.processInfo.environment["ARDOISE_CONSOLE_BIN"] ?? binaries.appendingPathComponent("ardoise-console").path
        try PostgresCluster.shell("printf '%s\\n' 'un mot de passe assez long' | '\(console)' add-staff accueil --staff-file '\(folder)/staff'")
        let port = PostgresCluster.freePort()
        let pid = try PostgresCluster.shell("""
            '\(console)' serve --listen 127.0.0.1:\(port) --staff-file '\(folder)/staff' --password-file '\(folder)/password' \
              --database '\(fixture.cluster.tcpAddress(user: "console", tls: false))' > '\(folder)/log' 2>&1 & echo $!
            """)
        defer { kill(pid_t(pid) ?? 0, SIGTERM) }
        func curl(_ arguments: String) throws -> String {
            try PostgresCluster.shell("curl -s --max-time 20 \(arguments)")
        }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? curl("-o /dev/null -w '%{http_code}' http://127.0.0.1:\(port)/sign-in")) == "200"
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(ready, "\((try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? "")")
        let headers = try curl("-D - -o /dev/null --data-urlencode name=accueil --data-urlencode 'password=un mot de passe assez long' http://127.0.0.1:\(port)/sign-in")
        let cookie = try #require(headers.split(separator: "\r\n").first { $0.hasPrefix("Set-Cookie: ") }.map { $0.dropFirst(12).split(separator: ";")[0] })
        let kiosks = try curl("-H 'Cookie: \(cookie)' http://127.0.0.1:\(port)/kiosks")
        #expect(kiosks.contains("epn-nord") && kiosks.contains("epn-sud") && kiosks.contains("Bornes de la flotte"))
        let silent = kiosks.components(separatedBy: "<tr>").first { $0.contains("epn-muette") } ?? ""
        #expect(silent.contains("jamais") && silent.contains("silencieuse"), "a kiosk that never sent is said to be silent")
        #expect(!(kiosks.components(separatedBy: "<tr>").first { $0.contains(">epn-nord<") } ?? "").contains("silencieuse"))
        let south = try curl("-H 'Cookie: \(cookie)' 'http://127.0.0.1:\(port)/events?kiosk=epn-sud&event=session-end'")
        #expect(south.contains("1 événement(s)") && south.contains("<td>epn-sud</td>") && !south.contains("<td>epn-nord</td>"))
        let figures = try curl("-H 'Cookie: \(cookie)' 'http://127.0.0.1:\(port)/stats?by=month'")
        // The second cell of each row is its sessions: two in the fleet (one month, or two if the days straddle one).
        let sessions = figures.components(separatedBy: "<tr><td>").dropFirst().compactMap { row in
            row.components(separatedBy: "</td><td>").dropFirst().first.flatMap { Int($0) }
        }
        #expect(sessions.reduce(0, +) == 2, "\(figures)")
        let integrity = try curl("-H 'Cookie: \(cookie)' http://127.0.0.1:\(port)/integrity")
        #expect(integrity.contains("Rien n'a été modifié ni perdu") && integrity.contains("epn-sud") && integrity.contains("intact ("))
        try fixture.cluster.psql("DELETE FROM ardoise_fleet.event WHERE seq = 2 AND host = 'epn-nord'", database: "ardoise")
        let broken = try curl("-H 'Cookie: \(cookie)' http://127.0.0.1:\(port)/integrity")
        #expect(broken.contains("Le journal a été modifié") && broken.contains("manquants"), "\(broken)")
    }

    @Test func anAccountThatIsNoKioskSendsNothing() async throws {
        let fixture = try await Fixture()
        let journal = try fixture.journal("owner", events: 2)
        await #expect(throws: FleetError.notEnrolled) { try await fixture.owner.upload(journal) }
        await #expect(throws: FleetError.badName("EPN 1")) { try await fixture.owner.enroll("EPN 1") }
        await #expect(throws: FleetError.badName("x; DROP ROLE postgres")) { try await fixture.owner.enroll("x; DROP ROLE postgres") }
    }
}

/// The address and the password file, refused plainly before any connection.
@Suite struct FleetDatabaseTests {
    @Test func addressesThatWouldSendJournalsInTheClearOrLeakThePasswordAreRefused() throws {
        #expect(throws: FleetError.badAddress("postgresql://k@server.example.org/ardoise?sslmode=disable", .clearOverNetwork)) {
            try FleetDatabase(address: "postgresql://k@server.example.org/ardoise?sslmode=disable")
        }
        #expect(throws: FleetError.badAddress("postgresql://k:secret@server.example.org/ardoise", .passwordInAddress)) {
            try FleetDatabase(address: "postgresql://k:secret@server.example.org/ardoise")
        }
        #expect(throws: FleetError.self) { try FleetDatabase(address: "mysql://k@server/ardoise") }
        #expect(throws: FleetError.self) { try FleetDatabase(address: "postgresql://server/ardoise") }
        #expect(throws: FleetError.self) { try FleetDatabase(address: "postgresql://k@server/") }
        let remote = try FleetDatabase(address: "postgresql://k@server.example.org:6543/ardoise")
        #expect(remote.encrypted && remote.place == .network(host: "server.example.org", port: 6543))
        let local = try FleetDatabase(address: "postgresql://k@127.0.0.1/ardoise?sslmode=disable")
        #expect(!local.encrypted)
        let socket = try FleetDatabase(address: "postgresql://k@/ardoise?host=/run/postgresql")
        #expect(socket.place == .socket(directory: "/run/postgresql", port: 5432))
    }

    @Test func aPasswordFileOthersCanReadIsRefused() throws {
        let file = NSTemporaryDirectory() + "ardoise-password-" + UUID().uuidString
        defer { unlink(file) }
        try "secret\nignored\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        #expect(throws: FleetError.self) { try FleetDatabase.password(from: file) }
        chmod(file, 0o600)
        #expect(try FleetDatabase.password(from: file) == "secret")
    }

    /// RFC 7677's example: SaltedPassword's keys for "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
    @Test func theVerifierIsSCRAMSHA256s() throws {
        let salt = [UInt8](Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
        let verifier = FleetPassword.scramVerifier("pencil", salt: salt)
        // ServerSignature in the RFC is HMAC(ServerKey, AuthMessage); checked here through ServerKey and StoredKey.
        let parts = verifier.split(separator: "$")
        #expect(parts.count == 3 && parts[0] == "SCRAM-SHA-256" && parts[1] == "4096:W22ZaJ0SNY7soEsUEjb6gQ==")
        let keys = parts[2].split(separator: ":").map { [UInt8](Data(base64Encoded: String($0))!) }
        let authMessage = Array("n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".utf8)
        let serverSignature = FleetPassword.hmac(keys[1], authMessage)
        #expect(Data(serverSignature).base64EncodedString() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        // The client's proof in the RFC is ClientKey XOR HMAC(StoredKey, AuthMessage): the ClientKey it gives back must
        // hash to StoredKey.
        let proof = [UInt8](Data(base64Encoded: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")!)
        let clientKey = zip(proof, FleetPassword.hmac(keys[0], authMessage)).map { $0 ^ $1 }
        #expect(SHA256.hash(data: clientKey) == keys[0])
    }
}
