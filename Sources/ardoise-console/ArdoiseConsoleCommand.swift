import ArdoiseConsole
import ArdoiseCore
import ArdoiseFleet
import ArgumentParser
import Foundation
import Hummingbird
import Logging

@main
struct ArdoiseConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ardoise-console",
        abstract: "La console web du personnel : le journal des accès, en lecture seule. / The staff web console: the access journal, read only.",
        version: ArdoiseVersion.current,
        subcommands: [ServeCommand.self, AddStaffCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

var language: Language { Language.fromEnvironment(ProcessInfo.processInfo.environment) }

func fail(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data(("ardoise-console: " + message + "\n").utf8))
    return ExitCode(code)
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Sert la console. / Serves the console.")

    @Option(name: .customLong("state-dir"), help: "This computer's journal (default /var/lib/ardoise), when no --database is given.")
    var stateDirectory = ArdoiseConfiguration.defaultStateDirectory
    @Option(name: .customLong("database"), help: "The fleet store: postgresql://READER@HOST/DATABASE (an account given grant-reader).")
    var database: String?
    @Option(name: .customLong("password-file")) var passwordFile: String?
    @Option(name: .customLong("ca-file")) var caFile: String?
    @Option(help: "HOST:PORT, on this machine only (put a TLS proxy in front to reach it from elsewhere).") var listen = "127.0.0.1:8470"
    @Option(name: .customLong("staff-file"), help: "The staff accounts (ardoise-console add-staff).") var staffFile = "/etc/ardoise/console-staff"

    func run() async throws {
        let fr = language == .french
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw fail(fr ? "--listen attend HÔTE:PORT, par exemple 127.0.0.1:8470" : "--listen takes HOST:PORT, for example 127.0.0.1:8470", code: 2)
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        // The pages carry connection records and the sign-in a password: never in the clear over a network.
        guard host == "localhost" || host == "::1" || host.hasPrefix("127.") else {
            throw fail(fr ? "\(host) : la console n'écoute que sur cette machine (127.0.0.1) ; pour y accéder d'ailleurs, mettez devant un proxy TLS (nginx...)."
                          : "\(host): the console listens on this machine only (127.0.0.1); to reach it from elsewhere, put a TLS proxy (nginx...) in front.", code: 2)
        }
        let staff: StaffAccounts
        do { staff = try StaffAccounts.load(path: staffFile) } catch { throw fail(error.message(language), code: 2) }
        if staff.names.isEmpty {
            throw fail(fr ? "aucun compte du personnel dans \(staffFile) : ardoise-console add-staff NOM" : "no staff account in \(staffFile): ardoise-console add-staff NAME", code: 2)
        }
        let store: ConsoleStore
        if let database {
            let fleet: FleetStore
            do {
                let password = try passwordFile.map(FleetDatabase.password(from:))
                fleet = FleetStore(database: try FleetDatabase(address: database, password: password, caFile: caFile))
            } catch { throw fail(error.message(language), code: 2) }
            store = ConsoleStore(all: FleetJournals(fleet), kiosk: { FleetJournals(fleet, kiosk: $0) }, kiosks: {
                try await fleet.status().map { kiosk in
                    KioskSummary(name: kiosk.kiosk, events: kiosk.events, lastReceived: kiosk.lastReceived.map { Int64($0.timeIntervalSince1970 * 1_000_000) },
                                 lastEvent: kiosk.lastEvent)
                }
            }, integrity: { language in
                let checks = try await fleet.verify()
                return IntegrityReport(clear: checks.allSatisfy { $0.problem == nil },
                                       lines: checks.map { "\($0.kiosk) \($0.journal): " + FleetExport.verdict($0, language) })
            })
        } else {
            do { store = ConsoleStore.local(try AccessJournal(directory: stateDirectory)) } catch { throw fail(error.message(language), code: 1) }
        }
        var logging = Logger(label: "ardoise-console")
        logging.logLevel = .notice
        let logger = logging
        let console = ConsoleApplication(store: store, staff: staff, logger: logger)
        let app = console.application(host: host, port: port) { bound in
            logger.notice("console: listening on http://\(host.contains(":") ? "[\(host)]" : host):\(bound)")
        }
        try await app.runService()
    }
}

struct AddStaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-staff",
        abstract: "Ajoute un compte du personnel (mot de passe lu sur l'entrée). / Adds a staff account (password read from the input)."
    )
    @Argument(help: "Letters, digits, . - _") var name: String
    @Option(name: .customLong("staff-file")) var staffFile = "/etc/ardoise/console-staff"

    func run() async throws {
        let fr = language == .french
        guard StaffAccounts.validName(name) else { throw fail(fr ? "nom refusé : lettres, chiffres, . - _" : "name refused: letters, digits, . - _", code: 2) }
        let existing: StaffAccounts
        if access(staffFile, F_OK) == 0 {
            do { existing = try StaffAccounts.load(path: staffFile) } catch { throw fail(error.message(language), code: 2) }
            guard !existing.names.contains(name) else { throw fail(fr ? "\(name) existe déjà" : "\(name) exists already", code: 1) }
        }
        guard let password = readLine(strippingNewline: true), !password.isEmpty else { throw fail(fr ? "aucun mot de passe lu" : "no password read", code: 2) }
        guard (StaffAccounts.shortestPassword...StaffAccounts.longestPassword).contains(password.utf8.count) else {
            throw fail(fr ? "le mot de passe doit avoir de \(StaffAccounts.shortestPassword) à \(StaffAccounts.longestPassword) octets"
                          : "the password must be \(StaffAccounts.shortestPassword) to \(StaffAccounts.longestPassword) bytes long", code: 2)
        }
        let line = Array((StaffAccounts.line(name: name, password: password) + "\n").utf8)
        if let failure = SmallFile.write(line, to: staffFile, flags: O_CREAT | O_APPEND) {
            throw fail("\(staffFile): \(SmallFile.reason(failure.code))", code: 1)
        }
        FileHandle.standardOutput.write(Data((fr ? "compte \(name) ajouté à \(staffFile)\n" : "account \(name) added to \(staffFile)\n").utf8))
    }
}
