import ArdoiseCore
import Foundation
import Glibc
import Testing

@Suite struct SafeRemoverTests {
    @Test func removesAFileAFolderAndCountsWhatWent() throws {
        let sandbox = try Sandbox()
        try sandbox.write("a/b/c.txt", "12345")
        try sandbox.write("a/d.txt", "123")
        try sandbox.write("e.txt", "1")
        let remover = SafeRemover(root: try OpenedRoot(path: sandbox.home))

        let folder = remover.remove(HomePath("a")!)
        let file = remover.remove(HomePath("e.txt")!)
        let missing = remover.remove(HomePath("nothing/here")!)

        #expect(folder.tally == RemovalTally(files: 2, bytes: 8, directories: 2))
        #expect(file.tally == RemovalTally(files: 1, bytes: 1, directories: 0))
        #expect(missing.tally.isEmpty && missing.failures.isEmpty)
        #expect(!sandbox.exists("a") && !sandbox.exists("e.txt"))
    }

    @Test func aDryRunCountsTheSameAndRemovesNothing() throws {
        let sandbox = try Sandbox()
        for index in 0..<20 { try sandbox.write("box/sub\(index % 3)/f\(index)", String(repeating: "x", count: index)) }
        let remover = SafeRemover(root: try OpenedRoot(path: sandbox.home))
        let before = snapshot(sandbox.home)

        let counted = remover.remove(HomePath("box")!, .init(dryRun: true))
        #expect(snapshot(sandbox.home) == before)
        let removed = remover.remove(HomePath("box")!)

        #expect(counted.tally == removed.tally)
        #expect(removed.tally == RemovalTally(files: 20, bytes: 190, directories: 4))
    }

    @Test func emptyingKeepsTheFolderAndWhatTheKeepListNames() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Desktop/launcher.desktop", "[Desktop Entry]")
        try sandbox.write("Desktop/apps/other.desktop", "[Desktop Entry]")
        try sandbox.write("Desktop/apps/note.txt", "note")
        try sandbox.write("Desktop/letter.odt", "letter")
        let remover = SafeRemover(root: try OpenedRoot(path: sandbox.home))

        let result = remover.removeContents(of: HomePath("Desktop")!, .init(keep: KeepList(["Desktop/*.desktop", "Desktop/apps/*.desktop"])))

        #expect(sandbox.exists("Desktop/launcher.desktop") && sandbox.exists("Desktop/apps/other.desktop"))
        #expect(!sandbox.exists("Desktop/apps/note.txt") && !sandbox.exists("Desktop/letter.odt"))
        #expect(result.kept == 2)
        #expect(result.failures.isEmpty)
    }

    @Test func aDeepTreeIsRemovedWithFewDescriptorsAndFoundAgainThroughDotDot() throws {
        let sandbox = try Sandbox()
        try sandbox.mkdir("deep")
        try makeDeepTree(at: sandbox.home + "/deep", depth: 300)
        var remover = SafeRemover(root: try OpenedRoot(path: sandbox.home))
        remover.heldDescriptors = 4

        let result = remover.remove(HomePath("deep")!)

        #expect(result.failures.isEmpty)
        #expect(result.tally == RemovalTally(files: 1, bytes: 0, directories: 301))
        #expect(!sandbox.exists("deep"))
        // Other tests open descriptors at the same time: only those inside the tree count.
        #expect(try descriptorsOpen(under: sandbox.home + "/").isEmpty, "no descriptor leaked")
    }

    private func descriptorsOpen(under prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { name in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name)
            return target.flatMap { $0.hasPrefix(prefix) ? $0 : nil }
        }
    }

    @Test func aLinkOnTheWayIsNeverFollowed() throws {
        let sandbox = try Sandbox()
        try sandbox.write("dir/secret.txt", "secret", in: sandbox.outside)
        try sandbox.symlink("via", to: sandbox.outside)
        let remover = SafeRemover(root: try OpenedRoot(path: sandbox.home))

        let through = remover.remove(HomePath("via/dir/secret.txt")!)
        let contents = remover.removeContents(of: HomePath("via/dir")!)

        #expect(sandbox.read(sandbox.outside + "/dir/secret.txt") == Data("secret".utf8))
        #expect(through.failures.map(\.reason) == [.symbolicLinkOnTheWay])
        #expect(contents.failures.map(\.reason) == [.symbolicLinkOnTheWay])
    }

    @Test func theRootItselfMustNotBeALink() throws {
        let sandbox = try Sandbox()
        let link = sandbox.base + "/link-home"
        #expect(symlink(sandbox.home, link) == 0)
        #expect(throws: OpenedRoot.OpenError.isSymbolicLink(link)) { try OpenedRoot(path: link) }
    }
}

@Suite struct ScrubberTests {
    @Test func chromiumPreferencesLoseSitesKeepSettings() throws {
        let input = """
        {"homepage":"https://mairie.example","browser":{"show_home_button":true,"enabled_labs_experiments":[]},
         "profile":{"name":"Kiosque","content_settings":{"exceptions":{"site_engagement":{"https://caf.fr:443,*":{"setting":{"rawScore":3}}},
           "notifications":{"[*.]impots.gouv.fr,*":{"setting":1}},"popups":{}}},"exit_type":"Normal"},
         "selectfile":{"last_directory":"/home/kiosk/Downloads/dossier"},"savefile":{"default_directory":"/home/kiosk/Documents"},
         "media":{"engagement":{"https://video.example":{"visits":2}}}}
        """
        let output = try #require(try Scrubber.chromiumPreferences.scrub(Array(input.utf8)))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output)) as? [String: Any])
        #expect(json["homepage"] as? String == "https://mairie.example")
        #expect((json["browser"] as? [String: Any])?["show_home_button"] as? Bool == true)
        let profile = try #require(json["profile"] as? [String: Any])
        #expect(profile["name"] as? String == "Kiosque")
        let exceptions = try #require((profile["content_settings"] as? [String: Any])?["exceptions"] as? [String: Any])
        #expect(exceptions.values.allSatisfy { ($0 as? [String: Any])?.isEmpty == true })
        #expect(json["selectfile"].flatMap { ($0 as? [String: Any])?["last_directory"] } == nil)
        #expect((json["media"] as? [String: Any]).flatMap { ($0["engagement"] as? [String: Any])?.isEmpty } == true)
        let text = String(decoding: output, as: UTF8.self)
        for trace in ["caf.fr", "impots.gouv.fr", "dossier", "video.example"] { #expect(!text.contains(trace)) }
        #expect(try Scrubber.chromiumPreferences.scrub(output) == nil, "a clean file is left as it is")
    }

    @Test func brokenPreferencesAreReportedNotRewritten() {
        #expect(throws: Scrubber.Problem.self) { try Scrubber.chromiumPreferences.scrub(Array("{not json".utf8)) }
    }

    @Test func firefoxPrefsLoseOnlyTheLastFoldersUsed() throws {
        let input = """
        // Mozilla User Preferences
        user_pref("browser.startup.homepage", "https://mairie.example");
        user_pref("browser.download.lastDir", "/home/kiosk/Téléchargements/impots");
        user_pref("browser.download.lastDir.savePerSite", true);
        user_pref("print.printer_Mozilla_Save_to_PDF.print_to_filename", "/home/kiosk/avis.pdf");
        user_pref("browser.download.dir", "/home/kiosk/Téléchargements");
        """
        let output = String(decoding: try #require(try Scrubber.firefoxPrefs.scrub(Array(input.utf8))), as: UTF8.self)
        #expect(output.contains("browser.startup.homepage") && output.contains("browser.download.dir\""))
        #expect(!output.contains("impots") && !output.contains("avis.pdf") && !output.contains("savePerSite"))
        #expect(try Scrubber.firefoxPrefs.scrub(Array(output.utf8)) == nil)
    }

    @Test func libreOfficeLosesItsRecentDocuments() throws {
        let input = """
        <item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun"><value>false</value></prop></item>
        <item oor:path="/org.openoffice.Office.Histories/Histories/org.openoffice.Office.Histories:HistoryInfo['PickList']/ItemList"><node oor:name="file:///home/kiosk/cv.odt"/></item>
        """
        let output = String(decoding: try #require(try Scrubber.libreOfficeHistory.scrub(Array(input.utf8))), as: UTF8.self)
        #expect(output.contains("FirstRun"))
        #expect(!output.contains("cv.odt"))
    }
}

@Suite struct ConfigurationTests {
    @Test func everyKeyOfTheShippedFileParses() throws {
        let text = try String(contentsOfFile: Paths.packageRoot + "/Config/ardoise.toml", encoding: .utf8)
        let configuration = try ArdoiseConfiguration.parse(text, file: "Config/ardoise.toml")
        // The shipped file says the defaults, every one of them.
        #expect(configuration.wipe == WipeSettings())
        #expect(configuration.wipe.temporaryDirectories == ["/tmp", "/var/tmp", "/dev/shm"])
        #expect(configuration.wipe.keep.patterns == ["Bureau/*.desktop", "Desktop/*.desktop"])
        #expect(configuration.wipe.excludedKinds.isEmpty)
        #expect(configuration.wipe.mode == .auto)
        #expect(configuration.journal.retentionDays == 365)
        #expect(configuration.kiosk == KioskSettings())
        #expect(configuration.warnings.isEmpty)
    }

    @Test func theKioskAccountsAndTheirLogoutAreRead() throws {
        let configuration = try ArdoiseConfiguration.parse("""
        [kiosk]
        users = ["kiosque", "invite"]
        uid_range = [2000, 2999]
        logout_grace_seconds = 1.5
        hook_timeout_seconds = 30
        """, file: "t.toml")
        #expect(configuration.kiosk.users == ["kiosque", "invite"])
        #expect(configuration.kiosk.uidRange == 2000...2999)
        #expect(configuration.kiosk.logoutGraceSeconds == 1.5)
        #expect(configuration.kiosk.hookTimeoutSeconds == 30)
        let policy = KioskPolicy(configuration.kiosk)
        #expect(policy.isKiosk(Account(name: "kiosque", uid: 1500, gid: 1500, home: "/home/kiosque")))
        #expect(policy.isKiosk(Account(name: "someone", uid: 2500, gid: 2500, home: "/home/someone")))
        #expect(!policy.isKiosk(Account(name: "staff", uid: 1000, gid: 1000, home: "/home/staff")))
        // root never, whatever the file says.
        #expect(!KioskPolicy(KioskSettings(users: ["root"], uidRange: 0...10)).isKiosk(Account(name: "root", uid: 0, gid: 0, home: "/root")))
    }

    @Test func valuesAreRead() throws {
        let configuration = try ArdoiseConfiguration.parse("""
        [wipe]
        mode = "catalogue"
        exclude_kinds = ["cache", "thumbnails"]
        keep = ["Bureau/*.desktop"]
        temporary_directories = ["/tmp"]

        [[wipe.extra]]
        path = ".local/share/some-app"
        kind = "app-history"

        [[wipe.extra]]
        path = ".scanner"

        [wipe.modes]
        kiosque2 = "baseline"
        """, file: "test.toml")
        #expect(configuration.wipe.mode(for: "kiosque1") == .catalogue)
        #expect(configuration.wipe.mode(for: "kiosque2") == .baseline)
        #expect(configuration.wipe.excludedKinds == [.cache, .thumbnails])
        #expect(configuration.wipe.keep == KeepList(["Bureau/*.desktop"]))
        #expect(configuration.wipe.extra == [TraceRule(.applicationHistory, ".local/share/some-app"), TraceRule(.other, ".scanner")])
    }

    @Test(arguments: [
        ("[wipe\nkeep = []", 1, nil as String?),
        ("[wipe]\nkeep = []\nexclude_kinds = [\"cookiez\"]", 3, "wipe.exclude_kinds"),
        ("# comment\n[wipe]\ncolour = \"blue\"", 3, "wipe.colour"),
        ("[wipe]\n\ntemporary_directories = [\"tmp\"]", 3, "wipe.temporary_directories"),
        ("[wipe]\nkeep = \"Bureau\"", 2, "wipe.keep"),
        ("[wipe]\n[[wipe.extra]]\npath = \"../../etc\"", 3, "wipe.extra.path"),
        ("[wipe]\n[[wipe.extra]]\npath = \"x\"\nkind = \"nope\"", 4, "wipe.extra.kind"),
        ("[wipe]\nmode = \"clean\"", 2, "wipe.mode"),
        ("[wipe.modes]\nkiosque = \"fast\"", 2, "wipe.modes.kiosque"),
        ("[journal]\nretention_days = 2000", 2, "journal.retention_days"),
        ("[fleet]\ndatabase = \"mysql://k@h/d\"", 2, "fleet.database"),
        ("[fleet]\ndatabase = \"postgresql://k@h/d\"\npassword_file = \"fleet.password\"", 3, "fleet.password_file"),
        ("[fleet]\n\nca_file = 3", 3, "fleet.ca_file"),
        ("[fleet]\nserver = \"h\"", 2, "fleet.server"),
        ("[kiosk]\nusers = \"kiosque\"", 2, "kiosk.users"),
        ("[kiosk]\nusers = [\"root\"]", 2, "kiosk.users"),
        ("[kiosk]\n\nuid_range = [3000, 2000]", 3, "kiosk.uid_range"),
        ("[kiosk]\nlogout_grace_seconds = 600", 2, "kiosk.logout_grace_seconds"),
        ("[kiosk]\nhook_timeout_seconds = 0", 2, "kiosk.hook_timeout_seconds"),
        ("[kiosk]\nseats = 2", 2, "kiosk.seats"),
    ])
    func aBrokenFileNamesItsLineAndKey(_ text: String, _ line: Int, _ key: String?) {
        do {
            _ = try ArdoiseConfiguration.parse(text, file: "/etc/ardoise/ardoise.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.file == "/etc/ardoise/ardoise.toml")
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.message(.french).hasPrefix("/etc/ardoise/ardoise.toml:\(line)"))
        }
    }
}
