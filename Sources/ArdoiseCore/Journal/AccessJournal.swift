import Crypto
import Foundation
import GRDB
import GRDBSQLite
import Glibc

public enum JournalError: Error, Sendable, Equatable {
    /// The state folder or the database cannot be opened (permissions...).
    case cannotOpen(String, String)
    /// The disk is full: the event was not written.
    case diskFull(String)
    case writeFailed(String)
    case readFailed(String)

    public func message(_ language: Language) -> String {
        let fr = language == .french
        switch self {
        case .cannotOpen(let path, let why):
            return fr ? "Impossible d'ouvrir le journal \(path) : \(why)" : "Cannot open the journal \(path): \(why)"
        case .diskFull(let path):
            return fr ? "Le disque est plein : l'événement n'a pas été écrit dans \(path). Libérez de la place."
                      : "The disk is full: the event was not written to \(path). Free some space."
        case .writeFailed(let why):
            return fr ? "Écriture dans le journal impossible : \(why)" : "Cannot write to the journal: \(why)"
        case .readFailed(let why):
            return fr ? "Lecture du journal impossible : \(why)" : "Cannot read the journal: \(why)"
        }
    }
}

/// Receives every event once it is written (the system journal mirror).
public protocol JournalMirror: Sendable {
    func mirror(_ event: JournalEvent)
}

/// The security access journal: SQLite (WAL, synchronous=FULL), append-only, sealed, with retention.
public final class AccessJournal: @unchecked Sendable {
    public static let fileName = "journal.sqlite"
    public static let pendingKeyFileName = "verification-key.pending"

    public let directory: String
    public let path: String
    let database: DatabaseQueue
    public var mirror: JournalMirror?

    /// Set when this opening moved an unreadable database aside (its new name).
    public private(set) var setAside: String?

    /// Opens (and creates, with mode 0600 in a 0700 folder) the journal of a state folder.
    public init(directory: String, mirror: JournalMirror? = nil) throws(JournalError) {
        self.directory = directory
        self.path = directory + "/" + Self.fileName
        self.mirror = mirror
        // Modes are set explicitly, never through umask: the process may have other threads.
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .cannotOpen(directory, String(cString: strerror(errno)))
        }
        // Only a folder is made private: a file named as the state folder is refused, never changed.
        var folder = stat()
        guard stat(directory, &folder) == 0, folder.st_mode & S_IFMT == S_IFDIR else {
            throw .cannotOpen(directory, String(cString: strerror(ENOTDIR)))
        }
        chmod(directory, 0o700)
        if access(path, F_OK) == 0 && access(path, R_OK | W_OK) != 0 {
            throw .cannotOpen(path, String(cString: strerror(errno)))
        }
        Self.createPrivately(path)
        do {
            database = try Self.openChecked(path)
        } catch {
            // Never overwrite an unreadable journal: move it aside, start a new one, and say so.
            let stamp = Self.fileStamp()
            let aside = path + ".unreadable-" + stamp
            for suffix in ["", "-wal", "-shm"] where access(path + suffix, F_OK) == 0 {
                guard rename(path + suffix, aside + suffix) == 0 else {
                    throw .cannotOpen(path, String(cString: strerror(errno)))
                }
            }
            setAside = aside
            Self.createPrivately(path)
            do {
                database = try Self.openChecked(path)
            } catch {
                throw .cannotOpen(path, "\(error)")
            }
        }
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
        try initialiseSealing()
        if let setAside {
            try append(JournalEvent(kind: .journalRecovered, outcome: "set-aside", detail: ["set_aside_at": .text(Self.fileStamp()), "name": .text((setAside as NSString).lastPathComponent)]))
        }
    }

    /// Created 0600 before SQLite opens it: its -wal and -shm files take the database file's mode.
    static func createPrivately(_ path: String) {
        let created = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if created >= 0 { close(created) }
    }

    static func fileStamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date())
    }

    private static func openChecked(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?"
            guard check == "ok" else { throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: check) }
        }
        try migrator.migrate(queue)
        return queue
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE event (
                    seq INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    host TEXT NOT NULL,
                    seat TEXT,
                    session TEXT,
                    uid INTEGER,
                    user TEXT,
                    duration_us INTEGER,
                    outcome TEXT,
                    detail TEXT NOT NULL,
                    epoch INTEGER NOT NULL,
                    chain BLOB NOT NULL,
                    seal BLOB NOT NULL
                );
                CREATE INDEX event_at ON event(at);
                CREATE INDEX event_kind_at ON event(kind, at, duration_us, outcome, user);
                CREATE INDEX event_user_at ON event(user, at);
                CREATE TABLE anchor (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    seq INTEGER NOT NULL,
                    chain BLOB NOT NULL,
                    seal BLOB NOT NULL
                );
                CREATE TABLE sealing (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    journal_id TEXT NOT NULL,
                    genesis_epoch INTEGER NOT NULL,
                    epoch INTEGER NOT NULL,
                    key BLOB NOT NULL
                );
                """)
        }
        // Wipes begun and not yet finished: what a restart after a crash or a power cut must finish first.
        migrator.registerMigration("v2-pending-wipes") { db in
            try db.execute(sql: """
                CREATE TABLE pending_wipe (
                    uid INTEGER PRIMARY KEY,
                    user TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    since INTEGER NOT NULL
                );
                """)
        }
        // The figures of `journal stats` per quarter of an hour, counted from the events already there.
        migrator.registerMigration("v3-statistics-summary") { db in
            try db.execute(sql: QuarterSummary.schema)
            try QuarterSummary.rebuild(before: Int64.max, in: db)
        }
        return migrator
    }

    // MARK: Sealing state

    private func initialiseSealing() throws(JournalError) {
        do {
            try database.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    if try Int.fetchOne(db, sql: "SELECT count(*) FROM sealing") == 0 {
                        var generator = SystemRandomNumberGenerator()
                        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
                        let journalID = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
                        let epoch = JournalSeal.epoch(of: JournalClock.now())
                        try db.execute(sql: "INSERT INTO sealing (id, journal_id, genesis_epoch, epoch, key) VALUES (1, ?, ?, ?, ?)",
                                       arguments: [journalID, epoch, epoch, Data(key)])
                        try db.execute(sql: "INSERT INTO anchor (id, seq, chain, seal) VALUES (1, 0, ?, ?)",
                                       arguments: [Data(JournalSeal.genesisChain(journalID: journalID)), Data(JournalSeal.genesisSeal(journalID: journalID, key: key))])
                        try savePendingKey(VerificationKey(journalID: journalID, genesisEpoch: epoch, key: key))
                    }
                    return .commit
                }
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw .writeFailed("\(error)")
        }
    }

    /// The first key waits in a root-only file until an admin takes it with `ardoise journal key`.
    private func savePendingKey(_ key: VerificationKey) throws {
        let file = directory + "/" + Self.pendingKeyFileName
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.writeFailed(String(cString: strerror(errno))) }
        defer { close(fd) }
        let text = Array((key.description + "\n").utf8)
        _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
    }

    /// The verification key, if no admin has taken it yet.
    public var pendingVerificationKey: VerificationKey? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + Self.pendingKeyFileName) else { return nil }
        return VerificationKey(String(decoding: data, as: UTF8.self))
    }

    /// Hands the verification key over once: the file is overwritten, then removed.
    public func takeVerificationKey() -> VerificationKey? {
        guard let key = pendingVerificationKey else { return nil }
        let file = directory + "/" + Self.pendingKeyFileName
        let fd = open(file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            let zeros = [UInt8](repeating: 0, count: 256)
            _ = zeros.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            fsync(fd)
            close(fd)
        }
        unlink(file)
        return key
    }

    // MARK: Writing

    /// Writes one event (sealed, chained) and returns it with its sequence number.
    @discardableResult
    public func append(_ event: JournalEvent) throws(JournalError) -> JournalEvent {
        try append(contentsOf: [event]).first!
    }

    /// Writes events in one transaction (durable once this returns).
    @discardableResult
    public func append(contentsOf events: [JournalEvent]) throws(JournalError) -> [JournalEvent] {
        var written: [JournalEvent] = []
        do {
            try database.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    written = try Self.insert(events, in: db)
                    return .commit
                }
            }
        } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_FULL {
            throw .diskFull(path)
        } catch {
            throw .writeFailed("\(error)")
        }
        if let mirror { for event in written { mirror.mirror(event) } }
        return written
    }

    private static func insert(_ events: [JournalEvent], in db: Database) throws -> [JournalEvent] {
        guard let state = try Row.fetchOne(db, sql: "SELECT epoch, key FROM sealing WHERE id = 1") else {
            throw JournalError.writeFailed("no sealing state")
        }
        var keyEpoch: Int64 = state[0]
        var keyBytes = [UInt8](state[1] as Data)
        var previous: (seq: Int64, chain: [UInt8], seal: [UInt8])
        if let last = try Row.fetchOne(db, sql: "SELECT seq, chain, seal FROM event ORDER BY seq DESC LIMIT 1") {
            previous = (last[0], [UInt8](last[1] as Data), [UInt8](last[2] as Data))
        } else {
            let anchor = try Row.fetchOne(db, sql: "SELECT seq, chain, seal FROM anchor WHERE id = 1")!
            previous = (anchor[0], [UInt8](anchor[1] as Data), [UInt8](anchor[2] as Data))
        }
        let statement = try db.makeStatement(sql: """
            INSERT INTO event (seq, at, kind, host, seat, session, uid, user, duration_us, outcome, detail, epoch, chain, seal)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var key = SymmetricKey(data: keyBytes)
        var evolved = false
        var written: [JournalEvent] = []
        written.reserveCapacity(events.count)
        for var event in events {
            // The key never goes back: an event dated before the current period is sealed in the current one.
            let epoch = max(keyEpoch, JournalSeal.epoch(of: event.time))
            if epoch > keyEpoch {
                keyBytes = JournalSeal.evolve(keyBytes, from: keyEpoch, to: epoch)
                keyEpoch = epoch
                key = SymmetricKey(data: keyBytes)
                evolved = true
            }
            event.sequence = previous.seq + 1
            let detail = event.detailJSON
            let canonical = JournalSeal.canonical(sequence: event.sequence, time: event.time, kind: event.kind.rawValue, host: event.host,
                                                  seat: event.seat, session: event.session, uid: event.uid.map { Int64($0) }, user: event.user,
                                                  duration: event.duration, outcome: event.outcome, detail: detail, epoch: epoch)
            let chain = JournalSeal.chain(previous: previous.chain, canonical: canonical)
            let seal = JournalSeal.seal(previous: previous.seal, canonical: canonical, key: key)
            let raw = statement.sqliteStatement
            sqlite3_reset(raw)
            Self.bind(raw, 1, event.sequence)
            Self.bind(raw, 2, event.time)
            Self.bind(raw, 3, event.kind.rawValue)
            Self.bind(raw, 4, event.host)
            Self.bind(raw, 5, event.seat)
            Self.bind(raw, 6, event.session)
            Self.bind(raw, 7, event.uid.map { Int64($0) })
            Self.bind(raw, 8, event.user)
            Self.bind(raw, 9, event.duration)
            Self.bind(raw, 10, event.outcome)
            Self.bind(raw, 11, detail)
            Self.bind(raw, 12, epoch)
            Self.bind(raw, 13, chain)
            Self.bind(raw, 14, seal)
            let step = sqlite3_step(raw)
            guard step == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: step), message: String(cString: sqlite3_errmsg(db.sqliteConnection))) }
            previous = (event.sequence, chain, seal)
            written.append(event)
        }
        try QuarterSummary.add(written, in: db)
        if evolved {
            // secure_delete overwrites the old key's bytes in the page.
            try db.execute(sql: "UPDATE sealing SET epoch = ?, key = ? WHERE id = 1", arguments: [keyEpoch, Data(keyBytes)])
        }
        return written
    }

    // MARK: Reading

    public var count: Int {
        get throws(JournalError) {
            do { return try database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM event") ?? 0 } } catch { throw .readFailed("\(error)") }
        }
    }

    public func events(_ filter: JournalFilter = JournalFilter()) throws(JournalError) -> [JournalEvent] {
        let (whereClause, arguments) = filter.sql
        do {
            return try database.read { db in
                try Self.fetchEvents(db, sql: "SELECT \(Self.columns) FROM event \(whereClause) ORDER BY seq", arguments: arguments)
            }
        } catch {
            throw .readFailed("\(error)")
        }
    }

    static let columns = "seq, at, kind, host, seat, session, uid, user, duration_us, outcome, detail"

    /// The events a query selects (its first columns are `columns`), read straight from SQLite's buffers;
    /// `more` reads the columns after them.
    static func fetchEvents(_ db: Database, sql: String, arguments: StatementArguments, more: (OpaquePointer) -> Void = { _ in }) throws -> [JournalEvent] {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        var events: [JournalEvent] = []
        while try nextRow(raw) {
            func string(_ column: Int32) -> String? { text(raw, column).map { String(decoding: $0, as: UTF8.self) } }
            var event = JournalEvent(time: sqlite3_column_int64(raw, 1), kind: string(2).flatMap(EventKind.init(rawValue:)) ?? .adminQuery,
                                     host: string(3) ?? "", seat: string(4), session: string(5),
                                     uid: integer(raw, 6).map { UInt32(truncatingIfNeeded: $0) }, user: string(7), duration: integer(raw, 8),
                                     outcome: string(9), detail: text(raw, 10).map(JournalEvent.detail(fromJSON:)) ?? [:])
            event.sequence = sqlite3_column_int64(raw, 0)
            events.append(event)
            more(raw)
        }
        return events
    }

    /// Runs a read-only block on the database (queries and statistics).
    func read<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try database.read(body) } catch { throw .readFailed("\(error)") }
    }

    func write<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do {
            return try database.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_FULL {
            throw .diskFull(path)
        } catch let error as JournalError {
            throw error
        } catch {
            throw .writeFailed("\(error)")
        }
    }

    // MARK: Retention

    public struct PurgeOutcome: Sendable, Equatable {
        public var purged: Int
        public var firstKept: Int64?
        public var cutoff: Int64
    }

    /// Deletes whole events older than `retentionDays` (the longest run of them from the start, so the chain stays checkable
    /// from the first kept one), and records a purge event holding the new anchor.
    public func purge(retentionDays: Int, now: Int64 = JournalClock.now(), dryRun: Bool = false, by actor: Actor? = nil) throws(JournalError) -> PurgeOutcome {
        let cutoff = now - Int64(retentionDays) * JournalClock.microsecondsPerDay
        var outcome = PurgeOutcome(purged: 0, firstKept: nil, cutoff: cutoff)
        var written: [JournalEvent] = []
        try write { db in
            let firstKept = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM event WHERE at >= ?", arguments: [cutoff])
            let lastSeq = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM event") ?? 0
            let lastPurged = firstKept.map { $0 - 1 } ?? lastSeq
            let anchorSeq = try Int64.fetchOne(db, sql: "SELECT seq FROM anchor WHERE id = 1") ?? 0
            outcome.firstKept = firstKept
            guard lastPurged > anchorSeq else { return }
            outcome.purged = try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE seq <= ?", arguments: [lastPurged]) ?? 0
            guard !dryRun, let row = try Row.fetchOne(db, sql: "SELECT chain, seal FROM event WHERE seq = ?", arguments: [lastPurged]) else { return }
            let chain: Data = row[0]
            let seal: Data = row[1]
            // `+at`: read the purged rows by sequence, not the whole time index from its end.
            let latestPurged = try Int64.fetchOne(db, sql: "SELECT max(+at) FROM event WHERE seq <= ?", arguments: [lastPurged]) ?? Int64.min
            try db.execute(sql: "DELETE FROM event WHERE seq <= ?", arguments: [lastPurged])
            try QuarterSummary.rebuild(before: QuarterSummary.quarter(atOrAfter: latestPurged &+ 1), in: db)
            try db.execute(sql: "UPDATE anchor SET seq = ?, chain = ?, seal = ? WHERE id = 1", arguments: [lastPurged, chain, seal])
            written = try Self.insert([JournalEvent(kind: .retentionPurge, uid: actor?.uid, user: actor?.name, outcome: "ok", detail: [
                "purged": .int(Int64(outcome.purged)),
                "anchor_seq": .int(lastPurged),
                "anchor_chain": .text([UInt8](chain).hex),
                "retention_days": .int(Int64(retentionDays)),
            ])], in: db)
        }
        if let mirror { for event in written { mirror.mirror(event) } }
        return outcome
    }

    /// Counts the statistics summary again from the events (after `verify` found it differs from them).
    public func rebuildStatistics() throws(JournalError) {
        try write { db in try QuarterSummary.rebuild(before: Int64.max, in: db) }
    }

    // MARK: Verification

    public struct Verification: Sendable, Equatable {
        public var checked: Int
        /// The first event that does not check, and why; `nil` when everything checks.
        public var firstBroken: Int64?
        public var problem: Problem?
        public var sealsChecked: Bool
        public var firstSequence: Int64?
        public var lastSequence: Int64?
        public var lastSeal: String?
        public var anchorSeal: String?
        /// Whether the statistics summary says what the events say (nil when the events themselves do not check).
        public var statisticsMatch: Bool?

        public enum Problem: Sendable, Equatable {
            case missingBefore(expected: Int64)
            case altered
            case badSeal
            case anchorMismatch
            case keyMismatch
            case epochWentBack
        }

        public var isIntact: Bool { problem == nil }

        public func message(_ language: Language) -> String {
            let fr = language == .french
            guard let problem else {
                let what = sealsChecked ? (fr ? "chaîne et sceaux vérifiés" : "chain and seals checked") : (fr ? "chaîne vérifiée" : "chain checked")
                return fr ? "Journal intact : \(checked) événement(s), \(what)." : "Journal intact: \(checked) event(s), \(what)."
            }
            let at = firstBroken.map { "\($0)" } ?? "?"
            switch problem {
            case .missingBefore(let expected):
                return fr ? "Journal altéré : des événements manquent avant l'événement n° \(at) (n° \(expected) attendu)."
                          : "Journal altered: events are missing before event #\(at) (#\(expected) expected)."
            case .altered:
                return fr ? "Journal altéré : l'événement n° \(at) a été modifié, ajouté ou déplacé." : "Journal altered: event #\(at) was changed, added or moved."
            case .badSeal:
                return fr ? "Journal altéré : le sceau de l'événement n° \(at) ne correspond pas à la clé de vérification."
                          : "Journal altered: the seal of event #\(at) does not match the verification key."
            case .anchorMismatch:
                return fr ? "Journal altéré : le point de départ après purge ne correspond pas à la dernière purge enregistrée."
                          : "Journal altered: the starting point after purge does not match the last recorded purge."
            case .keyMismatch:
                return fr ? "Cette clé de vérification n'est pas celle de ce journal." : "This verification key is not this journal's."
            case .epochWentBack:
                return fr ? "Journal altéré : la période de scellement recule à l'événement n° \(at)." : "Journal altered: the sealing period goes back at event #\(at)."
            }
        }
    }

    /// Checks the hash chain from the anchor to the last event and, with the verification key, every seal.
    public func verify(key verificationKey: VerificationKey? = nil) throws(JournalError) -> Verification {
        try read { db in
            var result = Verification(checked: 0, sealsChecked: verificationKey != nil)
            let sealing = try Row.fetchOne(db, sql: "SELECT journal_id, genesis_epoch FROM sealing WHERE id = 1")!
            let journalID: String = sealing[0]
            let genesisEpoch: Int64 = sealing[1]
            let anchor = try Row.fetchOne(db, sql: "SELECT seq, chain, seal FROM anchor WHERE id = 1")!
            var expected: Int64 = anchor[0] + 1
            var previousChain = [UInt8](anchor[1] as Data)
            var previousSeal = [UInt8](anchor[2] as Data)
            result.anchorSeal = previousSeal.hex
            var keyBytes: [UInt8] = []
            var keyEpoch = genesisEpoch
            var key = SymmetricKey(size: .bits256)
            if let verificationKey {
                guard verificationKey.journalID == journalID, verificationKey.genesisEpoch == genesisEpoch else {
                    result.problem = .keyMismatch
                    return result
                }
                keyBytes = verificationKey.key
                key = SymmetricKey(data: keyBytes)
                if anchor[0] as Int64 == 0, JournalSeal.genesisSeal(journalID: journalID, key: keyBytes) != previousSeal {
                    result.problem = .keyMismatch
                    return result
                }
            }
            // The anchor must be the one the last purge recorded (if the journal was ever purged).
            if let purge = try String.fetchOne(db, sql: "SELECT detail FROM event WHERE kind = ? ORDER BY seq DESC LIMIT 1", arguments: [EventKind.retentionPurge.rawValue]) {
                let detail = JournalEvent.detail(fromJSON: purge)
                if detail["anchor_seq"] != .int(anchor[0]) || detail["anchor_chain"] != .text(previousChain.hex) {
                    result.problem = .anchorMismatch
                    result.firstBroken = expected
                    return result
                }
            } else if anchor[0] as Int64 != 0 || previousChain != JournalSeal.genesisChain(journalID: journalID) {
                result.problem = .anchorMismatch
                result.firstBroken = expected
                return result
            }
            var lastEpoch = Int64.min
            var encoder = CanonicalEncoder()
            var summary = try SummaryCheck(db)
            // Read straight from SQLite's buffers: a year of 50 kiosks is millions of rows.
            let statement = try db.makeStatement(sql: "SELECT \(Self.columns), epoch, chain, seal FROM event ORDER BY seq")
            let raw = statement.sqliteStatement
            defer { sqlite3_reset(raw) }
            while try Self.nextRow(raw) {
                let sequence = sqlite3_column_int64(raw, 0)
                if result.firstSequence == nil { result.firstSequence = sequence }
                guard sequence == expected else {
                    result.problem = .missingBefore(expected: expected)
                    result.firstBroken = sequence
                    return result
                }
                let epoch = sqlite3_column_int64(raw, 11)
                guard epoch >= lastEpoch else {
                    result.problem = .epochWentBack
                    result.firstBroken = sequence
                    return result
                }
                lastEpoch = epoch
                encoder.reset()
                encoder.integer(sequence)
                encoder.integer(sqlite3_column_int64(raw, 1))
                encoder.text(Self.text(raw, 2))
                encoder.text(Self.text(raw, 3))
                encoder.text(Self.text(raw, 4))
                encoder.text(Self.text(raw, 5))
                encoder.integer(Self.integer(raw, 6))
                encoder.text(Self.text(raw, 7))
                encoder.integer(Self.integer(raw, 8))
                encoder.text(Self.text(raw, 9))
                encoder.text(Self.text(raw, 10))
                encoder.integer(epoch)
                var hasher = SHA256()
                hasher.update(data: previousChain)
                hasher.update(data: encoder.bytes)
                let chain = hasher.finalize()
                guard let storedChain = Self.blob(raw, 12), chain.withUnsafeBytes({ Self.sameBytes(storedChain, $0) }) else {
                    result.problem = .altered
                    result.firstBroken = sequence
                    return result
                }
                guard let storedSeal = Self.blob(raw, 13) else {
                    result.problem = .altered
                    result.firstBroken = sequence
                    return result
                }
                if verificationKey != nil {
                    if epoch > keyEpoch {
                        keyBytes = JournalSeal.evolve(keyBytes, from: keyEpoch, to: epoch)
                        keyEpoch = epoch
                        key = SymmetricKey(data: keyBytes)
                    }
                    var mac = HMAC<SHA256>(key: key)
                    mac.update(data: previousSeal)
                    mac.update(data: encoder.bytes)
                    guard mac.finalize().withUnsafeBytes({ Self.sameBytes(storedSeal, $0) }) else {
                        result.problem = .badSeal
                        result.firstBroken = sequence
                        return result
                    }
                }
                // Reuse the two buffers: no allocation per row.
                chain.withUnsafeBytes { digest in previousChain.withUnsafeMutableBytes { $0.copyMemory(from: digest) } }
                if previousSeal.count == storedSeal.count {
                    previousSeal.withUnsafeMutableBytes { $0.copyMemory(from: storedSeal) }
                } else {
                    previousSeal = [UInt8](storedSeal)
                }
                if let kind = Self.text(raw, 2) {
                    summary.add(kind: kind, time: sqlite3_column_int64(raw, 1), user: Self.text(raw, 7), duration: Self.integer(raw, 8), outcome: Self.text(raw, 9))
                }
                expected += 1
                result.checked += 1
                result.lastSequence = sequence
            }
            result.lastSeal = result.checked > 0 ? previousSeal.hex : nil
            result.statisticsMatch = try summary.matches(db)
            return result
        }
    }
}

extension AccessJournal {
    /// Steps a statement: `true` with a row to read, `false` at the end.
    static func nextRow(_ statement: OpaquePointer) throws -> Bool {
        let step = sqlite3_step(statement)
        if step == SQLITE_ROW { return true }
        if step == SQLITE_DONE { return false }
        throw DatabaseError(resultCode: ResultCode(rawValue: step))
    }

    static func text(_ statement: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer? {
        guard sqlite3_column_type(statement, column) != SQLITE_NULL else { return nil }
        let pointer = sqlite3_column_text(statement, column)
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// SQLite copies the bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func bind(_ statement: OpaquePointer, _ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    static func bind(_ statement: OpaquePointer, _ index: Int32, _ value: String?) {
        guard var value else { sqlite3_bind_null(statement, index); return }
        guard !value.isEmpty else { sqlite3_bind_text(statement, index, "", 0, transient); return }
        value.withUTF8 { sqlite3_bind_text(statement, index, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int32($0.count), transient) }
    }

    static func bind(_ statement: OpaquePointer, _ index: Int32, _ value: [UInt8]) {
        value.withUnsafeBytes { _ = sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient) }
    }

    static func integer(_ statement: OpaquePointer, _ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    /// Byte for byte, with `memcmp` (this runs for every row `verify` reads).
    static func sameBytes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
    }

    static func blob(_ statement: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer? {
        guard sqlite3_column_type(statement, column) != SQLITE_NULL else { return nil }
        return UnsafeRawBufferPointer(start: sqlite3_column_blob(statement, column), count: Int(sqlite3_column_bytes(statement, column)))
    }
}

/// Who asked (an admin's query, a manual wipe): the account, never more.
public struct Actor: Sendable, Equatable {
    public var uid: UInt32
    public var name: String

    public init(uid: UInt32, name: String) {
        self.uid = uid
        self.name = name
    }

    /// The person behind the command: `SUDO_USER` when run through sudo, else the account itself.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> Actor {
        let uid = getuid()
        if uid == 0, let name = environment["SUDO_USER"], let account = Account.named(name) {
            return Actor(uid: account.uid, name: account.name)
        }
        return Actor(uid: uid, name: Account.withID(uid)?.name ?? "\(uid)")
    }
}
