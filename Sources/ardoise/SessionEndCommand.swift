import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import Dispatch
import FoundationEssentials
import Glibc

/// For `pam_exec` (close_session) and LightDM's `session-cleanup-script`: the session is over, wipe now, wait, exit with the outcome.
struct SessionEndCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session-end",
        abstract: "Fin de session : efface maintenant et attend. / Session end: wipes now and waits.",
        discussion: """
        Sans --user, le compte est lu dans PAM_USER (pam_exec) ou USER (LightDM). / Without --user, the account comes from PAM_USER or USER.
        Codes de sortie / exit codes: 0 effacé ou rien à faire / wiped or nothing to do; 1 effacement incomplet / incomplete wipe; \
        2 mauvaise saisie / bad input; 3 réservé à root / root only.
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Le compte dont la session se termine. / The account whose session ends.") var user: String?
    @Option(help: "L'identifiant de session logind. / The logind session id.") var session: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let language = global.language
        let fr = language == .french
        // pam_exec without type= runs at every PAM step: only the end of a session concerns us.
        if let step = environment["PAM_TYPE"], step != "close_session" { return }
        guard geteuid() == 0 else {
            throw CommandFailure(message: fr ? "Seul root peut demander l'effacement d'une session." : "Only root may ask for a session to be wiped.", code: 3)
        }
        guard let name = user ?? environment["PAM_USER"] ?? environment["USER"].flatMap({ $0 == "root" ? nil : $0 }) else {
            throw CommandFailure(message: fr ? "Donnez --user NOM (ou PAM_USER)." : "Give --user NAME (or PAM_USER).", code: 2)
        }
        let sessionID = session ?? environment["XDG_SESSION_ID"]
        let configuration = try global.configuration()
        let request = ControlRequest(command: .sessionEnd, user: name, session: sessionID, language: language)
        do {
            let answer = try ControlChannel.ask(request, path: ControlChannel.path(ProcessInfo.processInfo.environment), timeout: .seconds(configuration.kiosk.hookTimeoutSeconds))
            if !answer.output.isEmpty { print(answer.output) }
            if answer.code != 0 { throw CommandFailure(message: answer.error, code: answer.code) }
        } catch let error as ControlError {
            guard case .notRunning = error else { throw CommandFailure(message: error.message(language), code: 1) }
            try wipeWithoutService(name, session: sessionID, configuration: configuration, language: language)
        }
    }

    /// The service is down: stop what the account left running, wipe, journal, here and now.
    func wipeWithoutService(_ name: String, session: String?, configuration: ArdoiseConfiguration, language: Language) throws {
        let fr = language == .french
        guard let account = Account.named(name) else {
            throw CommandFailure(message: fr ? "Le compte « \(name) » n'existe pas." : "There is no account \"\(name)\".", code: 2)
        }
        guard KioskPolicy(configuration.kiosk).isKiosk(account) else {
            print(fr ? "« \(name) » n'est pas un compte de poste public : rien à effacer." : "\"\(name)\" is not a kiosk account: nothing to wipe.")
            return
        }
        printError(fr ? "Le service ardoise ne répond pas : effacement fait directement." : "The ardoise service does not answer: wiping directly.")
        let grace = Duration.milliseconds(Int64(configuration.kiosk.logoutGraceSeconds * 1000))
        let stopper = UserProcesses()
        let finished = DispatchSemaphore(value: 0)
        Task { _ = await stopper.stopAll(uid: account.uid, grace: grace); finished.signal() }
        finished.wait()
        let recorder = JournalRecorder(directory: global.stateDirectoryPath, mirror: SystemJournalMirror(), onNotice: { printError($0.message(language)) })
        var wipe = RecordedWipe(account: account, settings: configuration.wipe, stateDirectory: global.stateDirectoryPath,
                                trigger: "hook-without-service", session: session)
        wipe.addSystemSteps()
        switch wipe.run(recorder: recorder) {
        case .success(let report):
            print(report.isClean ? "ok" : "left-overs")
            if !report.isClean { throw CommandFailure(message: report.rendered(.table, language: language), code: 1) }
            if !recorder.allWritten { throw CommandFailure(message: recorder.summary(language), code: 1) }
        case .failure(let error):
            throw CommandFailure(message: error.message(language), code: 1)
        }
    }
}
