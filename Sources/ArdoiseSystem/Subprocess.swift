import Foundation
import Glibc

/// Runs a program and waits for it, with `posix_spawn` (Foundation's `Process` needs a run loop that a sandboxed
/// service may not get). Its error output goes to a file (or nowhere) so that no pipe can fill while the other is read.
public enum Subprocess {
    public struct Outcome: Sendable, Equatable {
        /// The exit code; 128 + the signal when it was killed; 127 when it could not start.
        public var code: Int32
        public var output: String
        public var error: String
    }

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, errorFile: String? = nil) -> Outcome {
        var output: [Int32] = [-1, -1]
        guard pipe(&output) == 0 else { return Outcome(code: 127, output: "", error: "pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addclose(&actions, output[0])
        posix_spawn_file_actions_addclose(&actions, output[1])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = executable.contains("/") ? posix_spawn(&pid, executable, &actions, nil, argv, envp)
                                               : posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        close(output[1])
        guard spawned == 0 else {
            close(output[0])
            return Outcome(code: 127, output: "", error: "cannot run \(executable): \(String(cString: strerror(spawned)))")
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
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let errors = errorFile.flatMap { FileManager.default.contents(atPath: $0) } ?? Data()
        return Outcome(code: code, output: String(decoding: data, as: UTF8.self), error: String(decoding: errors, as: UTF8.self))
    }

    /// The first of `names` found on `PATH`.
    public static func firstAvailable(_ names: [String], path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let folders = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        return names.first { name in folders.contains { access("\($0)/\(name)", X_OK) == 0 } }
    }
}
