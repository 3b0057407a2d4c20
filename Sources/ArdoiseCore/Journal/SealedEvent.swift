import CSQLite
import FoundationEssentials

/// An event with what proves it, as a kiosk sends it to the fleet store, where its chain and seal are checked again.
/// The kind stays its raw value: a newer kiosk may send kinds this version does not know, and they are still chained.
public struct SealedEvent: Sendable, Equatable {
    public var journalID: String
    public var sequence: Int64
    public var time: Int64
    public var kind: String
    public var host: String
    public var seat: String?
    public var session: String?
    public var uid: Int64?
    public var user: String?
    public var duration: Int64?
    public var outcome: String?
    /// The detail as the journal stores it (JSON), byte for byte: the chain covers these bytes.
    public var detail: String
    public var epoch: Int64
    public var chain: [UInt8]
    public var seal: [UInt8]

    public init(journalID: String, sequence: Int64, time: Int64, kind: String, host: String, seat: String?, session: String?, uid: Int64?,
                user: String?, duration: Int64?, outcome: String?, detail: String, epoch: Int64, chain: [UInt8], seal: [UInt8]) {
        self.journalID = journalID
        self.sequence = sequence
        self.time = time
        self.kind = kind
        self.host = host
        self.seat = seat
        self.session = session
        self.uid = uid
        self.user = user
        self.duration = duration
        self.outcome = outcome
        self.detail = detail
        self.epoch = epoch
        self.chain = chain
        self.seal = seal
    }

    /// The bytes the chain and the seal cover.
    public var canonical: [UInt8] {
        JournalSeal.canonical(sequence: sequence, time: time, kind: kind, host: host, seat: seat, session: session, uid: uid, user: user,
                              duration: duration, outcome: outcome, detail: detail, epoch: epoch)
    }

    /// The event as the rest of the program reads it; nil for a kind this version does not know.
    public var event: JournalEvent? {
        guard let kind = EventKind(rawValue: kind) else { return nil }
        var event = JournalEvent(time: time, kind: kind, host: host, seat: seat, session: session, uid: uid.map { UInt32(truncatingIfNeeded: $0) },
                                 user: user, duration: duration, outcome: outcome, detail: JournalEvent.detail(fromJSON: detail))
        event.sequence = sequence
        return event
    }
}

/// Where a journal's events follow on from: the genesis (sequence 0), or the last event a retention purge removed.
public struct ChainAnchor: Sendable, Equatable {
    public var sequence: Int64
    public var chain: [UInt8]
    public var seal: [UInt8]

    public init(sequence: Int64, chain: [UInt8], seal: [UInt8]) {
        self.sequence = sequence
        self.chain = chain
        self.seal = seal
    }

    /// The genesis of journal `journalID`: its chain is known to anyone; its seal needs the key.
    public static func genesis(of journalID: String) -> [UInt8] { JournalSeal.genesisChain(journalID: journalID) }
}

extension AccessJournal {
    /// The events after `sequence`, at most `limit`, in order, with their chain and seal.
    public func sealedEvents(after sequence: Int64, limit: Int) throws(JournalError) -> [SealedEvent] {
        let journalID = self.journalID
        return try read { db in
            var sealed: [SealedEvent] = []
            let events = try Self.fetchEvents(db, sql: "SELECT \(Self.columns), epoch, chain, seal FROM event WHERE seq > ? ORDER BY seq LIMIT ?",
                                              arguments: [sequence, Int64(limit)]) { raw in
                func string(_ column: Int32) -> String? { Self.text(raw, column).map { String(decoding: $0, as: UTF8.self) } }
                sealed.append(SealedEvent(journalID: journalID, sequence: sqlite3_column_int64(raw, 0), time: sqlite3_column_int64(raw, 1),
                                          kind: string(2) ?? "", host: string(3) ?? "", seat: string(4), session: string(5),
                                          uid: Self.integer(raw, 6), user: string(7), duration: Self.integer(raw, 8), outcome: string(9),
                                          detail: string(10) ?? "", epoch: sqlite3_column_int64(raw, 11),
                                          chain: Self.blob(raw, 12).map { [UInt8]($0) } ?? [], seal: Self.blob(raw, 13).map { [UInt8]($0) } ?? []))
            }
            guard events.count == sealed.count else { throw JournalError.damaged("sealed events") }
            return sealed
        }
    }

    /// The point the journal's first event follows on from.
    public func chainAnchor() throws(JournalError) -> ChainAnchor {
        try read { db in
            guard let anchor = try SQLiteRow.fetchOne(db, sql: "SELECT seq, chain, seal FROM anchor WHERE id = 1") else {
                throw JournalError.damaged("no anchor")
            }
            return ChainAnchor(sequence: anchor[0], chain: [UInt8](anchor[1] as Data), seal: [UInt8](anchor[2] as Data))
        }
    }
}

/// Checks a journal's events one after the other, in order of sequence, from its anchor: what `journal verify` checks on
/// the kiosk, for a store that holds copies of the events (the fleet store).
public struct SealedChainCheck: Sendable {
    public enum Problem: Sendable, Equatable {
        /// Events are missing before `found`.
        case missing(expected: Int64, found: Int64)
        /// The event's fields are not those its chain covers, or its chain does not follow from the one before.
        case altered(Int64)
        /// The sealing period went back in time.
        case epochWentBack(Int64)
        /// The seal does not match the verification key.
        case badSeal(Int64)
    }

    private var expected: Int64
    private var previousChain: [UInt8]
    private var previousSeal: [UInt8]
    private var key: [UInt8]?
    private var keyEpoch: Int64
    private var lastEpoch = Int64.min
    /// From this event on, seals were made by a sealing state rebuilt on the kiosk, whose key is not the one given.
    public private(set) var sealsUncheckedFrom: Int64?
    /// The event whose seal could not be checked because the one before it is not known (an anchor without its seal).
    public private(set) var sealUnchecked: Int64?
    public private(set) var checked = 0

    /// `key`, the journal's verification key, checks the seals too; without it, the chain alone is checked.
    public init(journalID: String, anchor: ChainAnchor, key: VerificationKey? = nil) {
        expected = anchor.sequence + 1
        previousChain = anchor.chain
        previousSeal = anchor.seal
        if let key, key.journalID == journalID {
            self.key = key.key
            keyEpoch = key.genesisEpoch
            if anchor.sequence == 0 && previousSeal.isEmpty { previousSeal = JournalSeal.genesisSeal(journalID: journalID, key: key.key) }
        } else {
            keyEpoch = 0
        }
    }

    /// Takes the next event; a problem stops the check there (what follows cannot be trusted to follow).
    public mutating func add(_ event: SealedEvent) -> Problem? {
        guard event.sequence == expected else { return .missing(expected: expected, found: event.sequence) }
        guard event.epoch >= lastEpoch else { return .epochWentBack(event.sequence) }
        let canonical = event.canonical
        guard JournalSeal.chain(previous: previousChain, canonical: canonical) == event.chain else { return .altered(event.sequence) }
        if event.kind == EventKind.journalRecovered.rawValue && event.outcome == "sealing-rebuilt" && sealsUncheckedFrom == nil && key != nil {
            sealsUncheckedFrom = event.sequence
        }
        if key != nil, sealsUncheckedFrom == nil, previousSeal.isEmpty, sealUnchecked == nil { sealUnchecked = event.sequence }
        if var current = key, sealsUncheckedFrom == nil, !previousSeal.isEmpty {
            if event.epoch > keyEpoch {
                current = JournalSeal.evolve(current, from: keyEpoch, to: event.epoch)
                key = current
                keyEpoch = event.epoch
            }
            guard JournalSeal.seal(previous: previousSeal, canonical: canonical, key: current) == event.seal else { return .badSeal(event.sequence) }
        }
        lastEpoch = event.epoch
        previousChain = event.chain
        previousSeal = event.seal
        expected += 1
        checked += 1
        return nil
    }

    /// Whether seals were checked at all.
    public var checksSeals: Bool { key != nil }
}
