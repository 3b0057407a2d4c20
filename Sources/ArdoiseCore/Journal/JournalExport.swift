import FoundationEssentials
import Glibc

/// The events of a period for a lawful request, with what lets a third party check them.
public struct JournalExport: Sendable {
    public var filter: JournalFilter
    public var events: [JournalEvent]
    /// Seals of the first and last exported events (hex).
    public var firstSeal: String?
    public var lastSeal: String?
    public var verification: AccessJournal.Verification
    public var journalID: String
    public var createdAt: Int64
    public var actor: Actor

    public var csv: String {
        var rows = [JournalRendering.csvHeader + ["seal"]]
        for (event, seal) in zip(events, seals) { rows.append(JournalRendering.csvRow(event) + [seal]) }
        return JournalRendering.csv(rows)
    }

    var seals: [String] = []

    public func summary(_ language: Language) -> String {
        let fr = language == .french
        let range = "\(filter.since.map(TimeArgument.local) ?? "-") → \(filter.until.map(TimeArgument.local) ?? "-")"
        let rangeUTC = "\(filter.since.map(TimeArgument.utc) ?? "-") → \(filter.until.map(TimeArgument.utc) ?? "-")"
        let lines = fr ? [
            "Export du journal des accès — ardoise",
            "Poste : \(JournalClock.hostName) — journal \(journalID)",
            "Période (heure locale) : \(range)",
            "Période (UTC) : \(rangeUTC)",
            "Nombre d'événements : \(events.count)",
            "Premier événement : n° \(events.first.map { "\($0.sequence)" } ?? "-"), sceau \(firstSeal ?? "-")",
            "Dernier événement : n° \(events.last.map { "\($0.sequence)" } ?? "-"), sceau \(lastSeal ?? "-")",
            "Vérification du journal entier : \(verification.report(.french))",
            "Produit le \(TimeArgument.local(createdAt)) par \(actor.name).",
            "Contenu : compte, poste, heures de connexion et de déconnexion, résultats des effacements. Ni adresse de site, ni nom de fichier, ni titre de page.",
        ] : [
            "Access journal export — ardoise",
            "Computer: \(JournalClock.hostName) — journal \(journalID)",
            "Period (local time): \(range)",
            "Period (UTC): \(rangeUTC)",
            "Number of events: \(events.count)",
            "First event: #\(events.first.map { "\($0.sequence)" } ?? "-"), seal \(firstSeal ?? "-")",
            "Last event: #\(events.last.map { "\($0.sequence)" } ?? "-"), seal \(lastSeal ?? "-")",
            "Whole-journal verification: \(verification.report(.english))",
            "Made on \(TimeArgument.local(createdAt)) by \(actor.name).",
            "Content: account, seat, connection and disconnection times, wipe outcomes. No site address, no file name, no page title.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}

extension AccessJournal {
    public func export(_ filter: JournalFilter, by actor: Actor) throws(JournalError) -> JournalExport {
        let verification = try verify()
        let (whereClause, arguments) = filter.sql
        let (events, seals, journalID): ([JournalEvent], [String], String) = try read { db in
            var seals: [String] = []
            let events = try Self.fetchEvents(db, sql: "SELECT \(Self.columns), seal FROM event \(whereClause) ORDER BY seq", arguments: arguments) { raw in
                seals.append(Self.blob(raw, 11).map { [UInt8]($0).hex } ?? "")
            }
            guard events.allSatisfy(filter.matches) else { throw JournalError.damaged("index: rows that do not match the query") }
            try Self.checkAgainstTable(events.count, whereClause, arguments, in: db)
            let id = try String.fetchOne(db, sql: "SELECT journal_id FROM sealing WHERE id = 1") ?? "?"
            return (events, seals, id)
        }
        var export = JournalExport(filter: filter, events: events, firstSeal: seals.first, lastSeal: seals.last, verification: verification,
                                   journalID: journalID, createdAt: JournalClock.now(), actor: actor)
        export.seals = seals
        return export
    }
}
