@testable import ArdoiseCore
import CLinux
import Foundation
import Glibc
import Testing

/// A session that used ordinary desktop programs (not only browsers) and planted what would run for the next person,
/// reset with the product's default configuration: nothing of it survives, in the home or outside it.
@Suite(.serialized) struct HostileSessionTests {
    static let marker = "hostile-7c1e"
    /// The account of these homes when the tests run as root: one nobody else uses, so that sweeping the machine's own
    /// `/dev/shm` touches only what the test made.
    static let owner: UInt32 = isRoot ? 64_123 : geteuid()

    struct Kiosk {
        let sandbox: Sandbox
        let store: BaselineStore
        let state: String
        var settings: WipeSettings

        func recorded(captureIfMissing: Bool = true) -> RecordedWipe {
            var wipe = RecordedWipe(home: sandbox.home, owner: HostileSessionTests.owner, account: "kiosk", settings: settings,
                                    stateDirectory: state, trigger: "manual")
            wipe.captureIfMissing = captureIfMissing
            return wipe
        }
    }

    /// The prepared kiosk: the fixture's real profiles, the administrator's launcher, guide and browser settings.
    static func preparedKiosk(mode: WipeMode = .auto) throws -> Kiosk {
        let sandbox = try Sandbox(fixture: true)
        try sandbox.write("Desktop/Démarches en ligne.desktop", "[Desktop Entry]\nName=Démarches\nExec=firefox-esr https://www.service-public.fr\n")
        try sandbox.write("Documents/Guide du poste.pdf", "guide")
        try sandbox.write(".bashrc", "# ~/.bashrc: executed by bash(1) for non-login shells.\n")
        try sandbox.write(".profile", "# ~/.profile: executed by the command interpreter for login shells.\n")
        if isRoot { _ = try run("chown", ["-R", "\(owner):\(owner)", sandbox.home]) }
        var settings = sandbox.settings
        settings.mode = mode
        settings.spareRootEntries = true
        let state = sandbox.base + "/state"
        return Kiosk(sandbox: sandbox, store: BaselineStore(stateDirectory: state), state: state, settings: settings)
    }

    /// What ordinary programs write, and what a hostile visitor plants to run in the next person's session.
    static func hostileSession(_ kiosk: Kiosk) throws -> [String] {
        let s = kiosk.sandbox
        let m = marker
        let files: [String: String] = [
            ".local/share/keyrings/login.keyring": "GnomeKeyring\n\(m)", ".local/share/keyrings/user.keystore": m,
            ".local/share/kwalletd/kdewallet.kwl": m, ".pki/nssdb/cert9.db": m, ".pki/nssdb/key4.db": m, ".pki/nssdb/pkcs11.txt": m,
            ".ssh/id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\n\(m)", ".ssh/known_hosts": m,
            ".gnupg/private-keys-v1.d/0A1B.key": m, ".gnupg/pubring.kbx": m,
            ".thunderbird/profiles.ini": "[Profile0]\nPath=ab12.default-release\n", ".thunderbird/ab12.default-release/logins.json": m,
            ".thunderbird/ab12.default-release/abook.sqlite": m, ".thunderbird/ab12.default-release/ImapMail/imap.example/INBOX": m,
            ".local/share/evolution/mail/local/cur/1": m, ".config/evolution/sources/mail.source": m, ".config/goa-1.0/accounts.conf": m,
            ".config/Signal/sql/db.sqlite": m, ".config/Signal/config.json": m, ".local/share/TelegramDesktop/tdata/key_datas": m,
            ".zoom/data/zoomus.db": m, ".config/zoomus.conf": m, ".config/Microsoft/Microsoft Teams/Cookies": m,
            ".config/discord/Local Storage/leveldb/000003.log": m, ".local/share/epiphany/ephy-history.db": m,
            ".var/app/org.gnome.Epiphany/data/epiphany/cookies.sqlite": m, ".local/share/webkitgtk/localstorage/https_site.localstorage": m,
            ".cache/tracker3/files/meta.db": m, ".config/dconf/user": m, ".local/share/gnome-shell/notifications": m,
            ".config/gtk-3.0/bookmarks": "file:///home/kiosk/\(m)", ".config/enchant/fr_FR.dic": m, ".zsh_history": m, ".bash_history": m,
            "attestation-\(m).pdf": m, "Templates/lettre.odt": m, "media/usb/copie.pdf": m,
            ".config/chromium/Default/Bookmarks": m, ".config/chromium/Default/Sync Data/LevelDB/000001.log": m,
            ".config/chromium/Default/Local Extension Settings/abc/000003.log": m, ".config/chromium/Default/Web Applications/Manifest Resources/x": m,
            ".mozilla/firefox/4144awjv.default-esr/cert_override.txt": m, ".mozilla/firefox/4144awjv.default-esr/storage/permanent/chrome/idb/x.sqlite": m,
            "Downloads/releve-\(m).pdf": m, "Desktop/notes.txt": m,
            // What runs for the next person.
            ".config/autostart/update.desktop": "[Desktop Entry]\nExec=/home/kiosk/.local/bin/\(m)\n",
            ".config/systemd/user/sync.service": "[Service]\nExecStart=/bin/sh -c \(m)\n",
            ".local/bin/firefox-esr": "#!/bin/sh\n# \(m)\n", ".local/share/applications/firefox-esr.desktop": "[Desktop Entry]\nExec=\(m)\n",
            ".config/environment.d/50-moved.conf": "XDG_CONFIG_HOME=$HOME/.cfg\nLD_PRELOAD=$HOME/.\(m).so\n",
            ".pam_environment": "LD_PRELOAD=\(m)\n", ".xsessionrc": m, ".config/mimeapps.list": "[Default Applications]\ntext/html=\(m).desktop\n",
            ".ssh/config": "Host *\n  ProxyCommand \(m)\n",
            ".mozilla/firefox/4144awjv.default-esr/user.js": "user_pref(\"network.proxy.http\", \"\(m)\");\n",
            ".mozilla/firefox/4144awjv.default-esr/extensions/\(m)@x.xpi": m,
            ".config/chromium/Default/Extensions/abcdefghijklmnop/1.0/manifest.json": m,
            ".config/chromium/NativeMessagingHosts/com.\(m).json": m, ".cfg/chromium/Default/Cookies": m,
        ]
        for (path, content) in files { try s.write(path, content) }
        for shell in [".bashrc", ".profile"] {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: s.home + "/" + shell).resolvingSymlinksInPath())
            handle.seekToEndOfFile()
            handle.write(Data("\nexport LD_PRELOAD=$HOME/.\(m).so\n".utf8))
            try handle.close()
        }
        try s.symlink(".config/systemd/user/default.target.wants/sync.service", to: "../sync.service")
        if isRoot { _ = try run("chown", ["-R", "-h", "\(owner):\(owner)", s.home]) }
        return files.keys.sorted() + [".config/systemd/user/default.target.wants/sync.service"]
    }

    static func xattr(_ path: String, _ name: String) -> [UInt8]? {
        let size = lgetxattr(path, name, nil, 0)
        guard size >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        _ = bytes.withUnsafeMutableBytes { lgetxattr(path, name, $0.baseAddress, size) }
        return bytes
    }

    static func attributeNames(_ path: String) -> [String] {
        let size = llistxattr(path, nil, 0)
        guard size > 0 else { return [] }
        var buffer = [CChar](repeating: 0, count: size)
        _ = llistxattr(path, &buffer, size)
        return buffer.split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    @Test func theDefaultWipeCapturesAReferenceAndResetsAHostileSessionToIt() throws {
        let kiosk = try Self.preparedKiosk()
        let journal = try AccessJournal(directory: kiosk.state)
        var captured: BaselineStore.CaptureReport?
        // The first wipe of a kiosk account without a reference takes one, journaled, and resets to it from then on.
        let first = try kiosk.recorded().run(recorder: JournalRecorder(journal: journal), onCapture: { captured = try? $0.get() }).get()
        #expect(captured != nil && kiosk.store.exists("kiosk"))
        #expect(first.mode == "baseline" && first.isClean)
        let capture = try #require(try journal.events().first { $0.kind == .baselineCaptured })
        #expect(capture.outcome == "ok" && capture.detail["automatic"] == .bool(true))
        let reference = try kiosk.store.copyPath("kiosk")
        let prepared = fullTree(reference)
        #expect(prepared["/Desktop/Démarches en ligne.desktop"] != nil)

        let planted = try Self.hostileSession(kiosk)
        let home = kiosk.sandbox.home
        // Attributes and ACLs: a default ACL on Downloads would make the next person's downloads readable by another account.
        #expect(setxattr(home, "user.\(Self.marker)", Self.marker, Self.marker.utf8.count, 0) == 0, "xattr on the home")
        #expect(setxattr(home + "/Documents/Guide du poste.pdf", "user.note", "x", 1, 0) == 0)
        let acl = try run("setfacl", ["-d", "-m", "u:1:rwx", home + "/Downloads"])
        #expect(acl.status == 0, "setfacl: \(acl.error)")
        _ = try run("setfacl", ["-m", "u:1:rw", home + "/Desktop/Démarches en ligne.desktop"])
        try Data("changed by the visitor".utf8).write(to: URL(fileURLWithPath: home + "/Desktop/Démarches en ligne.desktop"))
        chmod(home, 0o777)

        let report = try kiosk.recorded().run(recorder: JournalRecorder(journal: journal)).get()

        #expect(report.mode == "baseline")
        #expect(report.isClean, "\(report.table(.english))")
        #expect(fullTree(home) == prepared, "the home is its reference again: tree, bytes, modes, owners, times")
        #expect(Markers.carriers(in: home, markers: [Self.marker] + Markers.all) == [])
        for path in planted where prepared["/" + path] == nil { #expect(!kiosk.sandbox.exists(path), "\(path)") }
        #expect(Self.attributeNames(home).filter { $0.hasPrefix("user.") } == [], "no attribute left on the home")
        #expect(Self.xattr(home + "/Downloads", "system.posix_acl_default") == nil, "the default ACL is gone")
        #expect(Self.xattr(home + "/Desktop/Démarches en ligne.desktop", "system.posix_acl_access") == nil)
        #expect(Self.xattr(home + "/Documents/Guide du poste.pdf", "user.note") == nil)
        var info = stat()
        #expect(stat(home, &info) == 0 && info.st_mode & 0o777 != 0o777, "the home's own mode is back")
        let kinds = Set(report.kinds.filter { !$0.removed.isEmpty }.map(\.kind))
        #expect(kinds.isSuperset(of: [.startupPrograms, .other, .downloads]), "\(kinds)")
        let finished = try #require(try journal.events().last { $0.kind == .wipeFinished })
        #expect(finished.outcome == "ok" && finished.detail["mode"] == .text("baseline"))

        let again = try kiosk.recorded().run(recorder: JournalRecorder(journal: journal)).get()
        #expect(again.removed.isEmpty && again.isClean, "a second reset does nothing: \(again.kinds)")
    }

    @Test func aReferenceTakenWithXattrsAndACLsGivesThemBack() throws {
        let kiosk = try Self.preparedKiosk()
        let home = kiosk.sandbox.home
        #expect(setxattr(home + "/Documents/Guide du poste.pdf", "user.origin", "admin", 5, 0) == 0)
        #expect(try run("setfacl", ["-m", "u:1:r", home + "/Documents"]).status == 0)
        _ = try kiosk.recorded().run(recorder: nil).get()
        removexattr(home + "/Documents/Guide du poste.pdf", "user.origin")
        _ = try run("setfacl", ["-b", home + "/Documents"])

        let report = try kiosk.recorded().run(recorder: nil).get()

        #expect(report.isClean)
        #expect(Self.xattr(home + "/Documents/Guide du poste.pdf", "user.origin") == Array("admin".utf8))
        #expect(Self.xattr(home + "/Documents", "system.posix_acl_access") != nil, "the administrator's ACL is back")
        #expect(try run("getfacl", ["-c", "-n", home + "/Documents"]).output.contains("user:1:r--") || !isRoot)
    }

    @Test(.enabled(if: isRoot)) func outsideTheHomeEverythingTheAccountLeftGoesAtAnyDepth() throws {
        let kiosk = try Self.preparedKiosk()
        _ = try kiosk.recorded().run(recorder: nil).get()
        let s = kiosk.sandbox
        // A root-owned sticky folder (as /tmp/.X11-unix) holding a file of the account; a deep one; another account's file.
        try s.mkdir(".X11-unix", in: s.tmp)
        chmod(s.tmp + "/.X11-unix", 0o1777)
        try s.write(".X11-unix/X99", Self.marker, in: s.tmp)
        chown(s.tmp + "/.X11-unix/X99", Self.owner, Self.owner)
        try s.write("a/b/c/deep.txt", Self.marker, in: s.tmp)
        chown(s.tmp + "/a/b/c/deep.txt", Self.owner, Self.owner)
        try s.write("a/other.txt", "another account's", in: s.tmp)
        chown(s.tmp + "/a/other.txt", 1, 1)
        // A Firefox profile that profiles.ini places in /dev/shm, outside the home.
        let shm = "/dev/shm/.p-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: shm, withIntermediateDirectories: true)
        try s.write("cookies.sqlite", Self.marker, in: shm)
        _ = try run("chown", ["-R", "\(Self.owner):\(Self.owner)", shm])
        defer { _ = try? run("rm", ["-rf", shm]) }
        let ini = s.home + "/.mozilla/firefox/profiles.ini"
        let original = try String(contentsOfFile: ini, encoding: .utf8)
        try (original + "\n[Profile9]\nName=shm\nIsRelative=0\nPath=\(shm)\n").write(toFile: ini, atomically: false, encoding: .utf8)
        // Scheduled tasks: crontab, at job, linger flag.
        try s.write("spool/crontabs/kiosk", "* * * * * \(Self.marker)\n", in: s.base)
        try s.write("spool/atjobs/a0001801b2c3d4", Self.marker, in: s.base)
        chown(s.base + "/spool/atjobs/a0001801b2c3d4", Self.owner, Self.owner)
        try s.write("spool/atjobs/a0002801b2c3d4", "another account's job", in: s.base)
        try s.write("linger/kiosk", "", in: s.base)
        var settings = kiosk.settings
        settings.temporaryDirectories = [s.tmp, "/dev/shm"]
        var wipe = kiosk.recorded()
        wipe.settings = settings

        let report = try wipe.run(recorder: nil).get()

        // The reset undoes profiles.ini; the profile it pointed at outside the home is swept as the account's, and counted.
        #expect(report.isClean, "\(report.table(.english))")
        #expect(!FileManager.default.fileExists(atPath: s.tmp + "/.X11-unix/X99"))
        #expect(FileManager.default.fileExists(atPath: s.tmp + "/.X11-unix"), "root's folder stays")
        #expect(!FileManager.default.fileExists(atPath: s.tmp + "/a/b/c/deep.txt"))
        #expect(s.read(s.tmp + "/a/other.txt") == Data("another account's".utf8))
        #expect(!FileManager.default.fileExists(atPath: shm), "the profile in /dev/shm is swept")
        #expect(!FileManager.default.fileExists(atPath: s.base + "/spool/crontabs/kiosk"))
        #expect(!FileManager.default.fileExists(atPath: s.base + "/spool/atjobs/a0001801b2c3d4"))
        #expect(FileManager.default.fileExists(atPath: s.base + "/spool/atjobs/a0002801b2c3d4"))
        #expect(!FileManager.default.fileExists(atPath: s.base + "/linger/kiosk"))
        #expect((report.kinds.first { $0.kind == .scheduledTasks }?.removed.files ?? 0) == 3)
        #expect((report.kinds.first { $0.kind == .temporaryFiles }?.removed.files ?? 0) >= 3)
    }

    @Test func catalogueModeSaysHonestlyWhatItCannotKnowAndCountsWhatChangedOutsideIt() throws {
        let kiosk = try Self.preparedKiosk(mode: .catalogue)
        let journal = try AccessJournal(directory: kiosk.state)

        let first = try kiosk.recorded().run(recorder: JournalRecorder(journal: journal)).get()
        #expect(first.mode == "catalogue" && !kiosk.store.exists("kiosk"), "catalogue mode, chosen explicitly: no reference taken")
        #expect(first.outside?.known == false && !first.isClean, "nothing known of the home before: never \"nothing left\"")
        #expect(!first.table(.english).contains("nothing of the session is left"))
        let second = try kiosk.recorded().run(recorder: JournalRecorder(journal: journal)).get()
        #expect(second.outside?.known == true && second.outside?.total == 0 && second.isClean, "\(second.table(.english))")

        _ = try Self.hostileSession(kiosk)
        let report = try kiosk.recorded().run(recorder: JournalRecorder(journal: journal)).get()

        let outside = try #require(report.outside)
        #expect(report.left == 0 && outside.total > 20 && !report.isClean)
        #expect(outside.folders.contains { $0.name == ".config" && $0.added > 0 })
        #expect(outside.folders.contains { $0.name == "~" && $0.changed >= 2 }, ".bashrc and .profile changed: \(outside.folders)")
        let table = report.table(.french)
        #expect(table.contains("Mode catalogue") && table.contains("hors catalogue restent"))
        #expect(!table.contains("plus rien ne reste"))
        let finished = try #require(try journal.events().last { $0.kind == .wipeFinished })
        #expect(finished.outcome == "left-overs")
        guard case .object(let counted)? = finished.detail["outside_catalogue"] else { Issue.record("no outside_catalogue"); return }
        #expect(counted["added"].map { if case .int(let n) = $0 { n > 20 } else { false } } == true)
        #expect(!finished.detailJSON.contains(Self.marker), "counts only in the journal, never a name")
    }

    @Test(.enabled(if: isRoot)) func anEntryOfRootsInTheHomeIsReportedNotRemoved() throws {
        let kiosk = try Self.preparedKiosk()
        _ = try kiosk.recorded().run(recorder: nil).get()
        try kiosk.sandbox.write("Documents/root-note.txt", "the administrator's")
        chown(kiosk.sandbox.home + "/Documents/root-note.txt", 0, 0)
        try kiosk.sandbox.write("Downloads/visitor.pdf", Self.marker)
        chown(kiosk.sandbox.home + "/Downloads/visitor.pdf", Self.owner, Self.owner)

        let report = try kiosk.recorded().run(recorder: nil).get()

        #expect(kiosk.sandbox.read(kiosk.sandbox.home + "/Documents/root-note.txt") == Data("the administrator's".utf8))
        #expect(!kiosk.sandbox.exists("Downloads/visitor.pdf"))
        #expect(!report.isClean && report.kinds.flatMap(\.problems).contains { $0.code == "owned-by-root" && $0.location.hasSuffix("root-note.txt") })
    }

    @Test func theReferencePointsOutWhatRunsAtEveryLogin() throws {
        let kiosk = try Self.preparedKiosk()
        let s = kiosk.sandbox
        try s.write("skel/.bashrc", "# usual\n", in: s.base)
        try s.write("skel/.profile", "# usual profile\n", in: s.base)
        try s.write(".bashrc", "# usual\n")
        try s.write(".profile", "# changed profile\n")
        try s.write(".config/autostart/aide.desktop", "[Desktop Entry]\n")
        try s.write(".mozilla/firefox/4144awjv.default-esr/user.js", "user_pref(\"browser.startup.homepage\", \"x\");\n")
        let capture = try kiosk.store.capture(account: "kiosk", home: s.home, owner: Self.owner, settings: kiosk.settings, skeleton: s.base + "/skel")
        let pointed = capture.startup.map { "\($0.path) \($0.reason.rawValue)" }
        #expect(pointed.contains(".config/autostart/aide.desktop autostart"))
        #expect(pointed.contains(".profile shell"))
        #expect(!pointed.contains(".bashrc shell"), "the same as /etc/skel's: not pointed out")
        #expect(pointed.contains(".mozilla/firefox/4144awjv.default-esr/user.js browser-settings"))
        #expect(capture.journalDetail["startup_entries"] == .int(3))
    }
}

/// Bookmarks and settings the administrator set stay, the visitor's go: with the real profiles, Firefox's in
/// `places.sqlite` (where the history lives too) and Chromium's `Bookmarks`.
@Suite struct BookmarkTests {
    static func sql(_ database: String, _ statement: String) throws -> String {
        let result = try run("sqlite3", [database, statement])
        #expect(result.status == 0, "\(result.error)")
        return result.output
    }

    static func addFirefoxBookmark(_ places: String, url: String, title: String) throws {
        _ = try sql(places, """
        INSERT INTO moz_places (url, title, rev_host, hidden, typed, frecency, guid, url_hash)
          VALUES ('\(url)', '\(title)', 'rf.', 0, 0, 100, substr(hex(randomblob(6)), 1, 12), 0);
        INSERT INTO moz_bookmarks (type, fk, parent, position, title, guid, dateAdded, lastModified)
          VALUES (1, (SELECT id FROM moz_places WHERE url = '\(url)'), 3, 0, '\(title)', substr(hex(randomblob(6)), 1, 12), 0, 0);
        """)
    }

    @Test func theAdministratorsBookmarksStayTheVisitorsGo() throws {
        let kiosk = try HostileSessionTests.preparedKiosk()
        let s = kiosk.sandbox
        let places = s.home + "/.mozilla/firefox/4144awjv.default-esr/places.sqlite"
        try Self.addFirefoxBookmark(places, url: "https://www.service-public.fr/", title: "Service public (admin)")
        let chromium = ".config/chromium/Default/Bookmarks"
        let adminBookmarks = """
        {"roots":{"bookmark_bar":{"children":[{"name":"CAF (admin)","type":"url","url":"https://www.caf.fr/"}],"name":"Barre","type":"folder"}},"version":1}
        """
        try s.write(chromium, adminBookmarks)
        if isRoot { _ = try run("chown", ["-R", "\(HostileSessionTests.owner):\(HostileSessionTests.owner)", s.home]) }
        _ = try kiosk.recorded().run(recorder: nil).get()

        // The reference keeps the bookmarks, and nothing of the fixture's visits (its history lived in the same file).
        let copy = try kiosk.store.copyPath("kiosk")
        let reference = copy + "/.mozilla/firefox/4144awjv.default-esr/places.sqlite"
        #expect(try Self.sql(reference, "SELECT title FROM moz_bookmarks WHERE type = 1 ORDER BY title").contains("Service public (admin)"))
        #expect(try Self.sql(reference, "SELECT count(*) FROM moz_historyvisits").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(Markers.carriers(in: copy) == [], "no visit left in any file of the reference, free pages included")

        // A session: the visitor browses, bookmarks a page in each browser.
        try run("tar", ["-xzf", Paths.publicProfiles, "-C", s.base, "home-kiosk/.mozilla/firefox/4144awjv.default-esr/places.sqlite",
                        "home-kiosk/.mozilla/firefox/4144awjv.default-esr/places.sqlite-wal"])
        try Self.addFirefoxBookmark(places, url: "https://visitor.example/\(HostileSessionTests.marker)", title: "visitor \(HostileSessionTests.marker)")
        try s.write(chromium, adminBookmarks.replacingOccurrences(of: "]", with: #",{"name":"visitor \#(HostileSessionTests.marker)","type":"url","url":"https://visitor.example/"}]"#))
        if isRoot { _ = try run("chown", ["-R", "\(HostileSessionTests.owner):\(HostileSessionTests.owner)", s.home]) }

        let report = try kiosk.recorded().run(recorder: nil).get()

        #expect(report.isClean)
        #expect(try Self.sql(places, "SELECT title FROM moz_bookmarks WHERE type = 1").contains("Service public (admin)"))
        #expect(!(try Self.sql(places, "SELECT title FROM moz_bookmarks")).contains(HostileSessionTests.marker))
        #expect(s.read(s.home + "/" + chromium) == Data(adminBookmarks.utf8))
        #expect(Markers.carriers(in: s.home, markers: [HostileSessionTests.marker] + Markers.all) == [])
    }
}
