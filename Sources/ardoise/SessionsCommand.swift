import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import FoundationEssentials
import Glibc

/// Staff at the desk: the open sessions of this computer, ending one, giving one more time. Through the service (which
/// checks the caller: root or a member of `ardoise-admin`), every use journaled with who did it.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Les sessions ouvertes : voir, fermer, prolonger (équipe). / Open sessions: list, end, extend (staff).",
        subcommands: [List.self, End.self, Extend.self],
        defaultSubcommand: List.self
    )

    /// Which session: by its seat or its logind id.
    struct Target: ParsableArguments {
        @Option(help: "Le poste (siège logind, ex. seat0). / The seat (logind seat, e.g. seat0).") var seat: String?
        @Option(help: "L'identifiant de session logind. / The logind session id.") var session: String?

        func validate() throws {
            guard seat != nil || session != nil else { throw ValidationError("--seat S | --session ID") }
        }
    }

    static func ask(_ request: ControlRequest, _ language: Language) throws -> ControlResponse {
        do {
            let answer = try ControlChannel.ask(request, path: ControlChannel.path(ProcessInfo.processInfo.environment), timeout: .seconds(10))
            if answer.code != 0 { throw CommandFailure(message: answer.error, code: answer.code) }
            return answer
        } catch let error as ControlError {
            throw CommandFailure(message: error.message(language), code: 1)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Les sessions ouvertes. / The open sessions.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "table | json") var format: QueryFormat = .table

        func run() throws {
            let language = global.language
            let answer = try SessionsCommand.ask(ControlRequest(command: .sessions, arguments: ["list"], language: language), language)
            guard let sessions = try? JSONDecoder().decode([SessionOverview].self, from: Data(answer.output.utf8)) else {
                throw CommandFailure(message: language == .french ? "Réponse illisible du service." : "Unreadable answer from the service.", code: 1)
            }
            print(format == .table ? sessions.rendered(language) : answer.output)
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "end",
            abstract: "Ferme une session (après le compte à rebours, ou tout de suite), puis elle est effacée. / Ends a session (after the countdown, or now), then it is wiped."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: Target
        @Flag(help: "Tout de suite, sans compte à rebours. / At once, without the countdown.") var now = false

        func run() throws {
            let language = global.language
            let answer = try SessionsCommand.ask(ControlRequest(command: .sessions, session: target.session, arguments: ["end"], language: language,
                                                                seat: target.seat, now: now), language)
            print(language == .french ? (now ? "Session \(answer.output) fermée." : "Session \(answer.output) : compte à rebours lancé, puis fermeture.")
                                      : (now ? "Session \(answer.output) ended." : "Session \(answer.output): countdown started, then it ends."))
        }
    }

    struct Extend: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "extend", abstract: "Donne plus de temps. / Gives more time.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: Target
        @Option(help: "Minutes en plus (1 à 600). / Extra minutes (1 to 600).") var minutes: Double

        func run() throws {
            let language = global.language
            let answer = try SessionsCommand.ask(ControlRequest(command: .sessions, session: target.session, arguments: ["extend"], language: language,
                                                                seat: target.seat, minutes: minutes), language)
            print(language == .french ? "Session \(answer.output) : \(Int(minutes)) minute(s) de plus." : "Session \(answer.output): \(Int(minutes)) more minute(s).")
        }
    }
}
