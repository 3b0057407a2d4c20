import ArdoiseCore
import Foundation
import Testing

/// The wipe against the real Firefox ESR and Chromium profiles of the shared fixture.
@Suite struct FixtureWipeTests {
    @Test func everyTraceOfTheManifestIsGone() throws {
        let sandbox = try Sandbox(fixture: true)
        let listed = try Manifest.tracePaths()
        #expect(listed.count > 30, "the manifest's trace table was read")
        #expect(listed.contains { sandbox.exists($0) }, "the fixture holds the traces before the wipe")

        let report = try sandbox.wipe()

        let survivors = listed.filter { sandbox.exists($0) }
        #expect(survivors.isEmpty, "left: \(survivors)")
        #expect(report.isClean)
        #expect(report.problemCount == 0, "\(report.kinds.flatMap(\.problems))")
        for kind: TraceKind in [.history, .cookies, .passwords, .formData, .siteStorage, .cache, .sessionRestore, .sitePermissions, .downloads, .recentFiles] {
            #expect((report.kinds.first { $0.kind == kind }?.removed.files ?? 0) > 0, "\(kind) removed something")
        }
    }

    @Test func noFileNorNameCarriesAMarkerOfTheSession() throws {
        let sandbox = try Sandbox(fixture: true)
        #expect(Markers.carriers(in: sandbox.home).count >= 50, "the fixture carries the markers before the wipe")

        _ = try sandbox.wipe()

        #expect(Markers.carriers(in: sandbox.home) == [])
    }

    @Test func theKiosksOwnFilesStayAndStillWork() throws {
        let sandbox = try Sandbox(fixture: true)
        let firefox = ".mozilla/firefox/4144awjv.default-esr"
        let kept = [
            ".mozilla/firefox/profiles.ini", ".mozilla/firefox/installs.ini", ".config/user-dirs.dirs", ".config/user-dirs.locale",
            "\(firefox)/prefs.js", "\(firefox)/extensions.json", "\(firefox)/xulstore.json", "\(firefox)/times.json",
            "\(firefox)/cert9.db", "\(firefox)/storage/permanent/chrome/.metadata-v2",
            ".cache/mozilla/firefox/4144awjv.default-esr/startupCache/startupCache.8.little",
            ".config/chromium/Default/Preferences", ".config/chromium/Default/Secure Preferences", ".config/chromium/Local State",
            ".config/chromium/Default/Extension State/CURRENT", ".config/chromium/First Run", "Downloads",
        ]
        let prefsBefore = sandbox.read(sandbox.home + "/\(firefox)/prefs.js")

        _ = try sandbox.wipe()

        for path in kept { #expect(sandbox.exists(path), "kept: \(path)") }
        #expect(sandbox.read(sandbox.home + "/\(firefox)/prefs.js") == prefsBefore, "prefs.js had no session trace and is untouched")
        // Chromium must still read its preferences: valid JSON, its own settings kept, the sites' gone.
        let data = try #require(sandbox.read(sandbox.home + "/.config/chromium/Default/Preferences"))
        let preferences = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(preferences["extensions"] != nil && preferences["browser"] != nil && preferences["intl"] != nil)
        let profile = try #require(preferences["profile"] as? [String: Any])
        let exceptions = try #require((profile["content_settings"] as? [String: Any])?["exceptions"] as? [String: Any])
        #expect((exceptions["site_engagement"] as? [String: Any])?.isEmpty == true)
        #expect((exceptions["media_engagement"] as? [String: Any])?.isEmpty == true)
    }

    /// A wipe killed while it cleaned `Preferences` left its copy beside it: the next wipe removes it, whatever its number.
    @Test func theCopyAKilledWipeLeftBesideACleanedFileGoes() throws {
        let sandbox = try Sandbox(fixture: true)
        let folder = sandbox.home + "/.config/chromium/Default"
        let preferences = try #require(sandbox.read(folder + "/Preferences"))
        let copies = [".Preferences.ardoise-\(getpid())-17", ".Preferences.ardoise-4000000-123456789"]
        for copy in copies { try preferences.write(to: URL(fileURLWithPath: folder + "/" + copy)) }
        let unrelated = folder + "/.Preferences.ardoise-notes"
        try Data("mine".utf8).write(to: URL(fileURLWithPath: unrelated))

        let report = try sandbox.wipe()

        for copy in copies { #expect(!sandbox.exists(".config/chromium/Default/" + copy), "\(copy) removed") }
        #expect(report.isClean)
        #expect(FileManager.default.fileExists(atPath: unrelated) || !report.isClean, "a name that is no copy is left to the rest of the wipe")
    }

    @Test func aSecondWipeFindsNothing() throws {
        let sandbox = try Sandbox(fixture: true)
        _ = try sandbox.wipe()
        let again = try sandbox.wipe()
        #expect(again.found.isEmpty, "\(again.kinds)")
        #expect(again.isClean)
        let dryRun = try sandbox.wipe(dryRun: true)
        #expect(dryRun.found.isEmpty)
    }

    @Test func aDryRunTouchesNothingAndListsWhatWouldGo() throws {
        let sandbox = try Sandbox(fixture: true)
        let before = snapshot(sandbox.home)

        let plan = try sandbox.wipe(dryRun: true)

        #expect(snapshot(sandbox.home) == before)
        #expect(plan.dryRun)
        #expect(plan.removed.isEmpty)
        let downloads = try #require(plan.kinds.first { $0.kind == .downloads })
        #expect(downloads.found.files == 2 && downloads.found.bytes == 1438)
        let real = try sandbox.wipe()
        #expect(real.removed.files == plan.found.files, "the dry run announced exactly what the wipe removed")
        #expect(real.removed.bytes == plan.found.bytes)
    }

    @Test func theReportIsReadableInFrenchAndEnglishAndAsJSON() throws {
        let sandbox = try Sandbox(fixture: true)
        let report = try sandbox.wipe()
        let french = report.rendered(.table, language: .french)
        #expect(french.contains("mots de passe enregistrés"))
        #expect(french.contains("plus rien ne reste de la session"))
        let english = report.rendered(.table, language: .english)
        #expect(english.contains("saved passwords"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(json["clean"] as? Bool == true)
        #expect(json["left"] as? Int == 0)
        let kinds = try #require(json["kinds"] as? [[String: Any]])
        #expect(kinds.contains { $0["kind"] as? String == "passwords" })
    }
}
