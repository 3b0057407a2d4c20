import ArdoiseCore
import ArdoiseSystem
import Foundation
import Glibc

/// `ardoise journal ...` for the members of `ardoise-admin`, who have no sudo: the daemon runs the same command as root,
/// on behalf of the peer the kernel names, and hands back its output and files (the client writes them as itself).
public struct JournalRelay: Sendable {
    public static let allowedCommands: Set<String> = ["list", "stats", "export", "verify"]
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
        return (me as NSString).deletingLastPathComponent + "/ardoise"
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
        var full = ["journal"] + arguments + ["--state-dir", stateDirectory]
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
            output = output.replacingOccurrences(of: scratch + "/" + option, with: path)
            error = error.replacingOccurrences(of: scratch + "/" + option, with: path)
        }
        return ControlResponse(code: code, output: output, error: error, files: files)
    }

    /// Runs the command with `posix_spawn` (Foundation's `Process` needs a run loop that a sandboxed service may not get);
    /// its error output goes to a file so that neither pipe can fill while the other is read.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], errorFile: String) async -> (Int32, String, String) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: spawnAndWait(executable, arguments, environment: environment, errorFile: errorFile))
            }
        }
    }

    static func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String], errorFile: String) -> (Int32, String, String) {
        var output: [Int32] = [-1, -1]
        guard pipe(&output) == 0 else { return (1, "", "pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addclose(&actions, output[0])
        posix_spawn_file_actions_addclose(&actions, output[1])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(output[1])
        guard spawned == 0 else {
            close(output[0])
            return (1, "", "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(output[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        close(output[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Exited: its code; killed by a signal: a failure.
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 1
        let errors = FileManager.default.contents(atPath: errorFile) ?? Data()
        return (code, String(decoding: data, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}
