import CLinux
import FoundationEssentials
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
        let started = spawn(executable, arguments, environment: environment, input: nil, output: output[1], errorFile: errorFile, closing: output[0])
        close(output[1])
        guard case .success(let pid) = started else {
            close(output[0])
            if case .failure(let why) = started { return Outcome(code: 127, output: "", error: "cannot run \(executable): \(why)") }
            return Outcome(code: 127, output: "", error: "cannot run \(executable)")
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
        let code = wait(pid)
        let errors = errorFile.flatMap { FileManager.default.contents(atPath: $0) } ?? Data()
        return Outcome(code: code, output: String(decoding: data, as: UTF8.self), error: String(decoding: errors, as: UTF8.self))
    }

    public struct SpawnFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts a program: standard input from `input` (or /dev/null), output to `output` (or /dev/null), errors to
    /// `errorFile` (or /dev/null); `closing` is closed in the child.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]?, input: Int32?, output: Int32?,
                      errorFile: String?, closing: Int32? = nil) -> Result<pid_t, SpawnFailure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input { posix_spawn_file_actions_adddup2(&actions, input, 0) } else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        if let output { posix_spawn_file_actions_adddup2(&actions, output, 1) } else { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        posix_spawn_file_actions_addopen(&actions, 2, errorFile ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        for descriptor in [closing, input, output].compactMap({ $0 }) where descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // The child starts with no signal blocked and SIGPIPE as it should be: the service blocks the signals it waits
        // for, and ignores SIGPIPE, and both would otherwise pass to every program it runs.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = executable.contains("/") ? posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
                                               : posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        return spawned == 0 ? .success(pid) : .failure(SpawnFailure(description: String(cString: strerror(spawned))))
    }

    /// Waits for a child: its exit code, or 128 + the signal that killed it.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// A program left running beside this one (a window): it can be written to, asked whether it still runs, stopped.
    public final class Child: @unchecked Sendable {
        public let pid: pid_t
        private var input: Int32?
        private var exited = false

        /// Starts `executable`; with `input`, its standard input is a pipe written by `write`.
        public init?(_ executable: String, _ arguments: [String], input: Bool = false) {
            var pipeEnds: [Int32] = [-1, -1]
            if input { guard ardoise_pipe2(&pipeEnds, O_CLOEXEC) == 0 else { return nil } }
            guard case .success(let pid) = Subprocess.spawn(executable, arguments, environment: nil, input: input ? pipeEnds[0] : nil,
                                                            output: nil, errorFile: nil, closing: input ? pipeEnds[1] : nil) else {
                if input { close(pipeEnds[0]); close(pipeEnds[1]) }
                return nil
            }
            self.pid = pid
            if input {
                close(pipeEnds[0])
                self.input = pipeEnds[1]
            }
        }

        deinit { if let input { close(input) } }

        /// False once it has ended (and then it is reaped).
        public var isRunning: Bool {
            guard !exited else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { exited = true }
            return !exited
        }

        /// Writes to its standard input; a child gone away loses the text.
        public func write(_ text: String) {
            if let input { StandardStreams.write(text, to: input) }
        }

        /// Closes its standard input (the end of what it reads).
        public func closeInput() {
            if let input { close(input) }
            input = nil
        }

        public func terminate() { if isRunning { kill(pid, SIGTERM) } }

        /// Waits for its end: its exit code.
        @discardableResult
        public func waitUntilExit() -> Int32 {
            guard !exited else { return 0 }
            exited = true
            return Subprocess.wait(pid)
        }
    }

    /// The first of `names` found on `PATH`.
    public static func firstAvailable(_ names: [String], path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let folders = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        return names.first { name in folders.contains { access("\($0)/\(name)", X_OK) == 0 } }
    }
}
