/// Where an administrator reads journal events from: this computer's journal (`AccessJournal`) or the fleet's store on
/// PostgreSQL (`ardoise-fleet`). The commands and the console read through it, one way.
public protocol JournalStore: Sendable {
    /// The events the filter selects, in the order they were recorded, each with the kiosk it comes from.
    func storedEvents(_ filter: JournalFilter) async throws -> [StoredEvent]
    /// Activity figures per period, counted from the events between `since` and `until`.
    func statistics(by period: StatisticsPeriod, since: Int64?, until: Int64?, language: Language) async throws -> [PeriodStatistics]
}

/// An event read from a store, with the kiosk it was recorded on (nil: this computer).
public struct StoredEvent: Sendable, Equatable {
    public var kiosk: String?
    public var event: JournalEvent

    public init(kiosk: String?, event: JournalEvent) {
        self.kiosk = kiosk
        self.event = event
    }
}

// `statistics(by:since:until:language:)` is the journal's own.
extension AccessJournal: JournalStore {
    public func storedEvents(_ filter: JournalFilter) async throws -> [StoredEvent] {
        try events(filter).map { StoredEvent(kiosk: nil, event: $0) }
    }
}

extension Array where Element == StoredEvent {
    /// As `[JournalEvent].rendered`, with a first column naming each event's kiosk when they come from a fleet.
    public func rendered(_ format: QueryFormat, language: Language) -> String {
        let kiosks = contains { $0.kiosk != nil } ? map { $0.kiosk ?? "" } : nil
        return map(\.event).rendered(format, language: language, kiosks: kiosks)
    }
}

extension JournalEvent {
    /// The detail column of `ardoise journal list`: the duration and each detail field, for a person to read.
    public var detailSummary: String { JournalRendering.detailSummary(self) }
}
