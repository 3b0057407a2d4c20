import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import CGlobalExecutor
import FoundationEssentials
import Glibc

@main
struct Ardoise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ardoise",
        abstract: "Efface les traces des sessions d'un poste public. / Erases what sessions leave on a public computer.",
        version: ArdoiseVersion.current,
        subcommands: [WipeCommand.self, JournalCommand.self, BaselineCommand.self, SessionEndCommand.self, SessionsCommand.self, CheckCommand.self, PoliciesCommand.self, FleetCommand.self, NoticeCommand.self, DaemonCommand.self, PurgePrintJobsCommand.self]
    )

    static func main() {
        ardoise_global_executor_install()
        StandardStreams.secure()
        do {
            var given = Array(CommandLine.arguments.dropFirst())
            // Called as `ardoised` (the link the service used to start): the daemon.
            if (CommandLine.arguments.first.map { $0.lastPathComponent } ?? "") == "ardoised" { given.insert("daemon", at: 0) }
            let arguments = GlobalOptions.movedAfterSubcommand(given)
            var command = try parseAsRoot(arguments)
            // Without root, an administrator's journal query goes through the service, which checks the group.
            if command is RelayedJournalCommand && geteuid() != 0 {
                let environment = ProcessInfo.processInfo.environment
                try JournalRelayClient.run(arguments, language: Language.fromEnvironment(environment), socketPath: ControlChannel.path(environment))
                return
            }
            try command.run()
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty { StandardStreams.error(failure.message) }
            Glibc.exit(failure.code)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                StandardStreams.error(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

