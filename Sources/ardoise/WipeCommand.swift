import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import Glibc

struct WipeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wipe",
        abstract: "Efface toutes les traces de session d'un dossier personnel. / Erases every session trace from a home.",
        discussion: """
        Codes de sortie / exit codes: 0 plus rien ne reste / nothing left; 1 quelque chose n'a pas pu être effacé / \
        something could not be erased; 2 mauvaise saisie / bad input; 3 permission refusée / permission denied.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Le compte à effacer. / The account to wipe.")
    var user: String?

    @Option(help: "Le dossier personnel à effacer. / The home folder to wipe.")
    var home: String?

    @Flag(help: "Montre ce qui serait effacé, sans rien toucher. / Shows what would be erased, touching nothing.")
    var dryRun = false

    @Option(help: "table | json")
    var format: ReportFormat = .table

    func validate() throws {
        guard (user == nil) != (home == nil) else {
            throw ValidationError("Donnez --user NOM ou --home DOSSIER (un seul). / Give --user NAME or --home DIR (one of them).")
        }
    }

    func run() throws {
        let language = global.language
        let configuration = try global.configuration()
        let caller = geteuid()
        let target = user.map { WipeTarget.forUser($0, callerUID: caller) } ?? WipeTarget.forHome(home!, callerUID: caller)
        let resolved: (home: String, owner: UInt32)
        switch target {
        case .success(let found): resolved = found
        case .failure(let refusal): throw CommandFailure(message: refusal.message(language), code: refusal.exitCode)
        }
        // A manual wipe is journaled (trigger, who ran it); a journal that cannot be written does not stop the wipe.
        let journal = dryRun ? nil : try? AccessJournal(directory: global.stateDirectoryPath, mirror: SystemJournalMirror())
        if !dryRun && journal == nil {
            printError(language == .french ? "Attention : cet effacement ne sera pas inscrit au journal (\(global.stateDirectoryPath) inaccessible)."
                                           : "Warning: this wipe will not be written to the journal (\(global.stateDirectoryPath) not reachable).")
        }
        let wipe = RecordedWipe(home: resolved.home, owner: resolved.owner, account: Account.withID(resolved.owner)?.name, settings: configuration.wipe,
                                stateDirectory: global.stateDirectoryPath, trigger: "manual", actor: Actor.current())
        let report: WipeReport
        switch wipe.run(dryRun: dryRun, journal: journal, onJournalError: { printError($0.message(language)) }) {
        case .success(let done): report = done
        case .failure(let error): throw CommandFailure(message: error.message(language), code: error.code == "home-unreachable" ? 2 : 1)
        }
        print(report.rendered(format, language: language))
        if !report.isClean { throw CommandFailure(message: "", code: 1) }
    }
}
