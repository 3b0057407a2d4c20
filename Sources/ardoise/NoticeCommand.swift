import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import FoundationEssentials
import Glibc

extension Language: ExpressibleByArgument {}
extension PublicLanguage: ExpressibleByArgument {}

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
    @Option(help: "fr | en | ar | es | pt | ro | tr | uk (par défaut : la langue de la session / default: the session's language).") var language: PublicLanguage?
    @Option(help: "La session logind (par défaut XDG_SESSION_ID). / The logind session (default XDG_SESSION_ID).") var session: String?
    @Flag(help: "Écrit l'information dans le terminal. / Prints the notice in the terminal.") var text = false
    @Flag(help: "En mode texte, écrit aussi les avertissements. / In text mode, prints the warnings too.") var listen = false
    @Flag(help: "Sans l'information : seulement les avertissements et les comptes à rebours (lancé en arrière-plan en mode texte). / Without the notice: the warnings and countdowns only (started in the background in text mode).")
    var warningsOnly = false
    @Option(help: .hidden) var countdown: SessionWarning?
    @Option(help: .hidden) var seconds: Int = 60
    @Flag(help: "Ne fait rien pour un compte qui n'est pas un compte de poste public (démarrage automatique). / Does nothing for an account that is not a kiosk account (autostart).")
    var kioskOnly = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let language = self.language ?? PublicLanguage.fromEnvironment(environment)
        // The countdown window, in a process of its own (see CountdownDisplay).
        if let countdown {
            guard CountdownWindow.show(countdown, seconds: seconds, language: language) else { throw CommandFailure(message: "", code: 1) }
            return
        }
        let configuration = (try? ArdoiseConfiguration.load(path: global.configPath)) ?? ArdoiseConfiguration()
        // Started for every account by the desktop and the shell: staff and administrators are not shown the kiosk notice.
        if kioskOnly, !(Account.withID(getuid()).map { KioskPolicy(configuration.kiosk).isKiosk($0) } ?? false) { return }
        let sessionID = session ?? environment["XDG_SESSION_ID"]
        let socket = ControlChannel.path(environment)
        let presenter = NoticePresenter()
        let onDisplay = !text && (environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil)
        // The notice needs a dialog program; idleness and the countdown (GTK) do not: a desktop without one is still watched.
        let graphical = onDisplay && presenter.program != nil

        func report(_ report: NoticeReport) throws {
            guard let sessionID else { return }
            let request = ControlRequest(command: .notice, session: sessionID, language: language.language, report: report)
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
                    print(SessionNotice.pressEnter(language, acknowledge: notice.acknowledge), terminator: "")
                    if let line = readLine() {
                        let answer = line.trimming(.whitespaces).lowercased()
                        try report(SessionNotice.declineWords(language).contains(answer) ? .declined : .acknowledged)
                    }
                }
            }
        }
        guard let sessionID, onDisplay || listen else { return }
        // On a display the agent measures idleness itself (the display server counts every input) and tells the service.
        let account = Account.withID(getuid())?.name
        let limits = configuration.sessions.limits(for: account)
        var reporter: IdleReporter?
        if onDisplay, limits.idleMinutes > 0, let idleness = IdleCounters.forSession(environment, limit: limits.idleMinutes) {
            reporter = IdleReporter(idleness: idleness, limit: limits.idleMinutes, session: sessionID, socket: socket)
            reporter?.start()
        }
        let countdownDisplay = CountdownDisplay(language: language)
        defer { countdownDisplay.stop(); withExtendedLifetime(reporter) {} }
        // Then, until the session ends: the live warnings, as desktop notifications (or lines in text mode).
        let request = ControlRequest(command: .listen, session: sessionID, language: language.language)
        var refused: String?
        try? ControlChannel.listen(request, path: socket) { line in
            if line.code == 3 { refused = line.error; return }
            guard let delivery = try? JSONDecoder().decode(WarningDelivery.self, from: Data(line.output.utf8)) else { return }
            let (title, body) = delivery.warning.text(language, count: delivery.count)
            if onDisplay {
                if delivery.warning.isCountdown {
                    countdownDisplay.show(delivery.warning, seconds: delivery.count)
                } else if delivery.warning == .sessionEnding {
                    countdownDisplay.stop()
                    DesktopLogout.request()
                } else {
                    if delivery.warning == .sessionContinues || delivery.warning == .timeLimitSoon { countdownDisplay.stop() }
                    presenter.notify(title: title, body: body)
                }
            } else {
                // On a terminal, a countdown rings and stands apart from what the person is typing.
                let bell = delivery.warning.isCountdown ? "\u{07}" : ""
                StandardStreams.output("\(bell)\n*** \(title) — \(body)\n")
            }
        }
        if let refused { throw CommandFailure(message: refused, code: 3) }
    }
}

extension SessionWarning: ExpressibleByArgument {}

/// Tells the service whether anyone is at the display, from the display server's idle counter. No polling of
/// the mouse, and few looks at the counter: once the idle limit could be reached (input since moves it on), then every
/// second while nobody is there (input ends the countdown at once).
final class IdleReporter: @unchecked Sendable {
    let idleness: IdleCounter
    let limit: UInt64
    let session: String
    let socket: String

    init(idleness: IdleCounter, limit minutes: Double, session: String, socket: String) {
        self.idleness = idleness
        self.limit = UInt64(minutes * 60_000)
        self.session = session
        self.socket = socket
    }

    func start() {
        DetachedThread.start { [self] in run() }
    }

    func report(idleSince: Int64?) {
        let request = ControlRequest(command: .activity, session: session, idleSince: idleSince, inputSource: idleness.source)
        _ = try? ControlChannel.ask(request, path: socket, timeout: .seconds(5))
    }

    func run() {
        report(idleSince: nil)
        var away = false
        while true {
            guard let idle = idleness.idleMilliseconds() else { DetachedThread.sleep(seconds: 5); continue }
            if idle >= limit {
                if !away { report(idleSince: JournalClock.now() - Int64(idle) * 1000) }
                away = true
                DetachedThread.sleep(seconds: 1)
            } else {
                if away { report(idleSince: nil) }
                away = false
                DetachedThread.sleep(seconds: Double(limit - idle) / 1000)
            }
        }
    }
}

/// The countdown window, shown by a child process (`ardoise notice --countdown`), closed when someone comes back.
final class CountdownDisplay: @unchecked Sendable {
    let language: PublicLanguage
    private let lock = Lock()
    private var running: (warning: SessionWarning, process: Subprocess.Child)?

    init(language: PublicLanguage) { self.language = language }

    func show(_ warning: SessionWarning, seconds: Int) {
        lock.withLock {
            if let running, running.warning == warning, running.process.isRunning { return }
            running?.process.terminate()
            let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            if let process = Subprocess.Child(me, ["notice", "--countdown", warning.rawValue, "--seconds", "\(seconds)", "--language", language.rawValue]) {
                running = (warning, process)
            }
        }
    }

    func stop() {
        lock.withLock {
            running?.process.terminate()
            running = nil
        }
    }
}
