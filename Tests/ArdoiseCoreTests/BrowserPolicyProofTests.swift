@testable import ArdoiseCore
import Foundation
import Glibc
import Testing

/// What the kiosk's browsers are told ([policies]), and the proof read in each Firefox profile after a session.
@Suite struct BrowserPolicyProofTests {
    // MARK: The proof, in each Firefox profile

    static func prefs(applied: Bool?, started: Int64?) -> String {
        var lines = ["// Mozilla User Preferences", "user_pref(\"browser.startup.homepage\", \"about:home\");"]
        if let applied { lines.append("user_pref(\"browser.policies.applied\", \(applied));") }
        if let started { lines.append("user_pref(\"toolkit.startup.last_success\", \(started));") }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func theProofCountsTheProfilesThatRanWithoutTheirPolicies() throws {
        let sandbox = try Sandbox()
        let now = Int64(Date().timeIntervalSince1970)
        let profiles = sandbox.home + "/.mozilla/firefox"
        try FileManager.default.createDirectory(atPath: profiles + "/a.default-esr", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: profiles + "/b.other", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: profiles + "/c.old", withIntermediateDirectories: true)
        try Self.prefs(applied: true, started: now).write(toFile: profiles + "/a.default-esr/prefs.js", atomically: false, encoding: .utf8)
        try Self.prefs(applied: nil, started: now).write(toFile: profiles + "/b.other/prefs.js", atomically: false, encoding: .utf8)
        // Started long before the last wipe (a reference's profile): not this session's.
        try Self.prefs(applied: nil, started: now - 86_400).write(toFile: profiles + "/c.old/prefs.js", atomically: false, encoding: .utf8)
        let home = try OpenedRoot(path: sandbox.home)
        #expect(FirefoxPolicyProof.check(home: home, since: (now - 60) * 1_000_000) == FirefoxPolicyProof(ran: 2, notApplied: 1))
        #expect(FirefoxPolicyProof.check(home: home, since: nil) == FirefoxPolicyProof(ran: 3, notApplied: 2))
    }

    final class Flag: @unchecked Sendable { var value = false }

    @Test func aWipeJournalsFirefoxRunningWithoutItsPolicies() throws {
        let sandbox = try Sandbox()
        let state = sandbox.base + "/state"
        let profile = sandbox.home + "/.mozilla/firefox/k.default-esr"
        func session(applied: Bool?, offset: Int64) throws {
            try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
            try Self.prefs(applied: applied, started: Int64(Date().timeIntervalSince1970) + offset).write(toFile: profile + "/prefs.js", atomically: false, encoding: .utf8)
            sandbox.own(profile + "/prefs.js")
        }
        let installed = Flag()
        var wipe = RecordedWipe(home: sandbox.home, owner: testOwner, account: "kiosque", settings: sandbox.settings, stateDirectory: state, trigger: "logout")
        wipe.firefoxPoliciesInstalled = { installed.value }
        // No policy file installed: nothing to prove (`ardoise check` says the policies are missing).
        let journal = try AccessJournal(directory: state)
        try session(applied: nil, offset: 0)
        let none = try wipe.run(recorder: JournalRecorder(journal: journal)).get()
        #expect(none.firefoxPolicies == nil)
        #expect(try journal.events(JournalFilter(kinds: [.policyNotApplied])).isEmpty)
        // Installed, and Firefox applied nothing (a policies.json that does not parse): journaled, counts only, no name.
        installed.value = true
        try session(applied: nil, offset: 1)
        let report = try wipe.run(recorder: JournalRecorder(journal: journal)).get()
        #expect(report.firefoxPolicies == FirefoxPolicyProof(ran: 1, notApplied: 1))
        #expect(report.table(.english).contains("Firefox ran without its policies"))
        #expect(report.table(.french).contains("Firefox a tourné sans ses règles"))
        let events = try journal.events(JournalFilter(kinds: [.policyNotApplied]))
        #expect(events.count == 1)
        #expect(events.first?.user == "kiosque")
        #expect(events.first?.detail == ["browser": .text("Firefox"), "profiles": .int(1), "ran": .int(1)])
        // Applied: nothing journaled.
        try session(applied: true, offset: 2)
        let clean = try wipe.run(recorder: JournalRecorder(journal: journal)).get()
        #expect(clean.firefoxPolicies == FirefoxPolicyProof(ran: 1, notApplied: 0))
        #expect(try journal.events(JournalFilter(kinds: [.policyNotApplied])).count == 1)
        // Firefox not started in the session (the reference's profile): nothing to say about it.
        try session(applied: nil, offset: -86_400)
        let idle = try wipe.run(recorder: JournalRecorder(journal: journal)).get()
        #expect(idle.firefoxPolicies == FirefoxPolicyProof(ran: 0, notApplied: 0))
    }

    @Test func strictJSONIsWhatFirefoxReads() {
        for good in ["{}", "{\"policies\": {\"a\": [1, -2.5e3, true, null, \"\\u00e9\\n\"]}}", " [ ] "] { #expect(StrictJSON.isValid(Array(good.utf8)), "\(good)") }
        for bad in ["{\"a\": 1,}", "[1,]", "{'a': 1}", "{\"a\": 01}", "{\"a\": .5}", "{} x", "\u{FEFF}{}", "{\"a\": \"\t\"}", "{\"a\": NaN}", ""] {
            #expect(!StrictJSON.isValid(Array(bad.utf8)), "\(bad)")
        }
    }

    // MARK: The configuration

    @Test func thePoliciesSectionIsReadAndItsMistakesNamed() throws {
        let configuration = try ArdoiseConfiguration.parse("[policies]\nsave_passwords = true\nprivate_browsing = true\nsearch_engine = \"Qwant\"\nsearch_url = \"https://www.qwant.com/?q={searchTerms}\"\n", file: "t.toml")
        #expect(configuration.policies.savePasswords)
        #expect(configuration.policies.privateBrowsing)
        #expect(configuration.policies.firefox["PasswordManagerEnabled"] == nil)
        #expect(configuration.policies.chromium["DefaultSearchProviderSearchURL"] == "https://www.qwant.com/?q={searchTerms}")
        for (text, key) in [("[policies]\nsearch_url = \"http://insecure.example/?q={searchTerms}\"\n", "policies.search_url"),
                            ("[policies]\nsearch_url = \"https://example.org/\"\n", "policies.search_url"),
                            ("[policies]\nsave_passwords = \"no\"\n", "policies.save_passwords"),
                            ("[policies]\nsearch_engine = \"a\\u0007b\"\n", "policies.search_engine"),
                            ("[policies]\nforce = true\n", "policies.force")] {
            #expect(throws: ConfigurationError.self) { try ArdoiseConfiguration.parse(text, file: "t.toml") }
            do { _ = try ArdoiseConfiguration.parse(text, file: "t.toml") } catch {
                #expect(error.key == key, "\(text): \(error)")
                #expect(error.line == 2, "\(text): \(error)")
            }
        }
    }
}

