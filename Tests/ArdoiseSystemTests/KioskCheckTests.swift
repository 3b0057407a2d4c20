import ArdoiseCore
import ArdoiseSystem
import Foundation
import Glibc
import Testing

/// `ardoise check` on a kiosk laid out in a folder of its own: all is well, then every fault, one at a time, is named with
/// its fix.
@Suite(.serialized) struct KioskCheckTests {
    final class Kiosk {
        let root: String
        var state: String { "/var/lib/ardoise" }
        var service = "active"
        var status = "ardoise \(ArdoiseVersion.current): 0 sessions"
        var free: UInt64 = 10 << 30
        var home = "/home/kiosque"

        init() throws {
            var template = Array("/var/tmp/ardoise-check-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
            root = String(cString: made)
            try write("/etc/pam.d/common-session", "session optional pam_exec.so type=close_session quiet /usr/bin/ardoise session-end\n")
            try write("/etc/ardoise/ardoise.toml", "[kiosk]\nusers = [\"kiosque\"]\n")
            try write("/etc/cups/cupsd.conf", "PreserveJobHistory No\nPreserveJobFiles No\n")
            try write("/etc/ardoise/notice/es.txt", "Bienvenido. {retention}.\n")
            try FileManager.default.createDirectory(atPath: root + "/home/kiosque", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + state + "/baseline/kiosque", withIntermediateDirectories: true)
            // Debian's Firefox ESR, with ardoise's policies.
            try write("/usr/lib/firefox-esr/firefox-esr", "")
            _ = BrowserPolicies(root: root, stateDirectory: root + state, settings: PolicySettings()).install()
            let journal = try AccessJournal(directory: root + state)
            try journal.append(JournalEvent(kind: .daemonStart))
            _ = journal.takeVerificationKeys()
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        func write(_ path: String, _ text: String) throws {
            try FileManager.default.createDirectory(atPath: root + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: root + path))
        }

        func check(_ language: Language = .english) -> [CheckFinding] {
            var check = KioskCheck(configPath: "/etc/ardoise/ardoise.toml", stateDirectory: state, language: language)
            check.root = root
            let service = self.service, free = self.free, home = self.home, status = self.status
            check.serviceState = { service }
            check.serviceStatus = { status }
            check.freeBytes = { _ in free }
            check.accounts = { settings in
                settings.users.contains("kiosque") ? [Account(name: "kiosque", uid: 2001, gid: 2001, home: home)] : []
            }
            return check.run()
        }
    }

    static func problem(_ findings: [CheckFinding], _ check: String) -> CheckFinding? {
        findings.first { $0.check == check && $0.status == .problem }
    }

    @Test func aKioskSetUpRightHasNothingToFix() throws {
        let kiosk = try Kiosk()
        let findings = kiosk.check()
        #expect(findings.problems == 0, "\(findings.rendered(.english))")
        #expect(Set(findings.map(\.check)).isSuperset(of: ["configuration", "service", "pam", "account", "baseline", "cups", "notice", "journal", "key", "disk", "sessions", "browser"]))
        #expect(kiosk.check(.french).rendered(.french).hasSuffix("Tout est en ordre."))
        #expect(findings.first { $0.check == "service" }?.what == "The ardoise service is running (version \(ArdoiseVersion.current)).")
        // A status line that names no version: the running one is not claimed.
        kiosk.status = "2 sessions"
        #expect(kiosk.check().first { $0.check == "service" }?.what == "The ardoise service is running (program installed: version \(ArdoiseVersion.current)).")
    }

    /// Each fault, alone, makes its check a problem with the fix an administrator types.
    @Test(arguments: [
        ("service", "systemctl enable --now"), ("pam", "pam-auth-update --enable ardoise"), ("lightdm", "Reinstall"),
        ("missing-account", "adduser fantome"), ("home", "mkhomedir_helper"), ("home-elsewhere", "ReadWritePaths=/srv/homes"),
        ("baseline", "baseline capture --user kiosque"), ("linger", "disable-linger kiosque"), ("cups", "PreserveJobHistory No"),
        ("page-log", "PageLogFormat"), ("notice-language", "fr.txt"), ("notice-empty", "UTF-8"), ("journal", "journal verify"),
        ("key", "journal key"), ("disk", "Free some space"), ("sessions", "idle_minutes = 15"), ("configuration", "reload ardoise"),
        ("policies-missing", "policies install"), ("policies-broken", "/etc/firefox/policies/policies.json"),
        ("policies-outdated", "policies install"), ("opera", "Uninstall"), ("old-version", "systemctl restart ardoise.service"),
    ])
    func eachFaultIsNamedWithItsFix(_ fault: String, _ fix: String) throws {
        let kiosk = try Kiosk()
        var check = fault
        switch fault {
        case "service": kiosk.service = "inactive"
        // Upgraded, not yet restarted: the old program still runs.
        case "old-version": kiosk.status = "ardoise 0.8.0: 1 session, last wipe at 10:12:03"; check = "service"
        case "pam": try kiosk.write("/etc/pam.d/common-session", "session required pam_unix.so\n")
        case "lightdm": try kiosk.write("/usr/sbin/lightdm", "")
        case "missing-account": try kiosk.write("/etc/ardoise/ardoise.toml", "[kiosk]\nusers = [\"kiosque\", \"fantome\"]\n"); check = "account"
        case "home": kiosk.home = "/home/nowhere"; check = "account"
        case "home-elsewhere":
            try FileManager.default.createDirectory(atPath: kiosk.root + "/srv/homes/kiosque", withIntermediateDirectories: true)
            kiosk.home = "/srv/homes/kiosque"
            check = "account"
        case "baseline": try FileManager.default.removeItem(atPath: kiosk.root + kiosk.state + "/baseline/kiosque")
        case "linger": try kiosk.write("/var/lib/systemd/linger/kiosque", "")
        case "cups": try kiosk.write("/etc/cups/cupsd.conf", "# defaults\n")
        case "page-log": try kiosk.write("/var/log/cups/page_log", "kiosque 12 releve-impots.pdf\n"); check = "cups"
        case "notice-language": try kiosk.write("/etc/ardoise/notice/xx.txt", "?"); check = "notice"
        case "notice-empty": try kiosk.write("/etc/ardoise/notice/uk.txt", "  \n"); check = "notice"
        case "journal":
            let edit = Process()
            edit.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            edit.arguments = [kiosk.root + kiosk.state + "/journal.sqlite", "UPDATE event SET user = 'x' WHERE seq = 1"]
            try edit.run()
            edit.waitUntilExit()
        case "key": try FileManager.default.removeItem(atPath: kiosk.root + kiosk.state)
            try FileManager.default.createDirectory(atPath: kiosk.root + kiosk.state + "/baseline/kiosque", withIntermediateDirectories: true)
        case "disk": kiosk.free = 10 << 20
        case "sessions": try kiosk.write("/etc/ardoise/ardoise.toml", "[kiosk]\nusers = [\"kiosque\"]\n[sessions]\nidle_minutes = 0\n")
        case "policies-missing": try FileManager.default.removeItem(atPath: kiosk.root + "/etc/firefox/policies/policies.json"); check = "browser"
        // One comma too many: Firefox's whole policy engine stops.
        case "policies-broken": try kiosk.write("/etc/firefox/policies/policies.json", "{\"policies\": {\"PasswordManagerEnabled\": false,}}\n"); check = "browser"
        case "policies-outdated": try kiosk.write("/etc/ardoise/ardoise.toml", "[kiosk]\nusers = [\"kiosque\"]\n[policies]\nprivate_browsing = true\n"); check = "browser"
        case "opera": try kiosk.write("/usr/lib/x86_64-linux-gnu/opera/opera", ""); check = "browser"
        default: try kiosk.write("/etc/ardoise/ardoise.toml", "[kiosk]\nusers = \"kiosque\"\n")
        }
        let findings = kiosk.check()
        let found = try #require(Self.problem(findings, check), "\(fault): \(findings.rendered(.english))")
        #expect(found.fix?.contains(fix) == true, "\(fault): \(found.fix ?? "-")")
        if fault != "configuration" && fault != "key" {
            #expect(findings.problems == 1, "\(fault) alone: \(findings.rendered(.english))")
        }
    }
}

@Suite struct VersionTests {
    /// One version: the program's, the Debian package's (debian/changelog), the service's status line.
    @Test func theProgramAndThePackageSayTheSameVersion() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let changelog = try String(contentsOf: root.appendingPathComponent("debian/changelog"), encoding: .utf8)
        let first = try #require(changelog.split(separator: "\n").first)
        #expect(first.hasPrefix("ardoise (\(ArdoiseVersion.current)) "), "\(first)")
        #expect(ArdoiseVersion.running(inStatus: ArdoiseVersion.statusPrefix + "2 sessions") == ArdoiseVersion.current)
        #expect(ArdoiseVersion.running(inStatus: "2 sessions") == nil)
        #expect(ArdoiseVersion.running(inStatus: "ardoise : x") == nil)
    }
}
