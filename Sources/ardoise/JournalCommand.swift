import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import FoundationEssentials
import Glibc

extension EventKind: ExpressibleByArgument {}
extension QueryFormat: ExpressibleByArgument {}
extension StatisticsPeriod: ExpressibleByArgument {}

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Le journal des accès (administrateurs). / The access journal (administrators).",
        subcommands: [ListEvents.self, Statistics.self, Export.self, Verify.self, Acknowledge.self, Purge.self, HandOverKey.self]
    )
}

/// The options that choose events.
struct EventFilterOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Depuis / since: 2026-11-01, 2026-11-01T14:00, 7d, 12h.")
    var since: String?

    @Option(parsing: .unconditional, help: "Jusqu'à / until (même format / same format).")
    var until: String?

    @Option(help: "Compte / account.")
    var user: String?

    @Option(help: "Poste (siège logind) / seat.")
    var seat: String?

    @Option(help: "Identifiant de session / session id.")
    var session: String?

    @Option(help: "Type d'événement / event kind: \(EventKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var event: [EventKind] = []

    func filter(_ language: Language) throws -> JournalFilter {
        JournalFilter(since: try since.map { try time($0, language) }, until: try until.map { try time($0, language) },
                      user: user, seat: seat, session: session, kinds: event)
    }
}

func time(_ text: String, _ language: Language) throws -> Int64 {
    do {
        return try TimeArgument.parse(text)
    } catch {
        throw CommandFailure(message: error.message(language), code: 2)
    }
}

extension GlobalOptions {
    var stateDirectoryPath: String { stateDirectory ?? ArdoiseConfiguration.defaultStateDirectory }

    /// The journal, for an administrator only (exit 3 otherwise).
    func adminJournal() throws -> AccessJournal {
        guard geteuid() == 0 else { throw CommandFailure.adminOnly(language) }
        return try journal()
    }

    func journal() throws -> AccessJournal {
        do {
            let journal = try AccessJournal(directory: stateDirectoryPath, mirror: SystemJournalMirror())
            if let aside = journal.setAside {
                printError(language == .french
                    ? "Attention : le journal ne s'ouvrait plus. Il est conservé tel quel sous le nom \(aside) et un nouveau journal a commencé ; « sudo ardoise journal verify » en dit plus."
                    : "Warning: the journal no longer opened. It is kept as it was under the name \(aside) and a new journal began; \"sudo ardoise journal verify\" says more.")
            }
            if !journal.pendingVerificationKeys.isEmpty {
                printError(language == .french
                    ? "Une clé de vérification du journal attend d'être recopiée : lancez « ardoise journal key » et gardez-la hors de ce poste."
                    : "A journal verification key is waiting to be copied: run \"ardoise journal key\" and keep it away from this computer.")
            }
            return journal
        } catch {
            throw CommandFailure(message: error.message(language), code: 1)
        }
    }

    /// Records who asked what; a journal that cannot be written does not stop the answer.
    func record(_ event: JournalEvent, in journal: AccessJournal) {
        do {
            try journal.append(event)
        } catch {
            printError(error.message(language))
        }
    }
}

extension CommandFailure {
    /// Exit 3 for someone who may not read the journal.
    static func adminOnly(_ language: Language) -> CommandFailure {
        CommandFailure(message: language == .french ? "Seuls les administrateurs peuvent lire le journal des accès : relancez avec sudo."
                                                    : "Only administrators may read the access journal: run it again with sudo.", code: 3)
    }
}

func printError(_ message: String) {
    StandardStreams.error(message)
}

func adminQuery(_ command: String, _ detail: [String: DetailValue] = [:]) -> JournalEvent {
    let actor = Actor.current()
    var fields = detail
    fields["command"] = .text(command)
    return JournalEvent(kind: .adminQuery, uid: actor.uid, user: actor.name, outcome: "ok", detail: fields)
}

struct ListEvents: ParsableCommand, RelayedJournalCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Liste les événements. / Lists events.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var filterOptions: EventFilterOptions
    @Option(help: "table | json | csv") var format: QueryFormat = .table

    func run() throws {
        let language = global.language
        let filter = try filterOptions.filter(language)
        let journal = try global.adminJournal()
        let events: [JournalEvent]
        do { events = try journal.events(filter) } catch { throw CommandFailure(message: error.message(language), code: 1) }
        global.record(adminQuery("list", filter.journalDetailForQuery.merging(["results": .int(Int64(events.count))]) { $1 }), in: journal)
        print(events.rendered(format, language: language), terminator: format == .csv ? "" : "\n")
    }
}

struct Statistics: ParsableCommand, RelayedJournalCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Chiffres d'activité. / Activity figures.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "hour | day | week | month") var by: StatisticsPeriod = .day
    @Option(parsing: .unconditional, help: "Depuis / since.") var since: String?
    @Option(parsing: .unconditional, help: "Jusqu'à / until.") var until: String?
    @Option(help: "table | json | csv") var format: QueryFormat = .table
    @Option(help: "Écrit aussi un graphique SVG. / Also writes an SVG chart.") var svg: String?
    @Flag(help: "Remplace le graphique s'il existe déjà. / Replaces the chart if it exists already.") var force = false

    func run() throws {
        let language = global.language
        let from = try since.map { try time($0, language) }
        let to = try until.map { try time($0, language) }
        if let svg { try OutputFile.refuseExisting([svg], force: force, language) }
        let journal = try global.adminJournal()
        let figures: [PeriodStatistics]
        do { figures = try journal.statistics(by: by, since: from, until: to, language: language) } catch {
            throw CommandFailure(message: error.message(language), code: 1)
        }
        var detail: [String: DetailValue] = ["by": .text(by.rawValue)]
        if let from { detail["since"] = .int(from) }
        if let to { detail["until"] = .int(to) }
        global.record(adminQuery("stats", detail), in: journal)
        print(figures.rendered(format, language: language), terminator: format == .csv ? "" : "\n")
        if let svg {
            let title = language == .french ? "Fréquentation du poste (\(JournalClock.hostName))" : "Computer use (\(JournalClock.hostName))"
            try OutputFile.write(Data(figures.svg(title: title, language: language).utf8), to: svg, force: force, language)
        }
    }
}

struct Export: ParsableCommand, RelayedJournalCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export pour une réquisition légale (CSV + résumé de vérification). / Export for a lawful request (CSV + verification summary)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional, help: "Depuis / since.") var since: String
    @Option(parsing: .unconditional, help: "Jusqu'à / until.") var until: String
    @Option(help: "Fichier CSV / CSV file.") var out: String
    @Flag(help: "Remplace les fichiers qui existent déjà. / Replaces files that exist already.") var force = false

    func run() throws {
        let language = global.language
        let filter = JournalFilter(since: try time(since, language), until: try time(until, language))
        let journal = try global.adminJournal()
        let export: JournalExport
        do { export = try journal.export(filter, by: Actor.current()) } catch { throw CommandFailure(message: error.message(language), code: 1) }
        let summaryPath = out + ".verification.txt"
        try OutputFile.refuseExisting([out, summaryPath], force: force, language)
        try OutputFile.write(Data(export.csv.utf8), to: out, force: force, language)
        try OutputFile.write(Data(export.summary(language).utf8), to: summaryPath, force: force, language)
        global.record(adminQuery("export", filter.journalDetailForQuery.merging(["results": .int(Int64(export.events.count))]) { $1 }), in: journal)
        print(language == .french
            ? "\(export.events.count) événement(s) exporté(s) dans \(out) ; résumé de vérification : \(summaryPath)"
            : "\(export.events.count) event(s) exported to \(out); verification summary: \(summaryPath)")
        // An export of a journal that does not check is still written (it is evidence), and says so where it is run.
        if !export.verification.isClear {
            throw CommandFailure(message: export.verification.report(language), code: 1)
        }
    }
}

struct Verify: ParsableCommand, RelayedJournalCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Vérifie l'intégrité du journal. / Checks the journal's integrity.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Fichier de la clé de vérification (plusieurs possibles) / verification key file (may be repeated).") var verificationKey: [String] = []

    func run() throws {
        let language = global.language
        var keys: [VerificationKey] = []
        for file in verificationKey {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure(message: language == .french ? "Clé de vérification illisible : \(file)" : "Unreadable verification key: \(file)", code: 2)
            }
            let parsed = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { VerificationKey(String($0)) }
            guard !parsed.isEmpty else {
                throw CommandFailure(message: language == .french ? "Clé de vérification illisible : \(file)" : "Unreadable verification key: \(file)", code: 2)
            }
            keys += parsed
        }
        let journal = try global.adminJournal()
        let verification: AccessJournal.Verification
        do { verification = try journal.verify(keys: keys) } catch { throw CommandFailure(message: error.message(language), code: 1) }
        let actor = Actor.current()
        var detail: [String: DetailValue] = ["checked": .int(Int64(verification.checked)), "seals": .bool(verification.sealsChecked),
                                             "integrity": .bool(verification.integrity.isEmpty), "to_acknowledge": .int(Int64(verification.awaitingAcknowledgement))]
        if let broken = verification.firstBroken { detail["first_broken"] = .int(broken) }
        if let head = verification.head { detail["head"] = .text(head.code) }
        // The events check but the summary behind `stats` does not: the database was edited outside ardoise.
        let statisticsEdited = verification.isIntact && verification.statisticsMatch == false
        if statisticsEdited {
            do { try journal.rebuildStatistics() } catch { throw CommandFailure(message: error.message(language), code: 1) }
            detail["statistics"] = .text("rebuilt")
        }
        let outcome = !verification.isIntact ? "altered" : statisticsEdited ? "statistics-rebuilt" : verification.isClear ? "ok" : "to-acknowledge"
        global.record(JournalEvent(kind: .integrityCheck, uid: actor.uid, user: actor.name, outcome: outcome, detail: detail), in: journal)
        print(verification.report(language))
        if statisticsEdited {
            print(language == .french
                ? "Mais les statistiques enregistrées ne correspondaient plus aux événements : le fichier du journal a été modifié en dehors d'ardoise. Elles ont été recalculées à partir des événements."
                : "But the stored statistics no longer matched the events: the journal file was edited outside ardoise. They were counted again from the events.")
        }
        if !verification.isClear || statisticsEdited { throw CommandFailure(message: "", code: 1) }
    }
}

struct Acknowledge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acknowledge",
        abstract: "Prend en compte un incident ou un journal mis de côté (inscrit au journal). / Acknowledges an incident or a set-aside journal (journaled)."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Numéro d'incident ou nom du fichier mis de côté, comme « journal verify » les affiche. / Incident number or set-aside file name, as \"journal verify\" shows them.")
    var items: [String]

    func run() throws {
        let language = global.language
        let journal = try global.adminJournal()
        for item in items {
            let done: Bool
            do { done = try journal.acknowledge(item, by: Actor.current()) } catch { throw CommandFailure(message: error.message(language), code: 1) }
            guard done else {
                throw CommandFailure(message: language == .french
                    ? "« \(DisplayText.escaped(item)) » n'est ni un incident ni un journal mis de côté : lancez « sudo ardoise journal verify » pour les voir."
                    : "\"\(DisplayText.escaped(item))\" is neither an incident nor a set-aside journal: run \"sudo ardoise journal verify\" to see them.", code: 2)
            }
            print(language == .french ? "Pris en compte : \(DisplayText.escaped(item))" : "Acknowledged: \(DisplayText.escaped(item))")
        }
    }
}

struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "purge", abstract: "Supprime les événements trop anciens. / Deletes expired events.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Compte seulement. / Count only.") var dryRun = false

    func run() throws {
        let language = global.language
        let configuration = try global.configuration()
        let journal = try global.adminJournal()
        let outcome: AccessJournal.PurgeOutcome
        do { outcome = try journal.purge(retentionDays: configuration.journal.retentionDays, dryRun: dryRun, by: Actor.current()) } catch {
            throw CommandFailure(message: error.message(language), code: 1)
        }
        if dryRun { global.record(adminQuery("purge", ["dry_run": .bool(true), "expired": .int(Int64(outcome.purged))]), in: journal) }
        let limit = TimeArgument.local(outcome.cutoff)
        if language == .french {
            print(dryRun ? "\(outcome.purged) événement(s) antérieur(s) au \(limit) seraient supprimés (conservation : \(configuration.journal.retentionDays) jours)."
                         : "\(outcome.purged) événement(s) antérieur(s) au \(limit) supprimé(s) (conservation : \(configuration.journal.retentionDays) jours).")
        } else {
            print(dryRun ? "\(outcome.purged) event(s) older than \(limit) would be deleted (retention: \(configuration.journal.retentionDays) days)."
                         : "\(outcome.purged) event(s) older than \(limit) deleted (retention: \(configuration.journal.retentionDays) days).")
        }
    }
}

struct HandOverKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Affiche une seule fois la clé de vérification, puis l'efface de ce poste. / Shows the verification key once, then erases it here."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let language = global.language
        let journal = try global.adminJournal()
        let keys = journal.takeVerificationKeys()
        guard !keys.isEmpty else {
            throw CommandFailure(message: language == .french
                ? "La clé de vérification a déjà été remise : elle n'est plus sur ce poste."
                : "The verification key was already handed over: it is no longer on this computer.", code: 1)
        }
        global.record(adminQuery("key", ["keys": .int(Int64(keys.count))]), in: journal)
        for key in keys { print(key.description) }
        printError(language == .french
            ? "Recopiez cette clé et gardez-la hors du poste (coffre, clé USB de la structure). Elle ne sera plus affichée. « ardoise journal verify --verification-key FICHIER » l'utilise pour vérifier les sceaux."
            : "Copy this key and keep it away from the computer (a safe, the organisation's USB key). It will not be shown again. \"ardoise journal verify --verification-key FILE\" uses it to check the seals.")
    }
}
