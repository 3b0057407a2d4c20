import ArdoiseCore
import CLinux
import FoundationEssentials
import Glibc

/// What a client asks the daemon over `/run/ardoise/control.sock`: one JSON line, one JSON line back.
public struct ControlRequest: Codable, Sendable, Equatable {
    public enum Command: String, Codable, Sendable {
        /// The session-end hook: wipe this account now and answer when done (root only).
        case sessionEnd = "session-end"
        /// `ardoise journal ...` for a member of `ardoise-admin`.
        case journal
        /// The session's agent: the notice was shown, acknowledged or declined (its own session only).
        case notice
        /// The session's agent listens for live warnings until the session ends.
        case listen
        /// `ardoise sessions ...` (root and members of `ardoise-admin`): `list`, `end`, `extend` in `arguments[0]`.
        case sessions
        /// The session's agent says whether anyone is there (its own session only): `idleSince` (nil: in use), `inputSource`.
        case activity
    }

    public var command: Command
    public var user: String?
    public var session: String?
    /// For `journal`: the subcommand and its options, file options left out.
    public var arguments: [String]?
    /// For `journal`: the files the client reads for the daemon (`--verification-key`), by option.
    public var inputs: [String: Data]?
    /// For `journal`: the options whose file the client writes itself (`--out`, `--svg`), with the client's path, shown in messages only.
    public var outputs: [String: String]?
    public var language: Language?
    public var report: NoticeReport?
    /// For `sessions`: the seat named, the minutes given, whether to end at once.
    public var seat: String?
    public var minutes: Double?
    public var now: Bool?
    /// For `activity`: since when nobody has touched the computer (UTC microseconds; nil: someone is there), and how it knows.
    public var idleSince: Int64?
    public var inputSource: String?

    /// The journal options naming a file: the client reads or writes it as itself; the daemon never opens the path.
    public static let journalFileOptions: Set<String> = ["out", "svg", "verification-key"]

    public init(command: Command, user: String? = nil, session: String? = nil, arguments: [String]? = nil,
                inputs: [String: Data]? = nil, outputs: [String: String]? = nil, language: Language? = nil, report: NoticeReport? = nil,
                seat: String? = nil, minutes: Double? = nil, now: Bool? = nil, idleSince: Int64? = nil, inputSource: String? = nil) {
        self.command = command
        self.user = user
        self.session = session
        self.arguments = arguments
        self.inputs = inputs
        self.outputs = outputs
        self.language = language
        self.report = report
        self.seat = seat
        self.minutes = minutes
        self.now = now
        self.idleSince = idleSince
        self.inputSource = inputSource
    }
}

public struct ControlResponse: Codable, Sendable, Equatable {
    /// The exit code the client ends with (0 ok, 1 failed, 2 bad input, 3 refused).
    public var code: Int32
    public var output: String
    public var error: String
    /// For `journal`: the files written, named after their option (`out`, `out.verification.txt`).
    public var files: [String: Data]

    public init(code: Int32, output: String = "", error: String = "", files: [String: Data] = [:]) {
        self.code = code
        self.output = output
        self.error = error
        self.files = files
    }
}

/// Who is on the other end of the socket, as the kernel says (`SO_PEERCRED`, `SO_PEERGROUPS`), never as the client claims.
public struct ControlPeer: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32]) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    public func isMember(of group: UInt32?) -> Bool {
        guard let group else { return false }
        return gid == group || groups.contains(group)
    }

    static func of(socket fd: Int32) -> ControlPeer? {
        var credentials = ardoise_peer()
        guard ardoise_peer_credentials(fd, &credentials) == 0 else { return nil }
        var groups = [gid_t](repeating: 0, count: 256)
        var size = socklen_t(groups.count * MemoryLayout<gid_t>.size)
        let SO_PEERGROUPS: Int32 = 59
        if getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, &groups, &size) != 0 { size = 0 }
        return ControlPeer(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid,
                           groups: Array(groups.prefix(Int(size) / MemoryLayout<gid_t>.size)))
    }
}

public enum ControlChannel {
    public static let defaultPath = "/run/ardoise/control.sock"

    /// `ARDOISE_SOCKET` (tests, demonstrations) or the default.
    public static func path(_ environment: [String: String]) -> String { environment["ARDOISE_SOCKET"] ?? defaultPath }
    static let maximumLine = 4 << 20

    /// Sends one request and waits up to `timeout` for the answer; nil when no daemon listens.
    public static func ask(_ request: ControlRequest, path: String = defaultPath, timeout: Duration) throws(ControlError) -> ControlResponse {
        let fd = try send(request, path: path)
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard let line = readLine(fd) else { throw errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .broken("read") }
        guard let response = try? JSONDecoder().decode(ControlResponse.self, from: line) else { throw .broken("answer") }
        return response
    }

    /// Sends one request and hands each line of the answer to `onLine` until the daemon closes the connection.
    public static func listen(_ request: ControlRequest, path: String = defaultPath, onLine: (ControlResponse) -> Void) throws(ControlError) {
        let fd = try send(request, path: path)
        defer { close(fd) }
        var pending = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            pending.append(contentsOf: chunk[0..<count])
            while let end = pending.firstIndex(of: 0x0a) {
                if let response = try? JSONDecoder().decode(ControlResponse.self, from: pending[pending.startIndex..<end]) { onLine(response) }
                pending = Data(pending[(end + 1)...])
            }
        }
    }

    /// Connects and sends the request line; the caller reads the answer and closes the descriptor.
    static func send(_ request: ControlRequest, path: String) throws(ControlError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .notRunning(String(cString: strerror(errno))) }
        guard connect(fd, path: path) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw .notRunning(why)
        }
        guard let data = try? JSONEncoder().encode(request), writeAll(fd, data + Data([0x0a])) else {
            close(fd)
            throw .broken("write")
        }
        return fd
    }

    public static func connect(_ fd: Int32, path: String) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { errno = ENAMETOOLONG; return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    public static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    /// One newline-terminated line (without the newline), at most 4 MiB.
    public static func readLine(_ fd: Int32) -> Data? {
        var line = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while line.count < maximumLine {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            if let end = chunk[0..<count].firstIndex(of: 0x0a) {
                line.append(contentsOf: chunk[0..<end])
                return line
            }
            line.append(contentsOf: chunk[0..<count])
        }
        return nil
    }
}

public enum ControlError: Error, Sendable, Equatable {
    case notRunning(String)
    case timedOut
    case broken(String)
    case cannotListen(String, String)

    public func message(_ language: Language) -> String {
        let fr = language == .french
        switch self {
        case .notRunning: return fr ? "Le service ardoise ne répond pas." : "The ardoise service does not answer."
        case .timedOut: return fr ? "Le service ardoise n'a pas répondu à temps." : "The ardoise service did not answer in time."
        case .broken(let step): return fr ? "Échange interrompu avec le service ardoise (\(step))." : "Exchange with the ardoise service broken (\(step))."
        case .cannotListen(let path, let why): return fr ? "Impossible d'ouvrir \(path) : \(why)" : "Cannot listen on \(path): \(why)"
        }
    }
}

/// The daemon's end: a Unix socket everyone may connect to; each request is judged on its peer's credentials.
public final class ControlServer: @unchecked Sendable {
    public typealias Handler = @Sendable (ControlRequest, ControlPeer, ControlReplies) async -> ControlResponse

    public let path: String
    private let listener: Int32
    private let stopPipe: [Int32]

    public init(path: String = ControlChannel.defaultPath) throws(ControlError) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .cannotListen(path, String(cString: strerror(errno))) }
        // A stale socket from a crashed run is replaced; anything else at that path is left alone.
        var status = stat()
        if lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { close(fd); throw .cannotListen(path, "path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o666) == 0, listen(fd, 16) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw .cannotListen(path, why)
        }
        var pipeEnds: [Int32] = [-1, -1]
        _ = ardoise_pipe2(&pipeEnds, O_CLOEXEC | O_NONBLOCK)
        listener = fd
        stopPipe = pipeEnds
    }

    deinit {
        close(listener)
        close(stopPipe[0])
        close(stopPipe[1])
    }

    /// Accepts until `stop()`; each connection is answered on its own task.
    public func serve(_ handler: @escaping Handler) async {
        await withTaskGroup(of: Void.self) { group in
            while let connection = await nextConnection() {
                group.addTask {
                    defer { close(connection) }
                    var limit = timeval(tv_sec: 10, tv_usec: 0)
                    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                    guard let peer = ControlPeer.of(socket: connection) else { return }
                    let response: ControlResponse
                    if let line = ControlChannel.readLine(connection), let request = try? JSONDecoder().decode(ControlRequest.self, from: line) {
                        response = await handler(request, peer, ControlReplies(descriptor: connection))
                    } else {
                        response = ControlResponse(code: 2, error: "bad request")
                    }
                    if let data = try? JSONEncoder().encode(response) { _ = ControlChannel.writeAll(connection, data + Data([0x0a])) }
                }
            }
        }
    }

    public func stop() {
        var byte: UInt8 = 1
        _ = write(stopPipe[1], &byte, 1)
    }

    /// Waits for a connection on a thread of its own (accept blocks), so the cooperative pool is never held.
    private func nextConnection() async -> Int32? {
        let listener = self.listener, stopReader = stopPipe[0]
        return await DetachedThread.run(name: "control accept") { () -> Int32? in
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: stopReader, events: Int16(POLLIN), revents: 0)]
            while true {
                let ready = poll(&descriptors, 2, -1)
                if ready < 0 && errno == EINTR { continue }
                guard ready > 0, descriptors[1].revents == 0 else { return nil }
                let connection = ardoise_accept4(listener, Int32(SOCK_CLOEXEC.rawValue))
                if connection >= 0 { return connection }
                if errno == EINTR || errno == ECONNABORTED || errno == EAGAIN { continue }
                return nil
            }
        }
    }
}

/// Lines sent before the final answer (live warnings to a listening agent).
public struct ControlReplies: Sendable {
    let descriptor: Int32

    /// False once the other end is gone.
    public func send(_ response: ControlResponse) -> Bool {
        guard let data = try? JSONEncoder().encode(response) else { return false }
        return ControlChannel.writeAll(descriptor, data + Data([0x0a]))
    }
}
