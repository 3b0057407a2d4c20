@testable import ArdoiseCore
import Foundation
import Glibc
import Testing

/// The journal under the faults a kiosk meets over years: damaged files, cut ends, deleted rows, full disks, programs
/// started together, a journal held by another program. Real SQLite files, real processes.
@Suite struct JournalFaultTests {
    static var benchBinary: String { JournalCommandTests.benchBinary }

    /// A journal of `count` events written by the service's code, its file closed (checkpointed), its key taken.
    static func written(_ count: Int = 40) throws -> (JournalSandbox, VerificationKey) {
        let sandbox = try JournalSandbox()
        let journal = try sandbox.open()
        for index in 0..<count {
            try journal.append(JournalEvent(kind: index % 4 == 0 ? .configLoaded : .sessionStart, user: "kiosque\(index % 3)", detail: ["n": .int(Int64(index))]))
        }
        let key = try #require(journal.takeVerificationKeys().first)
        return (sandbox, key)
    }

    static func ardoise(_ arguments: [String]) throws -> CommandResult {
        try JournalCommandTests.ardoise(arguments)
    }

    static func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    static func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
        let fd = Glibc.open(path, O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(pwrite(fd, bytes, bytes.count, off_t(offset)) == bytes.count)
    }

    enum Damage: String, CaseIterable, Sendable {
        case truncatedToHalf, truncatedToZero, garbageInTheHeader, garbageInTheMiddle
    }

    @Test(arguments: Damage.allCases)
    func aDamagedJournalIsKeptAsItWasAndVerifySaysSoUntilAcknowledged(_ damage: Damage) throws {
        let (sandbox, _) = try Self.written(400)
        var info = stat()
        try #require(stat(sandbox.path, &info) == 0)
        let size = Int(info.st_size)
        switch damage {
        case .truncatedToHalf: #expect(truncate(sandbox.path, off_t(size / 2)) == 0)
        case .truncatedToZero: #expect(truncate(sandbox.path, 0) == 0)
        case .garbageInTheHeader: try Self.overwrite(sandbox.path, at: 0, with: (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        case .garbageInTheMiddle: try Self.overwrite(sandbox.path, at: size / 2, with: [UInt8](repeating: 0xA5, count: 4096))
        }
        let damaged = try #require(Self.contents(sandbox.path))

        // Any command: here a query, through the real binary.
        let list = try Self.ardoise(["journal", "list", "--state-dir", sandbox.directory])
        let verify = try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory])
        #expect(verify.status == 1, "\(damage): verify must not pass: \(verify.output)")
        let asideFiles = SetAsideJournal.all(in: sandbox.directory)
        if damage == .garbageInTheMiddle && asideFiles.isEmpty {
            // The damage SQLite's quick check does not see at opening is found by the full check, and nothing is answered wrong.
            #expect(verify.output.contains("damaged") || verify.output.contains("altered"), "\(verify.output)")
            return
        }
        try #require(asideFiles.count == 1, "\(damage): \(list.error)")
        #expect(Self.contents(sandbox.directory + "/" + asideFiles[0].name) == damaged, "kept byte for byte")
        #expect(list.error.contains("no longer opened") && list.error.contains(asideFiles[0].name), "\(list.error)")
        #expect(verify.output.contains(asideFiles[0].name) && verify.output.contains("to acknowledge"), "\(verify.output)")
        let journal = try sandbox.open()
        let first = try #require(try journal.events().first)
        #expect(first.kind == .journalRecovered && first.outcome == "set-aside")
        #expect(first.detail["name"] == .text(asideFiles[0].name) && first.detail["size"] == .int(Int64(damaged.count)))

        // A second command does not set the new journal aside, and nothing is ever renamed over the kept one.
        _ = try Self.ardoise(["journal", "list", "--state-dir", sandbox.directory])
        #expect(SetAsideJournal.all(in: sandbox.directory).count == 1)
        #expect(Self.contents(sandbox.directory + "/" + asideFiles[0].name) == damaged)

        let unknown = try Self.ardoise(["journal", "acknowledge", "nothing-like-this", "--state-dir", sandbox.directory])
        #expect(unknown.status == 2)
        let acknowledged = try Self.ardoise(["journal", "acknowledge", asideFiles[0].name, "--state-dir", sandbox.directory])
        #expect(acknowledged.status == 0, "\(acknowledged.error)")
        let after = try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory])
        #expect(after.status == 0, "\(after.output)")
        #expect(after.output.contains("acknowledged"))
        #expect(try sandbox.open().events(JournalFilter(kinds: [.incidentAcknowledged])).count == 1, "the acknowledgement is journaled")
    }

    @Test func theKeyOfAJournalSetAsideIsNeverOverwritten() throws {
        let sandbox = try JournalSandbox()
        let firstKey = try #require(try sandbox.open().pendingVerificationKey)
        try Self.overwrite(sandbox.path, at: 0, with: [UInt8](repeating: 0x42, count: 200))
        let second = try sandbox.open()
        #expect(second.setAside != nil)
        let keys = second.pendingVerificationKeys
        #expect(keys.contains(firstKey), "the first journal's key still waits")
        #expect(keys.count == 2 && keys.contains { $0.journalID == second.journalID })
        #expect(Set(second.takeVerificationKeys().map(\.journalID)) == Set(keys.map(\.journalID)), "both are handed over")
    }

    /// A page of the `event_kind_at` index with 16 bytes changed inside its cells: SQLite's quick check passes.
    @Test func aDamagedIndexIsSeenByVerifyAndQueriesRefuseToAnswer() throws {
        let (sandbox, _) = try Self.written(400)
        let page = try #require(Int(try run("sqlite3", [sandbox.path, "SELECT pageno FROM dbstat WHERE name = 'event_kind_at' AND pagetype = 'leaf' LIMIT 1"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let pageSize = try #require(Int(try run("sqlite3", [sandbox.path, "PRAGMA page_size"]).output.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Cells fill a page from its end: 16 bytes a little before the end fall inside index keys.
        try Self.overwrite(sandbox.path, at: page * pageSize - 300, with: Array("XXXXXXXXXXXXXXXX".utf8))
        #expect(try run("sqlite3", [sandbox.path, "PRAGMA quick_check"]).output.hasPrefix("ok"), "the quick check does not see it")

        let list = try Self.ardoise(["journal", "list", "--event", "config-loaded", "--state-dir", sandbox.directory])
        #expect(list.status == 1, "no wrong answer: \(list.output.split(separator: "\n").count) lines")
        #expect(list.error.contains("damaged"), "\(list.error)")
        let verify = try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory])
        #expect(verify.status == 1)
        #expect(verify.output.contains("SQLite's full check"), "\(verify.output)")
    }

    @Test func aDeletedLastEventIsSeenAndRecorded() throws {
        let (sandbox, _) = try Self.written()
        try sandbox.sqlite("DELETE FROM event WHERE seq = (SELECT max(seq) FROM event)")
        let verify = try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory])
        #expect(verify.status == 1)
        #expect(verify.output.contains("events #40 to #40, written earlier, are gone"), "\(verify.output)")
        // The verify's own event recorded the loss in the chain: it stays visible once the head has moved on.
        let incidents = try sandbox.open().events(JournalFilter(kinds: [.journalRecovered]))
        #expect(incidents.map(\.outcome) == ["tail-lost"])
        #expect(incidents.first?.detail["expected_last"] == .int(40) && incidents.first?.detail["found_last"] == .int(39))
        let again = try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory])
        #expect(again.status == 1 && again.output.contains("to acknowledge"), "\(again.output)")
        #expect(try Self.ardoise(["journal", "acknowledge", "#\(incidents[0].sequence)", "--state-dir", sandbox.directory]).status == 0)
        #expect(try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory]).status == 0)
    }

    /// Events only in the WAL of a writer killed, the WAL then deleted: they are gone, and their numbers are not silently reused.
    @Test func aDeletedWalIsSeenAndItsNumbersAreNotReusedSilently() throws {
        let (sandbox, _) = try Self.written(5)
        let (process, output) = try JournalCommandTests.appendForever(sandbox.directory)
        var seen = Data()
        while seen.split(separator: 10).count < 30 { seen.append(output.fileHandleForReading.availableData) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let reported = String(decoding: seen, as: UTF8.self).split(separator: "\n").compactMap { Int64($0) }.max() ?? 0
        var info = stat()
        try #require(stat(sandbox.path + "-wal", &info) == 0 && info.st_size > 0, "the events are in the WAL")
        unlink(sandbox.path + "-wal")
        unlink(sandbox.path + "-shm")

        let journal = try sandbox.open()
        let verification = try journal.verify()
        guard case .tailLost(let expected, let found)? = verification.head else {
            Issue.record("expected a lost tail, got \(String(describing: verification.head))")
            return
        }
        #expect(expected >= reported && found < reported)
        let next = try journal.append(JournalEvent(kind: .wipeFinished, outcome: "ok"))
        let recorded = try journal.events(JournalFilter(kinds: [.journalRecovered]))
        #expect(recorded.count == 1 && recorded[0].sequence == next.sequence - 1, "the loss is written before the next event")
        let after = try journal.verify()
        #expect(after.isIntact, "\(after.report(.english))")
        #expect(!after.isClear)
    }

    @Test func anEventRewrittenUnderTheSameNumberIsSeen() throws {
        let (sandbox, _) = try Self.written(10)
        let head = try #require(Self.contents(sandbox.directory + "/journal.head"))
        try sandbox.sqlite("DELETE FROM event WHERE seq > 7")
        unlink(sandbox.directory + "/journal.head")
        try sandbox.sqlite("DELETE FROM grdb_migrations WHERE identifier = 'v4-head'")
        let journal = try sandbox.open()
        for _ in 0..<3 { try journal.append(JournalEvent(kind: .sessionStart, user: "autre")) }
        try head.write(to: URL(fileURLWithPath: sandbox.directory + "/journal.head"))
        #expect(try journal.verify().head == .rewritten(at: 10))
    }

    @Test func aReplacedJournalIsSeen() throws {
        let (sandbox, _) = try Self.written(10)
        for suffix in ["", "-wal", "-shm"] { unlink(sandbox.path + suffix) }
        let journal = try sandbox.open()
        let verification = try journal.verify()
        let incident = try #require(verification.incidents.first, "a journal deleted and begun again must show")
        #expect(incident.code == "replaced" && incident.detail["previous_last"] == .int(10) && !incident.acknowledged)
        #expect(!verification.isClear)
    }

    @Test func aDeletedSealingRowIsReportedAndRecordingGoesOnSealedWithANewKey() throws {
        let (sandbox, key) = try Self.written(20)
        try sandbox.sqlite("DELETE FROM sealing")
        let journal = try sandbox.open()
        let rebuilt = try #require(try journal.events(JournalFilter(kinds: [.journalRecovered])).first)
        #expect(rebuilt.outcome == "sealing-rebuilt" && rebuilt.sequence == 21)
        #expect(journal.journalID == key.journalID, "the journal keeps its name (from its head)")
        try journal.append(JournalEvent(kind: .sessionStart, user: "kiosque1"))
        let segmentKey = try #require(journal.pendingVerificationKeys.first { $0.journalID != key.journalID })

        let withOldKey = try journal.verify(keys: [key])
        #expect(withOldKey.isIntact, "\(withOldKey.report(.english))")
        #expect(withOldKey.sealsUncheckedFrom == 21)
        let withBoth = try journal.verify(keys: [key, segmentKey])
        #expect(withBoth.isIntact && withBoth.sealsUncheckedFrom == nil && withBoth.checked == 22)
        #expect(!withBoth.isClear, "the incident waits for an administrator")
        // A seal changed after the rebuild is caught by the new key.
        try sandbox.sqlite("UPDATE event SET seal = zeroblob(32) WHERE seq = 22")
        #expect(try journal.verify(keys: [key, segmentKey]).problem == .badSeal)
    }

    @Test func aDeletedAnchorRowIsReportedAndRecordingGoesOn() throws {
        let (sandbox, key) = try Self.written(20)
        try sandbox.sqlite("DELETE FROM anchor")
        let verify = try Self.ardoise(["journal", "verify", "--state-dir", sandbox.directory])
        #expect(verify.status == 1, "\(verify.output)")
        #expect(verify.output.contains("starting point was gone"), "\(verify.output)")
        let journal = try sandbox.open()
        try journal.append(JournalEvent(kind: .sessionEnd))
        let verification = try journal.verify(keys: [key])
        #expect(verification.isIntact, "\(verification.report(.english))")
        #expect(verification.incidents.map(\.code) == ["anchor-rebuilt"])
    }

    /// 20 rounds of 8 programs started together on a new state folder: every event each reports is there, nothing set aside.
    @Test func concurrentStartsOnANewStateFolderLoseNothing() throws {
        for round in 0..<20 {
            let sandbox = try JournalSandbox()
            var processes: [(Process, Pipe, Pipe)] = []
            for _ in 0..<8 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Self.benchBinary)
                process.arguments = ["append", sandbox.directory, "3"]
                let output = Pipe(), error = Pipe()
                process.standardOutput = output
                process.standardError = error
                processes.append((process, output, error))
            }
            for (process, _, _) in processes { try process.run() }
            var reported: [Int64] = []
            for (process, output, error) in processes {
                let printed = output.fileHandleForReading.readDataToEndOfFile()
                let failure = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): \(failure)")
                reported += String(decoding: printed, as: UTF8.self).split(separator: "\n").compactMap { Int64($0) }
            }
            #expect(reported.count == 24, "round \(round)")
            #expect(SetAsideJournal.all(in: sandbox.directory).isEmpty, "round \(round): nothing set aside")
            let journal = try sandbox.open()
            let stored = Set(try journal.events().map(\.sequence))
            #expect(reported.allSatisfy(stored.contains), "round \(round): reported but missing")
            let verification = try journal.verify()
            #expect(verification.isClear, "round \(round): \(verification.report(.english))")
            #expect(journal.pendingVerificationKeys.count == 1, "round \(round): one journal, one key")
        }
    }

    /// Another program holds the journal's write lock: the wipe's events wait in the spool and are written at the next write.
    @Test func eventsThatCannotBeWrittenWaitInTheSpoolAndAreWrittenLater() throws {
        let (sandbox, _) = try Self.written(5)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = ["-c", "import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('held',flush=True)\ntime.sleep(30)", sandbox.path]
        let said = Pipe()
        holder.standardOutput = said
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() } }
        _ = said.fileHandleForReading.availableData

        var notices: [JournalRecorder.Notice] = []
        let journal = try AccessJournal(directory: sandbox.directory, busyTimeout: 0.2)
        let recorder = JournalRecorder(journal: journal, retryDelays: [.seconds(1)]) { notices.append($0) }
        recorder.record(JournalEvent(kind: .wipeStarted, user: "kiosque1", detail: ["trigger": .text("manual")]))
        recorder.record(JournalEvent(kind: .wipeFinished, user: "kiosque1", outcome: "ok", detail: ["trigger": .text("manual")]))
        #expect(!recorder.allWritten && recorder.spooled == 2 && recorder.lost == 0)
        #expect(notices.contains { if case .retrying(.busy, _) = $0 { true } else { false } })
        #expect(recorder.summary(.french).contains("en attente"))

        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        try journal.append(JournalEvent(kind: .adminQuery))
        let kinds = try journal.events().map(\.kind).suffix(3)
        #expect(Array(kinds) == [.wipeStarted, .wipeFinished, .adminQuery])
        #expect(access(JournalSpool.path(sandbox.directory), F_OK) != 0, "the spool is emptied")
        // Written once: the same spool read again (a kill before it was emptied) adds nothing.
        _ = JournalSpool.keep(try journal.events(JournalFilter(kinds: [.wipeStarted, .wipeFinished])), directory: sandbox.directory)
        try journal.append(JournalEvent(kind: .adminQuery))
        #expect(try journal.events(JournalFilter(kinds: [.wipeStarted, .wipeFinished])).count == 2)
        #expect(try journal.verify().isClear)
    }

    /// A full disk hit by two commands in the same second: the history is intact afterwards and nothing was set aside.
    @Test(.enabled(if: isRoot, "mounting a small filesystem needs root"))
    func aFullDiskHitByTwoCommandsAtOnceKeepsTheHistory() throws {
        let sandbox = try JournalSandbox()
        try FileManager.default.createDirectory(atPath: sandbox.directory, withIntermediateDirectories: true)
        #expect(try run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", sandbox.directory]).status == 0)
        defer { _ = try? run("umount", ["-l", sandbox.directory]) }
        do {
            let journal = try sandbox.open()
            for index in 0..<50 { try journal.append(JournalEvent(kind: .sessionStart, user: "kiosque\(index % 3)")) }
        }
        _ = try? run("dd", ["if=/dev/zero", "of=\(sandbox.directory)/filler", "bs=4k"])
        let first = Process(), second = Process()
        for process in [first, second] {
            process.executableURL = URL(fileURLWithPath: Paths.ardoiseBinary)
            process.arguments = ["journal", "list", "--state-dir", sandbox.directory]
            process.environment = ["LANG": "en_US.UTF-8", "PATH": "/usr/bin:/bin"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try first.run()
        try second.run()
        first.waitUntilExit()
        second.waitUntilExit()
        unlink(sandbox.directory + "/filler")
        #expect(SetAsideJournal.all(in: sandbox.directory).isEmpty, "a full disk is not damage")
        let journal = try sandbox.open()
        #expect(try journal.events(JournalFilter(kinds: [.sessionStart])).count == 50)
        #expect(try journal.verify().isClear)
    }
}
