import CLinux
import FoundationEssentials
import Glibc

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

/// Where this kiosk sends its journal to be kept apart, from `[fleet]` (read by `ardoise-fleet`, never by the service).
public struct FleetSettings: Sendable, Equatable {
    /// `postgresql://USER@HOST/DATABASE`; nil: the journal stays on the kiosk only.
    public var database: String?
    /// A root-only file whose first line is the account's password.
    public var passwordFile: String?
    /// The authority that signed the server's certificate; nil: the system's.
    public var caFile: String?
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
    public var fleet = FleetSettings()
    public var kiosk = KioskSettings()
    public var notice = NoticeSettings()
    public var liveWarnings = WarningSettings()
    /// Idle and time limits of kiosk sessions.
    public var sessions = SessionSettings()
    /// What the browsers are told to do (`ardoise policies install`).
    public var policies = PolicySettings()
    /// Accepted but worth a word to the admin (a retention above one year...).
    public var warnings: [ConfigurationWarning] = []

    public init() {}

    /// The largest configuration read: a documented file is 10 KB; `/dev/zero` or a planted giant is refused, not eaten.
    public static let sizeLimit = 1 << 20

    /// Reads the file at `path`; a missing default file means the defaults, `/dev/null` means none at all. Anything but a
    /// regular file of sane size is refused (a FIFO would hang the daemon, a folder or `/dev/zero` crash or eat it), with the
    /// system's reason when it cannot be opened; NUL bytes and invalid UTF-8 are refused with their line and column.
    public static func load(path: String?) throws(ConfigurationError) -> ArdoiseConfiguration {
        let file = path ?? defaultPath
        guard let bytes = try contents(of: file, defaultPath: path == nil) else { return ArdoiseConfiguration() }
        return try configuration(bytes, file: file)
    }

    /// A configuration from the bytes of `file`.
    static func configuration(_ bytes: [UInt8], file: String) throws(ConfigurationError) -> ArdoiseConfiguration {
        if let nul = bytes.firstIndex(of: 0) {
            let (line, column) = position(of: nul, in: bytes)
            throw ConfigurationError(file: file, line: line, key: nil, problem: .nulByte(column: column))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            // A line and a column an editor shows: counted up to the first bad sequence.
            let (line, column) = position(of: firstInvalidUTF8(bytes), in: bytes)
            throw ConfigurationError(file: file, line: line, key: nil, problem: .notUTF8(column: column))
        }
        // Windows line ends are read as Unix ones by the TOML reader itself, so line numbers count as an editor does.
        return try parse(text, file: file)
    }

    /// The file's bytes; nil when there is no configuration (the default file absent, or `/dev/null`).
    static func contents(of file: String, defaultPath: Bool) throws(ConfigurationError) -> [UInt8]? {
        guard !file.isEmpty else { throw ConfigurationError(file: file, line: nil, key: nil, problem: .unreadable("empty path")) }
        // Non-blocking: a FIFO put in place of the file answers at once instead of waiting for a writer.
        let fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT && defaultPath { return nil }
            throw ConfigurationError(file: file, line: nil, key: nil, problem: .unreadable(String(cString: strerror(code))))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ConfigurationError(file: file, line: nil, key: nil, problem: .unreadable(String(cString: strerror(errno)))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        // /dev/null (character device 1:3): no configuration at all, as documented.
        case S_IFCHR where info.st_rdev == 0x103: return nil  // makedev(1, 3), a macro Swift does not import
        case S_IFDIR: throw ConfigurationError(file: file, line: nil, key: nil, problem: .notARegularFile("directory"))
        case S_IFIFO: throw ConfigurationError(file: file, line: nil, key: nil, problem: .notARegularFile("FIFO"))
        case S_IFSOCK: throw ConfigurationError(file: file, line: nil, key: nil, problem: .notARegularFile("socket"))
        default: throw ConfigurationError(file: file, line: nil, key: nil, problem: .notARegularFile("device"))
        }
        guard info.st_size <= sizeLimit else { throw ConfigurationError(file: file, line: nil, key: nil, problem: .tooLarge(Int(info.st_size))) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ConfigurationError(file: file, line: nil, key: nil, problem: .unreadable(String(cString: strerror(errno))))
            }
            if got == 0 { break }
            count += got
        }
        // Grown while it was read past what its size said: refused rather than read without end.
        guard count <= sizeLimit, count < bytes.count else { throw ConfigurationError(file: file, line: nil, key: nil, problem: .tooLarge(count)) }
        return Array(bytes[..<count])
    }

    /// The line and column (from 1, columns in bytes) of a byte of the file.
    static func position(of index: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let before = bytes[..<index]
        let line = before.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
        let start = before.lastIndex(of: 10).map { $0 + 1 } ?? 0
        return (line, index - start + 1)
    }

    /// Where the first sequence that is not valid UTF-8 begins.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return min(offset, max(0, bytes.count - 1))
            }
        }
    }

    static let limitKeys: Set<String> = ["idle_minutes", "warning_seconds", "max_minutes", "max_warning_minutes", "lock_screen"]

    /// The limits a `[sessions]` or `[sessions.accounts.NAME]` table names, each range-checked.
    static func readLimits(_ table: TOMLTable, into limits: inout SessionLimits, section: String, reader: ConfigurationReader) throws(ConfigurationError) {
        func number(_ key: String, _ range: ClosedRange<Double>, _ expected: String) throws(ConfigurationError) -> Double? {
            guard let value = table[key] else { return nil }
            guard let number = value.double ?? value.int.map(Double.init), number.isFinite, range.contains(number) else {
                throw reader.error(key, in: table, section: section, .wrongType(expected: expected))
            }
            return number
        }
        if let value = try number("idle_minutes", 0...1440, "0..1440 (0 = off)") { limits.idleMinutes = value }
        if let value = try number("warning_seconds", 5...600, "5..600") { limits.warningSeconds = value }
        if let value = try number("max_minutes", 0...1440, "0..1440 (0 = no limit)") { limits.maxMinutes = value }
        if let value = try number("max_warning_minutes", 0...120, "0..120") { limits.maxWarningMinutes = value }
        if let value = table["lock_screen"] {
            guard let text = value.string, let choice = SessionLimits.LockScreen(rawValue: text) else {
                throw reader.error("lock_screen", in: table, section: section, .wrongType(expected: "\"end\", \"ignore\""))
            }
            limits.lockScreen = choice
        }
    }

    /// `[policies]`: switches, and a search engine whose address must be https and say where the words go.
    static func readPolicies(_ table: TOMLTable, into policies: inout PolicySettings, reader: ConfigurationReader) throws(ConfigurationError) {
        try reader.expectOnly(PolicySettings.keys, in: table, section: "policies")
        let switches: [(String, WritableKeyPath<PolicySettings, Bool>)] = [
            ("save_passwords", \.savePasswords), ("form_history", \.formHistory), ("autofill", \.autofill),
            ("browser_accounts", \.browserAccounts), ("telemetry", \.telemetry), ("clear_on_exit", \.clearOnExit),
            ("partition_cookies", \.partitionCookies), ("private_browsing", \.privateBrowsing), ("extra_profiles", \.extraProfiles),
        ]
        for (key, path) in switches {
            if let value = try reader.bool(key, in: table, section: "policies") { policies[keyPath: path] = value }
        }
        if let value = table["search_engine"] {
            guard let name = value.string, name.count <= 64, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw reader.error("search_engine", in: table, section: "policies", .wrongType(expected: "\"name\" (64 characters at most, \"\" = the browser's own)"))
            }
            policies.searchEngine = name
        }
        if let value = table["search_url"] {
            guard let address = value.string, address.hasPrefix("https://"), address.contains("{searchTerms}"), address.count <= 2048,
                  URL(string: address.replacing("{searchTerms}", with: "x"))?.host?.isEmpty == false else {
                throw reader.error("search_url", in: table, section: "policies", .wrongType(expected: "\"https://...{searchTerms}...\""))
            }
            policies.searchURL = address
        }
    }

    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> ArdoiseConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(parsing: text)
        } catch {
            throw ConfigurationError(file: file, line: error.line, key: nil, problem: .syntax(error))
        }
        let reader = ConfigurationReader(file: file)
        var configuration = ArdoiseConfiguration()
        try reader.expectOnly(["wipe", "journal", "kiosk", "notice", "warnings", "sessions", "policies", "fleet"], in: table, section: nil)
        if let fleet = try reader.table("fleet", in: table, section: nil) {
            try reader.expectOnly(["database", "password_file", "ca_file"], in: fleet, section: "fleet")
            if let value = fleet["database"] {
                guard let address = value.string, address.hasPrefix("postgresql://") || address.hasPrefix("postgres://"), address.utf8.count <= 1024,
                      !address.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw reader.error("database", in: fleet, section: "fleet", .wrongType(expected: "\"postgresql://USER@HOST/DATABASE\""))
                }
                configuration.fleet.database = address
            }
            for (key, path) in [("password_file", \FleetSettings.passwordFile), ("ca_file", \FleetSettings.caFile)] {
                guard let value = fleet[key] else { continue }
                guard let file = value.string else { throw reader.error(key, in: fleet, section: "fleet", .wrongType(expected: "\"/etc/ardoise/...\"")) }
                guard file.hasPrefix("/") else { throw reader.error(key, in: fleet, section: "fleet", .notAbsolute(file)) }
                configuration.fleet[keyPath: path] = file
            }
        }
        if let policies = try reader.table("policies", in: table, section: nil) {
            try Self.readPolicies(policies, into: &configuration.policies, reader: reader)
        }
        if let sessions = try reader.table("sessions", in: table, section: nil) {
            try reader.expectOnly(Self.limitKeys.union(["accounts"]), in: sessions, section: "sessions")
            try Self.readLimits(sessions, into: &configuration.sessions.defaults, section: "sessions", reader: reader)
            if let accounts = try reader.table("accounts", in: sessions, section: "sessions") {
                for account in accounts.keys.sorted() {
                    guard let limits = try reader.table(account, in: accounts, section: "sessions.accounts") else { continue }
                    let section = "sessions.accounts.\(account)"
                    try reader.expectOnly(Self.limitKeys, in: limits, section: section)
                    // What the account's table does not say comes from [sessions].
                    var own = configuration.sessions.defaults
                    try Self.readLimits(limits, into: &own, section: section, reader: reader)
                    configuration.sessions.accounts[account] = own
                }
            }
        }
        if let notice = try reader.table("notice", in: table, section: nil) {
            try reader.expectOnly(["enabled", "require_acknowledgement", "screen_mirrored", "contact", "on_decline"], in: notice, section: "notice")
            if let value = try reader.bool("enabled", in: notice, section: "notice") { configuration.notice.enabled = value }
            if let value = try reader.bool("require_acknowledgement", in: notice, section: "notice") { configuration.notice.requireAcknowledgement = value }
            if let value = try reader.bool("screen_mirrored", in: notice, section: "notice") { configuration.notice.screenMirrored = value }
            if let value = notice["contact"] {
                guard let text = value.string else { throw reader.error("contact", in: notice, section: "notice", .wrongType(expected: "\"...\"")) }
                configuration.notice.contact = text
            }
            if let value = notice["on_decline"] {
                guard let text = value.string, let choice = NoticeSettings.OnDecline(rawValue: text) else {
                    throw reader.error("on_decline", in: notice, section: "notice", .wrongType(expected: "\"nothing\", \"logout\""))
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
                    throw reader.error("users", in: kiosk, section: "kiosk", .notKioskAccount(user))
                }
                configuration.kiosk.users = users
            }
            if let value = kiosk["uid_range"] {
                guard let bounds = value.array, bounds.count == 2, let low = bounds[0].int, let high = bounds[1].int,
                      low >= 1, low <= high, high < Int(UInt32.max) else {
                    throw reader.error("uid_range", in: kiosk, section: "kiosk", .wrongType(expected: "[first, last], 1 <= first <= last"))
                }
                configuration.kiosk.uidRange = UInt32(low)...UInt32(high)
            }
            if let value = kiosk["logout_grace_seconds"] {
                guard let seconds = value.double ?? value.int.map(Double.init), (0...120).contains(seconds) else {
                    throw reader.error("logout_grace_seconds", in: kiosk, section: "kiosk", .wrongType(expected: "0..120"))
                }
                configuration.kiosk.logoutGraceSeconds = seconds
            }
            if let value = kiosk["hook_timeout_seconds"] {
                guard let seconds = value.int, (1...3600).contains(seconds) else {
                    throw reader.error("hook_timeout_seconds", in: kiosk, section: "kiosk", .wrongType(expected: "1..3600"))
                }
                configuration.kiosk.hookTimeoutSeconds = seconds
            }
        }
        if let journal = try reader.table("journal", in: table, section: nil) {
            try reader.expectOnly(["retention_days"], in: journal, section: "journal")
            if let value = journal["retention_days"] {
                guard let days = value.int else {
                    throw reader.error("retention_days", in: journal, section: "journal", .wrongType(expected: "integer / nombre entier"))
                }
                guard (1...1095).contains(days) else {
                    throw reader.error("retention_days", in: journal, section: "journal", .retentionOutOfRange(days))
                }
                configuration.journal.retentionDays = days
                if days > 365 {
                    configuration.warnings.append(ConfigurationWarning(file: file, line: journal.line(of: "retention_days"), kind: .longRetention(days)))
                }
            }
        }
        if let wipe = try reader.table("wipe", in: table, section: nil) {
            try reader.expectOnly(["exclude_kinds", "keep", "temporary_directories", "extra", "mode", "modes"], in: wipe, section: "wipe")
            if let value = wipe["mode"] {
                guard let text = value.string, let mode = WipeMode(rawValue: text) else {
                    throw reader.error("mode", in: wipe, section: "wipe", .wrongType(expected: "\"auto\", \"catalogue\", \"baseline\""))
                }
                configuration.wipe.mode = mode
            }
            if let modes = try reader.table("modes", in: wipe, section: "wipe") {
                for account in modes.keys {
                    guard let text = modes[account]?.string, let mode = WipeMode(rawValue: text) else {
                        throw reader.error(account, in: modes, section: "wipe.modes", .wrongType(expected: "\"auto\", \"catalogue\", \"baseline\""))
                    }
                    configuration.wipe.accountModes[account] = mode
                }
            }
            if let kinds = try reader.strings("exclude_kinds", in: wipe, section: "wipe") {
                var excluded = Set<TraceKind>()
                for name in kinds {
                    guard let kind = TraceKind(rawValue: name) else {
                        throw reader.error("exclude_kinds", in: wipe, section: "wipe", .unknownKind(name))
                    }
                    excluded.insert(kind)
                }
                configuration.wipe.excludedKinds = excluded
            }
            if let keep = try reader.strings("keep", in: wipe, section: "wipe") {
                for pattern in keep where pattern.hasPrefix("/") || HomePath(pattern.replacing("*", with: "x")) == nil {
                    throw reader.error("keep", in: wipe, section: "wipe", .notInHome(pattern))
                }
                configuration.wipe.keep = KeepList(keep)
            }
            if let directories = try reader.strings("temporary_directories", in: wipe, section: "wipe") {
                for directory in directories where !directory.hasPrefix("/") {
                    throw reader.error("temporary_directories", in: wipe, section: "wipe", .notAbsolute(directory))
                }
                configuration.wipe.temporaryDirectories = directories
            }
            if let extra = wipe["extra"] {
                guard let rows = extra.array else {
                    throw reader.error("extra", in: wipe, section: "wipe", .wrongType(expected: "[[wipe.extra]]"))
                }
                for row in rows {
                    guard let entry = row.table else {
                        throw reader.error("extra", in: wipe, section: "wipe", .wrongType(expected: "[[wipe.extra]]"))
                    }
                    try reader.expectOnly(["path", "kind"], in: entry, section: "wipe.extra")
                    guard let path = entry["path"]?.string else {
                        throw reader.error("path", in: entry, section: "wipe.extra", .missing)
                    }
                    guard !path.hasPrefix("/"), HomePath(path) != nil, !path.isEmpty else {
                        throw reader.error("path", in: entry, section: "wipe.extra", .notInHome(path))
                    }
                    var kind = TraceKind.other
                    if let value = entry["kind"] {
                        guard let name = value.string, let parsed = TraceKind(rawValue: name) else {
                            throw reader.error("kind", in: entry, section: "wipe.extra", .unknownKind(value.string ?? "\(value)"))
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
        case unreadable(String)
        case notARegularFile(String)
        case tooLarge(Int)
        case nulByte(column: Int)
        case notUTF8(column: Int)
        case syntax(TOMLSyntaxError)
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
        case .unreadable(let why): what = (fr ? "fichier illisible : " : "cannot read the file: ") + why
        case .notARegularFile(let kind): what = fr ? "ce n'est pas un fichier ordinaire (\(kind)) : refusé" : "not a regular file (\(kind)): refused"
        case .tooLarge(let size):
            what = fr ? "fichier trop gros (\(size) octets, au plus \(ArdoiseConfiguration.sizeLimit)) : refusé"
                      : "file too large (\(size) bytes, at most \(ArdoiseConfiguration.sizeLimit)): refused"
        case .nulByte(let column): what = fr ? "octet nul (NUL) en colonne \(column) : refusé" : "NUL byte at column \(column): refused"
        case .notUTF8(let column): what = fr ? "texte qui n'est pas de l'UTF-8 en colonne \(column)" : "text that is not UTF-8 at column \(column)"
        case .syntax(let error):
            what = (fr ? "erreur de syntaxe TOML (colonne \(error.column)) : " : "TOML syntax error (column \(error.column)): ") + error.explanation(language)
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

/// Typed access to the parsed document: every error is said on the line that sets its key (the TOML reader keeps it).
struct ConfigurationReader {
    let file: String

    /// `name` in `table`, shown as `section.name`: said on its line, or, missing from the table, on the table's own.
    func error(_ name: String, in table: TOMLTable, section: String?, _ problem: ConfigurationError.Problem) -> ConfigurationError {
        ConfigurationError(file: file, line: table.line(of: name) ?? table.line, key: section.map { "\($0).\(name)" } ?? name, problem: problem)
    }

    func expectOnly(_ known: Set<String>, in table: TOMLTable, section: String?) throws(ConfigurationError) {
        for key in table.keys where !known.contains(key) { throw error(key, in: table, section: section, .unknownKey) }
    }

    func table(_ key: String, in table: TOMLTable, section: String?) throws(ConfigurationError) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let child = value.table else { throw error(key, in: table, section: section, .wrongType(expected: "[\(key)]")) }
        return child
    }

    func bool(_ key: String, in table: TOMLTable, section: String) throws(ConfigurationError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else { throw error(key, in: table, section: section, .wrongType(expected: "true / false")) }
        return flag
    }

    func strings(_ key: String, in table: TOMLTable, section: String?) throws(ConfigurationError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
            throw error(key, in: table, section: section, .wrongType(expected: "[\"...\"]"))
        }
        return array.compactMap(\.string)
    }
}
