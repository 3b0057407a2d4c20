import CLinux
import CSQLite
import Dispatch
import FoundationEssentials
import Glibc

public enum JournalError: Error, Sendable, Equatable {
    /// The state folder or the database cannot be opened (permissions...).
    case cannotOpen(String, String)
    /// The disk is full: the event was not written.
    case diskFull(String)
    /// Another program holds the journal (or its lock) and did not let go in time.
    case busy(String)
    case writeFailed(String)
    case readFailed(String)
    /// The database is damaged: what was asked cannot be answered truthfully.
    case damaged(String)

    public func message(_ language: Language) -> String {
        let fr = language == .french
        switch self {
        case .cannotOpen(let path, let why):
            return fr ? "Impossible d'ouvrir le journal \(path) : \(why)" : "Cannot open the journal \(path): \(why)"
        case .diskFull(let path):
            return fr ? "Le disque est plein : l'événement n'a pas été écrit dans \(path). Libérez de la place."
                      : "The disk is full: the event was not written to \(path). Free some space."
        case .busy(let path):
            return fr ? "Le journal \(path) est occupé par un autre programme depuis trop longtemps : l'événement n'a pas été écrit."
                      : "The journal \(path) has been held by another program for too long: the event was not written."
        case .writeFailed(let why):
            return fr ? "Écriture dans le journal impossible : \(why)" : "Cannot write to the journal: \(why)"
        case .readFailed(let why):
            return fr ? "Lecture du journal impossible : \(why)" : "Cannot read the journal: \(why)"
        case .damaged(let why):
            return fr ? "Le journal est endommagé (\(why)) : aucune réponse n'est donnée plutôt qu'une réponse fausse. Lancez « sudo ardoise journal verify »."
                      : "The journal is damaged (\(why)): no answer is given rather than a wrong one. Run \"sudo ardoise journal verify\"."
        }
    }

    /// What SQLite's error means for the journal: damage, a full disk, a lock held too long, or something else.
    static func from(_ error: Error, path: String, writing: Bool) -> JournalError {
        if let error = error as? JournalError { return error }
        guard let error = error as? SQLiteError else { return writing ? .writeFailed("\(error)") : .readFailed("\(error)") }
        switch error.primaryCode {
        case SQLITE_FULL: return .diskFull(path)
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy(path)
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .damaged(error.message)
        default:
            if error.code == SQLiteError.shortRead { return .damaged(error.message) }
            return writing ? .writeFailed(error.message) : .readFailed(error.message)
        }
    }

    /// A word for the journal and the tests.
    public var code: String {
        switch self {
        case .cannotOpen: "cannot-open"
        case .diskFull: "disk-full"
        case .busy: "busy"
        case .writeFailed: "write-failed"
        case .readFailed: "read-failed"
        case .damaged: "damaged"
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

    public let directory: String
    public let path: String
    let database: SQLiteDatabase
    public var mirror: JournalMirror?
    /// The journal's identity (its verification key names it).
    public private(set) var journalID = ""

    /// Set when this opening found the journal damaged and kept it aside (its new name).
    public private(set) var setAside: String?

    /// Opens (and creates, with mode 0600 in a 0700 folder) the journal of a state folder. A journal that does not open
    /// or does not check is never overwritten: it is kept under a name of its own and the new journal's first event says so.
    /// `busyTimeout`: how long a write waits for another program's write to end before it fails as `busy`.
    public init(directory: String, mirror: JournalMirror? = nil, busyTimeout: TimeInterval = 10) throws(JournalError) {
        self.directory = directory
        self.path = directory + "/" + Self.fileName
        self.mirror = mirror
        // Modes are set explicitly, never through umask: the process may have other threads.
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw errno == ENOSPC ? .diskFull(directory) : .cannotOpen(directory, JournalFiles.reason())
        }
        // Only a folder is made private: a file named as the state folder is refused, never changed.
        var folder = stat()
        guard stat(directory, &folder) == 0, folder.st_mode & S_IFMT == S_IFDIR else {
            throw .cannotOpen(directory, JournalFiles.reason(ENOTDIR))
        }
        chmod(directory, 0o700)
        if access(path, F_OK) == 0 && access(path, R_OK | W_OK) != 0 {
            throw .cannotOpen(path, JournalFiles.reason())
        }
        // One process at a time creates, checks, repairs or sets aside; the others then open what it left.
        let lock = try JournalLock(directory: directory)
        var recovered: [JournalEvent] = []
        var opened: SQLiteDatabase?
        // The head as it was before this opening changes anything; a copy of it a killed writer left goes.
        let headBefore = JournalHead.read(directory: directory)
        SmallFile.removeLeftovers(of: directory + "/" + JournalFiles.headName)
        var damage = Self.damageBeforeOpening(path, head: headBefore)
        var legacy = false
        if damage == nil {
            do {
                (opened, legacy) = try Self.openChecked(path, busyTimeout: busyTimeout)
            } catch {
                let failure = JournalError.from(error, path: path, writing: true)
                guard case .damaged(let why) = failure else { throw failure }
                damage = why == "quick_check" ? "check-failed" : (why.contains("not a database") ? "not-a-database" : "malformed")
            }
        }
        if let damage {
            let aside = try SetAsideJournal.move(path, directory: directory)
            setAside = aside.name
            var detail: [String: DetailValue] = ["name": .text(aside.name), "size": .int(aside.size), "reason": .text(damage)]
            // What the head knew of it: the one event says both what was set aside and how much it held.
            if case .head(let head) = headBefore {
                detail["previous_journal"] = .text(head.journalID)
                detail["previous_last"] = .int(head.sequence)
            }
            recovered.append(JournalEvent(kind: .journalRecovered, outcome: "set-aside", detail: detail))
            do {
                (opened, _) = try Self.openChecked(path, busyTimeout: busyTimeout)
            } catch {
                throw JournalError.from(error, path: path, writing: true)
            }
        }
        database = opened!
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
        var existingSealing: String?
        do {
            // Read first: an ordinary opening takes no write lock (another program may be writing).
            existingSealing = try database.read { db -> String? in
                guard try Int.fetchOne(db, sql: "SELECT count(*) FROM anchor") == 1 else { return nil }
                return try String.fetchOne(db, sql: "SELECT journal_id FROM sealing WHERE id = 1")
            }
            if let existingSealing {
                journalID = existingSealing
            } else {
                try database.write { db in try self.prepareSealing(db, recovered: &recovered) }
            }
        } catch {
            throw JournalError.from(error, path: path, writing: true)
        }
        // A new journal has its head from the start, and one of an earlier version gets it now: from here on a cut
        // tail, a deleted head or a replaced database shows. (A set-aside journal's head is in its incident.)
        let created = existingSealing == nil && recovered.allSatisfy { $0.outcome == "set-aside" }
        if created, let head = try? currentHead() {
            if setAside == nil, case .head(let previous) = headBefore, previous.journalID != journalID {
                let replaced = HeadProblem.replaced(previousJournal: previous.journalID, previousLast: previous.sequence)
                recovered.append(JournalEvent(kind: .journalRecovered, outcome: replaced.code, detail: replaced.journalDetail))
            }
            _ = JournalHead.advance(to: head, directory: directory)
        } else if legacy, case .missing = headBefore, let head = try? currentHead() {
            _ = JournalHead.advance(to: head, directory: directory)
        }
        if !recovered.isEmpty { try append(contentsOf: recovered) }
        _ = consume lock
    }

    /// Damage seen before SQLite opens the file: something other than a file, or an empty file where the head says a
    /// journal was (SQLite would take it for a new, empty database).
    static func damageBeforeOpening(_ path: String, head: JournalHead.Reading) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        if info.st_mode & S_IFMT != S_IFREG { return "not-a-file" }
        guard info.st_size == 0 else { return nil }
        var wal = stat()
        let walHoldsData = lstat(path + "-wal", &wal) == 0 && wal.st_size > 0
        if case .head(let head) = head, head.sequence > 0, !walHoldsData { return "empty" }
        return nil
    }

    static func fileStamp() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(cFormat: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// Opens, checks and brings the schema up to date; `legacy` when the journal was made by a version without a head file.
    private static func openChecked(_ path: String, busyTimeout: TimeInterval) throws -> (SQLiteDatabase, legacy: Bool) {
        // Created 0600 before SQLite opens it: its -wal and -shm files take the database file's mode.
        let created = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard created >= 0 else {
            throw errno == ENOSPC || errno == EDQUOT ? JournalError.diskFull(path) : JournalError.cannotOpen(path, JournalFiles.reason())
        }
        close(created)
        let queue = try SQLiteDatabase(path: path, busyTimeout: busyTimeout) { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        var legacy = false
        try queue.withConnection { db in
            let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?"
            guard check == "ok" else { throw JournalError.damaged("quick_check") }
            let applied = try migrator.applied(db)
            legacy = applied.contains("v1") && !applied.contains("v4-head")
        }
        try migrator.migrate(queue)
        return (queue, legacy)
    }

    static var migrator: SQLiteMigrations {
        var migrator = SQLiteMigrations()
        migrator.register("v1") { db in
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
        migrator.register("v2-pending-wipes") { db in
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
        migrator.register("v3-statistics-summary") { db in
            try db.execute(sql: QuarterSummary.schema)
            try QuarterSummary.rebuild(before: Int64.max, in: db)
        }
        // Nothing in the schema: marks the journals whose head is kept in `journal.head`.
        migrator.register("v4-head") { _ in }
        // Wipes interrupted, and sessions ended per reason, counted apart.
        migrator.register("v5-interrupted-wipes-and-session-ends") { db in
            let present = Set(try db.columns(in: "quarter_summary"))
            for column in ["wipes_interrupted"] + QuarterSummary.endReasons.map(QuarterSummary.endColumn) where !present.contains(column) {
                try db.execute(sql: "ALTER TABLE quarter_summary ADD COLUMN \(column) INTEGER NOT NULL DEFAULT 0")
            }
            try QuarterSummary.rebuild(before: Int64.max, in: db)
        }
        return migrator
    }

    // MARK: Sealing state

    /// Creates the sealing state of a new journal; for one whose `sealing` or `anchor` row is gone, builds a new one chained
    /// to the last good event and records that (the rest of the journal stays checkable).
    private func prepareSealing(_ db: SQLiteConnection, recovered: inout [JournalEvent]) throws {
        let sealing = try SQLiteRow.fetchOne(db, sql: "SELECT journal_id FROM sealing WHERE id = 1")
        let anchor = try SQLiteRow.fetchOne(db, sql: "SELECT seq, chain FROM anchor WHERE id = 1")
        let hasEvents = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM event") != nil
        let epoch = JournalSeal.epoch(of: JournalClock.now())
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if sealing == nil && anchor == nil && !hasEvents {
            let id = (0..<8).map { _ in String(cFormat: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            try db.execute(sql: "INSERT INTO sealing (id, journal_id, genesis_epoch, epoch, key) VALUES (1, ?, ?, ?, ?)",
                           arguments: [id, epoch, epoch, Data(key)])
            try db.execute(sql: "INSERT INTO anchor (id, seq, chain, seal) VALUES (1, 0, ?, ?)",
                           arguments: [Data(JournalSeal.genesisChain(journalID: id)), Data(JournalSeal.genesisSeal(journalID: id, key: key))])
            try PendingKeys.save(VerificationKey(journalID: id, genesisEpoch: epoch, key: key), directory: directory)
            journalID = id
            return
        }
        if let sealing {
            journalID = sealing[0]
        } else {
            // The journal's name is also in the head and in a key not yet handed over: the one whose genesis the anchor shows.
            var candidates: [(id: String, genesis: Int64?)] = []
            if case .head(let head) = JournalHead.read(directory: directory) { candidates.append((head.journalID, nil)) }
            candidates += PendingKeys.all(in: directory).map { ($0.key.journalID, $0.key.genesisEpoch) }
            let anchorChain = anchor.map { [UInt8]($0[1] as Data) }
            let anchorSeq: Int64 = anchor?[0] ?? 0
            let known = candidates.first { anchorSeq != 0 || anchorChain == nil || JournalSeal.genesisChain(journalID: $0.id) == anchorChain! }
            let id = known?.id ?? (0..<8).map { _ in String(cFormat: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            let genesis = known.flatMap { candidate in candidates.first { $0.id == candidate.id && $0.genesis != nil }?.genesis } ?? -1
            try db.execute(sql: "INSERT INTO sealing (id, journal_id, genesis_epoch, epoch, key) VALUES (1, ?, ?, ?, ?)",
                           arguments: [id, genesis, epoch, Data(key)])
            journalID = id
            // Seals from here on use a new key, handed over like the first one; the incident's number names it.
            let next = (try Int64.fetchOne(db, sql: "SELECT max(seq) FROM event") ?? anchorSeq) + 1
            let segment = VerificationKey(journalID: "\(id).\(next)", genesisEpoch: epoch, key: key)
            try PendingKeys.save(segment, directory: directory)
            recovered.append(JournalEvent(kind: .journalRecovered, outcome: "sealing-rebuilt",
                                          detail: ["key_id": .text(segment.journalID), "journal_id_known": .bool(known != nil)]))
        }
        if anchor == nil {
            // The last purge recorded where the journal starts; without a purge it starts at the genesis.
            var seq: Int64 = 0
            var chain = JournalSeal.genesisChain(journalID: journalID)
            if let purge = try String.fetchOne(db, sql: "SELECT detail FROM event WHERE kind = ? ORDER BY seq DESC LIMIT 1",
                                               arguments: [EventKind.retentionPurge.rawValue]) {
                let detail = JournalEvent.detail(fromJSON: purge)
                if case .int(let anchored)? = detail["anchor_seq"], case .text(let hex)? = detail["anchor_chain"], let bytes = [UInt8](hex: hex) {
                    seq = anchored
                    chain = bytes
                }
            } else if let first = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM event"), first > 1 {
                seq = first - 1
            }
            // The seal before the first event is not known any more: empty, and `verify` says that one seal is not checked.
            try db.execute(sql: "INSERT INTO anchor (id, seq, chain, seal) VALUES (1, ?, ?, X'')", arguments: [seq, Data(chain)])
            recovered.append(JournalEvent(kind: .journalRecovered, outcome: "anchor-rebuilt", detail: ["anchor_seq": .int(seq)]))
        }
    }

    /// The verification keys not handed over yet (this journal's, and those of journals set aside or sealing rebuilt).
    public var pendingVerificationKeys: [VerificationKey] { PendingKeys.all(in: directory).map(\.key) }

    /// This journal's first verification key, if no admin has taken it yet.
    public var pendingVerificationKey: VerificationKey? { pendingVerificationKeys.first { $0.journalID == journalID } }

    /// Hands every waiting verification key over once: each file is overwritten, then removed.
    public func takeVerificationKeys() -> [VerificationKey] {
        let pending = PendingKeys.all(in: directory)
        for (file, _) in pending { PendingKeys.erase(file, directory: directory) }
        return pending.map(\.key)
    }

    /// The head of the chain as the database has it.
    func currentHead() throws -> JournalHead {
        try database.read { db in try Self.head(in: db, journalID: journalID) }
    }

    static func head(in db: SQLiteConnection, journalID: String) throws -> JournalHead {
        if let last = try SQLiteRow.fetchOne(db, sql: "SELECT seq, chain FROM event ORDER BY seq DESC LIMIT 1") {
            return JournalHead(journalID: journalID, sequence: last[0], chain: [UInt8](last[1] as Data))
        }
        let anchor = try SQLiteRow.fetchOne(db, sql: "SELECT seq, chain FROM anchor WHERE id = 1")
        return JournalHead(journalID: journalID, sequence: anchor?[0] ?? 0, chain: anchor.map { [UInt8]($0[1] as Data) } ?? [])
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
        let written = try write { db in try Self.insert(events, in: db) }
        if let mirror { for event in written { mirror.mirror(event) } }
        return written
    }

    /// What the head kept outside the database says is wrong with the database's end, if anything.
    static func headProblem(in db: SQLiteConnection, directory: String, journalID: String) throws -> HeadProblem? {
        let current = try head(in: db, journalID: journalID)
        let anchorSeq = try Int64.fetchOne(db, sql: "SELECT seq FROM anchor WHERE id = 1") ?? 0
        switch JournalHead.read(directory: directory) {
        case .missing:
            return current.sequence > anchorSeq ? .missing : nil
        case .unreadable:
            return .unreadable
        case .head(let head):
            if head.journalID != journalID { return .replaced(previousJournal: head.journalID, previousLast: head.sequence) }
            if head.sequence > current.sequence { return .tailLost(expectedLast: head.sequence, foundLast: current.sequence) }
            guard head.sequence > anchorSeq else { return nil }
            let chain = try Data.fetchOne(db, sql: "SELECT chain FROM event WHERE seq = ?", arguments: [head.sequence])
            return chain.map([UInt8].init) == head.chain ? nil : .rewritten(at: head.sequence)
        }
    }

    /// Before anything else is written: what the head shows was lost, and the events spooled while the journal could not
    /// be written (one already written is not written twice). Returns the events and whether the spool was read.
    private func recordedFirst(_ db: SQLiteConnection) throws -> (events: [JournalEvent], spoolRead: Bool, headProblem: Bool) {
        var first: [JournalEvent] = []
        let problem = try Self.headProblem(in: db, directory: directory, journalID: journalID)
        if let problem {
            first.append(JournalEvent(kind: .journalRecovered, outcome: problem.code, detail: problem.journalDetail))
        }
        let spool = JournalSpool.pending(directory: directory)
        guard !spool.events.isEmpty || spool.unreadable > 0 else { return (first, false, problem != nil) }
        for event in spool.events {
            let present = try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE kind = ? AND at = ? AND detail = ?",
                                           arguments: [event.kind.rawValue, event.time, event.detailJSON]) ?? 0
            if present == 0 { first.append(event) }
        }
        if spool.unreadable > 0 {
            first.append(JournalEvent(kind: .journalRecovered, outcome: "spool-unreadable", detail: ["lines": .int(Int64(spool.unreadable))]))
        }
        return (first, true, problem != nil)
    }

    private static func insert(_ events: [JournalEvent], in db: SQLiteConnection) throws -> [JournalEvent] {
        guard !events.isEmpty else { return [] }
        guard let state = try SQLiteRow.fetchOne(db, sql: "SELECT epoch, key FROM sealing WHERE id = 1") else {
            throw JournalError.damaged("no sealing state")
        }
        var keyEpoch: Int64 = state[0]
        var keyBytes = [UInt8](state[1] as Data)
        var previous: (seq: Int64, chain: [UInt8], seal: [UInt8])
        if let last = try SQLiteRow.fetchOne(db, sql: "SELECT seq, chain, seal FROM event ORDER BY seq DESC LIMIT 1") {
            previous = (last[0], [UInt8](last[1] as Data), [UInt8](last[2] as Data))
        } else {
            guard let anchor = try SQLiteRow.fetchOne(db, sql: "SELECT seq, chain, seal FROM anchor WHERE id = 1") else {
                throw JournalError.damaged("no anchor")
            }
            previous = (anchor[0], [UInt8](anchor[1] as Data), [UInt8](anchor[2] as Data))
        }
        let statement = try db.makeStatement(sql: """
            INSERT INTO event (seq, at, kind, host, seat, session, uid, user, duration_us, outcome, detail, epoch, chain, seal)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var evolved = false
        var written: [JournalEvent] = []
        written.reserveCapacity(events.count)
        for var event in events {
            // The key never goes back: an event dated before the current period is sealed in the current one.
            let epoch = max(keyEpoch, JournalSeal.epoch(of: event.time))
            if epoch > keyEpoch {
                keyBytes = JournalSeal.evolve(keyBytes, from: keyEpoch, to: epoch)
                keyEpoch = epoch
                evolved = true
            }
            event.sequence = previous.seq + 1
            let detail = event.detailJSON
            let canonical = JournalSeal.canonical(sequence: event.sequence, time: event.time, kind: event.kind.rawValue, host: event.host,
                                                  seat: event.seat, session: event.session, uid: event.uid.map { Int64($0) }, user: event.user,
                                                  duration: event.duration, outcome: event.outcome, detail: detail, epoch: epoch)
            let chain = JournalSeal.chain(previous: previous.chain, canonical: canonical)
            let seal = JournalSeal.seal(previous: previous.seal, canonical: canonical, key: keyBytes)
            statement.reset()
            try statement.bind(event.sequence, at: 1)
            try statement.bind(event.time, at: 2)
            try statement.bind(event.kind.rawValue, at: 3)
            try statement.bind(event.host, at: 4)
            try statement.bind(event.seat, at: 5)
            try statement.bind(event.session, at: 6)
            try statement.bind(event.uid.map { Int64($0) }, at: 7)
            try statement.bind(event.user, at: 8)
            try statement.bind(event.duration, at: 9)
            try statement.bind(event.outcome, at: 10)
            try statement.bind(detail, at: 11)
            try statement.bind(epoch, at: 12)
            try statement.bind(chain, at: 13)
            try statement.bind(seal, at: 14)
            guard try !statement.step() else { throw JournalError.writeFailed("the insertion returned a row") }
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
            try read { try Int.fetchOne($0, sql: "SELECT count(*) FROM event") ?? 0 }
        }
    }

    public func events(_ filter: JournalFilter = JournalFilter()) throws(JournalError) -> [JournalEvent] {
        let (whereClause, arguments) = filter.sql
        return try read { db in
            let events = try Self.fetchEvents(db, sql: "SELECT \(Self.columns) FROM event \(whereClause) ORDER BY seq", arguments: arguments)
            // A damaged index can also hand back rows that do not match: each is held to the filter.
            guard events.allSatisfy(filter.matches) else { throw JournalError.damaged("index: rows that do not match the query") }
            try Self.checkAgainstTable(events.count, whereClause, arguments, in: db)
            return events
        }
    }

    /// An index can be damaged where SQLite's quick check does not look: the rows a query found through it are counted
    /// again from the table itself, and a difference is an error, never an answer.
    static func checkAgainstTable(_ found: Int, _ whereClause: String, _ arguments: SQLiteArguments, in db: SQLiteConnection) throws {
        guard !whereClause.isEmpty else { return }
        let counted = try Int.fetchOne(db, sql: "SELECT count(*) FROM event NOT INDEXED \(whereClause)", arguments: arguments) ?? 0
        guard counted == found else { throw JournalError.damaged("index: \(found) rows found through it, \(counted) in the table") }
    }

    static let columns = "seq, at, kind, host, seat, session, uid, user, duration_us, outcome, detail"

    /// The events a query selects (its first columns are `columns`), read straight from SQLite's buffers;
    /// `more` reads the columns after them.
    static func fetchEvents(_ db: SQLiteConnection, sql: String, arguments: SQLiteArguments, more: (OpaquePointer) -> Void = { _ in }) throws -> [JournalEvent] {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let raw = statement.handle
        defer { statement.reset() }
        var events: [JournalEvent] = []
        while try statement.step() {
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
    func read<T>(_ body: (SQLiteConnection) throws -> T) throws(JournalError) -> T {
        do { return try database.read(body) } catch { throw JournalError.from(error, path: path, writing: false) }
    }

    /// One write transaction: first what must come before (lost tail, spooled events), then `body`; the head file
    /// follows once it is committed.
    func write<T>(_ body: (SQLiteConnection) throws -> T) throws(JournalError) -> T {
        var before: [JournalEvent] = []
        var spoolRead = false
        var headRepaired = false
        var head: JournalHead?
        let result: T
        do {
            result = try database.withConnection { db in
                try db.inTransaction(.immediate) {
                    let first = try self.recordedFirst(db)
                    before = first.events.isEmpty ? [] : try Self.insert(first.events, in: db)
                    spoolRead = first.spoolRead
                    headRepaired = first.headProblem
                    let result = try body(db)
                    head = try Self.head(in: db, journalID: self.journalID)
                    return result
                }
            }
        } catch {
            throw JournalError.from(error, path: path, writing: true)
        }
        if spoolRead { JournalSpool.clear(directory: directory) }
        // Not written (disk full): the head stays behind, which the next write tolerates.
        if let head { _ = JournalHead.advance(to: head, directory: directory, replacing: headRepaired) }
        if let mirror { for event in before { mirror.mirror(event) } }
        return result
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
            guard !dryRun, let row = try SQLiteRow.fetchOne(db, sql: "SELECT chain, seal FROM event WHERE seq = ?", arguments: [lastPurged]) else { return }
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
        /// What SQLite's full integrity check found (tables and indexes); empty when it found nothing.
        public var integrity: [String] = []
        /// What the head kept outside the database says about the end of the journal.
        public var head: HeadProblem?
        /// Losses and repairs the journal recorded (`journal-recovered`), acknowledged or not.
        public var incidents: [Incident] = []
        /// Journals kept aside in the state folder.
        public var setAside: [SetAside] = []
        /// Seals from this event on use a key that was not given (the sealing state was rebuilt there).
        public var sealsUncheckedFrom: Int64?
        /// The seal before the first event is not known (the anchor was rebuilt): that one seal is not checked.
        public var firstSealUnknown = false

        public enum Problem: Sendable, Equatable {
            case missingBefore(expected: Int64)
            case altered
            case badSeal
            case anchorMismatch
            case keyMismatch
            case epochWentBack
        }

        public struct Incident: Sendable, Equatable {
            public var sequence: Int64
            public var time: Int64
            public var code: String
            public var detail: [String: DetailValue]
            public var acknowledged: Bool
        }

        public struct SetAside: Sendable, Equatable {
            public var journal: SetAsideJournal
            public var acknowledged: Bool
        }

        /// The events chain, every seal given a key checks, SQLite finds nothing wrong and the end is where the head says.
        public var isIntact: Bool { problem == nil && integrity.isEmpty && head == nil }

        /// Incidents and set-aside journals an administrator has not acknowledged yet.
        public var awaitingAcknowledgement: Int {
            incidents.filter { !$0.acknowledged }.count + setAside.filter { !$0.acknowledged }.count
        }

        /// What `verify` exits 0 for: intact, and nothing left to acknowledge.
        public var isClear: Bool { isIntact && awaitingAcknowledgement == 0 }

        /// The chain's verdict, in one sentence.
        public func message(_ language: Language) -> String {
            let fr = language == .french
            guard let problem else {
                let what = sealsChecked ? (fr ? "chaîne et sceaux vérifiés" : "chain and seals checked") : (fr ? "chaîne vérifiée" : "chain checked")
                guard isIntact else {
                    return fr ? "Journal endommagé : \(checked) événement(s) lus, \(what), mais voir ci-dessous."
                              : "Journal damaged: \(checked) event(s) read, \(what), but see below."
                }
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

        /// Everything verify found: the verdict, then each damage, incident and set-aside journal on a line of its own.
        public func report(_ language: Language) -> String {
            let fr = language == .french
            var lines = [message(language)]
            if !integrity.isEmpty {
                lines.append((fr ? "- Contrôle complet de SQLite : " : "- SQLite's full check: ") + integrity.prefix(5).joined(separator: " ; ")
                             + (integrity.count > 5 ? (fr ? " (et \(integrity.count - 5) autre(s))" : " (and \(integrity.count - 5) more)") : ""))
            }
            if let head { lines.append("- " + head.message(language) + ".") }
            if let from = sealsUncheckedFrom {
                lines.append(fr ? "- Sceaux non vérifiés à partir de l'événement n° \(from) : ils utilisent une nouvelle clé (état de scellement reconstruit). Donnez aussi cette clé avec --verification-key."
                                : "- Seals not checked from event #\(from) on: they use a new key (sealing state rebuilt). Give that key too with --verification-key.")
            }
            if firstSealUnknown && sealsChecked {
                lines.append(fr ? "- Le sceau du premier événement n'a pas pu être vérifié : le point de départ du journal a été reconstruit."
                                : "- The first event's seal could not be checked: the journal's starting point was rebuilt.")
            }
            for incident in incidents {
                let state = incident.acknowledged ? (fr ? "pris en compte" : "acknowledged") : (fr ? "à prendre en compte" : "to acknowledge")
                lines.append("- " + (fr ? "Incident n° \(incident.sequence) (\(TimeArgument.local(incident.time))) : " : "Incident #\(incident.sequence) (\(TimeArgument.local(incident.time))): ")
                             + Self.describe(incident, language) + " — " + state)
            }
            for item in setAside {
                let state = item.acknowledged ? (fr ? "pris en compte" : "acknowledged") : (fr ? "à prendre en compte" : "to acknowledge")
                let size = WipeReport.size(UInt64(max(0, item.journal.size)), language)
                lines.append(fr ? "- Journal mis de côté, conservé tel quel : \(item.journal.name) (\(size)) — \(state)"
                                : "- Journal set aside, kept as it was: \(item.journal.name) (\(size)) — \(state)")
            }
            if awaitingAcknowledgement > 0 {
                lines.append(fr ? "Examinez-les, puis : sudo ardoise journal acknowledge NUMÉRO|FICHIER (l'accord est inscrit au journal)."
                                : "Review them, then: sudo ardoise journal acknowledge NUMBER|FILE (the acknowledgement is journaled).")
            }
            return lines.joined(separator: "\n")
        }

        static func describe(_ incident: Incident, _ language: Language) -> String {
            let fr = language == .french
            func int(_ key: String) -> Int64 { if case .int(let value)? = incident.detail[key] { return value }; return 0 }
            func text(_ key: String) -> String { if case .text(let value)? = incident.detail[key] { return DisplayText.escaped(value) }; return "?" }
            switch incident.code {
            case "set-aside":
                let why: String
                switch text("reason") {
                case "empty": why = fr ? "fichier vide" : "empty file"
                case "not-a-database": why = fr ? "ce n'est plus une base de données" : "no longer a database"
                case "not-a-file": why = fr ? "ce n'est pas un fichier" : "not a file"
                default: why = fr ? "base de données endommagée" : "damaged database"
                }
                return fr ? "le journal précédent ne s'ouvrait pas (\(why)) ; il est conservé sous le nom \(text("name")) (\(int("size")) octets) et un nouveau journal a commencé"
                          : "the previous journal did not open (\(why)); it is kept as \(text("name")) (\(int("size")) bytes) and a new journal began"
            case "replaced": return HeadProblem.replaced(previousJournal: text("previous_journal"), previousLast: int("previous_last")).message(language)
            case "tail-lost": return HeadProblem.tailLost(expectedLast: int("expected_last"), foundLast: int("found_last")).message(language)
            case "rewritten": return HeadProblem.rewritten(at: int("at")).message(language)
            case "head-missing": return HeadProblem.missing.message(language)
            case "head-unreadable": return HeadProblem.unreadable.message(language)
            case "sealing-rebuilt":
                return fr ? "l'état de scellement avait disparu de la base ; une nouvelle clé scelle la suite (\(text("key_id")), à recopier avec « ardoise journal key »)"
                          : "the sealing state was gone from the database; a new key seals what follows (\(text("key_id")), to copy with \"ardoise journal key\")"
            case "anchor-rebuilt":
                return fr ? "le point de départ du journal avait disparu de la base ; il a été reconstruit (n° \(int("anchor_seq")))"
                          : "the journal's starting point was gone from the database; it was rebuilt (#\(int("anchor_seq")))"
            case "spool-unreadable":
                return fr ? "\(int("lines")) événement(s) en attente n'ont pas pu être relus" : "\(int("lines")) waiting event(s) could not be read back"
            default: return incident.code
            }
        }
    }

    /// Checks the hash chain from the anchor to the last event and, with the verification key, every seal.
    public func verify(key verificationKey: VerificationKey?) throws(JournalError) -> Verification {
        try verify(keys: verificationKey.map { [$0] } ?? [])
    }

    /// Checks the whole journal: SQLite's full integrity check (tables and indexes, on a second connection, beside the
    /// chain), the hash chain from the anchor, every seal the keys cover, the head kept outside, the recorded incidents
    /// and the journals set aside. `fullCheck: false` leaves SQLite's check out (the benchmark's comparison with the chain alone).
    public func verify(keys: [VerificationKey] = [], fullCheck: Bool = true) throws(JournalError) -> Verification {
        let integrity = IntegrityCheck(path: path)
        if fullCheck { integrity.start() }
        var result = try read { db in try self.checkChain(db, keys: keys) }
        if fullCheck { result.integrity = integrity.wait() }
        return result
    }

    private func checkChain(_ db: SQLiteConnection, keys: [VerificationKey]) throws -> Verification {
        var result = Verification(checked: 0, sealsChecked: !keys.isEmpty)
        result.head = try Self.headProblem(in: db, directory: directory, journalID: journalID)
        try collectIncidents(db, into: &result)
        guard let sealing = try SQLiteRow.fetchOne(db, sql: "SELECT journal_id, genesis_epoch FROM sealing WHERE id = 1"),
              let anchor = try SQLiteRow.fetchOne(db, sql: "SELECT seq, chain, seal FROM anchor WHERE id = 1") else {
            throw JournalError.damaged("no sealing state")
        }
        let journalID: String = sealing[0]
        let storedGenesis: Int64 = sealing[1]
        var expected: Int64 = anchor[0] + 1
        var previousChain = [UInt8](anchor[1] as Data)
        var previousSeal = [UInt8](anchor[2] as Data)
        result.anchorSeal = previousSeal.hex
        var keyBytes: [UInt8] = []
        var keyEpoch: Int64 = 0
        var checkingSeals = !keys.isEmpty
        if !keys.isEmpty {
            // The first key is the journal's own; others are those of sealing states rebuilt later.
            guard let own = keys.first(where: { $0.journalID == journalID }), storedGenesis == -1 || own.genesisEpoch == storedGenesis else {
                result.problem = .keyMismatch
                return result
            }
            keyBytes = own.key
            keyEpoch = own.genesisEpoch
            if anchor[0] as Int64 == 0 {
                let genesis = JournalSeal.genesisSeal(journalID: journalID, key: keyBytes)
                if previousSeal.isEmpty {
                    previousSeal = genesis
                } else if genesis != previousSeal {
                    result.problem = .keyMismatch
                    return result
                }
            }
        }
        var skipFirstSeal = previousSeal.isEmpty
        result.firstSealUnknown = skipFirstSeal
        // The anchor must be the one the last purge recorded (if the journal was ever purged).
        if let purge = try String.fetchOne(db, sql: "SELECT detail FROM event WHERE kind = ? ORDER BY seq DESC LIMIT 1", arguments: [EventKind.retentionPurge.rawValue]) {
            let detail = JournalEvent.detail(fromJSON: purge)
            if detail["anchor_seq"] != .int(anchor[0]) || detail["anchor_chain"] != .text(previousChain.hex) {
                result.problem = .anchorMismatch
                result.firstBroken = expected
                return result
            }
        } else if anchor[0] as Int64 != 0 || previousChain != JournalSeal.genesisChain(journalID: journalID) {
            // A rebuilt anchor after events were deleted from the start without a purge does not hide it.
            result.problem = .anchorMismatch
            result.firstBroken = expected
            return result
        }
        var lastEpoch = Int64.min
        var encoder = CanonicalEncoder()
        var summary = try SummaryCheck(db)
        let recoveredKind = Array(EventKind.journalRecovered.rawValue.utf8)
        // Read straight from SQLite's buffers: a year of 50 kiosks is millions of rows.
        let statement = try db.makeStatement(sql: "SELECT \(Self.columns), epoch, chain, seal FROM event ORDER BY seq")
        let raw = statement.handle
        defer { statement.reset() }
        while try statement.step() {
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
            // A rebuilt sealing state: from this event on, the seals are those of the key it names.
            if let kind = Self.text(raw, 2), recoveredKind.withUnsafeBytes({ Self.sameBytes(kind, $0) }),
               Self.text(raw, 9).map({ String(decoding: $0, as: UTF8.self) }) == "sealing-rebuilt" {
                let detail = Self.text(raw, 10).map(JournalEvent.detail(fromJSON:)) ?? [:]
                if case .text(let segment)? = detail["key_id"], let next = keys.first(where: { $0.journalID == segment }) {
                    keyBytes = next.key
                    keyEpoch = next.genesisEpoch
                } else if checkingSeals {
                    checkingSeals = false
                    result.sealsUncheckedFrom = sequence
                }
            }
            if checkingSeals && !skipFirstSeal {
                if epoch > keyEpoch {
                    keyBytes = JournalSeal.evolve(keyBytes, from: keyEpoch, to: epoch)
                    keyEpoch = epoch
                }
                var mac = HMACSHA256(key: keyBytes)
                mac.update(data: previousSeal)
                mac.update(data: encoder.bytes)
                guard mac.finalize().withUnsafeBytes({ Self.sameBytes(storedSeal, $0) }) else {
                    result.problem = .badSeal
                    result.firstBroken = sequence
                    return result
                }
            }
            skipFirstSeal = false
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

    /// The incidents the journal recorded and the journals set aside, each with whether an administrator acknowledged it.
    private func collectIncidents(_ db: SQLiteConnection, into result: inout Verification) throws {
        var acknowledgedIncidents = Set<Int64>()
        var acknowledgedFiles: [String: Int64] = [:]
        for detail in try String.fetchAll(db, sql: "SELECT detail FROM event WHERE kind = ?", arguments: [EventKind.incidentAcknowledged.rawValue]) {
            let fields = JournalEvent.detail(fromJSON: detail)
            if case .int(let seq)? = fields["incident"] { acknowledgedIncidents.insert(seq) }
            if case .text(let name)? = fields["set_aside"], case .int(let size)? = fields["size"] { acknowledgedFiles[name] = size }
        }
        let files = SetAsideJournal.all(in: directory)
        result.setAside = files.map { Verification.SetAside(journal: $0, acknowledged: acknowledgedFiles[$0.name] == $0.size) }
        let rows = try SQLiteRow.fetchAll(db, sql: "SELECT seq, at, outcome, detail FROM event WHERE kind = ? ORDER BY seq", arguments: [EventKind.journalRecovered.rawValue])
        result.incidents = rows.map { row in
            let detail = JournalEvent.detail(fromJSON: row[3] as String)
            let sequence: Int64 = row[0]
            var acknowledged = acknowledgedIncidents.contains(sequence)
            // Acknowledging a set-aside file acknowledges the incident that made it, and the other way round.
            if case .text(let name)? = detail["name"] {
                if acknowledgedFiles[name] != nil { acknowledged = true }
                if acknowledged, let index = result.setAside.firstIndex(where: { $0.journal.name == name }), acknowledgedFiles[name] == nil {
                    result.setAside[index].acknowledged = true
                }
            }
            return Verification.Incident(sequence: sequence, time: row[1], code: row[2] as String? ?? "", detail: detail, acknowledged: acknowledged)
        }
    }

    /// Records that an administrator has seen an incident or a set-aside journal (by its number or its file's name).
    public func acknowledge(_ item: String, by actor: Actor) throws(JournalError) -> Bool {
        let verification = try read { db in
            var result = Verification(checked: 0, sealsChecked: false)
            try self.collectIncidents(db, into: &result)
            return result
        }
        var detail: [String: DetailValue]
        if let number = Int64(item.trimming(.of("#"))), verification.incidents.contains(where: { $0.sequence == number }) {
            detail = ["incident": .int(number)]
        } else if let file = verification.setAside.first(where: { $0.journal.name == item || $0.journal.name == item.lastPathComponent }) {
            detail = ["set_aside": .text(file.journal.name), "size": .int(file.journal.size)]
        } else {
            return false
        }
        try append(JournalEvent(kind: .incidentAcknowledged, uid: actor.uid, user: actor.name, outcome: "ok", detail: detail))
        return true
    }
}

/// SQLite's full `integrity_check` (every table and index, each index against its table) on a connection of its own,
/// on another thread: on two cores it costs verify little more than the chain alone.
final class IntegrityCheck: @unchecked Sendable {
    let path: String
    private var found: [String] = []
    private let done = DispatchSemaphore(value: 0)

    init(path: String) { self.path = path }

    func start() {
        let started = DetachedThread.start { [self] in
            defer { done.signal() }
            do {
                let queue = try SQLiteDatabase(path: path, access: .readOnly)
                let lines = try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
                found = lines == ["ok"] ? [] : lines
            } catch {
                found = ["\(error)"]
            }
        }
        if !started {
            found = ["no thread for the integrity check"]
            done.signal()
        }
    }

    func wait() -> [String] {
        done.wait()
        return found
    }
}

extension AccessJournal {
    static func text(_ statement: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : SQLiteColumn.bytes(statement, column, text: true)
    }

    static func integer(_ statement: OpaquePointer, _ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    /// Byte for byte, with `memcmp` (this runs for every row `verify` reads).
    static func sameBytes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
    }

    static func blob(_ statement: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : SQLiteColumn.bytes(statement, column, text: false)
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
