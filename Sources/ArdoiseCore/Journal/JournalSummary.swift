import CSQLite

/// What the statistics count in a quarter of an hour or in a period: sessions opened (and by whom), the lengths of those
/// that ended, wipes done and failed.
struct ActivityCounts {
    var sessions = 0
    /// Who opened those sessions (ids of `summary_user`), each once.
    var users: Set<Int64> = []
    /// Lengths of the sessions that ended, in microseconds.
    var lengths: [Int64] = []
    var wipes = 0
    var failed = 0
    /// Wipes begun and never seen to end (counted when the next start finds them), neither done nor failed.
    var interrupted = 0
    /// Sessions that ended for another reason than a logout, per reason (`QuarterSummary.endReasons`, in that order).
    var endedBy = [Int](repeating: 0, count: QuarterSummary.endReasons.count)

    /// What one event adds; the kinds the statistics do not count add nothing.
    mutating func count(_ kind: EventKind, user: Int64?, duration: Int64?, outcome: String?) {
        switch kind {
        case .sessionStart:
            sessions += 1
            if let user { users.insert(user) }
        case .sessionEnd:
            if let duration { lengths.append(duration) }
            if let outcome, let index = QuarterSummary.endReasons.firstIndex(where: { $0.rawValue == outcome }) { endedBy[index] += 1 }
        case .wipeFinished:
            wipes += 1
            if outcome != "ok" { failed += 1 }
        case .wipeFailed:
            wipes += 1
            failed += 1
        case .wipeInterrupted:
            interrupted += 1
        default:
            break
        }
    }
}

extension ActivityCounts {
    var isEmpty: Bool {
        sessions == 0 && users.isEmpty && lengths.isEmpty && wipes == 0 && failed == 0 && interrupted == 0 && endedBy.allSatisfy { $0 == 0 }
    }

    /// The same figures, whatever the order the lengths were counted in.
    func sameFigures(as other: ActivityCounts) -> Bool {
        sessions == other.sessions && users == other.users && wipes == other.wipes && failed == other.failed && interrupted == other.interrupted
            && endedBy == other.endedBy
            && lengths.sorted() == other.lengths.sorted()
    }
}

/// The summary counted again by `verify` from the rows it reads anyway, then held to the stored one: an edit of the
/// summary alone (which is not sealed) shows.
struct SummaryCheck {
    private var counts: [Int64: ActivityCounts] = [:]
    private var users: KnownUsers
    private let kinds = QuarterSummary.countedKinds.map { (bytes: Array($0.rawValue.utf8), kind: $0) }

    init(_ db: SQLiteConnection) throws { users = try KnownUsers(db) }

    mutating func add(kind: UnsafeRawBufferPointer, time: Int64, user: UnsafeRawBufferPointer?, duration: Int64?, outcome: UnsafeRawBufferPointer?) {
        guard let counted = kinds.first(where: { candidate in candidate.bytes.withUnsafeBytes { AccessJournal.sameBytes($0, kind) } })?.kind else { return }
        var id: Int64?
        if counted == .sessionStart, let user { id = users.id(of: String(decoding: user, as: UTF8.self)) }
        counts[QuarterSummary.quarter(of: time), default: ActivityCounts()]
            .count(counted, user: id, duration: duration, outcome: outcome.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Whether the stored summary says exactly what the events say.
    func matches(_ db: SQLiteConnection) throws -> Bool {
        var remaining = counts
        let rows = try SQLiteRow.fetchCursor(db, sql: "SELECT quarter, sessions, users, lengths, wipes, wipes_failed, wipes_interrupted, \(QuarterSummary.endColumns) FROM quarter_summary")
        while let row = try rows.next() {
            var stored = ActivityCounts()
            stored.sessions = row[1]
            QuarterSummary.forEachInteger(in: (row[2] as String).utf8) { stored.users.insert($0) }
            QuarterSummary.forEachInteger(in: (row[3] as String).utf8) { stored.lengths.append($0) }
            stored.wipes = row[4]
            stored.failed = row[5]
            stored.interrupted = row[6]
            for index in QuarterSummary.endReasons.indices { stored.endedBy[index] = row[7 + index] }
            guard stored.sameFigures(as: remaining.removeValue(forKey: row[0]) ?? ActivityCounts()) else { return false }
        }
        return remaining.values.allSatisfy(\.isEmpty)
    }
}

/// The figures of `journal stats`, kept per quarter of an hour in the same transaction as the events they come from, so that
/// a year is read in 35,000 rows rather than millions of events. A quarter because every time zone's offset is a multiple
/// of 15 minutes: a quarter falls in exactly one local hour, day, week and month. Derived from the sealed events, so
/// counted again from them whenever a purge removes some.
enum QuarterSummary {
    static let length: Int64 = 900_000_000

    static let schema = """
        CREATE TABLE summary_user (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE quarter_summary (
            quarter INTEGER PRIMARY KEY,
            sessions INTEGER NOT NULL,
            users TEXT NOT NULL,
            lengths TEXT NOT NULL,
            wipes INTEGER NOT NULL,
            wipes_failed INTEGER NOT NULL,
            wipes_interrupted INTEGER NOT NULL DEFAULT 0,
            ended_idle INTEGER NOT NULL DEFAULT 0,
            ended_time_limit INTEGER NOT NULL DEFAULT 0,
            ended_locked INTEGER NOT NULL DEFAULT 0,
            ended_staff INTEGER NOT NULL DEFAULT 0,
            ended_declined_notice INTEGER NOT NULL DEFAULT 0
        );
        """

    /// The reasons counted apart (a logout is what is left).
    static let endReasons: [SessionEndReason] = [.idle, .timeLimit, .locked, .staff, .declinedNotice]
    static func endColumn(_ reason: SessionEndReason) -> String { "ended_" + reason.rawValue.replacing("-", with: "_") }
    static var endColumns: String { endReasons.map(endColumn).joined(separator: ", ") }

    static let countedKinds: [EventKind] = [.sessionStart, .sessionEnd, .wipeFinished, .wipeFailed, .wipeInterrupted]

    static func quarter(of time: Int64) -> Int64 {
        guard time >= Int64.min + length else { return Int64.min }
        return (time >= 0 ? time / length : (time + 1) / length - 1) * length
    }

    /// The first quarter that starts at or after `time`.
    static func quarter(atOrAfter time: Int64) -> Int64 {
        let start = quarter(of: time)
        return start == time || start > Int64.max - length ? start : start + length
    }

    /// Adds what `events` count to their quarters.
    static func add(_ events: [JournalEvent], in db: SQLiteConnection) throws {
        var users = UserIDs()
        var deltas: [Int64: ActivityCounts] = [:]
        for event in events where countedKinds.contains(event.kind) {
            let user = try event.kind == .sessionStart ? event.user.map { try users.id($0, in: db) } : nil
            deltas[quarter(of: event.time), default: ActivityCounts()].count(event.kind, user: user, duration: event.duration, outcome: event.outcome)
        }
        try merge(deltas, in: db)
    }

    /// Counts again every quarter before `bound` from the events still there (after a purge, or for a journal older
    /// than the summary).
    static func rebuild(before bound: Int64, in db: SQLiteConnection) throws {
        try db.execute(sql: "DELETE FROM quarter_summary WHERE quarter < ?", arguments: [bound])
        var users = UserIDs()
        var deltas: [Int64: ActivityCounts] = [:]
        try forEachCountedEvent(in: db, from: Int64.min, to: bound) { time, kind, name, duration, outcome in
            let user = try kind == .sessionStart ? name.map { try users.id($0, in: db) } : nil
            deltas[quarter(of: time), default: ActivityCounts()].count(kind, user: user, duration: duration, outcome: outcome)
        }
        try merge(deltas, in: db)
    }

    /// Each event the statistics count, from `from` (included) to `to` (excluded).
    static func forEachCountedEvent(in db: SQLiteConnection, from: Int64, to: Int64,
                                    _ body: (_ time: Int64, _ kind: EventKind, _ user: String?, _ duration: Int64?, _ outcome: String?) throws -> Void) throws {
        let rows = try SQLiteRow.fetchCursor(db, sql: """
            SELECT kind, at, duration_us, outcome, user FROM event WHERE kind IN (\(countedKinds.map { _ in "?" }.joined(separator: ", "))) AND at >= ? AND at < ?
            """, arguments: SQLiteArguments(countedKinds.map(\.rawValue)) + [from, to])
        while let row = try rows.next() {
            guard let kind = EventKind(rawValue: row[0]) else { continue }
            try body(row[1], kind, row[4], row[2], row[3])
        }
    }

    private static func merge(_ deltas: [Int64: ActivityCounts], in db: SQLiteConnection) throws {
        guard !deltas.isEmpty else { return }
        let existing = try db.makeStatement(sql: "SELECT users FROM quarter_summary WHERE quarter = ?")
        let upsert = try db.makeStatement(sql: """
            INSERT INTO quarter_summary (quarter, sessions, users, lengths, wipes, wipes_failed, wipes_interrupted, \(endColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?\(String(repeating: ", ?", count: endReasons.count)))
            ON CONFLICT (quarter) DO UPDATE SET sessions = sessions + excluded.sessions,
                users = CASE excluded.users WHEN '' THEN users ELSE excluded.users END,
                lengths = lengths || excluded.lengths, wipes = wipes + excluded.wipes, wipes_failed = wipes_failed + excluded.wipes_failed,
                wipes_interrupted = wipes_interrupted + excluded.wipes_interrupted,
                \(endReasons.map(endColumn).map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "))
            """)
        for (quarter, delta) in deltas {
            var users = delta.users
            if !users.isEmpty, let known = try String.fetchOne(existing, arguments: [quarter]) {
                Self.forEachInteger(in: known.utf8) { users.insert($0) }
            }
            let lengths = delta.lengths.map { "\($0)," }.joined()
            var arguments: SQLiteArguments = [quarter, delta.sessions, users.sorted().map(String.init).joined(separator: ","), lengths,
                                                 delta.wipes, delta.failed, delta.interrupted]
            arguments += SQLiteArguments(delta.endedBy)
            try upsert.execute(arguments: arguments)
        }
    }

    /// Each number of a comma-separated list, read straight from SQLite's bytes.
    static func forEachInteger<Bytes: Collection<UInt8>>(in text: Bytes, _ body: (Int64) -> Void) {
        var value: Int64 = 0
        var digits = false
        var negative = false
        for byte in text {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = value &* 10 &+ Int64(byte - UInt8(ascii: "0"))
                digits = true
            case UInt8(ascii: "-"):
                negative = true
            default:
                if digits { body(negative ? -value : value) }
                value = 0
                digits = false
                negative = false
            }
        }
        if digits { body(negative ? -value : value) }
    }

    /// Names to the small numbers the summary keeps, adding the names it does not know yet.
    struct UserIDs {
        private var known: [String: Int64] = [:]

        mutating func id(_ name: String, in db: SQLiteConnection) throws -> Int64 {
            if let id = known[name] { return id }
            try db.execute(sql: "INSERT OR IGNORE INTO summary_user (name) VALUES (?)", arguments: [name])
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM summary_user WHERE name = ?", arguments: [name])!
            known[name] = id
            return id
        }
    }
}

/// The summary's names and numbers, for reading: a name it never saw gets a number of its own below zero, so that it
/// counts as one more person (and, in `verify`, as a difference).
struct KnownUsers {
    private var ids: [String: Int64] = [:]
    private var unknown: Int64 = 0

    init(_ db: SQLiteConnection) throws {
        for row in try SQLiteRow.fetchAll(db, sql: "SELECT name, id FROM summary_user") { ids[row[0]] = row[1] }
    }

    mutating func id(of name: String) -> Int64 {
        if let id = ids[name] { return id }
        unknown -= 1
        ids[name] = unknown
        return unknown
    }
}
