import ArdoiseDaemon
import ArdoiseSystem
import ArgumentParser

/// `ardoise daemon` (also run as `ardoised`, a link to this program): the service systemd starts.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Le service lui-même (systemd le lance). / The service itself (systemd starts it)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Le point de contrôle. / The control socket.") var socket = ControlChannel.defaultPath

    func run() throws {
        DaemonProgram.runToExit(configPath: global.configPath, stateDirectory: global.stateDirectoryPath, socketPath: socket)
    }
}
