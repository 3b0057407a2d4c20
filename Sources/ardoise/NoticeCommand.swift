import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import Foundation
import Glibc

extension Language: ExpressibleByArgument {}

/// The per-user agent: shows the notice at the start of the session, tells the service, then shows its live warnings.
struct NoticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice",
        abstract: "L'information de début de session. / The session-start notice.",
        discussion: """
        Lancé au début de chaque session (entrée de démarrage automatique du bureau, ou /etc/profile.d en mode texte).
        Started at the start of every session (desktop autostart entry, or /etc/profile.d for text sessions).
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "fr | en (par défaut : la langue de la session / default: the session's language).") var language: Language?
    @Option(help: "La session logind (par défaut XDG_SESSION_ID). / The logind session (default XDG_SESSION_ID).") var session: String?
    @Flag(help: "Écrit l'information dans le terminal. / Prints the notice in the terminal.") var text = false
    @Flag(help: "En mode texte, écrit aussi les avertissements. / In text mode, prints the warnings too.") var listen = false
    @Flag(help: "Sans l'information : seulement les avertissements et les comptes à rebours (lancé en arrière-plan en mode texte). / Without the notice: the warnings and countdowns only (started in the background in text mode).")
    var warningsOnly = false
    @Flag(help: "Ne fait rien pour un compte qui n'est pas un compte de poste public (démarrage automatique). / Does nothing for an account that is not a kiosk account (autostart).")
    var kioskOnly = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let language = self.language ?? Language.fromEnvironment(environment)
        let fr = language == .french
        let configuration = (try? ArdoiseConfiguration.load(path: global.configPath)) ?? ArdoiseConfiguration()
        // Started for every account by the desktop and the shell: staff and administrators are not shown the kiosk notice.
        if kioskOnly, !(Account.withID(getuid()).map { KioskPolicy(configuration.kiosk).isKiosk($0) } ?? false) { return }
        let sessionID = session ?? environment["XDG_SESSION_ID"]
        let socket = ControlChannel.path(environment)
        let presenter = NoticePresenter()
        let graphical = !text && (environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil) && presenter.program != nil

        func report(_ report: NoticeReport) throws {
            guard let sessionID else { return }
            let request = ControlRequest(command: .notice, session: sessionID, language: language, report: report)
            guard let answer = try? ControlChannel.ask(request, path: socket, timeout: .seconds(10)) else { return }
            if answer.code == 3 { throw CommandFailure(message: answer.error, code: 3) }
        }

        if configuration.notice.enabled && !warningsOnly {
            let notice = SessionNotice.text(language, settings: configuration.notice, retentionDays: configuration.journal.retentionDays)
            let ask = configuration.notice.requireAcknowledgement
            if graphical {
                try report(.shown)
                switch presenter.show(notice, ask: ask) {
                case .acknowledged: if ask { try report(.acknowledged) }
                case .declined: try report(.declined)
                case .shownOnly, .nothingToShowWith: break
                }
            } else {
                print("\n" + notice.title + "\n" + String(repeating: "=", count: notice.title.count) + "\n" + notice.body + "\n")
                try report(.shown)
                if ask {
                    print(fr ? "Appuyez sur Entrée pour « \(notice.acknowledge) », ou tapez « non » pour refuser : "
                             : "Press Enter for \"\(notice.acknowledge)\", or type \"no\" to decline: ", terminator: "")
                    if let line = readLine() {
                        try report(["non", "no", "n"].contains(line.trimmingCharacters(in: .whitespaces).lowercased()) ? .declined : .acknowledged)
                    }
                }
            }
        }
        guard let sessionID, graphical || listen else { return }
        // Then, until the session ends: the live warnings, as desktop notifications (or lines in text mode).
        let request = ControlRequest(command: .listen, session: sessionID, language: language)
        var refused: String?
        try? ControlChannel.listen(request, path: socket) { line in
            if line.code == 3 { refused = line.error; return }
            guard let delivery = try? JSONDecoder().decode(WarningDelivery.self, from: Data(line.output.utf8)) else { return }
            let (title, body) = delivery.warning.text(language, count: delivery.count)
            if graphical {
                presenter.notify(title: title, body: body)
            } else {
                // On a terminal, a countdown rings and stands apart from what the person is typing.
                let bell = delivery.warning.isCountdown ? "\u{07}" : ""
                FileHandle.standardOutput.write(Data("\(bell)\n*** \(title) — \(body)\n".utf8))
            }
        }
        if let refused { throw CommandFailure(message: refused, code: 3) }
    }
}
