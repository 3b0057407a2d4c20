import ArdoiseSystem
import CLinux
import FoundationEssentials
import Glibc
import Logging

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
        do {
            try await service.run()
            return 0
        } catch {
            logger.critical("\(error)")
            StandardStreams.error("ardoise daemon: \(error)")
            return 1
        }
    }

    /// From a synchronous caller (the command line's entry point): never returns.
    public static func runToExit(configPath: String?, stateDirectory: String, socketPath: String) -> Never {
        // Before any thread starts: the signals are taken by the service's own thread, never by a handler.
        ProcessSignals.block()
        // Two malloc arenas, not eight per core: each wipe runs on a new thread, and an arena each kept what they freed.
        _ = ardoise_limit_malloc_arenas(2)
        Task.detached { exit(await run(configPath: configPath, stateDirectory: stateDirectory, socketPath: socketPath)) }
        // Not dispatchMain(): it parks this thread with every signal unblocked, and a SIGHUP would then end the process.
        while true { pause() }
    }
}
