@testable import ArdoiseCore
import Foundation
import Glibc
import Testing

/// The daemon itself (`ardoised`, a real process) given a FIFO, a folder, `/dev/zero` or a NUL byte as its configuration,
/// at start and on SIGHUP: no hang, no crash, the configuration in force kept, SIGTERM honoured within a second.
@Suite(.serialized) struct DaemonConfigurationFaultTests {
    /// The service is `ardoise daemon`.
    static var daemonBinary: String { Paths.ardoiseBinary }

    enum Hostile: String, CaseIterable, Sendable {
        case fifo, folder, devZero, nulByte
    }

    final class Place {
        let base: String
        var config: String { base + "/ardoise.toml" }
        var state: String { base + "/state" }
        var socket: String { base + "/control.sock" }

        init() throws {
            var template = Array("/var/tmp/ardoise-daemon-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw SystemError(errno) }
            base = String(cString: made)
        }

        deinit { _ = try? run("rm", ["-rf", base]) }

        func writeGood(users: String = "kiosque") throws {
            unlink(config)
            rmdir(config)
            try Data("[kiosk]\nusers = [\"\(users)\"]\n".utf8).write(to: URL(fileURLWithPath: config))
        }

        func make(_ hostile: Hostile) throws {
            unlink(config)
            rmdir(config)
            switch hostile {
            case .fifo: #expect(mkfifo(config, 0o600) == 0)
            case .folder: #expect(mkdir(config, 0o700) == 0)
            case .devZero: #expect(symlink("/dev/zero", config) == 0)
            case .nulByte: try Data("[kiosk]\nusers = [\"kiosque\"]\n\0[wipe]\nmode = \"catalogue\"\n".utf8).write(to: URL(fileURLWithPath: config))
            }
        }

        func events(_ kind: EventKind) throws -> [JournalEvent] {
            try AccessJournal(directory: state).events(JournalFilter(kinds: [kind]))
        }
    }

    /// Starts the daemon; its standard error is read on a thread of its own.
    static func start(_ place: Place) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemonBinary)
        process.arguments = ["daemon", "--config", place.config, "--state-dir", place.state, "--socket", place.socket]
        process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    static func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    @Test(arguments: Hostile.allCases)
    func atStartTheDaemonRefusesItClearlyAndExits(_ hostile: Hostile) throws {
        let place = try Place()
        try place.make(hostile)
        let (process, errors) = try Self.start(place)
        let exited = Self.waitUntil(5) { !process.isRunning }
        if !exited { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(exited, "\(hostile): no hang at start")
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(hostile): exit 1, not a crash")
        #expect(said.contains(place.config), "\(hostile): the file is named: \(said)")
        let rejected = try place.events(.configRejected)
        #expect(rejected.count == 1 && rejected.first?.outcome == "refused", "\(hostile): journaled")
        #expect(try place.events(.daemonStart).isEmpty)
    }

    @Test func onSighupEveryHostileFileIsRefusedTheConfigurationInForceStaysAndSigtermIsHonoured() throws {
        let place = try Place()
        try place.writeGood()
        let (process, _) = try Self.start(place)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        #expect(try Self.waitUntil(10) { (try? place.events(.bootSweep).count) == 1 }, "the daemon is up")
        for (index, hostile) in Hostile.allCases.enumerated() {
            try place.make(hostile)
            kill(process.processIdentifier, SIGHUP)
            #expect(try Self.waitUntil(5) { (try? place.events(.configRejected).count) == index + 1 }, "\(hostile): refused on SIGHUP")
            #expect(process.isRunning, "\(hostile): the daemon goes on")
        }
        let rejected = try place.events(.configRejected)
        #expect(rejected.allSatisfy { $0.outcome == "kept-previous" })
        #expect(try place.events(.configLoaded).count == 1, "no other configuration was taken")
        // A good file again is taken: the daemon was listening all along.
        try place.writeGood(users: "kiosque2")
        kill(process.processIdentifier, SIGHUP)
        #expect(try Self.waitUntil(5) { (try? place.events(.configLoaded).count) == 2 })
        // A FIFO nobody writes to does not stop SIGTERM.
        try place.make(.fifo)
        kill(process.processIdentifier, SIGHUP)
        usleep(200_000)
        let asked = Date()
        kill(process.processIdentifier, SIGTERM)
        let stopped = Self.waitUntil(1) { !process.isRunning }
        #expect(stopped, "SIGTERM honoured within a second (\(Date().timeIntervalSince(asked)) s)")
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(try place.events(.daemonStop).count == 1)
    }
}
