import ArdoiseSystem
import Dispatch
import FoundationEssentials
import Glibc
import Logging
import ServiceLifecycle
import UnixSignals

/// The service systemd runs (`ardoise daemon`, Type=notify): logs to the system journal under systemd, to the terminal by hand.
public enum DaemonProgram {
    public static func run(configPath: String?, stateDirectory: String, socketPath: String) async -> Int32 {
        LoggingSystem.bootstrap { label in
            let environment = ProcessInfo.processInfo.environment
            return environment["JOURNAL_STREAM"] != nil || environment["NOTIFY_SOCKET"] != nil
                ? JournaldLogHandler(label: label) as LogHandler : StreamLogHandler.standardError(label: label)
        }
        let logger = Logger(label: "ardoised")
        let service = ArdoiseService(configPath: configPath, stateDirectory: stateDirectory, socketPath: socketPath, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
            return 0
        } catch {
            logger.critical("\(error)")
            StandardStreams.error("ardoise daemon: \(error)")
            return 1
        }
    }

    /// From a synchronous caller (the command line's entry point): never returns.
    public static func runToExit(configPath: String?, stateDirectory: String, socketPath: String) -> Never {
        Task.detached { exit(await run(configPath: configPath, stateDirectory: stateDirectory, socketPath: socketPath)) }
        dispatchMain()
    }
}
