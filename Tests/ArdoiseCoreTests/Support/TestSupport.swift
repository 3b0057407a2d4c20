import ArdoiseCore
import Foundation
import Glibc

/// Where the package and the shared fixtures are.
enum Paths {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var fixturesFolder: String {
        ProcessInfo.processInfo.environment["ARDOISE_FIXTURES"] ?? packageRoot + "/../shared/fixtures/browser-profiles"
    }

    static var publicProfiles: String { fixturesFolder + "/public-profiles.tar.gz" }

    static var ardoiseBinary: String {
        ProcessInfo.processInfo.environment["ARDOISE_BIN"] ?? packageRoot + "/.build/debug/ardoise"
    }
}

let isRoot = geteuid() == 0
/// The account test homes belong to when the tests run as root (`nobody`).
let testOwner: UInt32 = isRoot ? 65534 : geteuid()

struct CommandResult {
    var status: Int32
    var output: String
    var error: String
}

@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self), error: String(decoding: errData, as: UTF8.self))
}

/// A scratch folder with a kiosk home in it (`home`), a folder outside the home (`outside`) and a private temporary folder (`tmp`).
final class Sandbox {
    let base: String
    let home: String
    let outside: String
    let tmp: String
    private var mounts: [String] = []
    private var immutable: [String] = []

    init(fixture: Bool = false) throws {
        var template = Array("/var/tmp/ardoise-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError(errno) }
        base = String(cString: made)
        chmod(base, 0o755)
        home = base + "/home-kiosk"
        outside = base + "/outside"
        tmp = base + "/tmp"
        if fixture {
            try run("tar", ["-xzf", Paths.publicProfiles, "-C", base])
        } else {
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        chmod(tmp, 0o1777)
        if isRoot { _ = try run("chown", ["-R", "-h", "\(testOwner):\(testOwner)", home]) }
    }

    /// What a test writes in the home belongs to the home's account, as a session's files would (root's would be spared).
    func own(_ path: String) {
        guard isRoot, path.hasPrefix(home) else { return }
        var current = path
        while current.count > home.count {
            lchown(current, testOwner, testOwner)
            current = (current as NSString).deletingLastPathComponent
        }
    }

    /// The fixture's profiles unpacked again over the home, owned by its account.
    func unpackFixture() throws {
        try run("tar", ["-xzf", Paths.publicProfiles, "-C", base])
        if isRoot { _ = try run("chown", ["-R", "-h", "\(testOwner):\(testOwner)", home]) }
    }

    deinit {
        for path in immutable { _ = try? run("chattr", ["-i", "-a", path]) }
        for path in mounts.reversed() { _ = try? run("umount", ["-l", path]) }
        _ = try? run("rm", ["-rf", "--one-file-system", base])
    }

    func markImmutable(_ path: String) throws {
        let result = try run("chattr", ["+i", path])
        guard result.status == 0 else { throw SystemError(EOPNOTSUPP) }
        immutable.append(path)
    }

    func bindMount(_ source: String, on target: String) throws {
        let result = try run("mount", ["--bind", source, target])
        guard result.status == 0 else { throw SystemError(EPERM) }
        mounts.append(target)
    }

    /// Settings that keep the wipe inside the sandbox (its own temporary folder, not the machine's).
    var settings: WipeSettings {
        var settings = WipeSettings()
        settings.temporaryDirectories = [tmp]
        // The tests write their homes' contents as root; the hostile suite owns every file and turns this back on.
        settings.spareRootEntries = false
        settings.scheduledTaskFolders.crontabs = base + "/spool/crontabs"
        settings.scheduledTaskFolders.atJobs = base + "/spool/atjobs"
        settings.scheduledTaskFolders.linger = base + "/linger"
        return settings
    }

    func wipe(dryRun: Bool = false, settings: WipeSettings? = nil) throws -> WipeReport {
        try Wipe(home: home, owner: testOwner, settings: settings ?? self.settings).run(dryRun: dryRun)
    }

    // MARK: Building homes

    func write(_ relative: String, _ content: String = "trace", in root: String? = nil) throws {
        let path = (root ?? home) + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        own(path)
    }

    func mkdir(_ relative: String, in root: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: (root ?? home) + "/" + relative, withIntermediateDirectories: true)
        own((root ?? home) + "/" + relative)
    }

    func symlink(_ relative: String, to target: String) throws {
        let path = home + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard Glibc.symlink(target, path) == 0 else { throw SystemError(errno) }
        own(path)
    }

    /// Copies a folder of the fixture's home (a real profile) to another place in this home.
    func copyFromFixture(_ source: String, to destination: String, fixtureHome: String) throws {
        let target = home + "/" + destination
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let result = try run("cp", ["-a", fixtureHome + "/" + source, target])
        guard result.status == 0 else { throw SystemError(EIO) }
    }

    func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(home + "/" + relative, &st) == 0
    }

    func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
}

/// glibc's memmem (a GNU extension the Glibc module does not import).
@_silgen_name("memmem")
func memmem(_ haystack: UnsafeRawPointer?, _ haystackLength: Int, _ needle: UnsafeRawPointer?, _ needleLength: Int) -> UnsafeMutableRawPointer?

/// The strings a session of the fixture left, as its manifest lists them (in every form the browsers write them).
enum Markers {
    static let all = [
        "127.0.0.1:8642", "127.0.0.1+8642", "127.0.0.1_8642",
        "kiosk_pub_visitor", "kiosk_pub_sid", "kiosk_pub_auth", "kiosk_pub_lang", "kiosk_pub_draft", "kiosk_pub_step",
        "kiosk-pub-idb", "kiosk-pub-cacheapi", "pubvis-7f3a9c", "pubauth-c0ffee42",
        "jean.martin", "attestation-caf", "aide logement caf", "aide+logement+caf", "Villeurbanne",
    ]

    /// Every file below `root` whose name or content carries a marker (UTF-8 or UTF-16), never following links.
    static func carriers(in root: String, markers: [String] = all) -> [String] {
        let needles = markers.flatMap { marker -> [[UInt8]] in
            [Array(marker.utf8), Array(marker.utf16).flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }]
        }
        var found: [String] = []
        var stack = [root]
        while let directory = stack.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names {
                let path = directory + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                if markers.contains(where: { name.contains($0) }) {
                    found.append(path)
                    continue
                }
                switch st.st_mode & 0o170000 {
                case 0o040000: stack.append(path)
                case 0o100000:
                    guard let data = FileManager.default.contents(atPath: path) else { continue }
                    let bytes = [UInt8](data)
                    if needles.contains(where: { contains(bytes, $0) }) { found.append(path) }
                case 0o120000:
                    var buffer = [CChar](repeating: 0, count: 4096)
                    let count = readlink(path, &buffer, buffer.count - 1)
                    if count > 0 {
                        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                        if markers.contains(where: { target.contains($0) }) { found.append(path) }
                    }
                default: break
                }
            }
        }
        return found.sorted()
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBytes { h in needle.withUnsafeBytes { n in memmem(h.baseAddress, h.count, n.baseAddress, n.count) != nil } }
    }
}

/// The paths the fixture's manifest lists per trace type (its table "Trace types -> exact paths").
enum Manifest {
    static func tracePaths() throws -> [String] {
        let text = try String(contentsOfFile: Paths.fixturesFolder + "/MANIFEST.md", encoding: .utf8)
        guard let start = text.range(of: "## Trace types"), let end = text.range(of: "## Verification output") else { return [] }
        var paths: [String] = []
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("|") {
            // The XDG row names the files that say where the user folders are: they stay.
            if line.hasPrefix("| XDG user dirs") { continue }
            for piece in line.split(separator: "`") where piece.hasPrefix("home-kiosk/") {
                paths.append(String(piece.dropFirst("home-kiosk/".count)))
            }
        }
        return paths
    }
}

/// A snapshot of every entry below a folder, to prove nothing changed: `fullTree`.
func snapshot(_ root: String) -> [String: String] { fullTree(root) }

/// Every entry below a folder with its type, owner, mode, size, modification time and content (or link target).
func fullTree(_ root: String) -> [String: String] {
    var result: [String: String] = [:]
    var stack = [root]
    while let directory = stack.popLast() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
        for name in names {
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let key = String(path.dropFirst(root.count))
            let common = "\(st.st_uid):\(st.st_gid) \(String(st.st_mode & 0o7777, radix: 8))"
            switch st.st_mode & 0o170000 {
            case 0o040000:
                result[key] = "dir \(common) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
                stack.append(path)
            case 0o100000:
                let data = FileManager.default.contents(atPath: path) ?? Data()
                result[key] = "file \(common) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(data.hashValue)"
            case 0o120000:
                result[key] = "link \(common) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) -> \((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")"
            default:
                result[key] = "other \(st.st_mode)"
            }
        }
    }
    return result
}
