import ArdoiseCore
import ArgumentParser
import Foundation
import Glibc

@main
struct Ardoise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ardoise",
        abstract: "Efface les traces des sessions d'un poste public. / Erases what sessions leave on a public computer.",
        subcommands: [WipeCommand.self, JournalCommand.self, BaselineCommand.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot(GlobalOptions.movedAfterSubcommand(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty { FileHandle.standardError.write(Data((failure.message + "\n").utf8)) }
            Glibc.exit(failure.code)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

