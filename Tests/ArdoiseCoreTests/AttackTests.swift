import ArdoiseCore
import ArdoiseTestSupport
import Foundation
import Glibc
import Testing

/// A home that fights back: each case has files outside the home that must survive byte for byte.
@Suite struct AttackTests {
    /// Files outside the home a root process must never touch.
    static func plantOutside(_ sandbox: Sandbox) throws -> [String: String] {
        try sandbox.write("secret.txt", "root secret", in: sandbox.outside)
        try sandbox.write("prefs.json", "{\"profile\":{\"content_settings\":{\"exceptions\":{\"x\":{\"https://a.fr,*\":{}}}}}}", in: sandbox.outside)
        try sandbox.write("prefs.js", "user_pref(\"browser.download.lastDir\", \"/x\");\n", in: sandbox.outside)
        try sandbox.write("dir/file.pdf", "precious", in: sandbox.outside)
        try sandbox.write("dir/sub/deeper.txt", "precious too", in: sandbox.outside)
        return snapshot(sandbox.outside)
    }

    @Test func downloadsReplacedByALinkToAFolderOutside() throws {
        let sandbox = try Sandbox()
        let outside = try Self.plantOutside(sandbox)
        try sandbox.symlink("Downloads", to: sandbox.outside + "/dir")
        try sandbox.symlink("Desktop", to: "../outside")

        let report = try sandbox.wipe()

        #expect(snapshot(sandbox.outside) == outside)
        #expect(!sandbox.exists("Downloads") && !sandbox.exists("Desktop"), "the links themselves are gone")
        #expect(report.isClean)
    }

    @Test func userDirsPointingAtEtcIsRefused() throws {
        let sandbox = try Sandbox()
        try sandbox.write(".config/user-dirs.dirs", "XDG_DOWNLOAD_DIR=\"/etc\"\nXDG_DESKTOP_DIR=\"$HOME/../../../../etc\"\n")
        try sandbox.write("Downloads/left.pdf", "pdf")

        // A dry run only: this case must never be able to touch the machine's /etc, even if the refusal were broken.
        let report = try sandbox.wipe(dryRun: true)

        let refused = report.kinds.flatMap(\.problems).filter { $0.code == "refused-path" }
        #expect(refused.count == 2, "\(refused)")
        #expect(refused.allSatisfy { $0.message(.english).contains("leaves the home") })
        #expect(report.kinds.first { $0.kind == .downloads }?.found.files == 1, "the usual Downloads folder is still emptied")
    }

    @Test func userDirsLeavingTheHomeOrRelativeIsRefusedAndOutsideSurvives() throws {
        let sandbox = try Sandbox()
        let outside = try Self.plantOutside(sandbox)
        try sandbox.write(".config/user-dirs.dirs", """
        XDG_DOWNLOAD_DIR="$HOME/../outside"
        XDG_DESKTOP_DIR="\(sandbox.outside)/dir"
        XDG_DOCUMENTS_DIR="Documents"
        XDG_PICTURES_DIR="$HOME/Images/../../outside/dir"
        """)

        let report = try sandbox.wipe()

        #expect(snapshot(sandbox.outside) == outside)
        let refusals = report.kinds.flatMap(\.problems).filter { $0.code == "refused-path" }
        // A relative value is no path for GLib either: the desktop ignores the line, and so does ardoise (usual names).
        #expect(refusals.count == 3, "\(refusals)")
        #expect(refusals.allSatisfy { $0.message(.english).contains("leaves the home") })
    }

    @Test func linksInsideAProfileAreRemovedNeverFollowed() throws {
        let sandbox = try Sandbox()
        let outside = try Self.plantOutside(sandbox)
        let profile = ".mozilla/firefox/k.default"
        try sandbox.write(profile + "/times.json", "{}")
        try sandbox.symlink(profile + "/cookies.sqlite", to: sandbox.outside + "/secret.txt")
        try sandbox.symlink(profile + "/prefs.js", to: sandbox.outside + "/prefs.js")
        try sandbox.symlink(profile + "/storage/default", to: sandbox.outside + "/dir")
        try sandbox.symlink(profile + "/sessionstore-backups", to: sandbox.outside)
        let chromium = ".config/chromium/Default"
        try sandbox.write(chromium + "/History", "h")
        try sandbox.symlink(chromium + "/Preferences", to: sandbox.outside + "/prefs.json")
        try sandbox.symlink(chromium + "/Cache", to: sandbox.outside + "/dir")
        try sandbox.symlink(".cache/chromium", to: sandbox.outside + "/dir")
        try sandbox.symlink(".local/share/Trash", to: sandbox.outside)

        let report = try sandbox.wipe()

        #expect(snapshot(sandbox.outside) == outside)
        for link in [profile + "/cookies.sqlite", profile + "/prefs.js", profile + "/storage/default", chromium + "/Preferences", chromium + "/Cache", ".local/share/Trash"] {
            #expect(!sandbox.exists(link), "link removed: \(link)")
        }
        #expect(report.isClean)
    }

    @Test func aHardLinkToAFileOutsideOnlyLosesTheLink() throws {
        let sandbox = try Sandbox()
        let outside = try Self.plantOutside(sandbox)
        let profile = ".mozilla/firefox/k.default"
        try sandbox.mkdir(profile)
        try sandbox.write(profile + "/times.json", "{}")
        #expect(link(sandbox.outside + "/secret.txt", sandbox.home + "/" + profile + "/logins.json") == 0)
        #expect(link(sandbox.outside + "/prefs.js", sandbox.home + "/" + profile + "/prefs.js") == 0)
        try sandbox.mkdir("Downloads")
        #expect(link(sandbox.outside + "/dir/file.pdf", sandbox.home + "/Downloads/file.pdf") == 0)

        let report = try sandbox.wipe()

        #expect(snapshot(sandbox.outside) == outside)
        #expect(!sandbox.exists(profile + "/logins.json"))
        #expect(!sandbox.exists("Downloads/file.pdf"))
        // A file that must stay but is linked elsewhere is never rewritten: reported instead.
        #expect(report.kinds.flatMap(\.problems).contains { $0.code == "cannot-scrub" && $0.location.hasSuffix("prefs.js") })
    }

    @Test func fifosSocketsAndDeviceNodesAreRemovedWithoutHanging() throws {
        let sandbox = try Sandbox()
        try sandbox.mkdir("Downloads")
        #expect(mkfifo(sandbox.home + "/Downloads/fifo", 0o644) == 0)
        let socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let socketPath = sandbox.home + "/Downloads/sock"
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(socketFD)
        if isRoot { #expect(mknod(sandbox.home + "/Downloads/null", S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0) }
        // A FIFO where a preferences file to clean is expected: removed, never opened for reading.
        try sandbox.mkdir(".config/chromium/Default")
        #expect(mkfifo(sandbox.home + "/.config/chromium/Default/Preferences", 0o644) == 0)

        let report = try sandbox.wipe()

        #expect(!sandbox.exists("Downloads/fifo") && !sandbox.exists("Downloads/sock") && !sandbox.exists("Downloads/null"))
        #expect(!sandbox.exists(".config/chromium/Default/Preferences"))
        #expect(report.isClean)
    }

    @Test(.enabled(if: isRoot, "bind mounts need root"))
    func aBindMountInsideTheHomeIsNotCrossedAndIsReported() throws {
        let sandbox = try Sandbox()
        let outside = try Self.plantOutside(sandbox)
        try sandbox.mkdir("Downloads/mounted")
        try sandbox.write("Downloads/ordinary.pdf", "pdf")
        try sandbox.mkdir(".config/chromium/Default/Cache")
        try sandbox.bindMount(sandbox.outside + "/dir", on: sandbox.home + "/Downloads/mounted")
        try sandbox.bindMount(sandbox.outside, on: sandbox.home + "/.config/chromium/Default/Cache")
        try sandbox.write(".config/chromium/Default/History", "h")

        let report = try sandbox.wipe()

        #expect(snapshot(sandbox.outside) == outside)
        #expect(!sandbox.exists("Downloads/ordinary.pdf"))
        #expect(!sandbox.exists(".config/chromium/Default/History"))
        let mountProblems = report.kinds.flatMap(\.problems).filter { $0.code == "mount-point" }
        #expect(mountProblems.count == 2, "\(mountProblems)")
        #expect(!report.isClean, "a mount point in the home is a left-over the admin must see")
    }

    @Test(.enabled(if: isRoot, "bind mounts need root"))
    func aHomeThatIsItselfAMountPointIsWipedButAMountOfItInsideIsNot() throws {
        // Homes on their own partition or tmpfs, and /tmp bind-mounted by the service's sandbox, are mount points themselves.
        let sandbox = try Sandbox()
        let outside = try Self.plantOutside(sandbox)
        try sandbox.bindMount(sandbox.home, on: sandbox.home)
        try sandbox.bindMount(sandbox.tmp, on: sandbox.tmp)
        try sandbox.write("Downloads/ordinary.pdf", "pdf")
        try sandbox.write(".config/chromium/Default/History", "h")
        try sandbox.mkdir("Documents/again")
        try sandbox.bindMount(sandbox.home + "/Downloads", on: sandbox.home + "/Documents/again")
        try FileManager.default.createDirectory(atPath: sandbox.tmp + "/session-files", withIntermediateDirectories: true)
        chown(sandbox.tmp + "/session-files", testOwner, testOwner)

        let report = try sandbox.wipe()

        #expect(snapshot(sandbox.outside) == outside)
        #expect(!sandbox.exists(".config/chromium/Default/History"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.tmp + "/session-files"))
        let mountProblems = report.kinds.flatMap(\.problems).filter { $0.code == "mount-point" }
        #expect(mountProblems.map(\.location) == [sandbox.home + "/Documents/again"], "\(mountProblems)")
    }

    @Test func aFolderSwappedForALinkWhileTheWipeRunsNeverLeadsOutside() async throws {
        let sandbox = try Sandbox()
        let outside = try Self.plantOutside(sandbox)
        let downloads = sandbox.home + "/Downloads"
        for round in 0..<25 {
            for index in 0..<40 { try sandbox.write("Downloads/box/f\(index).pdf", "round \(round)") }
            try sandbox.write("Downloads/box/inner/g.pdf", "g")
            try whileSwapping(downloads + "/box", withLinkTo: sandbox.outside + "/dir") { _ = try sandbox.wipe() }
            #expect(snapshot(sandbox.outside) == outside, "round \(round)")
        }
        _ = try sandbox.wipe()
        #expect(try FileManager.default.contentsOfDirectory(atPath: downloads).isEmpty)
    }

    @Test func namesWithNewlinesAndInvalidUTF8() throws {
        let sandbox = try Sandbox()
        try sandbox.mkdir("Downloads")
        let invalid: [UInt8] = Array((sandbox.home + "/Downloads/").utf8) + [0x66, 0xff, 0xfe, 0x0a, 0x2e, 0x70, 0x64, 0x66]
        let created = invalid.withUnsafeBufferPointer { buffer -> Int32 in
            var path = buffer.map { CChar(bitPattern: $0) }
            path.append(0)
            return open(path, O_CREAT | O_WRONLY, 0o644)
        }
        #expect(created >= 0)
        close(created)
        try sandbox.write("Downloads/line\nbreak/inside\nname.pdf", "x")

        let plan = try sandbox.wipe(dryRun: true)
        #expect(plan.kinds.first { $0.kind == .downloads }?.found.files == 2)
        let report = try sandbox.wipe()

        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.home + "/Downloads").isEmpty)
        #expect(report.isClean)
        #expect(HomePath(Array(arrayLiteral: EntryName(bytes: [0x66, 0xff, 0x0a])!)).description == "f\\xff\\x0a")
        #expect(HomePath("Téléchargements/a\nb")!.description == "Téléchargements/a\\nb")
    }

    @Test func aTenThousandDeepTree() async throws {
        try await onItsOwnThread {
            let sandbox = try Sandbox()
            try sandbox.mkdir("Downloads")
            try makeDeepTree(at: sandbox.home + "/Downloads", depth: 10_000)

            let report = try sandbox.wipe()

            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.home + "/Downloads").isEmpty)
            let downloads = try #require(report.kinds.first { $0.kind == .downloads })
            #expect(downloads.removed.directories == 10_000)
            #expect(downloads.removed.files == 1)
            #expect(report.isClean)
        }
    }

    @Test func aHundredThousandFilesInDownloads() throws {
        let sandbox = try Sandbox()
        try sandbox.mkdir("Downloads")
        let directory = open(sandbox.home + "/Downloads", O_RDONLY | O_DIRECTORY)
        defer { close(directory) }
        for index in 0..<100_000 {
            let fd = openat(directory, "scan-\(index).pdf", O_CREAT | O_WRONLY, 0o644)
            close(fd)
        }

        let report = try sandbox.wipe()

        #expect(report.kinds.first { $0.kind == .downloads }?.removed.files == 100_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.home + "/Downloads").isEmpty)
        #expect(report.isClean)
    }

    @Test(.enabled(if: isRoot, "chattr +i needs root"))
    func anImmutableFileIsReportedAndTheRestWiped() throws {
        let sandbox = try Sandbox()
        let profile = ".config/chromium/Default"
        try sandbox.write(profile + "/Cookies", "cookie")
        try sandbox.write(profile + "/History", "history")
        try sandbox.write("Downloads/a.pdf", "a")
        try sandbox.write("Downloads/b.pdf", "b")
        try sandbox.markImmutable(sandbox.home + "/" + profile + "/Cookies")

        let report = try sandbox.wipe()

        #expect(sandbox.exists(profile + "/Cookies"))
        #expect(!sandbox.exists(profile + "/History") && !sandbox.exists("Downloads/a.pdf") && !sandbox.exists("Downloads/b.pdf"))
        let cookies = try #require(report.kinds.first { $0.kind == .cookies })
        #expect(cookies.left == 1)
        #expect(cookies.problems.map(\.code) == ["immutable"])
        #expect(cookies.problems.first?.message(.english).contains("chattr") == true)
        #expect(!report.isClean)
        #expect(report.rendered(.table, language: .french).contains("rendu non modifiable"))
    }
}

/// Runs `body` while another thread swaps the folder `path` for a link to `target` and back, as fast as it can.
func whileSwapping(_ path: String, withLinkTo target: String, _ body: () throws -> Void) rethrows {
    let stop = Flag()
    let swapper = Thread {
        while !stop.value {
            rename(path, path + ".real")
            symlink(target, path)
            unlink(path)
            rename(path + ".real", path)
        }
    }
    swapper.start()
    defer {
        stop.value = true
        while !swapper.isFinished { usleep(100) }
    }
    try body()
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = false
    var value: Bool {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}

/// `depth` nested folders below `root`, with a file at the bottom, built by descriptor (the path is far longer than PATH_MAX).
func makeDeepTree(at root: String, depth: Int) throws {
    var fd = open(root, O_RDONLY | O_DIRECTORY)
    guard fd >= 0 else { throw SystemError(errno) }
    for _ in 0..<depth {
        guard mkdirat(fd, "d", 0o755) == 0 else { throw SystemError(errno) }
        let child = openat(fd, "d", O_RDONLY | O_DIRECTORY)
        close(fd)
        guard child >= 0 else { throw SystemError(errno) }
        fd = child
    }
    let file = openat(fd, "bottom.txt", O_CREAT | O_WRONLY, 0o644)
    close(file)
    close(fd)
}
