import ArdoiseCore
import ArdoiseTestSupport
import Foundation
import Glibc
import Testing

/// `ardoise wipe` as an admin runs it: the built binary, its output and its exit codes.
@Suite struct WipeCommandTests {
    /// A configuration that keeps the command inside the sandbox.
    static func config(_ sandbox: Sandbox, _ body: String = "") throws -> String {
        let path = sandbox.base + "/ardoise.toml"
        try Data("[wipe]\ntemporary_directories = [\"\(sandbox.tmp)\"]\n\(body)".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
        return path
    }

    static func ardoise(_ arguments: [String], language: String? = nil, asUser uid: UInt32? = nil, maxFiles: Int? = nil) throws -> CommandResult {
        var command: [String] = []
        if let maxFiles { command += ["prlimit", "--nofile=\(maxFiles)"] }
        if let uid { command += ["setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] }
        command += [Paths.ardoiseBinary] + arguments
        var environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        if let language { environment["LANG"] = language }
        return try run(command[0], Array(command.dropFirst()), environment: environment)
    }

    @Test func wipesTheFixtureHomeAndSaysSoInFrench() throws {
        let sandbox = try Sandbox(fixture: true)
        let config = try Self.config(sandbox)
        let result = try Self.ardoise(["wipe", "--config", config, "--state-dir", sandbox.base + "/state", "--home", sandbox.home])
        // A folder with no reference is wiped by the catalogue; the first time, nothing is known of what else the session changed.
        #expect(result.status == 1, "\(result.error)")
        #expect(result.output.contains("mots de passe enregistrés"))
        #expect(result.output.contains("Mode catalogue") && result.output.contains("n'est pas connu"), "\(result.output)")
        #expect(!result.output.contains("plus rien ne reste de la session"))
        #expect(Markers.carriers(in: sandbox.home) == [])
        try sandbox.write("Downloads/fichier.pdf", "pdf")
        let again = try Self.ardoise(["wipe", "--config", config, "--state-dir", sandbox.base + "/state", "--home", sandbox.home])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("plus rien ne reste de la session"))
    }

    @Test func dryRunAsJSONTouchesNothing() throws {
        let sandbox = try Sandbox(fixture: true)
        let before = snapshot(sandbox.home)
        let result = try Self.ardoise(["--config", try Self.config(sandbox), "wipe", "--home", sandbox.home, "--dry-run", "--format", "json"], language: "en_GB.UTF-8")
        #expect(result.status == 0, "\(result.error)")
        #expect(snapshot(sandbox.home) == before)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(json["dryRun"] as? Bool == true)
        #expect(((json["found"] as? [String: Any])?["files"] as? Int ?? 0) > 150)
        #expect(((json["removed"] as? [String: Any])?["files"] as? Int) == 0)
    }

    @Test(.enabled(if: isRoot, "chattr +i needs root"))
    func somethingLeftExitsOneAndSaysWhat() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Downloads/stuck.pdf", "pdf")
        try sandbox.write("Downloads/free.pdf", "pdf")
        try sandbox.markImmutable(sandbox.home + "/Downloads/stuck.pdf")
        let result = try Self.ardoise(["wipe", "--config", try Self.config(sandbox), "--state-dir", sandbox.base + "/state", "--home", sandbox.home], language: "en_US.UTF-8")
        #expect(result.status == 1)
        #expect(result.output.contains("stuck.pdf : made unchangeable (chattr +i/+a)"))
        #expect(result.output.contains("1 item(s) are left"))
        #expect(!sandbox.exists("Downloads/free.pdf"))
    }

    @Test func badInputExitsTwoWithAClearMessage() throws {
        let sandbox = try Sandbox()
        let config = try Self.config(sandbox)
        let broken = sandbox.base + "/broken.toml"
        try Data("[wipe]\nexclude_kinds = [\"cookie\"]\n".utf8).write(to: URL(fileURLWithPath: broken))
        let cases: [([String], String)] = [
            (["wipe"], "--user"),
            (["wipe", "--user", "a", "--home", "/b"], "--user"),
            (["wipe", "--config", config, "--user", "no-such-account-here"], "no-such-account-here"),
            (["wipe", "--config", config, "--user", "root"], "root"),
            (["wipe", "--config", config, "--home", sandbox.base + "/missing"], "missing"),
            (["wipe", "--config", config, "--home", "/"], "/"),
            (["wipe", "--config", config, "--home", "/etc/../usr"], "/usr"),
            (["wipe", "--config", config, "--home", sandbox.home, "--format", "xml"], "xml"),
            (["wipe", "--config", broken, "--home", sandbox.home], "\(broken):2"),
        ]
        for (arguments, mention) in cases {
            let result = try Self.ardoise(arguments, language: "fr_FR.UTF-8")
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.error)")
            #expect(result.error.contains(mention), "\(arguments): \(result.error)")
        }
    }

    @Test(.enabled(if: isRoot, "switching to another account needs root"))
    func anOrdinaryUserMayWipeOnlyTheirOwnHome() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Downloads/mine.pdf", "pdf")
        for path in [sandbox.home, sandbox.home + "/Downloads", sandbox.home + "/Downloads/mine.pdf"] { chown(path, 65534, 65534) }
        let other = sandbox.base + "/other-home"
        try sandbox.write("Downloads/theirs.pdf", "pdf", in: other)
        chown(other, 1000, 1000)
        let config = try Self.config(sandbox)

        let refused = try Self.ardoise(["wipe", "--config", config, "--home", other], language: "en_US.UTF-8", asUser: 65534)
        #expect(refused.status == 3, "\(refused.error)")
        #expect(refused.error.contains("your own home"))
        #expect(FileManager.default.fileExists(atPath: other + "/Downloads/theirs.pdf"))

        let own = try Self.ardoise(["wipe", "--config", config, "--state-dir", sandbox.base + "/state", "--home", sandbox.home], language: "en_US.UTF-8", asUser: 65534)
        #expect(own.status == 1 && own.output.contains("what the session may have left elsewhere is not known"), "\(own.output) \(own.error)")
        #expect(!sandbox.exists("Downloads/mine.pdf"))
    }

    @Test func aTenThousandDeepTreeWithSixtyFourDescriptors() async throws {
        try await onItsOwnThread {
            let sandbox = try Sandbox()
            try sandbox.mkdir("Downloads")
            try makeDeepTree(at: sandbox.home + "/Downloads", depth: 10_000)
            // A session's tree belongs to its account (root's entries in a home are spared): an account of its own, so
            // that the commands other tests run meanwhile as `nobody` are no programs of this account still running.
            if isRoot { _ = try run("chown", ["-R", "64999:64999", sandbox.home]) }
            let result = try Self.ardoise(["wipe", "--config", try Self.config(sandbox), "--state-dir", sandbox.base + "/state", "--home", sandbox.home, "--format", "json"], maxFiles: 64)
            #expect(result.error == "" && result.output.contains("\"left\" : 0"), "\(result.error)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.home + "/Downloads").isEmpty)
        }
    }
}

/// A hostile home cannot make the wipe take the kiosk's memory: the command's peak RSS, measured by the kernel.
@Suite struct WipeMemoryTests {
    /// The wipe of a home holding a 17 MB `Preferences` and a 31 MB `Local State` (once 2.6 GB) stays under this.
    static let budgetMB = 150

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "GNU time"))
    func hostilePreferencesStayWithinTheMemoryBudget() throws {
        let sandbox = try Sandbox(fixture: true)
        var sites = "{\"profile\":{\"content_settings\":{\"exceptions\":{\"site_engagement\":{"
        for i in 0..<260_000 { sites += "\"https://site\(i).example:443,*\":{\"setting\":{\"rawScore\":\(i)}}," }
        sites += "\"https://last.example,*\":{}}}}}}"
        try sandbox.write(".config/chromium/Default/Preferences", sites)
        let state = "{\"profile\":{\"info_cache\":{" + (0..<400_000).map { "\"Profile \($0)\":{\"name\":\"x\"}" }.joined(separator: ",") + "}}}"
        try sandbox.write(".config/chromium/Local State", state)
        #expect(sandbox.read(sandbox.home + "/.config/chromium/Default/Preferences")!.count > 16_000_000)
        #expect(sandbox.read(sandbox.home + "/.config/chromium/Local State")!.count > 10_000_000)
        let measured = sandbox.base + "/rss"
        let config = try WipeCommandTests.config(sandbox)
        let result = try run("/usr/bin/time", ["-f", "%M", "-o", measured, Paths.ardoiseBinary, "wipe", "--config", config,
                                               "--state-dir", sandbox.base + "/state", "--home", sandbox.home, "--format", "json"])
        // GNU time says first when the command exited non-zero (here 1: a first catalogue wipe knows nothing of before).
        let peak = String(decoding: sandbox.read(measured) ?? Data(), as: UTF8.self).split(whereSeparator: \.isWhitespace).last.flatMap { Int($0) } ?? .max
        #expect(peak / 1024 < Self.budgetMB, "peak RSS \(peak / 1024) MB")
        #expect(result.output.contains("\"left\" : 0"), "\(result.output.prefix(400)) \(result.error)")
        #expect(!sandbox.exists(".config/chromium/Default/Preferences"), "too large to be read: removed whole")
        #expect(result.output.contains("too large") || result.output.contains("trop gros"))
    }
}

/// A wipe by hand is honest about what it cannot know: programs still running, system accounts.
@Suite(.serialized) struct ManualWipeTests {
    /// An account nobody else uses, so that stopping "its" programs can touch only the test's own.
    static let owner: UInt32 = 64_124

    @Test(.enabled(if: isRoot, "switching to another account needs root"))
    func aWipeRefusesWhileTheAccountsProgramsRunAndStopsThemWhenAsked() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Downloads/releve.pdf", "pdf")
        _ = try run("chown", ["-R", "\(Self.owner):\(Self.owner)", sandbox.home])
        let program = Process()
        program.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        program.arguments = ["--reuid=\(Self.owner)", "--regid=\(Self.owner)", "--clear-groups", "/bin/sleep", "300"]
        try program.run()
        defer { if program.isRunning { program.terminate() } }
        Thread.sleep(forTimeInterval: 0.3)
        let config = try WipeCommandTests.config(sandbox)
        let state = sandbox.base + "/state"

        let refused = try WipeCommandTests.ardoise(["wipe", "--config", config, "--state-dir", state, "--home", sandbox.home], language: "en_GB.UTF-8")
        #expect(refused.status == 1 && refused.error.contains("still running") && refused.error.contains("sleep") && refused.error.contains("--stop-programs"),
                "\(refused.error)")
        #expect(sandbox.exists("Downloads/releve.pdf"), "nothing was touched")

        let stopped = try WipeCommandTests.ardoise(["wipe", "--config", config, "--state-dir", state, "--home", sandbox.home, "--stop-programs"],
                                                   language: "en_GB.UTF-8")
        #expect(stopped.error.contains("stopped before the wipe"), "\(stopped.error)")
        program.waitUntilExit()
        #expect(!sandbox.exists("Downloads/releve.pdf"))
    }

    @Test func aSystemAccountIsRefusedUnlessTheConfigurationNamesIt() throws {
        let sandbox = try Sandbox()
        let result = try WipeCommandTests.ardoise(["wipe", "--config", try WipeCommandTests.config(sandbox), "--user", "daemon", "--dry-run"],
                                                  language: "fr_FR.UTF-8")
        #expect(result.status == 2 && result.error.contains("compte du système") && result.error.contains("UID_MIN"), "\(result.error)")
    }

    @Test func keepPatternsKeepOnlyRealLaunchers() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Desktop/Démarches.desktop", "# the administrator's\n[Desktop Entry]\nName=Démarches\n")
        try sandbox.write("Desktop/stash.desktop/secret.txt", "a folder is not a launcher")
        try sandbox.write("Desktop/notes.desktop", "my notes, not a launcher")
        try sandbox.write("Desktop/photo.jpg", "jpg")
        var settings = sandbox.settings
        settings.keep = WipeSettings().keep
        let report = try sandbox.wipe(settings: settings)
        #expect(report.isClean)
        #expect(sandbox.exists("Desktop/Démarches.desktop"))
        #expect(!sandbox.exists("Desktop/stash.desktop") && !sandbox.exists("Desktop/notes.desktop") && !sandbox.exists("Desktop/photo.jpg"))
    }

    @Test func theLinesAScrubKeepsStayByteForByte() throws {
        var kept: [UInt8] = Array("// Mozilla User Preferences\n".utf8) + [0x2f, 0x2f, 0x20, 0xff, 0xfe, 0x80, 0x0a]
        kept += Array("user_pref(\"browser.startup.homepage\", \"https://www.service-public.fr/\");\n".utf8)
        for i in 0..<30_000 { kept += Array("user_pref(\"kiosk.setting.\(i)\", \"\u{e9}t\u{e9}\");\n".utf8) }
        let trace = Array("user_pref(\"browser.download.lastDir\", \"/home/kiosk/Téléchargements/caf\");\n".utf8)
        let cleaned = try #require(try Scrubber.firefoxPrefs.scrub(kept + trace + Array("// end".utf8)))
        #expect(cleaned == kept + Array("// end".utf8), "the kept lines, byte for byte, invalid UTF-8 included")
        #expect(kept.count > 1_000_000 && cleaned.count < kept.count + 10)
    }
}
