import FoundationEssentials
import Glibc

/// The state of a home right after a catalogue wipe: every entry with its kind, size, times and inode, so that the next
/// catalogue wipe can say what changed outside the catalogue since (the catalogue cannot know every program).
/// Kept root-only in `<state>/catalogue/NAME.tree`.
public struct TreeRecord: Sendable, Equatable {
    /// Path bytes -> fingerprint (kind, size, modification time, change time, inode).
    var entries: [[UInt8]: String]
    /// The home it was taken of: a record of another folder of the same account says nothing of this one.
    var home: String = ""

    /// Walks the tree below `root` by descriptor, never following a link, never crossing a mount.
    public static func of(_ root: OpenedRoot) -> TreeRecord {
        final class Collected: @unchecked Sendable { var entries: [[UInt8]: String] = [:] }
        let collected = Collected()
        // The safe remover's walk, touching nothing: a 10,000-deep tree is read with a bounded number of descriptors.
        _ = SafeRemover(root: root).removeContents(of: HomePath(), .init(dryRun: true, observe: { path, status in
            collected.entries[path.bytes] = fingerprint(status)
        }))
        return TreeRecord(entries: collected.entries, home: root.path)
    }

    static func fingerprint(_ status: EntryStatus) -> String {
        let kind: String
        switch status.kind {
        case .directory: kind = "d"
        case .regular: kind = "f"
        case .symbolicLink: kind = "l"
        default: kind = "o"
        }
        // A folder's times move with what is made inside it: only its existence counts.
        if status.kind == .directory { return kind }
        return "\(kind) \(status.size) \(status.modificationTime).\(status.modificationNanoseconds) \(status.changeTime) \(status.inode)"
    }

    /// What was added or changed since `earlier`, per top folder of the home, leaving out what `ignoring` says is known.
    public func changes(since earlier: TreeRecord, ignoring isKnown: (HomePath) -> Bool) -> [OutsideCatalogue.Folder] {
        var folders: [[UInt8]: OutsideCatalogue.Folder] = [:]
        for (bytes, print) in entries {
            let before = earlier.entries[bytes]
            guard before != print, let path = Self.path(bytes), !isKnown(path) else { continue }
            // A new folder is counted once, by itself; a changed folder is not a change (its files are).
            if print == "d" && before != nil { continue }
            let top = path.components.count > 1 ? path.components[0].bytes : [UInt8]("~".utf8)
            var folder = folders[top] ?? OutsideCatalogue.Folder(name: path.components.count > 1 ? DisplayText.escaped(bytes: top) : "~")
            if before == nil { folder.added += 1 } else { folder.changed += 1 }
            folders[top] = folder
        }
        return folders.values.sorted { $0.name < $1.name }
    }

    static func path(_ bytes: [UInt8]) -> HomePath? {
        var components: [EntryName] = []
        for piece in bytes.split(separator: UInt8(ascii: "/")) {
            guard let name = EntryName(bytes: piece) else { return nil }
            components.append(name)
        }
        return HomePath(components)
    }

    /// One line per entry: the path in hex (any bytes), a tab, the fingerprint.
    var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 64)
        out.append(contentsOf: "#".utf8)
        Self.appendHex(Array(home.utf8), to: &out)
        out.append(10)
        for (bytes, print) in entries {
            Self.appendHex(bytes, to: &out)
            out.append(9)
            out.append(contentsOf: print.utf8)
            out.append(10)
        }
        return out
    }

    init(entries: [[UInt8]: String], home: String) {
        self.entries = entries
        self.home = home
    }

    init?(encoded: [UInt8]) {
        var entries: [[UInt8]: String] = [:]
        var lines = encoded.split(separator: 10)[...]
        guard let first = lines.popFirst(), first.first == UInt8(ascii: "#"), let home = [UInt8](hexDigits: first.dropFirst()) else { return nil }
        self.home = String(decoding: home, as: UTF8.self)
        for line in lines {
            guard let tab = line.firstIndex(of: 9), let path = [UInt8](hexDigits: line[..<tab]) else { return nil }
            entries[path] = String(decoding: line[(tab + 1)...], as: UTF8.self)
        }
        self.entries = entries
    }

    private static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
    }
}

/// What a catalogue wipe leaves that its catalogue does not name: counted, never "nothing left" while not zero.
public struct OutsideCatalogue: Sendable, Equatable, Codable {
    public struct Folder: Sendable, Equatable, Codable {
        /// The top folder of the home, escaped for display (`~` for entries at the top).
        public var name: String
        public var added = 0
        public var changed = 0
    }

    /// An earlier state of the home was recorded (false at the first catalogue wipe of an account: nothing can be said).
    public var known: Bool
    public var folders: [Folder]
    public var total: Int { folders.reduce(0) { $0 + $1.added + $1.changed } }
}

extension BaselineStore {
    func recordPath(_ account: String) throws(BaselineError) -> String {
        stateDirectory + "/catalogue/" + (try Self.checked(account)) + ".tree"
    }

    public func lastRecord(_ account: String, home: String) -> TreeRecord? {
        guard let path = try? recordPath(account), let data = FileManager.default.contents(atPath: path),
              let record = TreeRecord(encoded: [UInt8](data)), record.home == home else { return nil }
        return record
    }

    /// Written beside, then renamed over: a kill leaves the old record or the new one.
    public func saveRecord(_ record: TreeRecord, for account: String) {
        guard let path = try? recordPath(account) else { return }
        let folder = path.deletingLastPathComponent
        if mkdir(stateDirectory, 0o700) != 0 && errno != EEXIST { return }
        if mkdir(folder, 0o700) != 0 && errno != EEXIST { return }
        SmallFile.removeLeftovers(of: path)
        _ = SmallFile.replace(path, with: record.encoded)
    }
}
