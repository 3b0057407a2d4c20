import ArdoiseCore
import Foundation
import Glibc
import Testing

@Suite struct BaselineTests {
    /// A prepared kiosk home: the fixture's profiles, a bookmark backup, a desktop launcher, a link, an admin's guide.
    static func preparedHome() throws -> (Sandbox, BaselineStore, String) {
        let sandbox = try Sandbox(fixture: true)
        try sandbox.write(".mozilla/firefox/4144awjv.default-esr/bookmarkbackups/bookmarks-2026-11-20.jsonlz4", "bookmarks of the kiosk")
        try sandbox.write("Desktop/Démarches en ligne.desktop", "[Desktop Entry]\nName=Démarches")
        try sandbox.write("Documents/Guide du poste.pdf", "guide")
        try sandbox.symlink("Desktop/Aide", to: "../Documents/Guide du poste.pdf")
        let stateDirectory = sandbox.base + "/state"
        return (sandbox, BaselineStore(stateDirectory: stateDirectory), stateDirectory)
    }

    static func capture(_ sandbox: Sandbox, _ store: BaselineStore) throws -> BaselineStore.CaptureReport {
        try store.capture(account: "kiosk", home: sandbox.home, owner: testOwner, settings: sandbox.settings)
    }

    static func reset(_ sandbox: Sandbox, _ store: BaselineStore, dryRun: Bool = false) throws -> WipeReport {
        try Wipe(home: sandbox.home, owner: testOwner, settings: sandbox.settings, baseline: (store, "kiosk")).run(dryRun: dryRun)
    }

    @Test func theCaptureIsSanitizedAndKeepsWhatTheAdminPrepared() throws {
        let (sandbox, store, _) = try Self.preparedHome()

        let report = try Self.capture(sandbox, store)

        let copy = try store.copyPath("kiosk")
        #expect(Markers.carriers(in: copy) == [], "no cookie nor history entry in a baseline")
        #expect(report.leftOut.kinds.first { $0.kind == .passwords }?.removed.files == 9)
        for kept in ["/Desktop/Démarches en ligne.desktop", "/Documents/Guide du poste.pdf", "/.mozilla/firefox/profiles.ini",
                     "/.mozilla/firefox/4144awjv.default-esr/prefs.js", "/.mozilla/firefox/4144awjv.default-esr/bookmarkbackups/bookmarks-2026-11-20.jsonlz4"] {
            #expect(FileManager.default.fileExists(atPath: copy + kept), "\(kept)")
        }
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: copy + "/Desktop/Aide")) == "../Documents/Guide du poste.pdf")
        var info = stat()
        #expect(stat(store.folder, &info) == 0 && info.st_mode & 0o777 == 0o700 && info.st_uid == geteuid(), "root only")
        #expect(report.kept.contains { $0.folder == ".mozilla" && $0.tally.files > 0 })
    }

    @Test func aSessionIsUndoneExactlyAndASecondResetDoesNothing() throws {
        let (sandbox, store, _) = try Self.preparedHome()
        _ = try Self.capture(sandbox, store)
        _ = try Wipe(home: sandbox.home, owner: testOwner, settings: sandbox.settings).run()
        let copy = try store.copyPath("kiosk")
        // The session: every browser trace of the fixture again, files in every user folder, LibreOffice's recent documents,
        // an unknown program, a changed prefs.js, a deleted bookmark backup, a changed mode, a folder replaced by a file.
        try sandbox.unpackFixture()
        for folder in ["Desktop", "Documents", "Downloads", "Music", "Pictures", "Public", "Videos"] {
            try sandbox.write("\(folder)/session-file.txt", "jean.martin")
        }
        try sandbox.write(".config/libreoffice/4/user/registrymodifications.xcu",
                          "<item oor:path=\"/org.openoffice.Office.Histories/Histories\"><value>file:///home/kiosk/attestation-caf.odt</value></item>")
        try sandbox.write(".local/share/some-app/state.db", "jean.martin")
        let prefs = sandbox.home + "/.mozilla/firefox/4144awjv.default-esr/prefs.js"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: prefs))
        handle.seekToEndOfFile()
        handle.write(Data("user_pref(\"browser.startup.homepage\", \"http://127.0.0.1:8642/\");\n".utf8))
        try handle.close()
        unlink(sandbox.home + "/.mozilla/firefox/4144awjv.default-esr/bookmarkbackups/bookmarks-2026-11-20.jsonlz4")
        chmod(sandbox.home + "/Documents/Guide du poste.pdf", 0o666)
        _ = try run("rm", ["-rf", sandbox.home + "/.config/chromium/Default/Extension State"])
        try sandbox.write(".config/chromium/Default/Extension State", "a file where a folder was")
        #expect(fullTree(sandbox.home) != fullTree(copy))

        let report = try Self.reset(sandbox, store)

        #expect(fullTree(sandbox.home) == fullTree(copy), "same tree, bytes, modes, owners and times")
        #expect(report.isClean)
        #expect(Markers.carriers(in: sandbox.home) == [])
        let kinds = Set(report.kinds.filter { !$0.removed.isEmpty }.map(\.kind))
        #expect(kinds.isSuperset(of: [.cookies, .passwords, .history, .downloads, .userFiles, .recentFiles, .other]), "\(kinds)")
        #expect(report.kinds.first { $0.kind == .downloads }?.removed.files == 3)

        let again = try Self.reset(sandbox, store)
        #expect(again.removed.isEmpty, "\(again.kinds)")
        #expect(try store.differences(account: "kiosk", home: sandbox.home).isIdentical)
    }

    @Test func aFileChangedBehindTheSameSizeAndTimeIsStillCaught() throws {
        let (sandbox, store, _) = try Self.preparedHome()
        _ = try Self.capture(sandbox, store)
        _ = try Self.reset(sandbox, store)
        let guide = sandbox.home + "/Documents/Guide du poste.pdf"
        var before = stat()
        stat(guide, &before)
        try Data("GUIDE".utf8).write(to: URL(fileURLWithPath: guide))
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, guide, &times, 0) == 0, "the user sets the old time back")

        let differences = try store.differences(account: "kiosk", home: sandbox.home)
        #expect(differences.changes.map(\.path.description) == ["Documents/Guide du poste.pdf"])
        _ = try Self.reset(sandbox, store)
        #expect(sandbox.read(guide) == Data("guide".utf8))
    }

    @Test func theReScanTrustsOnlyWhatTheResetWroteAndNobodyTouchedSince() throws {
        let (sandbox, store, _) = try Self.preparedHome()
        _ = try Self.capture(sandbox, store)
        _ = try Self.reset(sandbox, store)
        try sandbox.write("Documents/Guide du poste.pdf", "changed")
        try sandbox.write(".mozilla/firefox/4144awjv.default-esr/prefs.js", "changed")
        let home = try OpenedRoot(path: sandbox.home)
        let reference = try OpenedRoot(path: try store.copyPath("kiosk"))

        let reset = TreeMirror(target: home, reference: reference).reconcile()
        #expect(reset.written.count == 2, "the two files written again, and only them")
        #expect(TreeMirror(target: home, reference: reference, written: reset.written).compare().isIdentical)

        // Same size and time set back, but the inode changed after the reset wrote it: it is read again, and caught.
        let guide = sandbox.home + "/Documents/Guide du poste.pdf"
        var before = stat()
        stat(guide, &before)
        try Data("GUIDE".utf8).write(to: URL(fileURLWithPath: guide))
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, guide, &times, 0) == 0)
        let rescan = TreeMirror(target: home, reference: reference, written: reset.written).compare()
        #expect(rescan.changes.map(\.path.description) == ["Documents/Guide du poste.pdf"])
    }

    @Test func aHomeThatFightsBackNeverLeadsOutside() throws {
        let (sandbox, store, _) = try Self.preparedHome()
        _ = try Self.capture(sandbox, store)
        let outside = try AttackTests.plantOutside(sandbox)
        // Folders of the baseline replaced by links to outside, a file by a link to a secret, a folder by a file.
        _ = try run("rm", ["-rf", sandbox.home + "/Documents", sandbox.home + "/.mozilla/firefox/4144awjv.default-esr/bookmarkbackups"])
        try sandbox.symlink("Documents", to: sandbox.outside + "/dir")
        try sandbox.symlink(".mozilla/firefox/4144awjv.default-esr/bookmarkbackups", to: sandbox.outside)
        unlink(sandbox.home + "/.mozilla/firefox/profiles.ini")
        try sandbox.symlink(".mozilla/firefox/profiles.ini", to: sandbox.outside + "/secret.txt")
        _ = try run("rm", ["-rf", sandbox.home + "/Music"])
        try sandbox.write("Music", "a file")
        #expect(link(sandbox.outside + "/prefs.js", sandbox.home + "/Downloads/linked.js") == 0)

        let report = try Self.reset(sandbox, store)

        #expect(snapshot(sandbox.outside) == outside)
        #expect(report.isClean, "\(report.kinds.flatMap(\.problems))")
        #expect(fullTree(sandbox.home) == fullTree(try store.copyPath("kiosk")))
    }

    @Test func aSwapRacingTheResetNeverLeadsOutside() throws {
        let (sandbox, store, _) = try Self.preparedHome()
        _ = try Self.capture(sandbox, store)
        let outside = try AttackTests.plantOutside(sandbox)
        for round in 0..<15 {
            for index in 0..<30 { try sandbox.write("Documents/box/f\(index).txt", "round \(round)") }
            try whileSwapping(sandbox.home + "/Documents/box", withLinkTo: sandbox.outside + "/dir") { _ = try Self.reset(sandbox, store) }
            #expect(snapshot(sandbox.outside) == outside, "round \(round)")
        }
    }

    @Test func aCaptureNeverCopiesWhatALinkPointsAt() throws {
        let (sandbox, store, _) = try Self.preparedHome()
        let outside = try AttackTests.plantOutside(sandbox)
        try sandbox.symlink("Pictures/holiday", to: sandbox.outside + "/dir")
        #expect(mkfifo(sandbox.home + "/Public/pipe", 0o644) == 0)

        let report = try Self.capture(sandbox, store)

        let copy = try store.copyPath("kiosk")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: copy + "/Pictures/holiday")) == sandbox.outside + "/dir")
        #expect(!FileManager.default.fileExists(atPath: copy + "/Pictures/holiday/file.pdf") || isSymlink(copy + "/Pictures/holiday"))
        #expect(report.skipped.map(\.description) == ["Public/pipe"])
        #expect(snapshot(sandbox.outside) == outside)
    }

    @Test(.enabled(if: isRoot, "chattr +i needs root"))
    func anImmutableFileIsReportedInBaselineModeToo() throws {
        let (sandbox, store, _) = try Self.preparedHome()
        _ = try Self.capture(sandbox, store)
        try sandbox.write("Downloads/stuck.pdf", "pdf")
        try sandbox.write("Downloads/free.pdf", "pdf")
        try sandbox.markImmutable(sandbox.home + "/Downloads/stuck.pdf")

        let report = try Self.reset(sandbox, store)

        #expect(!report.isClean)
        #expect(report.kinds.flatMap(\.problems).contains { $0.code == "immutable" })
        #expect(!sandbox.exists("Downloads/free.pdf"))
    }

    @Test func withoutABaselineTheWipeSaysSo() throws {
        let sandbox = try Sandbox()
        let store = BaselineStore(stateDirectory: sandbox.base + "/state")
        #expect(throws: WipeError.cannotOpenBaseline(.missing("kiosk"))) {
            try Wipe(home: sandbox.home, owner: testOwner, settings: sandbox.settings, baseline: (store, "kiosk")).run()
        }
        #expect(throws: BaselineError.invalidAccountName("../etc")) { try store.copyPath("../etc") }
    }
}

func isSymlink(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0 && st.st_mode & 0o170000 == 0o120000
}

/// `ardoise baseline ...` and the wipe choosing its mode, through the built binary.
@Suite struct BaselineCommandTests {
    @Test(.enabled(if: isRoot, "needs a real account and root"))
    func captureDiffAndAWipeInAutoModeThroughTheCommand() throws {
        let account = "ardoise-test-\(getpid() % 100000)"
        let sandbox = try Sandbox(fixture: true)
        #expect(try run("useradd", ["--no-create-home", "--home-dir", sandbox.home, "--uid", "\(40000 + getpid() % 20000)", account]).status == 0)
        defer { _ = try? run("userdel", [account]) }
        let uid = try #require(Account.named(account)?.uid)
        chown(sandbox.home, uid, uid)
        let state = sandbox.base + "/state"
        let config = sandbox.base + "/ardoise.toml"
        try Data("[wipe]\ntemporary_directories = [\"\(sandbox.tmp)\"]\n".utf8).write(to: URL(fileURLWithPath: config))
        let environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "en_US.UTF-8"]
        func ardoise(_ arguments: [String]) throws -> CommandResult {
            try run(Paths.ardoiseBinary, ["--config", config, "--state-dir", state] + arguments, environment: environment)
        }

        let capture = try ardoise(["baseline", "capture", "--user", account])
        #expect(capture.status == 0, "\(capture.error)")
        #expect(capture.output.contains("Baseline stored") && capture.output.contains("saved passwords"))
        let diff = try ardoise(["baseline", "diff", "--user", account])
        #expect(diff.output.contains("extra : Downloads/attestation-caf.pdf"))
        let show = try ardoise(["baseline", "show", "--user", account])
        #expect(show.status == 0 && show.output.contains(".mozilla"))

        let wipe = try ardoise(["wipe", "--user", account])
        #expect(wipe.status == 0, "\(wipe.output) \(wipe.error)")
        #expect(try ardoise(["baseline", "diff", "--user", account]).output.contains("identical"))
        let events = try AccessJournal(directory: state).events(JournalFilter(kinds: [.wipeFinished]))
        #expect(events.last?.detail["mode"] == .text("baseline"))

        let refused = try run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Paths.ardoiseBinary, "baseline", "show", "--user", account,
                                          "--state-dir", state], environment: environment)
        #expect(refused.status == 3)
    }
    @Test(.enabled(if: isRoot, "baselines are root's"))
    func aFolderOfThousandsOfSubfoldersIsResetWithFewDescriptorsOpen() throws {
        let sandbox = try Sandbox()
        for index in 0..<1500 { try sandbox.write("Pictures/album-\(index)/photo.jpg", "photo \(index)") }
        let state = sandbox.base + "/state"
        let config = sandbox.base + "/ardoise.toml"
        try Data("[wipe]\nmode = \"baseline\"\ntemporary_directories = []\n".utf8).write(to: URL(fileURLWithPath: config))
        // Far fewer descriptors than folders: a walk that kept every waiting folder open would fail here.
        func ardoise(_ arguments: [String]) throws -> CommandResult {
            try run("prlimit", ["--nofile=128:128", Paths.ardoiseBinary, "--config", config, "--state-dir", state] + arguments,
                    environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "en_US.UTF-8"])
        }
        let capture = try ardoise(["baseline", "capture", "--home", sandbox.home])
        #expect(capture.status == 0, "\(capture.output) \(capture.error)")
        for index in stride(from: 0, to: 1500, by: 7) { try sandbox.write("Pictures/album-\(index)/photo.jpg", "session \(index)") }
        try sandbox.write("Pictures/album-1499/new.jpg", "session")

        let wipe = try ardoise(["wipe", "--home", sandbox.home])

        #expect(wipe.status == 0, "\(wipe.output) \(wipe.error)")
        let account = Account.withID(testOwner)?.name ?? "\(testOwner)"
        #expect(fullTree(sandbox.home) == fullTree(try BaselineStore(stateDirectory: state).copyPath(account)))
    }
}

/// The wipe's attack cases, against a reset to baseline: outside files survive byte for byte and the home ends equal to its baseline.
@Suite struct BaselineAttackTests {
    static func captured() throws -> (Sandbox, BaselineStore, [String: String]) {
        let sandbox = try Sandbox()
        try sandbox.write(".config/user-dirs.dirs", "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n")
        try sandbox.mkdir("Downloads")
        try sandbox.write("Documents/Guide.pdf", "guide")
        let store = BaselineStore(stateDirectory: sandbox.base + "/state")
        _ = try store.capture(account: "kiosk", home: sandbox.home, owner: testOwner, settings: sandbox.settings)
        return (sandbox, store, try AttackTests.plantOutside(sandbox))
    }

    static func resetAndCheck(_ sandbox: Sandbox, _ store: BaselineStore, _ outside: [String: String], clean: Bool = true) throws -> WipeReport {
        let report = try Wipe(home: sandbox.home, owner: testOwner, settings: sandbox.settings, baseline: (store, "kiosk")).run()
        #expect(snapshot(sandbox.outside) == outside)
        if clean {
            #expect(report.isClean, "\(report.kinds.flatMap(\.problems))")
            #expect(fullTree(sandbox.home) == fullTree(try store.copyPath("kiosk")))
        }
        return report
    }

    @Test func specialFilesOddNamesAndADeepTree() throws {
        let (sandbox, store, outside) = try Self.captured()
        #expect(mkfifo(sandbox.home + "/Downloads/fifo", 0o644) == 0)
        if isRoot { #expect(mknod(sandbox.home + "/Downloads/null", S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0) }
        try sandbox.write("Downloads/line\nbreak.pdf", "x")
        let odd = Array((sandbox.home + "/Documents/").utf8) + [0x66, 0xff, 0x0a]
        let fd = (odd.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        close(fd)
        try makeDeepTree(at: sandbox.home + "/Downloads", depth: 3000)
        _ = try Self.resetAndCheck(sandbox, store, outside)
    }

    @Test(.enabled(if: isRoot, "bind mounts need root"))
    func aBindMountIsNotCrossed() throws {
        let (sandbox, store, outside) = try Self.captured()
        try sandbox.mkdir("Downloads/mounted")
        try sandbox.bindMount(sandbox.outside + "/dir", on: sandbox.home + "/Downloads/mounted")
        let report = try Self.resetAndCheck(sandbox, store, outside, clean: false)
        #expect(report.kinds.flatMap(\.problems).contains { $0.code == "mount-point" })
        #expect(!report.isClean)
    }

    @Test func userDirsPointingOutsideChangeNothingOutside() throws {
        let (sandbox, store, outside) = try Self.captured()
        try sandbox.write(".config/user-dirs.dirs", "XDG_DOWNLOAD_DIR=\"/etc\"\nXDG_DESKTOP_DIR=\"$HOME/../outside\"\n")
        _ = try Self.resetAndCheck(sandbox, store, outside)
        #expect(sandbox.read(sandbox.home + "/.config/user-dirs.dirs") == Data("XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n".utf8))
    }
}

/// A re-capture killed at any instant leaves the old reference or the new one whole, never a part of one.
@Suite struct KilledCaptureTests {
    /// The files and links of a reference (its folders' times move with the sanitizing of each copy).
    static func files(_ root: String) -> [String: String] { fullTree(root).filter { !$0.value.hasPrefix("dir ") } }

    @Test(.enabled(if: isRoot, "a capture is root's")) func aKilledReCaptureNeverLeavesAPartialReference() throws {
        let sandbox = try Sandbox(fixture: true)
        try sandbox.write("Documents/Guide du poste.pdf", "guide")
        let old = sandbox.base + "/old", new = sandbox.base + "/new", state = sandbox.base + "/state"
        func capture(_ stateDirectory: String) throws -> CommandResult {
            try run(Paths.ardoiseBinary, ["baseline", "capture", "--state-dir", stateDirectory, "--home", sandbox.home])
        }
        #expect(try capture(old).status == 0)
        #expect(try capture(state).status == 0)
        try sandbox.write("Documents/Nouveau guide.pdf", "new guide")
        try sandbox.write(".mozilla/firefox/4144awjv.default-esr/prefs.js", "user_pref(\"browser.startup.homepage\", \"https://www.caf.fr/\");\n")
        #expect(try capture(new).status == 0)
        let account = Account.withID(testOwner)?.name ?? "\(testOwner)"
        let before = Self.files(old + "/baseline/" + account), after = Self.files(new + "/baseline/" + account)
        #expect(before != after)
        let common = Set(before.keys).intersection(after.keys)

        for round in 0..<20 {
            let capturing = Process()
            capturing.executableURL = URL(fileURLWithPath: Paths.ardoiseBinary)
            capturing.arguments = ["baseline", "capture", "--state-dir", state, "--home", sandbox.home]
            capturing.standardOutput = FileHandle.nullDevice
            try capturing.run()
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.6))
            kill(capturing.processIdentifier, SIGKILL)
            capturing.waitUntilExit()

            let reference = Self.files(state + "/baseline/" + account)
            let unlike = reference.filter { before[$0.key] != $0.value && after[$0.key] != $0.value }.keys
            #expect(reference == before || reference == after, "round \(round): the reference is one of the two, whole: \(Array(unlike.prefix(5)))")
            let plan = try BaselineStore(stateDirectory: state).differences(account: account, home: sandbox.home)
            let removed = Set(plan.changes.filter { $0.kind == .removed }.map { "/" + $0.path.description })
            #expect(removed.isDisjoint(with: common), "round \(round): a reset would remove \(removed.intersection(common))")
        }
        // What the killed captures left beside the reference is gone at the next run.
        _ = try Wipe(home: sandbox.home, owner: testOwner, settings: sandbox.settings,
                     baseline: (BaselineStore(stateDirectory: state), account)).run()
        let left = try FileManager.default.contentsOfDirectory(atPath: state + "/baseline").filter { $0.contains(".new-") }
        #expect(left.isEmpty, "\(left)")
    }
}
