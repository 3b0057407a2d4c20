import ArdoiseCore
import ArdoiseSystem
import Foundation
import Glibc
import Testing

/// The browsers' managed policies, written in a folder standing for `/`: what is written where, what an administrator's
/// own files keep, what is refused, and what `remove` gives back.
@Suite struct BrowserPoliciesTests {
    final class Machine {
        let root: String
        var state: String { root + "/var/lib/ardoise" }
        var settings = PolicySettings()

        init(browsers: [String] = ["/usr/lib/firefox-esr/firefox-esr", "/usr/lib/chromium/chromium"]) throws {
            var template = Array("/var/tmp/ardoise-policies-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
            root = String(cString: made)
            try FileManager.default.createDirectory(atPath: root + "/var/lib", withIntermediateDirectories: true)
            for browser in browsers { try write(browser, "") }
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        var policies: BrowserPolicies { BrowserPolicies(root: root, stateDirectory: state, settings: settings) }

        func write(_ path: String, _ text: String) throws {
            try FileManager.default.createDirectory(atPath: root + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: root + path))
        }

        func bytes(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: root + path).map(Array.init) }

        func json(_ path: String) -> [String: JSONValue]? { bytes(path).flatMap { JSONValue.parse($0)?.objectValue } }

        func mode(_ path: String) -> mode_t {
            var info = stat()
            lstat(root + path, &info)
            return info.st_mode & 0o7777
        }

        func place(_ browser: String, _ packaging: Packaging) -> BrowserPolicies.PlaceStatus? {
            policies.show().first { $0.browser == browser && $0.packaging == packaging }
        }
    }

    static let firefox = "/etc/firefox/policies/policies.json"
    static let chromium = "/etc/chromium/policies/managed/ardoise.json"

    @Test func theInstalledBrowsersGetTheirPoliciesReadableByEveryone() throws {
        let machine = try Machine()
        let changes = machine.policies.install()
        #expect(changes.map(\.path).sorted() == [Self.chromium, Self.firefox])
        #expect(changes.allSatisfy { $0.outcome == .written })
        // What ardoise writes is JSON as Firefox's JSON.parse reads it.
        #expect(JSONValue.parse(try #require(machine.bytes(Self.firefox)), strict: true) != nil)
        let firefox = try #require(machine.json(Self.firefox)?["policies"]?.objectValue)
        #expect(firefox["PasswordManagerEnabled"] == false)
        #expect(firefox["OfferToSaveLogins"] == false)
        #expect(firefox["DisableFirefoxAccounts"] == true)
        #expect(firefox["SanitizeOnShutdown"]?.objectValue?["Locked"] == true)
        #expect(firefox["SearchEngines"]?.objectValue?["Default"] == "DuckDuckGo")
        let chromium = try #require(machine.json(Self.chromium))
        #expect(chromium["PasswordManagerEnabled"] == false)
        #expect(chromium["BrowserSignin"] == 0)
        #expect(chromium["SyncDisabled"] == true)
        #expect(chromium["BrowserGuestModeEnabled"] == false)
        #expect(chromium["ClearBrowsingDataOnExitList"]?.arrayCount == 8)
        // The browsers run as the kiosk account: the files and their folders are readable by all, writable by root only.
        #expect(machine.mode(Self.firefox) == 0o644)
        #expect(machine.mode("/etc/firefox/policies") == 0o755)
        #expect(machine.mode("/etc/chromium/policies/managed") == 0o755)
        // Only what is installed: no Chrome, Brave, Edge or Vivaldi folder appears.
        #expect(machine.bytes("/etc/opt/chrome/policies/managed/ardoise.json") == nil)
        #expect(machine.place("Firefox", .deb)?.protected == true)
        #expect(machine.place("Chromium", .deb)?.protected == true)
        #expect(machine.place("Google Chrome", .deb)?.installed == false)
        // A second run changes nothing.
        #expect(machine.policies.install().allSatisfy { $0.outcome == .unchanged })
    }

    @Test func theConfigurationDecidesWhatIsWritten() throws {
        let machine = try Machine()
        machine.settings.privateBrowsing = true
        machine.settings.searchEngine = ""
        _ = machine.policies.install()
        #expect(machine.json(Self.firefox)?["policies"]?.objectValue?["PrivateBrowsingModeAvailability"] == 2)
        #expect(machine.json(Self.firefox)?["policies"]?.objectValue?["SearchEngines"] == nil)
        #expect(machine.json(Self.chromium)?["IncognitoModeAvailability"] == 2)
        #expect(machine.json(Self.chromium)?["DefaultSearchProviderName"] == nil)
        // Another configuration: the files no longer follow it until installed again.
        machine.settings = PolicySettings()
        #expect(machine.place("Firefox", .deb)?.files.first?.state == .outdated)
        #expect(machine.place("Firefox", .deb)?.protected == false)
        #expect(machine.policies.install().allSatisfy { $0.outcome == .written })
        #expect(machine.json(Self.chromium)?["IncognitoModeAvailability"] == nil)
        #expect(machine.place("Chromium", .deb)?.protected == true)
    }

    @Test func anAdministratorsFirefoxFileGetsTheKeysAndGetsThemBackOut() throws {
        let machine = try Machine()
        let theirs = "{\n  \"policies\": {\"Homepage\": {\"URL\": \"https://epn.example.org\", \"Locked\": true}, \"DisableTelemetry\": true}\n}\n"
        try machine.write(Self.firefox, theirs)
        let changes = machine.policies.install()
        #expect(changes.first { $0.path == Self.firefox }?.outcome == .merged)
        let merged = try #require(machine.json(Self.firefox)?["policies"]?.objectValue)
        #expect(merged["Homepage"]?.objectValue?["URL"] == "https://epn.example.org")
        #expect(merged["PasswordManagerEnabled"] == false)
        #expect(machine.place("Firefox", .deb)?.protected == true)
        // Removal gives the administrator's file back byte for byte.
        let removed = machine.policies.remove()
        #expect(removed.first { $0.path == Self.firefox }?.outcome == .restored)
        #expect(machine.bytes(Self.firefox) == Array(theirs.utf8))
        #expect(machine.bytes(Self.chromium) == nil)
    }

    @Test func aKeyTheAdministratorSetsOtherwiseIsRefusedAndTheFileKept() throws {
        let machine = try Machine()
        let theirs = "{\"policies\": {\"PasswordManagerEnabled\": true, \"OfferToSaveLogins\": true}}"
        try machine.write(Self.firefox, theirs)
        let change = try #require(machine.policies.install().first { $0.path == Self.firefox })
        #expect(change.outcome == .refused)
        #expect(change.reason(.english)?.contains("OfferToSaveLogins, PasswordManagerEnabled") == true)
        #expect(change.reason(.french)?.contains("règle autrement") == true)
        #expect(machine.bytes(Self.firefox) == Array(theirs.utf8))
        #expect(machine.place("Firefox", .deb)?.files.first?.state == .foreign)
    }

    @Test(arguments: ["{\"policies\": {\"PasswordManagerEnabled\": false,}}", "{\"PasswordManagerEnabled\": false}", "", "\u{0}",
                       "\u{FEFF}{\"policies\": {}}", "{\"policies\": {\"a\": 01}}", "{\"policies\": {}} // note", "{\"policies\": [1,]}"])
    func aFirefoxFileThatDoesNotParseIsNamedAndLeftAsItIs(_ text: String) throws {
        let machine = try Machine()
        try machine.write(Self.firefox, text)
        let change = try #require(machine.policies.install().first { $0.path == Self.firefox })
        #expect(change.outcome == .refused)
        #expect(change.reason(.english)?.contains("applies no policy at all") == true)
        #expect(machine.bytes(Self.firefox) == Array(text.utf8))
        #expect(machine.place("Firefox", .deb)?.files.first?.state == .broken)
        #expect(machine.place("Firefox", .deb)?.line(.english).contains("does not parse") == true)
    }

    @Test func linksAreNeverFollowed() throws {
        let machine = try Machine()
        try machine.write("/srv/elsewhere/keep.json", "{}")
        try FileManager.default.createDirectory(atPath: machine.root + "/etc/firefox/policies", withIntermediateDirectories: true)
        symlink(machine.root + "/srv/elsewhere/keep.json", machine.root + Self.firefox)
        // A link in place of a folder on the way.
        try FileManager.default.createDirectory(atPath: machine.root + "/etc/chromium", withIntermediateDirectories: true)
        symlink(machine.root + "/srv/elsewhere", machine.root + "/etc/chromium/policies")
        let changes = machine.policies.install()
        #expect(changes.allSatisfy { $0.outcome == .refused }, "\(changes)")
        #expect(machine.bytes("/srv/elsewhere/keep.json") == Array("{}".utf8))
        #expect(machine.bytes("/srv/elsewhere/managed/ardoise.json") == nil)
        #expect(machine.place("Firefox", .deb)?.files.first?.state == .refused)
    }

    @Test func aChromiumFolderKeepsItsOtherFilesAndTheirConflictsAreRefused() throws {
        let machine = try Machine(browsers: ["/usr/lib/chromium/chromium"])
        try machine.write("/etc/chromium/policies/managed/epn.json", "{\"HomepageLocation\": \"https://epn.example.org\"}")
        try machine.write("/etc/chromium/policies/managed/old.json", "{not json")
        #expect(machine.policies.install().first?.outcome == .written)
        #expect(machine.bytes("/etc/chromium/policies/managed/epn.json") == Array("{\"HomepageLocation\": \"https://epn.example.org\"}".utf8))
        let status = try #require(machine.place("Chromium", .deb)?.files.first)
        #expect(status.brokenNeighbours == ["/etc/chromium/policies/managed/old.json"])
        // Another file saying otherwise: which one Chromium follows is not said, so nothing is claimed.
        try machine.write("/etc/chromium/policies/managed/z.json", "{\"PasswordManagerEnabled\": true}")
        #expect(machine.place("Chromium", .deb)?.protected == false)
        #expect(machine.place("Chromium", .deb)?.files.first?.conflicts == ["z.json: PasswordManagerEnabled"])
        machine.settings.privateBrowsing = true
        let change = try #require(machine.policies.install().first)
        #expect(change.outcome == .refused)
        #expect(change.reason(.english)?.contains("z.json: PasswordManagerEnabled") == true)
    }

    @Test func aFileOfArdoisesNameThatIsNotArdoisesIsKept() throws {
        let machine = try Machine(browsers: ["/usr/lib/chromium/chromium"])
        try machine.write(Self.chromium, "{\"ShowHomeButton\": true}")
        let change = try #require(machine.policies.install().first)
        #expect(change.outcome == .refused)
        #expect(machine.bytes(Self.chromium) == Array("{\"ShowHomeButton\": true}".utf8))
        #expect(machine.policies.remove().isEmpty)
        #expect(machine.bytes(Self.chromium) != nil)
    }

    @Test func filesChangedByHandAfterwards() throws {
        let machine = try Machine()
        _ = machine.policies.install()
        // An administrator adds a key of theirs to the Firefox file ardoise wrote, and edits the Chromium one.
        var firefox = try #require(machine.json(Self.firefox))
        var inside = try #require(firefox["policies"]?.objectValue)
        inside["NoDefaultBookmarks"] = true
        firefox["policies"] = .object(inside)
        try machine.write(Self.firefox, String(decoding: JSONValue.object(firefox).fileBytes, as: UTF8.self))
        #expect(machine.place("Firefox", .deb)?.files.first?.state == .changed)
        // Installed again with another search engine: the administrator's key stays, ardoise's own old value is replaced.
        machine.settings.searchEngine = "Qwant"
        machine.settings.searchURL = "https://www.qwant.com/?q={searchTerms}"
        #expect(machine.policies.install().first { $0.path == Self.firefox }?.outcome == .merged)
        let again = try #require(machine.json(Self.firefox)?["policies"]?.objectValue)
        #expect(again["NoDefaultBookmarks"] == true)
        #expect(again["SearchEngines"]?.objectValue?["Default"] == "Qwant")
        #expect(machine.place("Firefox", .deb)?.protected == true)
        try machine.write(Self.chromium, "{\"PasswordManagerEnabled\": false, \"Mine\": 1}")
        let removed = machine.policies.remove()
        // Firefox: ardoise's keys go, theirs stays; Chromium: theirs now, kept and said.
        #expect(machine.json(Self.firefox)?["policies"]?.objectValue == ["NoDefaultBookmarks": true])
        #expect(removed.first { $0.path == Self.chromium }?.outcome == .refused)
        #expect(machine.json(Self.chromium)?["Mine"] == 1)
    }

    @Test func aRecordThatDoesNotReadStopsEverythingAndLosesNothing() throws {
        let machine = try Machine()
        let theirs = "{\"policies\": {\"NoDefaultBookmarks\": true}}\n"
        try machine.write(Self.firefox, theirs)
        _ = machine.policies.install()
        let merged = try #require(machine.bytes(Self.firefox))
        // The record (which holds the administrator's file as it was) damaged: nothing is written nor removed.
        try machine.write("/var/lib/ardoise/policies.record", "{\"files\": {\"/etc/firefox/policies/poli")
        for changes in [machine.policies.install(), machine.policies.remove()] {
            #expect(changes.count == 1)
            #expect(changes.first?.outcome == .refused)
            #expect(changes.first?.reason(.english)?.contains("does not read") == true)
        }
        #expect(machine.bytes(Self.firefox) == merged)
        #expect(machine.bytes("/var/lib/ardoise/policies.record") == Array("{\"files\": {\"/etc/firefox/policies/poli".utf8))
        // Nor is any file then said to be in place.
        #expect(machine.place("Firefox", .deb)?.protected == false)
        #expect(machine.place("Chromium", .deb)?.protected == false)
    }

    @Test func everyKnownPlaceWhenAskedAndTheBrowsersThatReadNone() throws {
        let machine = try Machine(browsers: ["/usr/lib/x86_64-linux-gnu/opera/opera"])
        #expect(machine.policies.install().isEmpty)
        let opera = try #require(machine.place("Opera", .deb))
        #expect(opera.installed && !opera.supported && !opera.protected)
        #expect(opera.line(.french).contains("ne lit aucune règle"))
        let all = machine.policies.install(all: true)
        #expect(Set(all.map(\.path)).isSuperset(of: ["/etc/opt/chrome/policies/managed/ardoise.json", "/etc/brave/policies/managed/ardoise.json",
                                                      "/etc/opt/edge/policies/managed/ardoise.json", "/etc/vivaldi/policies/managed/ardoise.json",
                                                      Self.firefox]))
        #expect(all.allSatisfy { $0.outcome == .written })
    }

}

extension JSONValue {
    var arrayCount: Int? { if case .array(let values) = self { values.count } else { nil } }
}
