import ArdoiseCore
import Logging
import PostgresNIO

/// The journals the store holds, of every kiosk or of one, read as one journal is (`JournalStore`): for the fleet's
/// `list` and `stats`, and the console. A reader's account (`grant-reader`) or the owner's reads them all; a kiosk's
/// account reads nothing of them (row-level security).
public struct FleetJournals: JournalStore {
    public let store: FleetStore
    /// nil: every kiosk.
    public let kiosk: String?

    public init(_ store: FleetStore, kiosk: String? = nil) {
        self.store = store
        self.kiosk = kiosk
    }

    public struct Listing: Sendable, Equatable {
        public var events: [StoredEvent]
        /// Events of kinds this version does not know (sent by a newer kiosk): counted, not shown.
        public var unknownKinds: Int
    }

    /// The events the filter selects, by time (then kiosk, then order in their journal).
    public func listing(_ filter: JournalFilter) async throws(FleetError) -> Listing {
        let kinds = filter.kinds.map(\.rawValue)
        return try await store.run { connection, logger in
            let rows = try await connection.query("""
                SELECT j.kiosk, e.seq, e.at, e.kind, e.host, e.seat, e.session, e.uid, e."user", e.duration_us, e.outcome, e.detail
                FROM ardoise_fleet.event e JOIN ardoise_fleet.journal j ON j.id = e.journal
                WHERE (\(kiosk)::text IS NULL OR j.kiosk = \(kiosk))
                  AND (\(filter.since)::bigint IS NULL OR e.at >= \(filter.since)) AND (\(filter.until)::bigint IS NULL OR e.at < \(filter.until))
                  AND (\(filter.user)::text IS NULL OR e."user" = \(filter.user)) AND (\(filter.seat)::text IS NULL OR e.seat = \(filter.seat))
                  AND (\(filter.session)::text IS NULL OR e.session = \(filter.session))
                  AND (cardinality(\(kinds)::text[]) = 0 OR e.kind = ANY(\(kinds)::text[]))
                ORDER BY e.at, j.kiosk, e.journal, e.seq
                """, logger: logger)
            var listing = Listing(events: [], unknownKinds: 0)
            for try await row in rows {
                let (kiosk, sequence, time, kind, host, seat, session, uid, user, duration, outcome, detail) =
                    try row.decode((String, Int64, Int64, String, String, String?, String?, Int64?, String?, Int64?, String?, String).self)
                guard let known = EventKind(rawValue: kind) else {
                    listing.unknownKinds += 1
                    continue
                }
                var event = JournalEvent(time: time, kind: known, host: host, seat: seat, session: session, uid: uid.map { UInt32(truncatingIfNeeded: $0) },
                                         user: user, duration: duration, outcome: outcome, detail: JournalEvent.detail(fromJSON: detail))
                event.sequence = sequence
                listing.events.append(StoredEvent(kiosk: kiosk, event: event))
            }
            return listing
        }
    }

    public func storedEvents(_ filter: JournalFilter) async throws -> [StoredEvent] {
        try await listing(filter).events
    }

    /// The figures of `AccessJournal.statistics`, counted over the kiosks' events; an account is one account on one
    /// kiosk (two kiosks' `kiosque` are two users).
    public func statistics(by period: StatisticsPeriod, since: Int64?, until: Int64?, language: Language) async throws -> [PeriodStatistics] {
        try await tally(by: period, since: since, until: until).figures(language: language)
    }

    public func tally(by period: StatisticsPeriod, since: Int64?, until: Int64?) async throws(FleetError) -> PeriodTally {
        let kinds: [EventKind] = [.sessionStart, .sessionEnd, .wipeFinished, .wipeFailed, .wipeInterrupted]
        return try await store.run { connection, logger in
            let rows = try await connection.query("""
                SELECT j.kiosk, e.at, e.kind, e."user", e.duration_us, e.outcome
                FROM ardoise_fleet.event e JOIN ardoise_fleet.journal j ON j.id = e.journal
                WHERE (\(kiosk)::text IS NULL OR j.kiosk = \(kiosk)) AND e.kind = ANY(\(kinds.map(\.rawValue))::text[])
                  AND (\(since)::bigint IS NULL OR e.at >= \(since)) AND (\(until)::bigint IS NULL OR e.at < \(until))
                """, logger: logger)
            var tally = PeriodTally(period)
            for try await row in rows {
                let (kiosk, time, kind, user, duration, outcome) = try row.decode((String, Int64, String, String?, Int64?, String?).self)
                guard let kind = EventKind(rawValue: kind) else { continue }
                let event = JournalEvent(time: time, kind: kind, host: "", user: user, duration: duration, outcome: outcome)
                tally.add(event, who: user.map { kiosk + "\u{0}" + $0 })
            }
            return tally
        }
    }
}
