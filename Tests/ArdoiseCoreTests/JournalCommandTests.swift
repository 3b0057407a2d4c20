@testable import ArdoiseCore
import Foundation
import Glibc
import Testing

/// `ardoise journal ...` and the journal under a writer killed mid-append, through the built binaries.
@Suite struct JournalCommandTests {
    static var benchBinary: String { (Paths.ardoiseBinary as NSString).deletingLastPathComponent + "/ardoise-journal-bench" }

    static func ardoise(_ arguments: [String], language: String = "en_US.UTF-8", asUser uid: UInt32? = nil) throws -> CommandResult {
        var command: [String] = []
        if let uid { command += ["setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] }
        command += [Paths.ardoiseBinary] + arguments
        return try run(command[0], Array(command.dropFirst()), environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": language, "TZ": "UTC"])
    }

    /// The bench's writer appending forever to a state folder, its standard output (one sequence per line) piped.
    static func appendForever(_ directory: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: benchBinary)
        process.arguments = ["append-forever", directory]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output)
    }

    @Test func everyWriteReportedBeforeASigkillIsThereAndTheChainHolds() throws {
        let sandbox = try JournalSandbox()
        var reported: [Int64] = []
        for round in 0..<20 {
            let (process, output) = try Self.appendForever(sandbox.directory)
            let collected = Collected()
            let reader = Thread {
                var pending = Data()
                while true {
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    // Only whole lines count: a number cut by the kill was not reported.
                    while let newline = pending.firstIndex(of: 10) {
                        if let number = Int64(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)) { collected.append(number) }
                        pending.removeSubrange(pending.startIndex...newline)
                    }
                }
                collected.finish()
            }
            reader.start()
            usleep(UInt32.random(in: 30_000...400_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            collected.wait()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round)")
            reported += collected.values
        }
        #expect(reported.count > 20, "the writer got events out before being killed")
        let journal = try sandbox.open()
        let stored = Set(try journal.events().map(\.sequence))
        let missing = reported.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "reported as written but lost: \(missing.prefix(10))")
        let verification = try journal.verify()
        #expect(verification.isIntact, "\(verification.message(.english))")
    }

    @Test func anAdminListsCountsExportsVerifiesAndPurges() throws {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        try journal.append(contentsOf: knownEvents())
        let state = sandbox.directory

        let list = try Self.ardoise(["--state-dir", state, "journal", "list", "--user", "kiosque1", "--event", "session-start", "--format", "json"])
        #expect(list.status == 0, "\(list.error)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["session"] as? String } == ["s1", "s3", "s5"])
        #expect(list.error.contains("verification key is waiting"))

        let csv = try Self.ardoise(["journal", "list", "--state-dir", state, "--since", "2026-03-03", "--until", "2026-03-04", "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.output.dropFirst().split(separator: "\r\n").count == 9, "header + the 8 events of the second day")

        let svg = (state as NSString).deletingLastPathComponent + "/week.svg"
        let stats = try Self.ardoise(["journal", "stats", "--state-dir", state, "--by", "week", "--svg", svg])
        #expect(stats.status == 0, "\(stats.error)")
        #expect(stats.output.contains("week of 2026-03-02"))
        #expect(FileManager.default.contents(atPath: svg).map { String(decoding: $0, as: UTF8.self).hasPrefix("<svg") } == true)

        let out = (state as NSString).deletingLastPathComponent + "/request.csv"
        let export = try Self.ardoise(["journal", "export", "--state-dir", state, "--since", "2026-03-01", "--until", "2026-03-03", "--out", out])
        #expect(export.status == 0, "\(export.error)")
        let exported = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self)
        #expect(exported.split(separator: "\r\n").count == 13 && exported.contains(",seal\r\n"))
        let summary = String(decoding: FileManager.default.contents(atPath: out + ".verification.txt") ?? Data(), as: UTF8.self)
        #expect(summary.contains("Number of events: 12") && summary.contains("Journal intact"))
        var info = stat()
        #expect(stat(out, &info) == 0 && info.st_mode & 0o077 == 0, "the export is private")

        let key = try Self.ardoise(["journal", "key", "--state-dir", state])
        #expect(key.status == 0 && key.output.hasPrefix("ardoise-vk1:"))
        #expect(try Self.ardoise(["journal", "key", "--state-dir", state]).status == 1, "shown once only")
        let keyFile = (state as NSString).deletingLastPathComponent + "/vk.txt"
        try Data(key.output.utf8).write(to: URL(fileURLWithPath: keyFile))
        let verify = try Self.ardoise(["journal", "verify", "--state-dir", state, "--verification-key", keyFile], language: "fr_FR.UTF-8")
        #expect(verify.status == 0, "\(verify.output) \(verify.error)")
        #expect(verify.output.contains("chaîne et sceaux vérifiés"))

        let config = (state as NSString).deletingLastPathComponent + "/ardoise.toml"
        try Data("[journal]\nretention_days = 30\n".utf8).write(to: URL(fileURLWithPath: config))
        let purge = try Self.ardoise(["--config", config, "--state-dir", state, "journal", "purge"])
        #expect(purge.status == 0, "\(purge.error)")
        #expect(purge.output.contains("20 event(s) older than"))

        // Every query is itself in the journal: who, which command, which filters.
        let after = try sandbox.open().events()
        let queries = after.filter { $0.kind == .adminQuery }.compactMap { $0.detail["command"] }
        #expect(queries == [.text("list"), .text("list"), .text("stats"), .text("export"), .text("key")])
        #expect(after.contains { $0.kind == .adminQuery && $0.detail["user"] == .text("kiosque1") && $0.detail["event"] == .text("session-start") })
        #expect(after.contains { $0.kind == .integrityCheck && $0.outcome == "ok" && $0.detail["seals"] == .bool(true) })
        #expect(after.contains { $0.kind == .retentionPurge && $0.detail["purged"] == .int(20) })
        #expect(try sandbox.open().verify().isIntact)
    }

    @Test func anAlteredJournalFailsVerifyWithExitOne() throws {
        let sandbox = try JournalSandbox()
        try sandbox.open().append(contentsOf: knownEvents())
        try sandbox.sqlite("UPDATE event SET at = at + 1 WHERE seq = 3")
        let verify = try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory])
        #expect(verify.status == 1)
        #expect(verify.output.contains("event #3 was changed"))
        // An export of it is written (it is evidence), says the alteration in its summary, and exits 1.
        let out = sandbox.directory + "/../export.csv"
        let export = try Self.ardoise(["journal", "export", "--since", "2026-01-01", "--until", "2027-01-01", "--out", out, "--state-dir", sandbox.directory])
        #expect(export.status == 1, "\(export.output)")
        #expect(export.error.contains("event #3 was changed"))
        #expect(String(decoding: FileManager.default.contents(atPath: out + ".verification.txt") ?? Data(), as: UTF8.self).contains("event #3 was changed"))
    }

    @Test func editedStatisticsAreCaughtByVerifyAndCountedAgain() throws {
        let sandbox = try JournalSandbox()
        try sandbox.open().append(contentsOf: knownEvents())
        #expect(try sandbox.open().verify().statisticsMatch == true)
        // Someone with the file in hand adds sessions to a day: the events still check, the summary does not.
        try sandbox.sqlite("UPDATE quarter_summary SET sessions = sessions + 40 WHERE quarter = (SELECT min(quarter) FROM quarter_summary)")
        let edited = try sandbox.open().verify()
        #expect(edited.isIntact && edited.statisticsMatch == false)

        let verify = try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory])

        #expect(verify.status == 1)
        #expect(verify.output.contains("They were counted again from the events"), "\(verify.output)")
        let journal = try sandbox.open()
        #expect(try journal.verify().statisticsMatch == true)
        #expect(try journal.statistics(by: .day).map(\.sessions) == [3, 2])
        #expect(try journal.events(JournalFilter(kinds: [.integrityCheck])).last?.outcome == "statistics-rebuilt")
    }

    @Test func badInputExitsTwo() throws {
        let sandbox = try JournalSandbox()
        let base = (sandbox.directory as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let zero = base + "/zero.toml", word = base + "/word.toml", long = base + "/long.toml"
        try Data("[journal]\nretention_days = 0\n".utf8).write(to: URL(fileURLWithPath: zero))
        try Data("[journal]\nretention_days = \"abc\"\n".utf8).write(to: URL(fileURLWithPath: word))
        try Data("[journal]\nretention_days = 730\n".utf8).write(to: URL(fileURLWithPath: long))
        let cases: [([String], String)] = [
            (["journal", "list", "--state-dir", sandbox.directory, "--since", "last tuesday"], "Unreadable date"),
            (["journal", "list", "--state-dir", sandbox.directory, "--until", "2026-02-30"], "Unreadable date"),
            (["journal", "list", "--state-dir", sandbox.directory, "--event", "coffee-break"], "coffee-break"),
            (["journal", "stats", "--state-dir", sandbox.directory, "--by", "fortnight"], "fortnight"),
            (["--config", zero, "journal", "purge", "--state-dir", sandbox.directory], "\(zero):2 (key \"journal.retention_days\"): 0 days"),
            (["--config", word, "journal", "purge", "--state-dir", sandbox.directory], "\(word):2 (key \"journal.retention_days\"): expected type"),
        ]
        for (arguments, mention) in cases {
            let result = try Self.ardoise(arguments)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.error)")
            #expect(result.error.contains(mention), "\(arguments): \(result.error)")
        }
        let warned = try Self.ardoise(["--config", long, "journal", "purge", "--state-dir", sandbox.directory, "--dry-run"])
        #expect(warned.status == 0)
        #expect(warned.error.contains("the CNIL asks for a documented reason"))
    }

    @Test(.enabled(if: isRoot, "switching to another account needs root"))
    func anOrdinaryUserIsRefused() throws {
        let sandbox = try JournalSandbox()
        try sandbox.open().append(contentsOf: knownEvents())
        chmod((sandbox.directory as NSString).deletingLastPathComponent, 0o755)
        for command in [["list"], ["stats"], ["verify"], ["purge"], ["export", "--since", "7d", "--until", "0d", "--out", "/tmp/x.csv"], ["key"]] {
            let result = try Self.ardoise(["journal"] + command + ["--state-dir", sandbox.directory], language: "fr_FR.UTF-8", asUser: 65534)
            #expect(result.status == 3, "\(command): \(result.error)")
            #expect(result.error.contains("Seuls les administrateurs"))
        }
    }

    @Test func aManualWipeIsJournaledWithoutAnyPath() throws {
        let home = try Sandbox(fixture: true)
        let journalSandbox = try JournalSandbox()
        let config = home.base + "/ardoise.toml"
        try Data("[wipe]\ntemporary_directories = [\"\(home.tmp)\"]\n".utf8).write(to: URL(fileURLWithPath: config))
        let result = try Self.ardoise(["--config", config, "--state-dir", journalSandbox.directory, "wipe", "--home", home.home])
        #expect(result.status == 1, "catalogue mode, nothing known of the home before: \(result.error)")
        let events = try journalSandbox.open().events()
        #expect(events.map(\.kind) == [.wipeStarted, .wipeFinished])
        let finished = try #require(events.last)
        #expect(finished.outcome == "left-overs" && finished.uid == testOwner && finished.detail["trigger"] == .text("manual"))
        #expect(finished.detail["outside_catalogue"] == .object(["known": .bool(false), "added": .int(0), "changed": .int(0)]))
        #expect(finished.detail["left"] == .int(0))
        guard case .object(let kinds) = finished.detail["kinds"], case .object(let passwords) = kinds["passwords"] else {
            Issue.record("per-kind counts missing")
            return
        }
        #expect(passwords["removed"] == .int(9))
        #expect(!finished.detailJSON.contains("/") && !finished.detailJSON.contains("home-kiosk"))
    }
}

/// Lines read by another thread, handed over when the pipe closes.
final class Collected: @unchecked Sendable {
    private let lock = NSCondition()
    private var numbers: [Int64] = []
    private var done = false

    func append(_ number: Int64) { lock.withLock { numbers.append(number) } }

    func finish() {
        lock.lock()
        done = true
        lock.broadcast()
        lock.unlock()
    }

    func wait() {
        lock.lock()
        while !done { lock.wait() }
        lock.unlock()
    }

    var values: [Int64] { lock.withLock { numbers } }
}
