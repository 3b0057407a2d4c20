import ArdoiseCore
import ArdoiseSystem
import Foundation
import Glibc
import Testing

/// libinotifytools keeps global state: one watcher for the whole test process, made with a small kernel queue
/// (`max_queued_events` is read when an inotify instance is created) so that a burst overflows it.
enum SharedWatcher {
    static let queueLimit = 256
    static let scratch = NSTemporaryDirectory() + "ardoise-watcher-\(getpid())"
    static let instance: InotifyProfileWatcher? = {
        mkdir(scratch, 0o700)
        let knob = "/proc/sys/fs/inotify/max_queued_events"
        let previous = (try? String(contentsOfFile: knob, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        if geteuid() == 0 { try? "\(queueLimit)\n".write(toFile: knob, atomically: false, encoding: .utf8) }
        defer { if geteuid() == 0, let previous { try? (previous + "\n").write(toFile: knob, atomically: false, encoding: .utf8) } }
        return try? InotifyProfileWatcher(scratch: scratch)
    }()
    static let collector = Collector()

    /// Everything the watcher reports, by session.
    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [String: [SessionWarning]] = [:]
        init() {
            Thread.detachNewThread {
                guard let watcher = SharedWatcher.instance else { return }
                let done = DispatchSemaphore(value: 0)
                Task {
                    for await (session, warning) in watcher.warnings { self.lock.withLock { self.seen[session, default: []].append(warning) } }
                    done.signal()
                }
                done.wait()
            }
        }
        func warnings(_ session: String) -> [SessionWarning] { lock.withLock { seen[session] ?? [] } }
    }
}

@Suite(.serialized) struct ProfileWatcherTests {
    final class Home {
        let path = NSTemporaryDirectory() + "ardoise-watched-" + UUID().uuidString
        init(fixture: Bool) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            if fixture {
                let fixtures = ProcessInfo.processInfo.environment["ARDOISE_FIXTURES"]
                    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
                    + "/../shared/fixtures/browser-profiles"
                let unpack = Subprocess.run("/bin/tar", ["-xzf", fixtures + "/public-profiles.tar.gz", "-C", path, "--strip-components=1"])
                guard unpack.code == 0 else { throw CancellationError() }
            } else {
                try FileManager.default.createDirectory(atPath: path + "/Downloads", withIntermediateDirectories: true)
            }
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// As browsers save: a temporary file, then a rename over the real name.
        func saveAtomically(_ relative: String, _ text: String) throws {
            let target = path + "/" + relative
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: target + ".tmp", atomically: false, encoding: .utf8)
            guard rename(target + ".tmp", target) == 0 else { throw CancellationError() }
        }
    }

    func settle(_ session: String, until condition: ([SessionWarning]) -> Bool, seconds: Double = 10) async {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline, !condition(SharedWatcher.collector.warnings(session)) { try? await Task.sleep(for: .milliseconds(20)) }
        // A little more, to see that nothing else comes.
        try? await Task.sleep(for: .milliseconds(300))
    }

    @Test func aPasswordStoreRewrittenAtomicallyGivesExactlyOneWarning() async throws {
        let watcher = try #require(SharedWatcher.instance)
        let home = try Home(fixture: true)
        let roots = WatchRoots.of(home: home.path)
        #expect(roots.downloads == [home.path + "/Downloads"])
        watcher.watch(session: "firefox", roots: roots)
        try await Task.sleep(for: .milliseconds(200))
        try home.saveAtomically(".mozilla/firefox/4144awjv.default-esr/logins.json", #"{"logins":[{"hostname":"http://127.0.0.1:8642"}]}"#)
        await settle("firefox") { !$0.isEmpty }
        #expect(SharedWatcher.collector.warnings("firefox") == [.passwordSaved])
        // Other files of the profile being written are not passwords.
        try home.saveAtomically(".mozilla/firefox/4144awjv.default-esr/prefs.js", "// prefs")
        try home.saveAtomically(".config/chromium/Default/Login Data", "SQLite format 3")
        await settle("firefox", until: { $0.count >= 2 }, seconds: 3)
        #expect(SharedWatcher.collector.warnings("firefox") == [.passwordSaved, .passwordSaved])
        watcher.unwatch(session: "firefox")
        try await Task.sleep(for: .milliseconds(200))
        try home.saveAtomically(".mozilla/firefox/4144awjv.default-esr/logins.json", "{}")
        await settle("firefox", until: { $0.count >= 3 }, seconds: 2)
        #expect(SharedWatcher.collector.warnings("firefox").count == 2, "nothing once the session is no longer watched")
    }

    @Test func aProfileFolderCreatedDuringTheSessionIsWatched() async throws {
        let watcher = try #require(SharedWatcher.instance)
        let home = try Home(fixture: false)
        watcher.watch(session: "new-profile", roots: WatchRoots.of(home: home.path))
        try await Task.sleep(for: .milliseconds(200))
        // Chromium started for the first time on this home: its folders appear, then a password is saved.
        try FileManager.default.createDirectory(atPath: home.path + "/.config/chromium/Profile 3", withIntermediateDirectories: true)
        try await Task.sleep(for: .milliseconds(200))
        try home.saveAtomically(".config/chromium/Profile 3/Login Data", "SQLite format 3")
        await settle("new-profile") { !$0.isEmpty }
        #expect(SharedWatcher.collector.warnings("new-profile") == [.passwordSaved])
        watcher.unwatch(session: "new-profile")
    }

    @Test func downloadsAreCountedOnceEachAndTemporariesAreNot() async throws {
        let watcher = try #require(SharedWatcher.instance)
        let home = try Home(fixture: false)
        try "before".write(toFile: home.path + "/Downloads/already-there.pdf", atomically: false, encoding: .utf8)
        watcher.watch(session: "downloads", roots: WatchRoots.of(home: home.path))
        try await Task.sleep(for: .milliseconds(200))
        // Firefox: an empty placeholder, the data in .part, then a rename; Chromium: .crdownload then a rename.
        try "".write(toFile: home.path + "/Downloads/attestation.pdf", atomically: false, encoding: .utf8)
        try "%PDF".write(toFile: home.path + "/Downloads/attestation.pdf.part", atomically: false, encoding: .utf8)
        rename(home.path + "/Downloads/attestation.pdf.part", home.path + "/Downloads/attestation.pdf")
        try "%PDF".write(toFile: home.path + "/Downloads/Unconfirmed 1.crdownload", atomically: false, encoding: .utf8)
        rename(home.path + "/Downloads/Unconfirmed 1.crdownload", home.path + "/Downloads/releve.pdf")
        await settle("downloads") { $0.count >= 2 }
        #expect(SharedWatcher.collector.warnings("downloads") == [.downloadFinished, .downloadFinished])
        watcher.unwatch(session: "downloads")
    }

    @Test(.enabled(if: geteuid() == 0, "lowering the kernel's queue needs root"))
    func tenThousandFilesOverflowTheQueueAndTheCountIsStillRight() async throws {
        let watcher = try #require(SharedWatcher.instance)
        let home = try Home(fixture: false)
        watcher.watch(session: "burst", roots: WatchRoots.of(home: home.path))
        try await Task.sleep(for: .milliseconds(200))
        for burst in 0..<10 {
            for index in 0..<1000 {
                let fd = open(home.path + "/Downloads/scan-\(burst)-\(index).pdf", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                _ = write(fd, "%PDF", 4)
                close(fd)
            }
        }
        await settle("burst", until: { $0.count >= 10_000 }, seconds: 60)
        #expect(SharedWatcher.collector.warnings("burst").count == 10_000)
        watcher.unwatch(session: "burst")
    }

    @Test func aLinkPlantedInTheDownloadsIsNotFollowed() async throws {
        let watcher = try #require(SharedWatcher.instance)
        let home = try Home(fixture: false)
        let outside = NSTemporaryDirectory() + "ardoise-outside-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: home.path + "/Downloads/elsewhere", withDestinationPath: outside)
        watcher.watch(session: "link", roots: WatchRoots.of(home: home.path))
        try await Task.sleep(for: .milliseconds(200))
        try "x".write(toFile: outside + "/not-a-download.pdf", atomically: false, encoding: .utf8)
        await settle("link", until: { !$0.isEmpty }, seconds: 2)
        #expect(SharedWatcher.collector.warnings("link").isEmpty)
        watcher.unwatch(session: "link")
    }
}
