import ArdoiseCore
import ArdoiseTestSupport
import Foundation
import Testing

/// Every row of the trace catalogue, for every browser and packaging, plus the layouts the fixture lacks.
@Suite struct CatalogueCoverageTests {
    static let marker = "ardoise-session-marker"

    /// A path for a rule's pattern (`*` becomes a concrete name).
    static func concrete(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: "*", with: "x")
    }

    /// Creates what `rule` names below `anchor`, carrying the marker; returns the relative path.
    static func plant(_ rule: TraceRule, at anchor: String, in sandbox: Sandbox) throws -> String {
        let path = anchor.isEmpty ? concrete(rule.pattern) : anchor + "/" + concrete(rule.pattern)
        switch rule.action {
        case .remove:
            try sandbox.write(path, "\(marker) \(rule.kind)")
            if !rule.pattern.contains("*") { try sandbox.write(path + "-wal", marker) }
        case .empty:
            try sandbox.write(path + "/inside/file", marker)
            try sandbox.write(path + "/top", marker)
        case .scrub(.chromiumPreferences):
            try sandbox.write(path, """
            {"homepage":"https://kiosk.example","browser":{"show_home_button":true},"selectfile":{"last_directory":"/home/k/\(marker)"},
             "profile":{"content_settings":{"exceptions":{"site_engagement":{"https://\(marker).fr:443,*":{"setting":{"rawScore":3}}},"popups":{}}}}}
            """)
        case .scrub(.firefoxPrefs):
            try sandbox.write(path, """
            user_pref("browser.startup.homepage", "https://kiosk.example");
            user_pref("browser.download.lastDir", "/home/kiosk/\(marker)");
            user_pref("print.printer_PDF.print_to_filename", "/home/kiosk/\(marker).pdf");
            """)
        case .scrub(.libreOfficeHistory):
            try sandbox.write(path, """
            <?xml version="1.0" encoding="UTF-8"?>
            <oor:items xmlns:oor="http://openoffice.org/2001/registry">
            <item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
            <item oor:path="/org.openoffice.Office.Histories/Histories/org.openoffice.Office.Histories:HistoryInfo['PickList']/OrderList"><node oor:name="0" oor:op="replace"><prop oor:name="HistoryItemRef" oor:op="fuse"><value>file:///home/kiosk/\(marker).odt</value></prop></node></item>
            <item oor:path="/org.openoffice.Office.Common/History"><prop oor:name="PickListSize"><value>\(marker)</value></prop></item>
            </oor:items>
            """)
        }
        return path
    }

    static func checkGone(_ rule: TraceRule, _ path: String, in sandbox: Sandbox) {
        switch rule.action {
        case .remove:
            #expect(!sandbox.exists(path), "removed: \(path)")
            #expect(!sandbox.exists(path + "-wal"), "companion removed: \(path)-wal")
        case .empty:
            #expect(sandbox.exists(path) || rule.pattern.contains("*"), "folder kept: \(path)")
            #expect(!sandbox.exists(path + "/inside") && !sandbox.exists(path + "/top"), "emptied: \(path)")
        case .scrub:
            #expect(sandbox.exists(path), "kept: \(path)")
            let text = String(decoding: sandbox.read(sandbox.home + "/" + path) ?? Data(), as: UTF8.self)
            #expect(!text.contains(marker), "scrubbed: \(path)")
            #expect(text.contains("kiosk.example") || text.contains("FirstRun"), "the program's own settings stay: \(path)")
        }
    }

    static let locations: [(Browser, BrowserLocation)] = TraceCatalogue.standard.browsers.flatMap { browser in
        browser.locations.map { (browser, $0) }
    }

    @Test(arguments: locations.indices)
    func everyRuleOfEveryBrowserLocation(_ index: Int) async throws {
        try await onItsOwnThread {
            let (browser, location) = Self.locations[index]
            let catalogue = TraceCatalogue.standard
            let sandbox = try Sandbox()
            var planted: [(TraceRule, String)] = []
            let keptInProfile: [String]
            switch browser.engine {
            case .gecko:
                try sandbox.write(location.profiles + "/profiles.ini", "[Profile0]\nName=default\nIsRelative=1\nPath=k1.default-release\n")
                // A second profile that profiles.ini does not list is still found.
                try sandbox.write(location.profiles + "/zz9.other/times.json", "{}")
                for profile in ["k1.default-release", "zz9.other"] {
                    for rule in catalogue.geckoProfile {
                        planted.append((rule, try Self.plant(rule, at: location.profiles + "/" + profile, in: sandbox)))
                    }
                }
                for rule in catalogue.geckoRoot { planted.append((rule, try Self.plant(rule, at: location.profiles, in: sandbox))) }
                if let cache = location.cache {
                    for rule in catalogue.geckoCacheProfile { planted.append((rule, try Self.plant(rule, at: cache + "/k1.default-release", in: sandbox))) }
                    try sandbox.write(cache + "/k1.default-release/startupCache/startupCache.8.little", "startup")
                }
                keptInProfile = ["k1.default-release/extensions.json", "k1.default-release/bookmarkbackups/bookmarks-1.jsonlz4", "profiles.ini"]
            case .chromium:
                for profile in ["Default", "Profile 2", "Guest Profile"] {
                    for rule in catalogue.chromiumProfile {
                        planted.append((rule, try Self.plant(rule, at: location.profiles + "/" + profile, in: sandbox)))
                    }
                }
                for rule in catalogue.chromiumRoot { planted.append((rule, try Self.plant(rule, at: location.profiles, in: sandbox))) }
                if let cache = location.cache {
                    try sandbox.write(cache + "/Default/Cache/Cache_Data/f_000001", Self.marker)
                    try sandbox.write(cache + "/Profile 2/Code Cache/js/index", Self.marker)
                }
                keptInProfile = ["Default/Extensions/abc/1.0/manifest.json", "Profile 2/Bookmarks", "First Run"]
            }
            for kept in keptInProfile { try sandbox.write(location.profiles + "/" + kept, "kiosk settings") }

            let report = try sandbox.wipe()

            for (rule, path) in planted { Self.checkGone(rule, path, in: sandbox) }
            for kept in keptInProfile { #expect(sandbox.exists(location.profiles + "/" + kept), "kept: \(kept)") }
            if browser.engine == .gecko, let cache = location.cache {
                #expect(sandbox.exists(cache + "/k1.default-release/startupCache/startupCache.8.little"))
            }
            #expect(Markers.carriers(in: sandbox.home, markers: [Self.marker]) == [], "\(browser.name) \(location.profiles)")
            #expect(report.isClean)
        }
    }

    @Test func everyDesktopRule() throws {
        let sandbox = try Sandbox()
        var planted: [(TraceRule, String)] = []
        for rule in TraceCatalogue.standard.home { planted.append((rule, try Self.plant(rule, at: "", in: sandbox))) }
        try sandbox.write(".local/share/applications/kiosk.desktop", "[Desktop Entry]")
        try sandbox.write(".config/libreoffice/4/user/config/standard.soc", "palette")

        let report = try sandbox.wipe()

        for (rule, path) in planted { Self.checkGone(rule, path, in: sandbox) }
        #expect(sandbox.exists(".local/share/applications/kiosk.desktop"))
        #expect(sandbox.exists(".config/libreoffice/4/user/config/standard.soc"))
        #expect(Markers.carriers(in: sandbox.home, markers: [Self.marker]) == [])
        #expect(report.isClean)
    }

    // MARK: Real profiles in the layouts the fixture lacks

    @Test(arguments: [
        (".mozilla/firefox/4144awjv.default-esr", "snap/firefox/common/.mozilla/firefox/4144awjv.default-esr"),
        (".mozilla/firefox/4144awjv.default-esr", ".config/mozilla/firefox/4144awjv.default-esr"),
        (".mozilla/firefox/4144awjv.default-esr", ".var/app/org.mozilla.firefox/.mozilla/firefox/a1b2.default-release"),
        (".config/chromium/Default", "snap/chromium/common/chromium/Default"),
        (".config/chromium/Default", ".var/app/org.chromium.Chromium/config/chromium/Profile 3"),
        (".config/chromium/Default", ".config/google-chrome/Profile 2"),
        (".config/chromium/Default", ".config/BraveSoftware/Brave-Browser/Default"),
        (".config/chromium/Default", ".config/microsoft-edge/Profile 1"),
        (".config/chromium/Default", ".config/vivaldi/Default"),
        (".config/chromium/Default", ".var/app/com.opera.Opera/config/opera"),
    ])
    func realProfileInAnotherLayout(_ source: String, _ destination: String) throws {
        let fixture = try Sandbox(fixture: true)
        let sandbox = try Sandbox()
        try sandbox.copyFromFixture(source, to: destination, fixtureHome: fixture.home)
        #expect(!Markers.carriers(in: sandbox.home).isEmpty)

        let report = try sandbox.wipe()

        #expect(Markers.carriers(in: sandbox.home) == [], "\(destination)")
        #expect(report.isClean)
        let keptFile = source.hasPrefix(".mozilla") ? "prefs.js" : "Preferences"
        #expect(sandbox.exists(destination + "/" + keptFile))
    }

    @Test func cacheOfEveryPackagingGoes() throws {
        let fixture = try Sandbox(fixture: true)
        let sandbox = try Sandbox()
        try sandbox.copyFromFixture(".cache/chromium", to: "snap/chromium/common/.cache/chromium", fixtureHome: fixture.home)
        try sandbox.copyFromFixture(".cache/mozilla/firefox", to: ".var/app/org.mozilla.firefox/cache/mozilla/firefox", fixtureHome: fixture.home)
        try sandbox.mkdir("snap/chromium/common/chromium/Default")
        try sandbox.mkdir(".var/app/org.mozilla.firefox/.mozilla/firefox")

        _ = try sandbox.wipe()

        #expect(Markers.carriers(in: sandbox.home) == [])
        #expect(sandbox.exists("snap/chromium/common/.cache/chromium"))
    }

    @Test func profilesIniPathsInsideTheHomeAreFollowedAndOutsideRefused() throws {
        let fixture = try Sandbox(fixture: true)
        let sandbox = try Sandbox()
        try sandbox.copyFromFixture(".mozilla/firefox/4144awjv.default-esr", to: "kiosk-profiles/main", fixtureHome: fixture.home)
        try sandbox.write("places.sqlite", "must stay", in: sandbox.outside)
        try sandbox.write(".mozilla/firefox/profiles.ini", """
        [Profile0]
        Name=main
        IsRelative=0
        Path=\(sandbox.home)/kiosk-profiles/main

        [Profile1]
        Name=elsewhere
        IsRelative=0
        Path=\(sandbox.outside)

        [Profile2]
        Name=climbing
        IsRelative=1
        Path=../../../outside
        """)

        let report = try sandbox.wipe()

        #expect(Markers.carriers(in: sandbox.home) == [])
        #expect(sandbox.read(sandbox.outside + "/places.sqlite") == Data("must stay".utf8))
        let refused = report.kinds.flatMap(\.problems).filter { $0.code == "refused-path" }
        #expect(refused.count == 2, "\(refused)")
    }

    // MARK: XDG user folders

    @Test func localizedUserFoldersAreEmptiedButForTheKeepList() throws {
        let sandbox = try Sandbox()
        try sandbox.write(".config/user-dirs.dirs", """
        # written by xdg-user-dirs-update
        XDG_DESKTOP_DIR="$HOME/Bureau"
        XDG_DOWNLOAD_DIR="$HOME/Téléchargements"
        XDG_DOCUMENTS_DIR="$HOME/Documents"
        XDG_PICTURES_DIR="$HOME/Images"
        XDG_MUSIC_DIR="$HOME/Musique"
        XDG_VIDEOS_DIR="$HOME/Vidéos"
        XDG_PUBLICSHARE_DIR="$HOME/Public"
        XDG_TEMPLATES_DIR="$HOME/Modèles"
        """)
        for folder in ["Téléchargements", "Documents", "Images", "Musique", "Vidéos", "Public"] {
            try sandbox.write("\(folder)/dossier-caf.pdf", "pdf")
            try sandbox.write("\(folder)/sous-dossier/photo.jpg", "jpg")
        }
        try sandbox.write("Bureau/notes.txt", "mes notes")
        try sandbox.write("Bureau/Navigateur.desktop", "[Desktop Entry]")
        try sandbox.write("Modèles/Lettre.odt", "modèle de l'animateur")
        try sandbox.write("Downloads/not-the-download-folder.txt", "stays: user-dirs.dirs names Téléchargements")
        var settings = sandbox.settings
        settings.keep = KeepList(["Bureau/*.desktop"])

        let report = try sandbox.wipe(settings: settings)

        for folder in ["Téléchargements", "Documents", "Images", "Musique", "Vidéos", "Public"] {
            #expect(sandbox.exists(folder), "\(folder) stays")
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.home + "/" + folder).isEmpty, "\(folder) emptied")
        }
        #expect(!sandbox.exists("Bureau/notes.txt"))
        #expect(sandbox.exists("Bureau/Navigateur.desktop"))
        #expect(sandbox.exists("Modèles/Lettre.odt"))
        #expect(sandbox.exists("Downloads/not-the-download-folder.txt"))
        #expect(report.kinds.first { $0.kind == .downloads }?.removed.files == 2)
        #expect(report.isClean, "kept entries are not left-overs")
    }

    @Test func withoutUserDirsTheUsualEnglishAndFrenchNamesAreEmptied() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Téléchargements/a.pdf")
        try sandbox.write("Downloads/b.pdf")
        try sandbox.write("Bureau/c.txt")
        try sandbox.write("Desktop/d.txt")

        _ = try sandbox.wipe()

        for path in ["Téléchargements/a.pdf", "Downloads/b.pdf", "Bureau/c.txt", "Desktop/d.txt"] { #expect(!sandbox.exists(path)) }
    }

    @Test func aFolderTurnedOffWithHomeNeverEmptiesTheHome() throws {
        let sandbox = try Sandbox()
        try sandbox.write(".config/user-dirs.dirs", "XDG_DESKTOP_DIR=\"$HOME\"\nXDG_DOWNLOAD_DIR=\"$HOME/\"\nXDG_DOCUMENTS_DIR=\"$HOME/.config\"\n")
        try sandbox.write("keep-me.txt", "admin file")
        try sandbox.write(".config/kiosk.conf", "admin settings")

        let report = try sandbox.wipe()

        #expect(sandbox.exists("keep-me.txt"))
        #expect(sandbox.exists(".config/kiosk.conf"))
        #expect(report.kinds.flatMap(\.problems).contains { $0.code == "refused-path" && $0.message(.english).contains("hidden") })
    }

    // MARK: Configuration-driven rules

    @Test func extraPathsGoAndExcludedKindsStay() throws {
        let sandbox = try Sandbox()
        try sandbox.write(".local/share/some-app/history.db", "x")
        try sandbox.write(".cache/chromium/Default/Cache/data", "x")
        try sandbox.write(".config/chromium/Default/Cookies", "x")
        var settings = sandbox.settings
        settings.extra = [TraceRule(.applicationHistory, ".local/share/some-app")]
        settings.excludedKinds = [.cache]

        let report = try sandbox.wipe(settings: settings)

        #expect(!sandbox.exists(".local/share/some-app"))
        #expect(sandbox.exists(".cache/chromium/Default/Cache/data"))
        #expect(!sandbox.exists(".config/chromium/Default/Cookies"))
        #expect(report.kinds.first { $0.kind == .cache } == nil)
    }

    @Test(.enabled(if: isRoot, "needs root to own files as another account"))
    func temporaryFilesOfTheAccountGoOthersStay() throws {
        let sandbox = try Sandbox()
        try sandbox.write("session-file.pdf", "mine", in: sandbox.tmp)
        try sandbox.write("mine-dir/inner.txt", "mine", in: sandbox.tmp)
        try sandbox.write("someone-else.txt", "theirs", in: sandbox.tmp)
        try sandbox.write("mine-dir/planted-by-other.txt", "theirs", in: sandbox.tmp)
        for path in ["session-file.pdf", "mine-dir", "mine-dir/inner.txt"] { chown(sandbox.tmp + "/" + path, testOwner, testOwner) }
        chown(sandbox.tmp + "/someone-else.txt", 1000, 1000)
        chown(sandbox.tmp + "/mine-dir/planted-by-other.txt", 1000, 1000)

        let report = try sandbox.wipe()

        #expect(!FileManager.default.fileExists(atPath: sandbox.tmp + "/session-file.pdf"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.tmp + "/mine-dir/inner.txt"))
        #expect(FileManager.default.fileExists(atPath: sandbox.tmp + "/someone-else.txt"))
        #expect(FileManager.default.fileExists(atPath: sandbox.tmp + "/mine-dir/planted-by-other.txt"))
        let temporary = try #require(report.kinds.first { $0.kind == .temporaryFiles })
        #expect(temporary.removed.files == 2)
        #expect(temporary.problems.contains { $0.code == "other-owner" })
    }
}
