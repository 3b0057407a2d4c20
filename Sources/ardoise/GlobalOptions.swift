import ArdoiseCore
import ArgumentParser
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "Configuration file (default: /etc/ardoise/ardoise.toml).")
    var configPath: String?

    @Option(name: .customLong("state-dir"), help: "State folder (default: /var/lib/ardoise).")
    var stateDirectory: String?

    var language: Language { Language.fromEnvironment(ProcessInfo.processInfo.environment) }

    func configuration() throws -> ArdoiseConfiguration {
        do {
            return try ArdoiseConfiguration.load(path: configPath)
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

