import Foundation
import TOMLKit

/// What the wipe does beyond the catalogue, from `[wipe]` in `ardoise.toml`.
public struct WipeSettings: Sendable, Equatable {
    /// Kinds left alone entirely (an admin who wants to keep the cache, say).
    public var excludedKinds: Set<TraceKind> = []
    /// More paths, relative to the home, removed at each wipe.
    public var extra: [TraceRule] = []
    /// Paths relative to the home kept in the folders that are emptied (desktop launchers...).
    /// The administrator's desktop launchers stay by default (catalogue mode; a reset keeps them by construction).
    public var keep = KeepList(["Bureau/*.desktop", "Desktop/*.desktop"])
    /// Shared folders where the account's own files are removed.
    public var temporaryDirectories = ["/tmp", "/var/tmp", "/dev/shm"]
    /// Where the system keeps what an account schedules: its crontab, its `at` jobs, its linger flag.
    public var scheduledTaskFolders = ScheduledTaskFolders()
    /// How homes are cleaned, and per account exceptions.
    public var mode = WipeMode.auto
    /// Entries of root's inside a user's home are reported and left, never removed (no visitor can make one).
    public var spareRootEntries = true
    public var accountModes: [String: WipeMode] = [:]

    public func mode(for account: String?) -> WipeMode { account.flatMap { accountModes[$0] } ?? mode }

    public init() {}
}

/// The system folders holding an account's scheduled tasks (Debian's places; tests point them elsewhere).
public struct ScheduledTaskFolders: Sendable, Equatable {
    /// `crontab -e` writes `crontabs/NAME`.
    public var crontabs = "/var/spool/cron/crontabs"
    /// `at` jobs, files owned by the account.
    public var atJobs = "/var/spool/cron/atjobs"
    /// `loginctl enable-linger` keeps the account's programs running after logout: `linger/NAME`.
    public var linger = "/var/lib/systemd/linger"
    public init() {}
}

/// The access journal's settings, from `[journal]`.
public struct JournalSettings: Sendable, Equatable {
    /// How long events are kept (CNIL: 6 months to 1 year as a rule; French law on connection records: 1 year).
    public var retentionDays = 365
    public init() {}
}

/// Which accounts are public-kiosk accounts, and how their logout is handled, from `[kiosk]`.
public struct KioskSettings: Sendable, Equatable {
    /// Accounts wiped at logout, by name.
    public var users: [String] = []
    /// And every account whose uid falls in this range.
    public var uidRange: ClosedRange<UInt32>?
    /// How long the user's programs may take to exit by themselves after the last session ends, before they are stopped.
    public var logoutGraceSeconds = 5.0
    /// How long `ardoise session-end` waits for the daemon's wipe.
    public var hookTimeoutSeconds = 120

    public init(users: [String] = [], uidRange: ClosedRange<UInt32>? = nil) {
        self.users = users
        self.uidRange = uidRange
    }
}

public struct ArdoiseConfiguration: Sendable, Equatable {
    public static let defaultPath = "/etc/ardoise/ardoise.toml"
    public static let defaultStateDirectory = "/var/lib/ardoise"

    public var wipe = WipeSettings()
    public var journal = JournalSettings()
    public var kiosk = KioskSettings()
    public var notice = NoticeSettings()
    public var liveWarnings = WarningSettings()
    /// Accepted but worth a word to the admin (a retention above one year...).
    public var warnings: [ConfigurationWarning] = []

    public init() {}

    /// Reads the file at `path`; a missing default file means the defaults.
    public static func load(path: String?) throws(ConfigurationError) -> ArdoiseConfiguration {
        let file = path ?? defaultPath
        // Read through a handle: /dev/null (no configuration at all) reads as empty, where FileManager sees nothing.
        guard let data = FileHandle(forReadingAtPath: file).map({ $0.readDataToEndOfFile() }) else {
            if path == nil && !FileManager.default.fileExists(atPath: file) { return ArdoiseConfiguration() }
            throw ConfigurationError(file: file, line: nil, key: nil, problem: .unreadable)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: file, line: nil, key: nil, problem: .notUTF8)
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> ArdoiseConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, line: error.source.begin.line, key: nil, problem: .syntax(error.description))
        } catch {
            throw ConfigurationError(file: file, line: nil, key: nil, problem: .syntax("\(error)"))
        }
        let reader = ConfigurationReader(file: file, text: text)
        var configuration = ArdoiseConfiguration()
        try reader.expectOnly(["wipe", "journal", "kiosk", "notice", "warnings"], in: table, section: nil)
        if let notice = try reader.table("notice", in: table, section: nil) {
            try reader.expectOnly(["enabled", "require_acknowledgement", "screen_mirrored", "contact", "on_decline"], in: notice, section: "notice")
            if let value = try reader.bool("enabled", in: notice, section: "notice") { configuration.notice.enabled = value }
            if let value = try reader.bool("require_acknowledgement", in: notice, section: "notice") { configuration.notice.requireAcknowledgement = value }
            if let value = try reader.bool("screen_mirrored", in: notice, section: "notice") { configuration.notice.screenMirrored = value }
            if let value = notice["contact"] {
                guard let text = value.string else { throw reader.error(key: "notice.contact", section: "notice", .wrongType(expected: "\"...\"")) }
                configuration.notice.contact = text
            }
            if let value = notice["on_decline"] {
                guard let text = value.string, let choice = NoticeSettings.OnDecline(rawValue: text) else {
                    throw reader.error(key: "notice.on_decline", section: "notice", .wrongType(expected: "\"nothing\", \"logout\""))
                }
                configuration.notice.onDecline = choice
            }
        }
        if let warnings = try reader.table("warnings", in: table, section: nil) {
            try reader.expectOnly(["passwords", "downloads"], in: warnings, section: "warnings")
            if let value = try reader.bool("passwords", in: warnings, section: "warnings") { configuration.liveWarnings.passwords = value }
            if let value = try reader.bool("downloads", in: warnings, section: "warnings") { configuration.liveWarnings.downloads = value }
        }
        if let kiosk = try reader.table("kiosk", in: table, section: nil) {
            try reader.expectOnly(["users", "uid_range", "logout_grace_seconds", "hook_timeout_seconds"], in: kiosk, section: "kiosk")
            if let users = try reader.strings("users", in: kiosk, section: "kiosk") {
                for user in users where user.isEmpty || user == "root" || user.contains("/") {
                    throw reader.error(key: "kiosk.users", section: "kiosk", .notKioskAccount(user))
                }
                configuration.kiosk.users = users
            }
            if let value = kiosk["uid_range"] {
                guard let bounds = value.array, bounds.count == 2, let low = bounds[0].int, let high = bounds[1].int,
                      low >= 1, low <= high, high < Int(UInt32.max) else {
                    throw reader.error(key: "kiosk.uid_range", section: "kiosk", .wrongType(expected: "[first, last], 1 <= first <= last"))
                }
                configuration.kiosk.uidRange = UInt32(low)...UInt32(high)
            }
            if let value = kiosk["logout_grace_seconds"] {
                guard let seconds = value.double ?? value.int.map(Double.init), (0...120).contains(seconds) else {
                    throw reader.error(key: "kiosk.logout_grace_seconds", section: "kiosk", .wrongType(expected: "0..120"))
                }
                configuration.kiosk.logoutGraceSeconds = seconds
            }
            if let value = kiosk["hook_timeout_seconds"] {
                guard let seconds = value.int, (1...3600).contains(seconds) else {
                    throw reader.error(key: "kiosk.hook_timeout_seconds", section: "kiosk", .wrongType(expected: "1..3600"))
                }
                configuration.kiosk.hookTimeoutSeconds = seconds
            }
        }
        if let journal = try reader.table("journal", in: table, section: nil) {
            try reader.expectOnly(["retention_days"], in: journal, section: "journal")
            if let value = journal["retention_days"] {
                guard let days = value.int else {
                    throw reader.error(key: "journal.retention_days", section: "journal", .wrongType(expected: "integer / nombre entier"))
                }
                guard (1...1095).contains(days) else {
                    throw reader.error(key: "journal.retention_days", section: "journal", .retentionOutOfRange(days))
                }
                configuration.journal.retentionDays = days
                if days > 365 {
                    configuration.warnings.append(ConfigurationWarning(file: file, line: reader.line(of: "retention_days", section: "journal"), kind: .longRetention(days)))
                }
            }
        }
        if let wipe = try reader.table("wipe", in: table, section: nil) {
            try reader.expectOnly(["exclude_kinds", "keep", "temporary_directories", "extra", "mode", "modes"], in: wipe, section: "wipe")
            if let value = wipe["mode"] {
                guard let text = value.string, let mode = WipeMode(rawValue: text) else {
                    throw reader.error(key: "wipe.mode", section: "wipe", .wrongType(expected: "\"auto\", \"catalogue\", \"baseline\""))
                }
                configuration.wipe.mode = mode
            }
            if let modes = try reader.table("modes", in: wipe, section: "wipe") {
                for account in modes.keys {
                    guard let text = modes[account]?.string, let mode = WipeMode(rawValue: text) else {
                        throw reader.error(key: "wipe.modes.\(account)", section: "wipe.modes", .wrongType(expected: "\"auto\", \"catalogue\", \"baseline\""))
                    }
                    configuration.wipe.accountModes[account] = mode
                }
            }
            if let kinds = try reader.strings("exclude_kinds", in: wipe, section: "wipe") {
                var excluded = Set<TraceKind>()
                for name in kinds {
                    guard let kind = TraceKind(rawValue: name) else {
                        throw reader.error(key: "wipe.exclude_kinds", section: "wipe", .unknownKind(name))
                    }
                    excluded.insert(kind)
                }
                configuration.wipe.excludedKinds = excluded
            }
            if let keep = try reader.strings("keep", in: wipe, section: "wipe") {
                for pattern in keep where pattern.hasPrefix("/") || HomePath(pattern.replacingOccurrences(of: "*", with: "x")) == nil {
                    throw reader.error(key: "wipe.keep", section: "wipe", .notInHome(pattern))
                }
                configuration.wipe.keep = KeepList(keep)
            }
            if let directories = try reader.strings("temporary_directories", in: wipe, section: "wipe") {
                for directory in directories where !directory.hasPrefix("/") {
                    throw reader.error(key: "wipe.temporary_directories", section: "wipe", .notAbsolute(directory))
                }
                configuration.wipe.temporaryDirectories = directories
            }
            if let extra = wipe["extra"] {
                guard let rows = extra.array else {
                    throw reader.error(key: "wipe.extra", section: "wipe", .wrongType(expected: "[[wipe.extra]]"))
                }
                for row in rows {
                    guard let entry = row.table else {
                        throw reader.error(key: "wipe.extra", section: "wipe.extra", .wrongType(expected: "[[wipe.extra]]"))
                    }
                    try reader.expectOnly(["path", "kind"], in: entry, section: "wipe.extra")
                    guard let path = entry["path"]?.string else {
                        throw reader.error(key: "wipe.extra.path", section: "wipe.extra", .missing)
                    }
                    guard !path.hasPrefix("/"), HomePath(path) != nil, !path.isEmpty else {
                        throw reader.error(key: "wipe.extra.path", section: "wipe.extra", .notInHome(path))
                    }
                    var kind = TraceKind.other
                    if let value = entry["kind"] {
                        guard let name = value.string, let parsed = TraceKind(rawValue: name) else {
                            throw reader.error(key: "wipe.extra.kind", section: "wipe.extra", .unknownKind(value.string ?? "\(value)"))
                        }
                        kind = parsed
                    }
                    configuration.wipe.extra.append(TraceRule(kind, path))
                }
            }
        }
        return configuration
    }
}

/// A configuration that cannot be used: which file, which line, which key, and what is wrong.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case unreadable
        case notUTF8
        case syntax(String)
        case unknownKey
        case missing
        case wrongType(expected: String)
        case unknownKind(String)
        case notInHome(String)
        case notAbsolute(String)
        case retentionOutOfRange(Int)
        case notKioskAccount(String)
    }

    public var file: String
    public var line: Int?
    public var key: String?
    public var problem: Problem

    public var description: String { message(.english) }

    public func message(_ language: Language) -> String {
        let fr = language == .french
        var place = file
        if let line { place += ":\(line)" }
        if let key { place += fr ? " (clé « \(key) »)" : " (key \"\(key)\")" }
        let what: String
        switch problem {
        case .unreadable: what = fr ? "fichier illisible" : "cannot read the file"
        case .notUTF8: what = fr ? "le fichier n'est pas en UTF-8" : "the file is not UTF-8"
        case .syntax(let detail): what = (fr ? "erreur de syntaxe TOML : " : "TOML syntax error: ") + detail
        case .unknownKey: what = fr ? "clé inconnue" : "unknown key"
        case .missing: what = fr ? "valeur obligatoire absente" : "required value missing"
        case .wrongType(let expected): what = (fr ? "type attendu : " : "expected type: ") + expected
        case .unknownKind(let value):
            what = (fr ? "type de trace inconnu « \(value) » ; types connus : " : "unknown trace kind \"\(value)\"; known kinds: ")
                + TraceKind.allCases.map(\.rawValue).joined(separator: ", ")
        case .notInHome(let value):
            what = fr ? "« \(value) » doit être un chemin relatif au dossier personnel, sans « .. »" : "\"\(value)\" must be a path relative to the home, without \"..\""
        case .notAbsolute(let value):
            what = fr ? "« \(value) » doit être un chemin absolu" : "\"\(value)\" must be an absolute path"
        case .notKioskAccount(let name):
            what = fr ? "« \(name) » ne peut pas être un compte de poste public" : "\"\(name)\" cannot be a public-kiosk account"
        case .retentionOutOfRange(let days):
            what = fr ? "\(days) jours : la durée de conservation doit être comprise entre 1 et 1095 jours (3 ans)"
                      : "\(days) days: the retention must be between 1 and 1095 days (3 years)"
        }
        return "\(place): \(what)"
    }
}

/// Something accepted that the admin should know about.
public struct ConfigurationWarning: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case longRetention(Int)
    }

    public var file: String
    public var line: Int?
    public var kind: Kind

    public func message(_ language: Language) -> String {
        let place = file + (line.map { ":\($0)" } ?? "")
        switch kind {
        case .longRetention(let days):
            return language == .french
                ? "\(place) : attention, une conservation de \(days) jours dépasse un an ; la CNIL demande une raison documentée."
                : "\(place): warning, keeping events \(days) days is more than a year; the CNIL asks for a documented reason."
        }
    }
}

/// Typed access to a parsed TOML document that can say on which line a key stands.
struct ConfigurationReader {
    let file: String
    let lines: [Substring]

    init(file: String, text: String) {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func error(key: String, section: String?, _ problem: ConfigurationError.Problem) -> ConfigurationError {
        ConfigurationError(file: file, line: line(of: String(key.split(separator: ".").last ?? ""), section: section), key: key, problem: problem)
    }

    /// The first line that sets `key` after the header of `section` (or anywhere before any header).
    func line(of key: String, section: String?) -> Int? {
        var current: String? = nil
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                if current == section && key == section?.split(separator: ".").last.map(String.init) { return index + 1 }
                continue
            }
            guard current == section else { continue }
            if line.hasPrefix(key), line.dropFirst(key.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") { return index + 1 }
        }
        return nil
    }

    func expectOnly(_ known: Set<String>, in table: TOMLTable, section: String?) throws(ConfigurationError) {
        for key in table.keys where !known.contains(key) {
            let full = section.map { "\($0).\(key)" } ?? key
            throw ConfigurationError(file: file, line: line(of: key, section: section), key: full, problem: .unknownKey)
        }
    }

    func table(_ key: String, in table: TOMLTable, section: String?) throws(ConfigurationError) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let child = value.table else { throw error(key: key, section: section, .wrongType(expected: "[\(key)]")) }
        return child
    }

    func bool(_ key: String, in table: TOMLTable, section: String) throws(ConfigurationError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else { throw error(key: "\(section).\(key)", section: section, .wrongType(expected: "true / false")) }
        return flag
    }

    func strings(_ key: String, in table: TOMLTable, section: String?) throws(ConfigurationError) -> [String]? {
        guard let value = table[key] else { return nil }
        let full = section.map { "\($0).\(key)" } ?? key
        guard let array = value.array else { throw error(key: full, section: section, .wrongType(expected: "[\"...\"]")) }
        var strings: [String] = []
        for element in array {
            guard let string = element.string else { throw error(key: full, section: section, .wrongType(expected: "[\"...\"]")) }
            strings.append(string)
        }
        return strings
    }
}
