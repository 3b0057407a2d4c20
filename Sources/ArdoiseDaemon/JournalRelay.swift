import ArdoiseCore
import ArdoiseSystem
import FoundationEssentials
import Glibc

/// `ardoise journal ...` for the members of `ardoise-admin`, who have no sudo: the daemon runs the same command as root,
/// on behalf of the peer the kernel names, and hands back its output and files (the client writes them as itself).
public struct JournalRelay: Sendable {
    public static let allowedCommands: Set<String> = ["list", "stats", "export", "verify", "check"]
    static let refusedOptions = ["--config", "--state-dir"] + ControlRequest.journalFileOptions.map { "--" + $0 }

    public var executable: String
    public var configPath: String?
    public var stateDirectory: String
    public var scratchDirectory: String

    public init(executable: String, configPath: String?, stateDirectory: String, scratchDirectory: String) {
        self.executable = executable
        self.configPath = configPath
        self.stateDirectory = stateDirectory
        self.scratchDirectory = scratchDirectory
    }

    /// The `ardoise` command beside the running daemon.
    public static func siblingExecutable() -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/usr/local/bin/ardoised"
        return me.deletingLastPathComponent + "/ardoise"
    }

    public static func mayRead(_ peer: ControlPeer) -> Bool {
        peer.uid == 0 || peer.isMember(of: Account.groupID(named: KioskPolicy.adminGroup))
    }

    public func answer(_ request: ControlRequest, peer: ControlPeer) async -> ControlResponse {
        let language = request.language ?? .french
        let fr = language == .french
        guard Self.mayRead(peer), let actor = Account.withID(peer.uid) else {
            return ControlResponse(code: 3, error: fr ? "Seuls les membres du groupe « \(KioskPolicy.adminGroup) » peuvent lire le journal des accès."
                                                      : "Only members of the \"\(KioskPolicy.adminGroup)\" group may read the access journal.")
        }
        let arguments = request.arguments ?? []
        guard let command = arguments.first, Self.allowedCommands.contains(command),
              !arguments.contains(where: { argument in Self.refusedOptions.contains { argument == $0 || argument.hasPrefix($0 + "=") } }),
              Set((request.inputs ?? [:]).keys).union((request.outputs ?? [:]).keys).isSubset(of: ControlRequest.journalFileOptions) else {
            return ControlResponse(code: 2, error: fr ? "Demande refusée : commande ou option non permise." : "Request refused: command or option not allowed.")
        }
        let scratch = scratchDirectory + "/relay-" + UUID().uuidString
        guard mkdir(scratch, 0o700) == 0 else {
            return ControlResponse(code: 1, error: fr ? "Dossier de travail impossible à créer." : "Cannot create the scratch folder.")
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var full = (command == "check" ? [] : ["journal"]) + arguments + ["--state-dir", stateDirectory]
        if let configPath { full += ["--config", configPath] }
        for (option, data) in request.inputs ?? [:] {
            let path = scratch + "/" + option
            guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                return ControlResponse(code: 1, error: "scratch")
            }
            full += ["--" + option, path]
        }
        for option in (request.outputs ?? [:]).keys { full += ["--" + option, scratch + "/" + option] }
        let environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": fr ? "fr_FR.UTF-8" : "en_GB.UTF-8", "SUDO_USER": actor.name]
        var (code, output, error) = await Self.run(executable, full, environment: environment, errorFile: scratch + "/.stderr")
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? [] where (request.outputs ?? [:]).keys.contains(where: name.hasPrefix) {
            files[name] = FileManager.default.contents(atPath: scratch + "/" + name)
        }
        // Messages name the client's own paths, not the daemon's scratch folder.
        for (option, path) in request.outputs ?? [:] {
            output = output.replacing(scratch + "/" + option, with: path)
            error = error.replacing(scratch + "/" + option, with: path)
        }
        return ControlResponse(code: code, output: output, error: error, files: files)
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String], errorFile: String) async -> (Int32, String, String) {
        await DetachedThread.run(name: "journal relay") {
            let outcome = Subprocess.run(executable, arguments, environment: environment, errorFile: errorFile)
            return (outcome.code, outcome.output, outcome.error)
        }
    }
}
