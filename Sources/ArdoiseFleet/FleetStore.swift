import ArdoiseCore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The journals of a fleet of kiosks, kept apart from the kiosks on PostgreSQL: each kiosk sends its events with their
/// chain and seal, so that the copy is checked as the kiosk's own journal is, and neither the kiosk nor the store alone
/// can rewrite what was sent.
public struct FleetStore: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) { self.database = database }

    // MARK: Setting up (the store's owner)

    /// Creates or brings up to date the tables and the rights; run again, it changes nothing.
    public func install() async throws(FleetError) {
        try await run { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                for statement in FleetSchema.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            }
        }
    }

    public struct Enrolment: Sendable, Equatable {
        public var kiosk: String
        public var account: String
        public var password: String
    }

    /// A kiosk name: what the journals and the console show, and its account's name after the prefix.
    public static func validName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...40).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }

    /// Gives kiosk `name` an account of its own, with a new random password (sent to the server already hashed, so that
    /// it is in no server log); a kiosk enrolled again gets a new password and its old one stops working.
    public func enroll(_ name: String) async throws(FleetError) -> Enrolment {
        guard Self.validName(name) else { throw .badName(name) }
        let account = FleetSchema.kioskRolePrefix + name.replacing("-", with: "_")
        let password = FleetPassword.random()
        let verifier = FleetPassword.scramVerifier(password)
        try await run { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                // The name and the verifier are checked above and made here: nothing of them needs quoting beyond this.
                let exists = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(account)", logger: logger).collect()
                let verb = exists.isEmpty ? "CREATE" : "ALTER"
                try await connection.query(PostgresQuery(unsafeSQL: "\(verb) ROLE \(account) LOGIN CONNECTION LIMIT 4 PASSWORD '\(verifier)'"), logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "GRANT \(FleetSchema.kioskGroup) TO \(account)"), logger: logger)
                try await connection.query("""
                    INSERT INTO ardoise_fleet.kiosk (name, role) VALUES (\(name), \(account)) ON CONFLICT (name) DO NOTHING
                    """, logger: logger)
            }
        }
        return Enrolment(kiosk: name, account: account, password: password)
    }

    /// Gives account `account` (an existing PostgreSQL login, the console's) the right to read every journal.
    public func grantReading(to account: String) async throws(FleetError) {
        guard account.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              !account.isEmpty, account.utf8.count <= 63 else { throw .badName(account) }
        try await run { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "GRANT \(FleetSchema.readerGroup) TO \(account)"), logger: logger)
        }
    }

    // MARK: Sending (a kiosk)

    public struct Upload: Sendable, Equatable {
        public var journal: String
        /// Events sent by this upload.
        public var sent: Int
        /// The last event the store now has.
        public var last: Int64
        /// Events the kiosk purged (retention) before they were ever sent: the store's copy has a hole there, said here.
        public var neverSent: Int64
    }

    /// Sends the events of `journal` the store does not have yet, in batches, each batch in one transaction. The events
    /// the store already has must be those of this journal: if they differ (a journal rewritten, a store edited), nothing
    /// is sent and the error says where.
    public func upload(_ journal: AccessJournal, batch: Int = 500) async throws(FleetError) -> Upload {
        let journalID = journal.journalID
        let anchor: ChainAnchor
        do { anchor = try journal.chainAnchor() } catch { throw .journal(error.message(.english)) }
        return try await run { connection, logger in
            let kiosk = try await connection.query("SELECT ardoise_fleet.current_kiosk()", logger: logger).collect()
            guard let name = try kiosk.first?.decode(String?.self), name != nil else { throw FleetError.notEnrolled }
            var last: Int64
            var neverSent: Int64 = 0
            let known = try await connection.query("SELECT anchor_seq FROM ardoise_fleet.journal WHERE id = \(journalID)", logger: logger).collect()
            if let row = known.first {
                let storedAnchor = try row.decode(Int64.self)
                let top = try await connection.query("""
                    SELECT seq, chain FROM ardoise_fleet.event WHERE journal = \(journalID) ORDER BY seq DESC LIMIT 1
                    """, logger: logger).collect()
                if let top = top.first {
                    let (sequence, chain) = try top.decode((Int64, ByteBuffer).self)
                    last = sequence
                    // The store's last event must be the kiosk's own, unless the kiosk has purged it since.
                    let mine = try Self.local(journal, after: sequence - 1, limit: 1)
                    if let mine = mine.first, mine.sequence == sequence, mine.chain != Array(chain.readableBytesView) {
                        throw FleetError.diverged(journal: journalID, sequence: sequence)
                    }
                } else {
                    last = storedAnchor
                }
            } else {
                try await connection.query("""
                    INSERT INTO ardoise_fleet.journal (id, anchor_seq, anchor_chain, anchor_seal)
                    VALUES (\(journalID), \(anchor.sequence), \(ByteBuffer(bytes: anchor.chain)), \(ByteBuffer(bytes: anchor.seal)))
                    """, logger: logger)
                last = anchor.sequence
            }
            if anchor.sequence > last {
                neverSent = anchor.sequence - last
                last = anchor.sequence
            }
            var sent = 0
            while true {
                let events = try Self.local(journal, after: last, limit: batch)
                guard !events.isEmpty else { break }
                try await connection.withTransaction(logger: logger) { connection in
                    for event in events {
                        try await connection.query("""
                            INSERT INTO ardoise_fleet.event (journal, seq, at, kind, host, seat, session, uid, "user", duration_us, outcome, detail, epoch, chain, seal)
                            VALUES (\(journalID), \(event.sequence), \(event.time), \(event.kind), \(event.host), \(event.seat), \(event.session),
                                    \(event.uid), \(event.user), \(event.duration), \(event.outcome), \(event.detail), \(event.epoch),
                                    \(ByteBuffer(bytes: event.chain)), \(ByteBuffer(bytes: event.seal)))
                            """, logger: logger)
                    }
                }
                sent += events.count
                last = events.last!.sequence
            }
            return Upload(journal: journalID, sent: sent, last: last, neverSent: neverSent)
        }
    }

    static func local(_ journal: AccessJournal, after sequence: Int64, limit: Int) throws(FleetError) -> [SealedEvent] {
        do { return try journal.sealedEvents(after: sequence, limit: limit) } catch { throw .journal(error.message(.english)) }
    }

    // MARK: Reading (the owner, the console)

    public struct KioskStatus: Sendable, Equatable {
        public var kiosk: String
        public var journals: Int
        public var events: Int
        /// When the kiosk last sent something (the server's clock), and the time of the last event it sent (the kiosk's).
        public var lastReceived: Date?
        public var lastEvent: Int64?
    }

    /// Each enrolled kiosk, with what the store holds of it.
    public func status() async throws(FleetError) -> [KioskStatus] {
        try await run { connection, logger in
            let rows = try await connection.query("""
                SELECT k.name, count(DISTINCT j.id)::bigint, count(e.seq)::bigint, max(e.received_at), max(e.at)
                FROM ardoise_fleet.kiosk k
                LEFT JOIN ardoise_fleet.journal j ON j.kiosk = k.name
                LEFT JOIN ardoise_fleet.event e ON e.journal = j.id
                GROUP BY k.name ORDER BY k.name
                """, logger: logger).collect()
            return try rows.map { row in
                let (name, journals, events, received, at) = try row.decode((String, Int64, Int64, Date?, Int64?).self)
                return KioskStatus(kiosk: name, journals: Int(journals), events: Int(events), lastReceived: received, lastEvent: at)
            }
        }
    }

    public struct JournalCheck: Sendable, Equatable {
        public var kiosk: String
        public var journal: String
        public var checked: Int
        public var problem: SealedChainCheck.Problem?
        public var sealsChecked: Bool
        public var sealsUncheckedFrom: Int64?
        /// The first event's seal, when the store's anchor has none to check it from.
        public var sealUnchecked: Int64?
        /// The store's copy starts at the journal's genesis (nothing was purged before it).
        public var fromGenesis: Bool
    }

    /// Checks every journal the store holds, event by event from its anchor: none missing, none altered, and with the
    /// journals' verification keys, every seal.
    public func verify(keys: [VerificationKey] = []) async throws(FleetError) -> [JournalCheck] {
        try await run { connection, logger in
            let journals = try await connection.query("""
                SELECT id, kiosk, anchor_seq, anchor_chain, anchor_seal FROM ardoise_fleet.journal ORDER BY kiosk, first_seen, id
                """, logger: logger).collect()
            var checks: [JournalCheck] = []
            for row in journals {
                let (id, kiosk, anchorSequence, anchorChain, anchorSeal) = try row.decode((String, String, Int64, ByteBuffer, ByteBuffer).self)
                let anchor = ChainAnchor(sequence: anchorSequence, chain: Array(anchorChain.readableBytesView), seal: Array(anchorSeal.readableBytesView))
                var check = SealedChainCheck(journalID: id, anchor: anchor, key: keys.first { $0.journalID == id })
                var problem: SealedChainCheck.Problem?
                var fromGenesis = anchor.sequence == 0
                if fromGenesis && anchor.chain != ChainAnchor.genesis(of: id) {
                    problem = .altered(0)
                    fromGenesis = false
                }
                if problem == nil {
                    let events = try await connection.query("""
                        SELECT seq, at, kind, host, seat, session, uid, "user", duration_us, outcome, detail, epoch, chain, seal
                        FROM ardoise_fleet.event WHERE journal = \(id) ORDER BY seq
                        """, logger: logger)
                    for try await event in events {
                        let (sequence, time, kind, host, seat, session, uid, user, duration, outcome, detail, epoch, chain, seal) =
                            try event.decode((Int64, Int64, String, String, String?, String?, Int64?, String?, Int64?, String?, String, Int64, ByteBuffer, ByteBuffer).self)
                        let sealed = SealedEvent(journalID: id, sequence: sequence, time: time, kind: kind, host: host, seat: seat, session: session,
                                                 uid: uid, user: user, duration: duration, outcome: outcome, detail: detail, epoch: epoch,
                                                 chain: Array(chain.readableBytesView), seal: Array(seal.readableBytesView))
                        if problem == nil { problem = check.add(sealed) }
                    }
                }
                checks.append(JournalCheck(kiosk: kiosk, journal: id, checked: check.checked, problem: problem, sealsChecked: check.checksSeals,
                                           sealsUncheckedFrom: check.sealsUncheckedFrom, sealUnchecked: check.sealUnchecked, fromGenesis: fromGenesis))
            }
            return checks
        }
    }

    /// Deletes the events older than `retentionDays` days (by the kiosk's time of the event); each journal's anchor moves
    /// to the last event deleted, so that what is kept stays checkable. Returns how many were deleted.
    public func purge(retentionDays: Int, now: Int64 = JournalClock.now()) async throws(FleetError) -> Int {
        let cutoff = now - Int64(retentionDays) * JournalClock.microsecondsPerDay
        return try await run { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("LOCK TABLE ardoise_fleet.event IN EXCLUSIVE MODE", logger: logger)
                // The last event deleted per journal: the first seq kept follows on from it. Events are deleted from the
                // start only, up to the last old one, so that no hole is made in the middle.
                try await connection.query("""
                    UPDATE ardoise_fleet.journal j SET anchor_seq = e.seq, anchor_chain = e.chain, anchor_seal = e.seal
                    FROM (SELECT DISTINCT ON (journal) journal, seq, chain, seal FROM ardoise_fleet.event
                          WHERE at < \(cutoff) ORDER BY journal, seq DESC) e
                    WHERE j.id = e.journal
                    """, logger: logger)
                let deleted = try await connection.query("""
                    WITH gone AS (
                        DELETE FROM ardoise_fleet.event e USING ardoise_fleet.journal j
                        WHERE e.journal = j.id AND e.seq <= j.anchor_seq RETURNING 1
                    ) SELECT count(*)::bigint FROM gone
                    """, logger: logger).collect()
                return Int(try deleted.first?.decode(Int64.self) ?? 0)
            }
        }
    }

    // MARK: What was done with the store

    public struct Action: Sendable, Equatable {
        public var at: Date
        public var account: String
        public var action: String
        public var detail: String
    }

    /// Notes that `action` was done (the server sets the time and the account: neither can be made up).
    public func record(_ action: String, _ detail: [String: DetailValue] = [:]) async throws(FleetError) {
        let detailText = DetailValue.json(detail)
        try await run { connection, logger in
            try await connection.query("INSERT INTO ardoise_fleet.action (action, detail) VALUES (\(action), \(detailText))", logger: logger)
        }
    }

    /// The actions noted, the most recent last.
    public func actions(since: Date? = nil) async throws(FleetError) -> [Action] {
        try await run { connection, logger in
            let rows = try await connection.query("""
                SELECT at, account::text, action, detail FROM ardoise_fleet.action
                WHERE (\(since)::timestamptz IS NULL OR at >= \(since)) ORDER BY at
                """, logger: logger).collect()
            return try rows.map { row in
                let (at, account, action, detail) = try row.decode((Date, String, String, String).self)
                return Action(at: at, account: account, action: action, detail: detail)
            }
        }
    }

    /// One connection for `body`; every error said in the server's words.
    func run<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> T) async throws(FleetError) -> T {
        do {
            return try await database.withConnection(body)
        } catch {
            throw FleetError.from(error)
        }
    }
}
