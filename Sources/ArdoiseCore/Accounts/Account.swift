import FoundationEssentials
import Glibc

/// A local account as the password database describes it.
public struct Account: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var home: String

    public init(name: String, uid: UInt32, gid: UInt32, home: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.home = home
    }

    /// The first uid of ordinary accounts (`UID_MIN` of `/etc/login.defs`, 1000 when it does not say): below it, system accounts.
    public static func firstUserID(loginDefs: String = "/etc/login.defs") -> UInt32 {
        guard let file = try? OpenedRoot(path: loginDefs.deletingLastPathComponent),
              let name = HomePath(loginDefs.lastPathComponent),
              case .success(let read) = file.readFile(name, limit: 1 << 20) else { return 1000 }
        for line in String(decoding: read.bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "UID_MIN", let value = UInt32(words[1]) { return value }
        }
        return 1000
    }

    public static func named(_ name: String) -> Account? {
        lookUp { getpwnam_r(name, &$0, &$1, $1.count, &$2) }
    }

    public static func withID(_ uid: UInt32) -> Account? {
        lookUp { getpwuid_r(uid, &$0, &$1, $1.count, &$2) }
    }

    private static func lookUp(_ query: (inout passwd, inout [CChar], inout UnsafeMutablePointer<passwd>?) -> Int32) -> Account? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard query(&entry, &buffer, &result) == 0, result != nil else { return nil }
        return Account(name: String(cString: entry.pw_name), uid: entry.pw_uid, gid: entry.pw_gid, home: String(cString: entry.pw_dir))
    }
}

/// Who may wipe which home, decided before anything is touched.
public enum WipeTarget {
    public enum Refusal: Error, Sendable, Equatable {
        case unknownUser(String)
        case systemAccount(String)
        /// A system account (below `UID_MIN`) that the configuration does not name as a kiosk account.
        case belowFirstUserID(String, uid: UInt32, first: UInt32)
        case homeMissing(String)
        case systemFolder(String)
        case notYourHome(String)

        /// `2` for bad input, `3` for a permission refused.
        public var exitCode: Int32 {
            switch self {
            case .notYourHome: 3
            default: 2
            }
        }

        public func message(_ language: Language) -> String {
            let fr = language == .french
            switch self {
            case .unknownUser(let name):
                let name = DisplayText.escaped(name)
                return fr ? "Le compte « \(name) » n'existe pas sur ce poste." : "There is no account named \"\(name)\" on this computer."
            case .systemAccount(let name):
                let name = DisplayText.escaped(name)
                return fr ? "« \(name) » est le compte d'administration (root) : ardoise n'efface que des comptes de poste public."
                          : "\"\(name)\" is the administrator account (root): ardoise only wipes public-kiosk accounts."
            case .belowFirstUserID(let name, let uid, let first):
                let name = DisplayText.escaped(name)
                return fr ? "« \(name) » est un compte du système (uid \(uid), en dessous de UID_MIN \(first)) : refusé, sauf s'il est nommé dans [kiosk] de la configuration."
                          : "\"\(name)\" is a system account (uid \(uid), below UID_MIN \(first)): refused unless [kiosk] in the configuration names it."
            case .homeMissing(let path):
                let path = DisplayText.escaped(path)
                return fr ? "Le dossier \(path) n'existe pas ou n'est pas un dossier." : "\(path) does not exist or is not a folder."
            case .systemFolder(let path):
                let path = DisplayText.escaped(path)
                return fr ? "\(path) est un dossier du système ou de l'administrateur : refusé." : "\(path) is a system or administrator folder: refused."
            case .notYourHome(let path):
                let path = DisplayText.escaped(path)
                return fr ? "Vous ne pouvez effacer que votre propre dossier personnel ; \(path) ne vous appartient pas."
                          : "You may only wipe your own home; \(path) does not belong to you."
            }
        }
    }

    static let systemFolders: Set<String> = ["/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/media", "/mnt", "/opt",
                                             "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/var/tmp"]

    /// The home and owner of `--user NAME`.
    public static func forUser(_ name: String, callerUID: UInt32) -> Result<(home: String, owner: UInt32), Refusal> {
        guard let account = Account.named(name) else { return .failure(.unknownUser(name)) }
        guard account.uid != 0 else { return .failure(.systemAccount(name)) }
        return forHome(account.home, callerUID: callerUID, expectedOwner: account.uid)
    }

    /// The home `--home DIR` and its owner, who must be the caller unless the caller is root.
    public static func forHome(_ path: String, callerUID: UInt32, expectedOwner: UInt32? = nil) -> Result<(home: String, owner: UInt32), Refusal> {
        // An empty path would name the current folder.
        guard !path.isEmpty else { return .failure(.homeMissing("\"\"")) }
        var absolute = path
        if !absolute.hasPrefix("/") {
            guard let current = getcwd(nil, 0) else { return .failure(.homeMissing(path)) }
            defer { free(current) }
            absolute = String(cString: current) + "/" + path
        }
        while absolute.count > 1 && absolute.hasSuffix("/") { absolute.removeLast() }
        let normalized = TraceResolver.normalized(absolute, absolute: true).map { "/" + $0.components.map(\.string).joined(separator: "/") } ?? "/"
        guard !systemFolders.contains(normalized) else { return .failure(.systemFolder(normalized)) }
        let root: OpenedRoot
        do {
            root = try OpenedRoot(path: normalized)
        } catch {
            return .failure(.homeMissing(normalized))
        }
        let owner = expectedOwner ?? root.status.owner
        if callerUID != 0 {
            guard root.status.owner == callerUID else { return .failure(.notYourHome(normalized)) }
        } else if root.status.owner == 0 {
            return .failure(.systemFolder(normalized))
        }
        return .success((normalized, owner))
    }
}

extension Account {
    /// Every group the account belongs to (its primary group and the supplementary ones from the group database).
    public var groupIDs: [UInt32] {
        var count: Int32 = 64
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            var found = count
            if getgrouplist(name, gid, &groups, &found) >= 0 { return Array(groups.prefix(Int(found))) }
            guard found > count else { return [gid] }
            count = found
        }
    }

    public func isMember(ofGroup group: String) -> Bool {
        guard let groupID = Account.groupID(named: group) else { return false }
        return groupIDs.contains(groupID)
    }

    public static func groupID(named name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    /// Every account of the password database (for the start-up sweep).
    public static func all() -> [Account] {
        var accounts: [Account] = []
        setpwent()
        defer { endpwent() }
        while let entry = getpwent() {
            accounts.append(Account(name: String(cString: entry.pointee.pw_name), uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid,
                                    home: String(cString: entry.pointee.pw_dir)))
        }
        return accounts
    }
}
