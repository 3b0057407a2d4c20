import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import FoundationEssentials
import Glibc

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "Configuration file (default: /etc/ardoise/ardoise.toml).")
    var configPath: String?

    @Option(name: .customLong("state-dir"), help: "State folder (default: /var/lib/ardoise).")
    var stateDirectory: String?

    static let names = ["--config", "--state-dir"]

    /// `ardoise --config F wipe ...` is read as `ardoise wipe ... --config F`: the options every command takes may come first,
    /// whatever the depth of the subcommand they belong to.
    static func movedAfterSubcommand(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if names.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if names.contains(where: { argument.hasPrefix($0 + "=") }) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        return Array(arguments[index...]) + leading
    }

    var language: Language { Language.fromEnvironment(ProcessInfo.processInfo.environment) }

    func configuration() throws -> ArdoiseConfiguration {
        do {
            let configuration = try ArdoiseConfiguration.load(path: configPath)
            for warning in configuration.warnings { StandardStreams.error(warning.message(language)) }
            return configuration
        } catch {
            throw CommandFailure(message: error.message(language), code: 2)
        }
    }
}

/// An outcome a command reports with its own exit code (1 failed, 2 bad input, 3 permission denied).
struct CommandFailure: Error {
    var message: String
    var code: Int32
}

extension ReportFormat: ExpressibleByArgument {}

