@testable import ArdoiseCore
import Foundation
import Testing

/// `user-dirs.dirs` as ardoise reads it, held to GLib's own `g_get_user_special_dir` (python3-gi) on tricky files.
@Suite struct UserDirsTests {
    static let home = "/home/kiosque"
    static let corpus: [String] = [
        "XDG_DESKTOP_DIR=\"$HOME/Desktop\"\nXDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n",
        "XDG_DOWNLOAD_DIR = \"$HOME/Téléchargements\"\n",
        "  XDG_DOWNLOAD_DIR=\"$HOME/Downloads\" # the usual place\n",
        "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\" # \"quoted\" comment\n",
        "XDG_DOWNLOAD_DIR=\"$HOME\"\nXDG_DESKTOP_DIR=\"$HOME/\"\n",
        "XDG_DOWNLOAD_DIR=\"$HOMEfoo\"\n",
        "XDG_DOWNLOAD_DIR=$HOME/Downloads\nXDG_MUSIC_DIR='$HOME/Music'\n",
        "XDG_DOWNLOAD_DIR=\"/tmp/elsewhere\"\nXDG_VIDEOS_DIR=\"relative/x\"\n",
        "XDG_DOWNLOAD_DIR=\"$HOME/first\"\nXDG_DOWNLOAD_DIR=\"$HOME/second\"\n",
        "XDG_DOWNLOAD_DIR=\"$HOME/a//b///\"\n",
        "#XDG_DOWNLOAD_DIR=\"$HOME/commented\"\n",
        "\tXDG_MUSIC_DIR\t=\t\"$HOME/Musique\"\n",
        "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\r\nXDG_DESKTOP_DIR=\"$HOME/Bureau\"\r\n",
        "XDG_DOWNLOAD_DIRX=\"$HOME/x\"\nXDG_DOWNLOAD_DIR\"$HOME/y\"\n",
        "XDG_DOWNLOAD_DIR=\"$HOME/../../etc\"\n",
        "XDG_DOWNLOAD_DIR=\"$HOME/Down\\\"loads\"\n",
        "XDG_DOCUMENTS_DIR=\"$HOME/$USER/docs\"\nXDG_PICTURES_DIR=\"$HOME/Mes images\"\n",
        "XDG_DOWNLOAD_DIR=\"\"\nXDG_TEMPLATES_DIR=\"$HOME/Modèles\"\nXDG_PUBLICSHARE_DIR=\"$HOME/Public\"\n",
        "XDG_DESKTOP_DIR=\"$HOME/Desktop\"\n\u{0}XDG_DOWNLOAD_DIR=\"$HOME/after-nul\"\n",
        "XDG_DOWNLOAD_DIR=\"/\"\nXDG_MUSIC_DIR=\"//\"\n",
        "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\n",
        "XDG_DOWNLOAD_DIR=\"$HOME/" + String(repeating: "x", count: 5000) + "\"\n",
    ]

    /// What GLib says of every user folder for this file, as hex bytes (absent: not set).
    static func glib(_ content: String) throws -> [String: [UInt8]] {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("ardoise-userdirs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: config) }
        try Data(content.utf8).write(to: config.appendingPathComponent("user-dirs.dirs"))
        let script = """
        import os
        from gi.repository import GLib
        for name in ["DESKTOP", "DOCUMENTS", "DOWNLOAD", "MUSIC", "PICTURES", "PUBLIC_SHARE", "TEMPLATES", "VIDEOS"]:
            value = GLib.get_user_special_dir(getattr(GLib.UserDirectory, "DIRECTORY_" + name))
            print(name.replace("_", ""), "-" if value is None else os.fsencode(value).hex())
        """
        let result = try run("/usr/bin/python3", ["-c", script], environment: ["HOME": home, "XDG_CONFIG_HOME": config.path, "PATH": "/usr/bin:/bin"])
        guard result.status == 0 else { throw SystemError(ENOEXEC) }
        var paths: [String: [UInt8]] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1] != "-" else { continue }
            var bytes: [UInt8] = []
            var hex = parts[1][...]
            while hex.count >= 2 { bytes.append(UInt8(hex.prefix(2), radix: 16)!); hex = hex.dropFirst(2) }
            paths["XDG_\(parts[0])_DIR"] = bytes
        }
        return paths
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/gi"), "python3-gi"))
    func ardoiseReadsEachFileAsGLibDoes() throws {
        for content in Self.corpus {
            var expected = try Self.glib(content)
            var ours = UserDirs.paths(Array(content.utf8), home: Array(Self.home.utf8))
            // GLib alone gives the desktop a default when the file does not name it; ardoise then uses the usual names.
            if ours["XDG_DESKTOP_DIR"] == nil && expected["XDG_DESKTOP_DIR"] == Array((Self.home + "/Desktop").utf8) {
                expected["XDG_DESKTOP_DIR"] = nil
            }
            #expect(ours == expected, "\(content.debugDescription.prefix(200))")
        }
    }

    @Test func aFolderAtTheHomeItselfOrOutsideItIsAProblemNeverASilentClean() throws {
        for (line, refused) in [("XDG_DOWNLOAD_DIR=\"$HOME\"", true), ("XDG_DOWNLOAD_DIR=\"$HOME/\"", true),
                                ("XDG_DOWNLOAD_DIR=\"$HOME/../../etc\"", true), ("XDG_DOWNLOAD_DIR=\"/etc\"", true),
                                ("XDG_DOWNLOAD_DIR=\"$HOME/.ssh\"", true), ("XDG_DOWNLOAD_DIR = \"$HOME/Téléchargements\" # moved", false)] {
            let sandbox = try Sandbox()
            try sandbox.write(".config/user-dirs.dirs", line + "\n")
            try sandbox.write("Téléchargements/a.pdf", "pdf")
            try sandbox.write(".ssh/id_ed25519", "key")
            let report = try sandbox.wipe()
            let problems = report.kinds.flatMap(\.problems).filter { $0.code == "refused-path" }
            #expect(problems.isEmpty != refused, "\(line): \(problems)")
            if refused {
                #expect(!report.isClean, "\(line)")
                let table = report.table(.english)
                #expect(table.contains("path(s) read from the session's files were refused") && !table.contains("nothing of the session is left"), "\(table)")
            }
            #expect(sandbox.exists(".ssh/id_ed25519") || !refused, "never the hidden folder itself: \(line)")
            if !refused { #expect(!sandbox.exists("Téléchargements/a.pdf")) }
        }
    }
}

/// `profiles.ini` as Firefox's INI parser reads it.
@Suite struct ProfilesIniTests {
    @Test func trickyLinesAreReadAsFirefoxReadsThem() {
        let text = "[General]\r\nStartWithLastProfile=1\r\n[Profile0]\r\nName=a\r\nPath=one\r\n  ; Path=not-a-comment-for-firefox\n# Path=comment\n"
            + "[Profile1] trailing\nPath=ignored\n[Profile2]\n  Path =spaced-key\n==Path=two\nPath= three \n[Profile0]\nPath=four\n[]\nPath=none\n"
        let sections = IniFile.sections(text)
        #expect(sections.map(\.name) == ["General", "Profile0", "Profile2"], "a header with text after it, or empty, is no section")
        let zero = sections[1]
        #expect(zero.all("Path") == ["one", "four"], "a section given twice gathers both")
        #expect(zero.entries.contains { $0.key == "; Path" }, "only a line that starts with ; or # is a comment")
        let two = sections[2]
        #expect(two.all("Path") == ["two", " three "], "leading = skipped, values kept with their blanks")
        #expect(two.values["Path "] == "spaced-key")
    }

    @Test func everyPathOfAProfileIsWiped() throws {
        let sandbox = try Sandbox()
        try sandbox.write(".mozilla/firefox/profiles.ini", "[Profile0]\nPath=first.default\nPath=second.default\n")
        try sandbox.write(".mozilla/firefox/first.default/cookies.sqlite", "c")
        try sandbox.write(".mozilla/firefox/second.default/cookies.sqlite", "c")
        _ = try sandbox.wipe()
        #expect(!sandbox.exists(".mozilla/firefox/first.default/cookies.sqlite"))
        #expect(!sandbox.exists(".mozilla/firefox/second.default/cookies.sqlite"))
    }
}
