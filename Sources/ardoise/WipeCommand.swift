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

    @Flag(help: "Arrête d'abord les programmes encore ouverts de ce compte (sinon l'effacement est refusé). / Stops the account's programs still running first (else the wipe is refused).")
    var stopPrograms = false

    func validate() throws {
        guard (user == nil) != (home == nil) else {
            throw ValidationError("Donnez --user NOM ou --home DOSSIER (un seul). / Give --user NAME or --home DIR (one of them).")
        }
    }

    func run() throws {
        let language = global.language
        let configuration = try global.configuration()
        let caller = geteuid()
        let policy = KioskPolicy(configuration.kiosk)
        let named = user.flatMap(Account.named)
        // A system account is never wiped by name unless the configuration names it a kiosk account.
        if let named, named.uid != 0, !policy.isKiosk(named) {
            let first = Account.firstUserID()
            if named.uid < first {
                let refusal = WipeTarget.Refusal.belowFirstUserID(named.name, uid: named.uid, first: first)
                throw CommandFailure(message: refusal.message(language), code: refusal.exitCode)
            }
        }
        let target = user.map { WipeTarget.forUser($0, callerUID: caller) } ?? WipeTarget.forHome(home!, callerUID: caller)
        let resolved: (home: String, owner: UInt32)
        switch target {
        case .success(let found): resolved = found
        case .failure(let refusal): throw CommandFailure(message: refusal.message(language), code: refusal.exitCode)
        }
        let fr = language == .french
        let account = named ?? Account.withID(resolved.owner)
        let isKiosk = account.map(policy.isKiosk) ?? false
        if !dryRun && caller == 0 {
            // A program still open would write its state back into the wiped home (a browser's tabs, for the next person).
            let running = UserProcesses.pids(of: resolved.owner, includingServiceManager: true)
            if !running.isEmpty && !stopPrograms {
                let shown = running.prefix(10).map(UserProcesses.describe).joined(separator: ", ") + (running.count > 10 ? ", …" : "")
                throw CommandFailure(message: fr ? "Des programmes de ce compte sont encore ouverts (\(shown)) : ils réécriraient leurs données après l'effacement. "
                                                   + "Fermez la session, ou relancez avec --stop-programs pour les arrêter d'abord."
                                                 : "Programs of this account are still running (\(shown)): they would write their data back after the wipe. "
                                                   + "Close the session, or run again with --stop-programs to stop them first.", code: 1)
            }
            if !running.isEmpty {
                let stopped = UserProcesses().stopAllBlocking(uid: resolved.owner, grace: .zero)
                printError(fr ? "\(stopped) programme(s) de ce compte arrêté(s) avant l'effacement." : "\(stopped) program(s) of this account stopped before the wipe.")
            }
        }
        // A manual wipe is journaled (trigger, who ran it); a journal that cannot be written does not stop the wipe,
        // but its events wait in the spool and the exit code says so.
        let recorder = dryRun ? nil : JournalRecorder(directory: global.stateDirectoryPath, mirror: SystemJournalMirror(),
                                                      onNotice: { printError($0.message(language)) })
        var wipe = RecordedWipe(home: resolved.home, owner: resolved.owner, account: account?.name, settings: configuration.wipe,
                                stateDirectory: global.stateDirectoryPath, trigger: "manual", actor: Actor.current())
        wipe.addSystemSteps()
        // A kiosk account is always reset to a reference: the first wipe by name takes one.
        wipe.captureIfMissing = isKiosk && user != nil && caller == 0
        let report: WipeReport
        let onCapture: (Result<BaselineStore.CaptureReport, BaselineError>) -> Void = { captured in
            switch captured {
            case .success(let capture):
                printError(BaselineCommand.captureSummary(capture, account: account?.name ?? "", automatic: true, language))
            case .failure(let error):
                printError((fr ? "Aucune référence n'a pu être enregistrée : " : "No baseline could be captured: ") + error.message(language))
            }
        }
        switch wipe.run(dryRun: dryRun, recorder: recorder, onCapture: onCapture) {
        case .success(let done): report = done
        case .failure(let error): throw CommandFailure(message: error.message(language), code: error.code == "home-unreachable" ? 2 : 1)
        }
        print(report.rendered(format, language: language))
        // A dry run claims nothing: it says what would go.
        if !dryRun && !report.isClean { throw CommandFailure(message: "", code: 1) }
        if let recorder, !recorder.allWritten { throw CommandFailure(message: recorder.summary(language), code: 1) }
    }
}
