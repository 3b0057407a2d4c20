import ArdoiseDaemon
import ArdoiseSystem
import Foundation
import Logging
import ServiceLifecycle

// ardoised [--config FILE] [--state-dir DIR] [--socket PATH]: the daemon systemd runs (Type=notify).
StandardStreams.secure()
var options: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    guard ["--config", "--state-dir", "--socket"].contains(argument), let value = arguments.popFirst() else {
        FileHandle.standardError.write(Data("usage: ardoised [--config FILE] [--state-dir DIR] [--socket PATH]\n".utf8))
        exit(2)
    }
    options[argument] = value
}

LoggingSystem.bootstrap { label in
    // Under systemd the journal gets structured fields; by hand, plain lines on the terminal.
    ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil || ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil
        ? JournaldLogHandler(label: label) as LogHandler : StreamLogHandler.standardError(label: label)
}
let logger = Logger(label: "ardoised")
let service = ArdoiseService(configPath: options["--config"], stateDirectory: options["--state-dir"] ?? "/var/lib/ardoise",
                             socketPath: options["--socket"] ?? ControlChannel.defaultPath, logger: logger)
let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
do {
    try await group.run()
} catch {
    logger.critical("\(error)")
    FileHandle.standardError.write(Data("ardoised: \(error)\n".utf8))
    exit(1)
}
