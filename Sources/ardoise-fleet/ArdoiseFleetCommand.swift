import ArdoiseCore
import ArdoiseFleet
import ArgumentParser
import Foundation

@main
struct ArdoiseFleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ardoise-fleet",
        abstract: "Les journaux de plusieurs postes, gardés à part sur PostgreSQL. / The journals of several kiosks, kept apart on PostgreSQL.",
        version: ArdoiseVersion.current,
        subcommands: [InitCommand.self, EnrollCommand.self, GrantReaderCommand.self, UploadCommand.self, StatusCommand.self, ListCommand.self, StatsCommand.self, ExportCommand.self,
                      VerifyCommand.self, PurgeCommand.self, ActionsCommand.self]
    )
}

/// Where the store is: the address and the password file, from the options or from the configuration's `[fleet]`.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "postgresql://USER@HOST[:PORT]/DATABASE (sslmode=disable for this machine only; ?host=/run/postgresql for its socket)")
    var address: String?

    @Option(name: .customLong("password-file"), help: "A file (mode 600) whose first line is the password.")
    var passwordFile: String?

    @Option(name: .customLong("ca-file"), help: "The authority that signed the server's certificate (default: the system's).")
    var caFile: String?

    @Option(name: .customLong("config"), help: "The configuration file whose [fleet] section is read (default /etc/ardoise/ardoise.toml).")
    var config: String?

    var language: Language { Language.fromEnvironment(ProcessInfo.processInfo.environment) }

    func store() throws -> FleetStore {
        var address = self.address, passwordFile = self.passwordFile, caFile = self.caFile
        if address == nil || passwordFile == nil {
            let settings: FleetSettings
            do { settings = try ArdoiseConfiguration.load(path: config).fleet } catch { throw fail(error.message(language), code: 2) }
            address = address ?? settings.database
            passwordFile = passwordFile ?? settings.passwordFile
            caFile = caFile ?? settings.caFile
        }
        guard let address else {
            throw fail(language == .french ? "aucune base indiquée : --database ou [fleet] database dans la configuration"
                                           : "no database given: --database, or [fleet] database in the configuration", code: 2)
        }
        do {
            let password = try passwordFile.map(FleetDatabase.password(from:))
            return FleetStore(database: try FleetDatabase(address: address, password: password, caFile: caFile))
        } catch {
            throw fail(error.message(language), code: 2)
        }
    }

    func fail(_ message: String, code: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data(("ardoise-fleet: " + message + "\n").utf8))
        return ExitCode(code)
    }

    /// Runs `body`, each store error said plainly, in the user's language.
    func run<T>(_ body: (FleetStore) async throws(FleetError) -> T) async throws -> T {
        let store = try store()
        do { return try await body(store) } catch { throw fail(error.message(language), code: error == .notEnrolled ? 3 : 1) }
    }
}

func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

extension StoreOptions {
    /// Notes in the store who did what (the person on this machine; the server adds its account and the time). A note
    /// that cannot be written does not stop the answer: it is said.
    func note(_ store: FleetStore, _ action: String, _ detail: [String: DetailValue]) async {
        var fields = detail
        fields["by"] = .text(Actor.current().name)
        do { try await store.record(action, fields) } catch {
            _ = fail((language == .french ? "ceci n'a pas pu être noté dans la base : " : "this could not be noted in the store: ") + error.message(language))
        }
    }
}

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Crée ou met à jour les tables et les droits. / Creates or updates the tables and the rights.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        try await store.run { store throws(FleetError) in try await store.install() }
        say(store.language == .french ? "base prête" : "store ready")
    }
}

struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enroll", abstract: "Donne un compte à un poste. / Gives a kiosk an account.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The kiosk's name: lower-case letters, digits, hyphens.") var kiosk: String
    @Option(name: .customLong("out"), help: "Where to write the kiosk's password file (mode 600; never over an existing file).") var out: String

    func run() async throws {
        guard FleetStore.validName(kiosk) else { throw store.fail(FleetError.badName(kiosk).message(store.language), code: 2) }
        let descriptor = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw store.fail("\(out): \(String(cString: strerror(errno)))", code: 1) }
        let enrolment: FleetStore.Enrolment
        do {
            enrolment = try await store.run { store throws(FleetError) in try await store.enroll(kiosk) }
        } catch {
            close(descriptor)
            unlink(out)
            throw error
        }
        let line = Array((enrolment.password + "\n").utf8)
        let written = write(descriptor, line, line.count)
        close(descriptor)
        guard written == line.count else { throw store.fail("\(out): \(String(cString: strerror(errno)))") }
        say(store.language == .french
            ? "poste \(enrolment.kiosk) inscrit : compte \(enrolment.account), mot de passe dans \(out) (à copier sur le poste, mode 600)"
            : "kiosk \(enrolment.kiosk) enrolled: account \(enrolment.account), password in \(out) (copy it to the kiosk, mode 600)")
    }
}

struct GrantReaderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant-reader", abstract: "Permet à un compte de lire tous les journaux. / Lets an account read every journal.")
    @OptionGroup var store: StoreOptions
    @Argument var account: String

    func run() async throws {
        try await store.run { store throws(FleetError) in try await store.grantReading(to: account) }
    }
}

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upload", abstract: "Envoie les événements de ce poste. / Sends this kiosk's events.")
    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("state-dir")) var stateDirectory = "/var/lib/ardoise"

    func run() async throws {
        let journal: AccessJournal
        do { journal = try AccessJournal(directory: stateDirectory) } catch { throw store.fail(error.message(store.language)) }
        let upload = try await store.run { store throws(FleetError) in try await store.upload(journal) }
        let fr = store.language == .french
        say(fr ? "\(upload.sent) événement(s) envoyé(s), la base a tout jusqu'au n° \(upload.last)"
               : "\(upload.sent) event(s) sent, the store has everything up to number \(upload.last)")
        if upload.neverSent > 0 {
            say(fr ? "attention : \(upload.neverSent) événement(s) effacé(s) par la durée de conservation avant d'avoir été envoyé(s)"
                   : "warning: \(upload.neverSent) event(s) purged by the retention limit before they were ever sent")
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Ce que la base a de chaque poste. / What the store holds of each kiosk.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let kiosks = try await store.run { store throws(FleetError) in try await store.status() }
        let fr = store.language == .french
        say(fr ? "poste\tjournaux\tévénements\tdernier envoi" : "kiosk\tjournals\tevents\tlast upload")
        for kiosk in kiosks {
            let received = kiosk.lastReceived.map { ISO8601DateFormatter().string(from: $0) } ?? (fr ? "jamais" : "never")
            say("\(kiosk.kiosk)\t\(kiosk.journals)\t\(kiosk.events)\t\(received)")
        }
    }
}

extension EventKind: ExpressibleByArgument {}
extension QueryFormat: ExpressibleByArgument {}
extension StatisticsPeriod: ExpressibleByArgument {}

/// `--since`, `--until` as the kiosk's `ardoise journal` reads them.
func time(_ text: String?, _ options: StoreOptions) throws -> Int64? {
    guard let text else { return nil }
    do { return try TimeArgument.parse(text) } catch { throw options.fail(error.message(options.language), code: 2) }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Liste les événements des postes. / Lists the kiosks' events.")
    @OptionGroup var store: StoreOptions
    @Option(help: "Un seul poste / one kiosk only.") var kiosk: String?
    @Option(parsing: .unconditional, help: "Depuis / since: 2026-11-01, 2026-11-01T14:00, 7d, 12h.") var since: String?
    @Option(parsing: .unconditional, help: "Jusqu'à / until (même format / same format).") var until: String?
    @Option(help: "Compte / account.") var user: String?
    @Option(help: "Poste (siège logind) / seat.") var seat: String?
    @Option(help: "Identifiant de session / session id.") var session: String?
    @Option(help: "Type d'événement / event kind.") var event: [EventKind] = []
    @Option(help: "table | json | csv") var format: QueryFormat = .table

    func run() async throws {
        let filter = JournalFilter(since: try time(since, store), until: try time(until, store), user: user, seat: seat, session: session, kinds: event)
        let listing = try await store.run { fleet throws(FleetError) in
            let listing = try await FleetJournals(fleet, kiosk: kiosk).listing(filter)
            var detail = filter.journalDetailForQuery
            detail["results"] = .int(Int64(listing.events.count))
            if let kiosk { detail["kiosk"] = .text(kiosk) }
            await store.note(fleet, "list", detail)
            return listing
        }
        let text = listing.events.rendered(format, language: store.language)
        FileHandle.standardOutput.write(Data((format == .csv ? text : text + "\n").utf8))
        if listing.unknownKinds > 0 {
            _ = store.fail(store.language == .french
                ? "\(listing.unknownKinds) événement(s) d'un type que cette version ne connaît pas (poste plus récent) ne sont pas affichés"
                : "\(listing.unknownKinds) event(s) of a kind this version does not know (a newer kiosk) are not shown")
        }
    }
}

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Chiffres d'activité des postes. / The kiosks' activity figures.")
    @OptionGroup var store: StoreOptions
    @Option(help: "Un seul poste / one kiosk only.") var kiosk: String?
    @Option(help: "hour | day | week | month") var by: StatisticsPeriod = .day
    @Option(parsing: .unconditional, help: "Depuis / since.") var since: String?
    @Option(parsing: .unconditional, help: "Jusqu'à / until.") var until: String?
    @Option(help: "table | json | csv") var format: QueryFormat = .table

    func run() async throws {
        let from = try time(since, store), to = try time(until, store)
        let language = store.language
        let figures = try await store.run { fleet throws(FleetError) in
            let tally = try await FleetJournals(fleet, kiosk: kiosk).tally(by: by, since: from, until: to)
            await store.note(fleet, "stats", ["by": .text(by.rawValue)].merging(kiosk.map { ["kiosk": .text($0)] } ?? [:]) { $1 })
            return tally
        }.figures(language: language)
        let text = figures.rendered(format, language: language)
        FileHandle.standardOutput.write(Data((format == .csv ? text : text + "\n").utf8))
    }
}

/// The verification keys the kiosks printed (`ardoise-vk1:...`), one a line.
func verificationKeys(_ file: String?, _ options: StoreOptions) throws -> [VerificationKey] {
    guard let file else { return [] }
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw options.fail("\(file): unreadable", code: 2) }
    return text.split(separator: "\n").compactMap { VerificationKey(String($0)) }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export pour une réquisition légale (CSV + résumé de vérification). / Export for a lawful request (CSV + verification summary)."
    )
    @OptionGroup var store: StoreOptions
    @Option(help: "Un seul poste / one kiosk only.") var kiosk: String?
    @Option(parsing: .unconditional, help: "Depuis / since.") var since: String
    @Option(parsing: .unconditional, help: "Jusqu'à / until.") var until: String
    @Option(help: "Fichier CSV / CSV file (mode 600).") var out: String
    @Option(name: .customLong("key-file"), help: "The kiosks' verification keys: the seals are checked too.") var keyFile: String?
    @Flag(help: "Remplace les fichiers qui existent déjà. / Replaces files that exist already.") var force = false

    func run() async throws {
        let fr = store.language == .french
        let filter = JournalFilter(since: try time(since, store), until: try time(until, store))
        let keys = try verificationKeys(keyFile, store)
        let summaryPath = out + ".verification.txt"
        if !force {
            for path in [out, summaryPath] where access(path, F_OK) == 0 {
                throw store.fail(fr ? "\(path) existe déjà (--force pour le remplacer)" : "\(path) exists already (--force replaces it)", code: 1)
            }
        }
        let export = try await store.run { fleet throws(FleetError) in
            let export = try await FleetJournals(fleet, kiosk: kiosk).export(filter, keys: keys, by: Actor.current())
            var detail = filter.journalDetailForQuery
            detail["results"] = .int(Int64(export.listing.events.count))
            if let kiosk { detail["kiosk"] = .text(kiosk) }
            await store.note(fleet, "export", detail)
            return export
        }
        let csv = Array(export.csv.utf8)
        let summary = Array(export.summary(store.language, csvDigest: SHA256.hash(data: csv).hex).utf8)
        let flags = O_CREAT | (force ? O_TRUNC : O_EXCL)
        for (path, bytes) in [(out, csv), (summaryPath, summary)] {
            if let failure = SmallFile.write(bytes, to: path, flags: flags) {
                if case .write = failure { unlink(path) }
                throw store.fail("\(path): \(SmallFile.reason(failure.code))", code: 1)
            }
        }
        say(fr ? "\(export.listing.events.count) événement(s) exporté(s) dans \(out) ; résumé de vérification : \(summaryPath)"
               : "\(export.listing.events.count) event(s) exported to \(out); verification summary: \(summaryPath)")
        // Written anyway (it is evidence), and said where it is run.
        if !export.isClear {
            throw store.fail(fr ? "un journal au moins ne se vérifie pas : voir \(summaryPath)" : "at least one journal does not check: see \(summaryPath)", code: 1)
        }
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Vérifie chaque journal de la base. / Checks every journal in the store.")
    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("key-file"), help: "A file of verification keys (ardoise-vk1:...), one a line: the seals are checked too.") var keyFile: String?

    func run() async throws {
        let fr = store.language == .french
        let keys = try verificationKeys(keyFile, store)
        let checks = try await store.run { fleet throws(FleetError) in
            let checks = try await fleet.verify(keys: keys)
            await store.note(fleet, "verify", ["journals": .int(Int64(checks.count)), "problems": .int(Int64(checks.filter { $0.problem != nil }.count)),
                                               "with_keys": .bool(!keys.isEmpty)])
            return checks
        }
        for check in checks { say("\(check.kiosk)\t\(check.journal)\t" + FleetExport.verdict(check, store.language)) }
        let broken = checks.contains { $0.problem != nil }
        if broken { throw ExitCode(1) }
    }
}

struct ActionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "actions", abstract: "Ce qui a été fait avec la base, et par qui. / What was done with the store, and by whom.")
    @OptionGroup var store: StoreOptions
    @Option(parsing: .unconditional, help: "Depuis / since.") var since: String?

    func run() async throws {
        let from = try time(since, store).map { Date(timeIntervalSince1970: Double($0) / 1e6) }
        let actions = try await store.run { fleet throws(FleetError) in try await fleet.actions(since: from) }
        let fr = store.language == .french
        say(fr ? "date\tcompte de la base\taction\tdétail" : "date\tstore account\taction\tdetail")
        for action in actions {
            let at = TimeArgument.local(Int64(action.at.timeIntervalSince1970 * 1e6))
            say([at, action.account, action.action, action.detail].map { DisplayText.escaped($0) }.joined(separator: "\t"))
        }
    }
}

struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "purge", abstract: "Efface ce qui dépasse la durée de conservation. / Deletes what is past the retention limit.")
    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("retention-days")) var retentionDays = 365

    func run() async throws {
        guard retentionDays > 0 else { throw store.fail("--retention-days > 0", code: 2) }
        let deleted = try await store.run { fleet throws(FleetError) in
            let deleted = try await fleet.purge(retentionDays: retentionDays)
            await store.note(fleet, "purge", ["retention_days": .int(Int64(retentionDays)), "deleted": .int(Int64(deleted))])
            return deleted
        }
        say(store.language == .french ? "\(deleted) événement(s) effacé(s)" : "\(deleted) event(s) deleted")
    }
}
