import ArdoiseCore
import ArdoiseSystem
import ArdoiseTestSupport
import Foundation
import Glibc
import Testing
@testable import ArdoiseDaemon

/// The control socket with real Unix sockets, and the journal relay with the real `ardoise` command and a real journal.
@Suite struct ControlSocketTests {
    static var ardoiseBinary: String {
        ProcessInfo.processInfo.environment["ARDOISE_BIN"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/.build/debug/ardoise"
    }

    final class Scratch: Sendable {
        let path = NSTemporaryDirectory() + "ardoise-control-" + UUID().uuidString
        init() { mkdir(path, 0o700) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func theServerSeesThePeerAsTheKernelSaysAndAnswersEachRequest() async throws {
        let scratch = Scratch()
        let server = try ControlServer(path: scratch.path + "/control.sock")
        // The server on a thread of its own, as in the service, where nothing holds the pool: here other tests do.
        let executor = OwnThreadExecutor()
        defer { executor.finish() }
        let serving = Task(executorPreference: executor) {
            await server.serve { request, peer, _ in ControlResponse(code: 0, output: "\(peer.uid) \(peer.pid) \(request.user ?? "-")") }
        }
        defer { server.stop() }
        let answer = try await DetachedThread.run {
            try ControlChannel.ask(ControlRequest(command: .sessionEnd, user: "kiosque"), path: scratch.path + "/control.sock", timeout: .seconds(60))
        }
        #expect(answer.output == "\(geteuid()) \(getpid()) kiosque")
        // Anyone may connect; the decision is made on the peer's credentials.
        var status = stat()
        #expect(stat(scratch.path + "/control.sock", &status) == 0 && status.st_mode & 0o777 == 0o666)
        server.stop()
        await serving.value
    }

    @Test func noServiceListeningIsSaidPlainly() {
        #expect(throws: ControlError.self) {
            try ControlChannel.ask(ControlRequest(command: .journal), path: "/nonexistent/control.sock", timeout: .seconds(1))
        }
    }

    @Test func aBadRequestGetsExitTwo() async throws {
        let scratch = Scratch()
        let path = scratch.path + "/control.sock"
        let server = try ControlServer(path: path)
        let executor = OwnThreadExecutor()
        defer { executor.finish() }
        let serving = Task(executorPreference: executor) { await server.serve { _, _, _ in ControlResponse(code: 0) } }
        let reply = try await DetachedThread.run { () -> String in
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            guard ControlChannel.connect(fd, path: path) == 0 else { throw CancellationError() }
            _ = ControlChannel.writeAll(fd, Data("not json\n".utf8))
            return String(decoding: ControlChannel.readLine(fd) ?? Data(), as: UTF8.self)
        }
        #expect(try JSONDecoder().decode(ControlResponse.self, from: Data(reply.utf8)).code == 2)
        server.stop()
        await serving.value
    }

    func relay(_ scratch: Scratch) throws -> JournalRelay {
        let journal = try AccessJournal(directory: scratch.path + "/state")
        try journal.append(JournalEvent(kind: .sessionStart, seat: "seat0", session: "c1", uid: 2001, user: "kiosque"))
        mkdir(scratch.path + "/run", 0o755)
        return JournalRelay(executable: Self.ardoiseBinary, configPath: "/dev/null", stateDirectory: scratch.path + "/state", scratchDirectory: scratch.path + "/run")
    }

    @Test(.enabled(if: geteuid() == 0, "the relay reads a root-only journal"))
    func anAdministratorGetsTheOutputAndTheFilesAndTheQueryIsJournaledUnderTheirName() async throws {
        let scratch = Scratch()
        let relay = try relay(scratch)
        let root = ControlPeer(pid: getpid(), uid: 0, gid: 0, groups: [])
        let list = await relay.answer(ControlRequest(command: .journal, arguments: ["list", "--format", "json"], language: .english), peer: root)
        #expect(list.code == 0, "\(list.error)")
        #expect(list.output.contains("\"session\" : \"c1\""))
        let export = await relay.answer(ControlRequest(command: .journal, arguments: ["export", "--since", "1d", "--until", "2099-01-01"],
                                                       outputs: ["out": "/home/anne/journal.csv"], language: .english), peer: root)
        #expect(export.code == 0, "\(export.error)")
        #expect(Set(export.files.keys) == ["out", "out.verification.txt"])
        #expect(String(decoding: export.files["out"] ?? Data(), as: UTF8.self).contains("session-start"))
        // The messages name the client's path, never the service's scratch folder; the scratch folder is gone.
        #expect(export.output.contains("/home/anne/journal.csv") && !export.output.contains(scratch.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/run").isEmpty)
        let events = try AccessJournal(directory: scratch.path + "/state").events(JournalFilter(kinds: [.adminQuery]))
        #expect(events.count == 2 && events.allSatisfy { $0.user == "root" })
    }

    @Test func someoneOutsideTheGroupIsRefusedWithExitThree() async throws {
        let scratch = Scratch()
        let relay = JournalRelay(executable: Self.ardoiseBinary, configPath: nil, stateDirectory: scratch.path, scratchDirectory: scratch.path)
        let nobody = ControlPeer(pid: 1, uid: 65534, gid: 65534, groups: [65534])
        let answer = await relay.answer(ControlRequest(command: .journal, arguments: ["list"]), peer: nobody)
        #expect(answer.code == 3)
        #expect(answer.error.contains("ardoise-admin"))
    }

    @Test(.enabled(if: geteuid() == 0, "runs as root"))
    func optionsThatPointTheServiceElsewhereAreRefused() async throws {
        let scratch = Scratch()
        let relay = try relay(scratch)
        let root = ControlPeer(pid: getpid(), uid: 0, gid: 0, groups: [])
        for arguments in [["list", "--state-dir", "/tmp/x"], ["list", "--config=/tmp/x"], ["purge"], ["key"], ["export", "--out", "/etc/passwd"]] {
            #expect(await relay.answer(ControlRequest(command: .journal, arguments: arguments), peer: root).code == 2, "\(arguments)")
        }
        #expect(await relay.answer(ControlRequest(command: .journal, arguments: ["list"], outputs: ["config": "/x"]), peer: root).code == 2)
    }
}
