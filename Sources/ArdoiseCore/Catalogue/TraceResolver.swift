import FoundationEssentials
import Glibc

/// One entry of a home the wipe will act on.
public struct PlannedTarget: Sendable, Equatable, Hashable {
    public var path: HomePath
    public var kind: TraceKind
    public var action: TraceAction
    /// Who left it: `Firefox (deb)`, `desktop`, `configuration`.
    public var source: String

    public static func == (lhs: PlannedTarget, rhs: PlannedTarget) -> Bool { lhs.path == rhs.path }
    public func hash(into hasher: inout Hasher) { hasher.combine(path) }
}

/// A problem met while reading the home to plan the wipe (a path refused, a profile list unreadable).
public struct PlanProblem: Sendable, Equatable {
    public var kind: TraceKind
    public var failure: RemovalFailure
}

public struct TracePlan: Sendable {
    public var targets: [PlannedTarget]
    public var problems: [PlanProblem]
}

/// Finds, in one opened home, every entry the catalogue names: browser profiles of every packaging, XDG user folders, desktop traces.
public struct TraceResolver {
    public let home: OpenedRoot
    public let catalogue: TraceCatalogue
    public let extra: [TraceRule]
    public let excluded: Set<TraceKind>

    private var listings: [HomePath: [(name: EntryName, status: EntryStatus)]] = [:]
    private var targets: [PlannedTarget] = []
    private var seen: Set<HomePath> = []
    private var problems: [PlanProblem] = []

    public init(home: OpenedRoot, catalogue: TraceCatalogue = .standard, extra: [TraceRule] = [], excluded: Set<TraceKind> = []) {
        self.home = home
        self.catalogue = catalogue
        self.extra = extra
        self.excluded = excluded
    }

    public static func plan(home: OpenedRoot, catalogue: TraceCatalogue = .standard, extra: [TraceRule] = [], excluded: Set<TraceKind> = []) -> TracePlan {
        var resolver = TraceResolver(home: home, catalogue: catalogue, extra: extra, excluded: excluded)
        return resolver.resolve()
    }

    public mutating func resolve() -> TracePlan {
        for browser in catalogue.browsers {
            for location in browser.locations {
                let source = "\(browser.name) (\(location.packaging.rawValue))"
                resolveBrowser(browser.engine, location, source: source)
            }
        }
        resolveUserFolders()
        for rule in catalogue.home { expand(rule, at: HomePath(), source: "desktop") }
        for rule in extra { expand(rule, at: HomePath(), source: "configuration") }
        return TracePlan(targets: targets, problems: problems)
    }

    // MARK: Browsers

    /// Every Firefox-family profile of the home, each packaging.
    public mutating func geckoProfiles() -> [HomePath] {
        var profiles: [HomePath] = []
        for browser in catalogue.browsers where browser.engine == .gecko {
            for location in browser.locations {
                guard let root = HomePath(location.profiles), isDirectory(root) else { continue }
                for profile in geckoProfiles(in: root) where !profiles.contains(profile) { profiles.append(profile) }
            }
        }
        return profiles
    }

    private mutating func resolveBrowser(_ engine: BrowserEngine, _ location: BrowserLocation, source: String) {
        if let profilesRoot = HomePath(location.profiles), isDirectory(profilesRoot) {
            switch engine {
            case .gecko:
                for profile in geckoProfiles(in: profilesRoot) {
                    for rule in catalogue.geckoProfile { expand(rule, at: profile, source: source) }
                }
                for rule in catalogue.geckoRoot { expand(rule, at: profilesRoot, source: source) }
            case .chromium:
                for profile in chromiumProfiles(in: profilesRoot) {
                    for rule in catalogue.chromiumProfile { expand(rule, at: profile, source: source) }
                }
                for rule in catalogue.chromiumRoot { expand(rule, at: profilesRoot, source: source) }
            }
        }
        guard let cachePath = location.cache, let cacheRoot = HomePath(cachePath), isDirectory(cacheRoot) else { return }
        switch engine {
        case .gecko:
            for entry in list(cacheRoot) where entry.status.kind == .directory {
                for rule in catalogue.geckoCacheProfile { expand(rule, at: cacheRoot.appending(entry.name), source: source) }
            }
        case .chromium:
            // A Chromium-family cache folder holds nothing but cache.
            add(PlannedTarget(path: cacheRoot, kind: .cache, action: .empty, source: source))
        }
    }

    /// Every Firefox profile: those `profiles.ini` lists, and every folder that looks like one.
    private mutating func geckoProfiles(in root: HomePath) -> [HomePath] {
        var profiles: [HomePath] = []
        if case .success(let file) = home.readFile(root.appending(EntryName("profiles.ini")!), limit: 1 << 20) {
            let text = String(decoding: file.bytes, as: UTF8.self)
            // A key given twice in a section: whichever Firefox keeps, every value is a profile to wipe.
            for section in IniFile.sections(text) where section.name.hasPrefix("Profile") {
                for path in section.all("Path") where !path.isEmpty {
                let setting = "profiles.ini Path=\(path)"
                if section.values["IsRelative"] == "0" || path.hasPrefix("/") {
                    switch insideHome(absolute: path, setting: setting) {
                    case .success(let inside): profiles.append(inside)
                    case .failure(let failure): problems.append(PlanProblem(kind: .history, failure: failure))
                    }
                } else if let combined = Self.normalized(path, from: root), !combined.isEmpty {
                    profiles.append(combined)
                } else {
                    problems.append(PlanProblem(kind: .history, failure: RemovalFailure(location: home.display(root.appending(EntryName("profiles.ini")!)), reason: .refusedPath(setting: setting, .leavesHome))))
                }
                }
            }
        }
        let markers: Set<String> = ["prefs.js", "times.json", "places.sqlite", "cookies.sqlite", "logins.json", "key4.db"]
        for entry in list(root) where entry.status.kind == .directory {
            let candidate = root.appending(entry.name)
            if list(candidate).contains(where: { markers.contains($0.name.string) }) { profiles.append(candidate) }
        }
        var unique: [HomePath] = []
        for profile in profiles where !unique.contains(profile) && isDirectory(profile) { unique.append(profile) }
        return unique
    }

    /// Every Chromium-family profile: `Default`, `Profile N`, guest and system profiles, those `Local State` lists,
    /// and the folder itself when the browser keeps a profile there (Opera).
    private mutating func chromiumProfiles(in root: HomePath) -> [HomePath] {
        var names = Set<EntryName>()
        let entries = list(root)
        for entry in entries where entry.status.kind == .directory {
            let text = entry.name.string
            if text == "Default" || text == "Guest Profile" || text == "System Profile" || fnmatch("Profile *", text, 0) == 0 {
                names.insert(entry.name)
            }
        }
        // Bounded as the scrub is: a hostile 31 MB `Local State` is not parsed (its profiles are still found by name).
        if case .success(let file) = home.readFile(root.appending(EntryName("Local State")!), limit: Scrubber.sizeLimit),
           let cache = JSONValue.parse(file.bytes)?["profile"]?["info_cache"]?.objectValue {
            for key in cache.keys {
                if let name = EntryName(key), !name.isDotOrDotDot, entries.contains(where: { $0.name == name && $0.status.kind == .directory }) {
                    names.insert(name)
                }
            }
        }
        var profiles = names.sorted().map { root.appending($0) }
        let profileFiles: Set<String> = ["Preferences", "History", "Cookies", "Login Data"]
        if entries.contains(where: { profileFiles.contains($0.name.string) }) { profiles.insert(root, at: 0) }
        return profiles
    }

    // MARK: XDG user folders

    private mutating func resolveUserFolders() {
        let configPath = HomePath(".config/user-dirs.dirs")!
        var settings: [String: [UInt8]] = [:]
        if case .success(let file) = home.readFile(configPath, limit: 1 << 20) {
            settings = UserDirs.paths(file.bytes, home: Array(home.path.utf8))
        }
        for folder in catalogue.userFolders where !excluded.contains(folder.kind) {
            var candidates: [HomePath] = []
            if let value = settings[folder.key] {
                switch resolveUserDir(value, setting: "\(folder.key)=\"\(DisplayText.escaped(bytes: value))\"") {
                case .success(let path): candidates = [path]
                case .failure(let failure):
                    problems.append(PlanProblem(kind: folder.kind, failure: failure))
                    candidates = folder.usualNames.compactMap { HomePath($0) }
                }
            } else {
                candidates = folder.usualNames.compactMap { HomePath($0) }
            }
            for candidate in candidates {
                // A link or a file where the folder should be is removed itself by the empty action, never followed.
                guard case .success = home.status(of: candidate) else { continue }
                add(PlannedTarget(path: candidate, kind: folder.kind, action: .empty, source: "desktop"))
            }
        }
    }

    /// The absolute path GLib reads for a user folder, as a path in the home; a path outside it, the home itself or a
    /// hidden folder is refused (a problem in the report, never a silent clean).
    private func resolveUserDir(_ value: [UInt8], setting: String) -> Result<HomePath, RemovalFailure> {
        let location = home.display(HomePath(".config/user-dirs.dirs")!)
        guard let target = Self.normalized(bytes: value, absolute: true), let base = Self.normalized(home.path, absolute: true),
              target.hasPrefix(base) else {
            return .failure(RemovalFailure(location: location, reason: .refusedPath(setting: setting, .leavesHome)))
        }
        let path = HomePath(Array(target.components.dropFirst(base.components.count)))
        guard let first = path.components.first, first.bytes.first != UInt8(ascii: ".") else {
            return .failure(RemovalFailure(location: location, reason: .refusedPath(setting: setting, .hidden)))
        }
        return .success(path)
    }

    /// An absolute path as a path below the home, or a refusal when it leaves it.
    private func insideHome(absolute: String, setting: String) -> Result<HomePath, RemovalFailure> {
        let refusal = RemovalFailure(location: home.path, reason: .refusedPath(setting: setting, .leavesHome))
        guard let target = Self.normalized(absolute, absolute: true), let base = Self.normalized(home.path, absolute: true),
              target.hasPrefix(base), target.components.count > base.components.count else {
            return .failure(refusal)
        }
        return .success(HomePath(Array(target.components.dropFirst(base.components.count))))
    }

    /// Resolves `.` and `..` without touching the disk; `nil` when `..` climbs above the start.
    static func normalized(_ text: String, from base: HomePath = HomePath(), absolute: Bool = false) -> HomePath? {
        normalized(bytes: Array(text.utf8), from: base, absolute: absolute)
    }

    static func normalized(bytes: [UInt8], from base: HomePath = HomePath(), absolute: Bool = false) -> HomePath? {
        var stack = absolute ? [] : base.components
        for piece in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            guard let name = EntryName(bytes: piece) else { return nil }
            if name.string == "." { continue }
            if name.string == ".." {
                guard !stack.isEmpty else { return nil }
                stack.removeLast()
                continue
            }
            stack.append(name)
        }
        return HomePath(stack)
    }

    // MARK: Rules

    private mutating func expand(_ rule: TraceRule, at anchor: HomePath, source: String) {
        guard !excluded.contains(rule.kind) else { return }
        let pieces = rule.pattern.split(separator: "/").map(String.init)
        var bases = [anchor]
        for (index, piece) in pieces.enumerated() {
            let isLast = index == pieces.count - 1
            let isPattern = piece.contains { "*?[".contains($0) }
            var next: [HomePath] = []
            for base in bases {
                for entry in list(base) {
                    let name = entry.name.string
                    var matches = isPattern ? entry.name.withCString({ fnmatch(piece, $0, FNM_PERIOD) }) == 0 : name == piece
                    if !matches, isLast, !isPattern, rule.action == .remove {
                        matches = ["-journal", "-wal", "-shm"].contains { name == piece + $0 }
                    }
                    guard matches else { continue }
                    if !isLast && entry.status.kind != .directory { continue }
                    next.append(base.appending(entry.name))
                }
            }
            bases = next
            if bases.isEmpty { return }
        }
        for path in bases { add(PlannedTarget(path: path, kind: rule.kind, action: rule.action, source: source)) }
    }

    private mutating func add(_ target: PlannedTarget) {
        guard !excluded.contains(target.kind), seen.insert(target.path).inserted else { return }
        targets.append(target)
    }

    private mutating func list(_ path: HomePath) -> [(name: EntryName, status: EntryStatus)] {
        if let cached = listings[path] { return cached }
        let entries = (try? home.list(path).get()) ?? []
        listings[path] = entries
        return entries
    }

    private mutating func isDirectory(_ path: HomePath) -> Bool {
        guard let name = path.last else { return true }
        return list(path.parent).contains { $0.name == name && $0.status.kind == .directory }
    }
}

/// `profiles.ini` read as Firefox's own INI parser reads it: lines split at CR or LF; a line starting with `#` or `;` is
/// a comment; leading blanks skipped; `[name]` opens a section, and a header with anything after its `]` (or none) stops
/// the keys until the next good one; a key is what stands before the first `=` (leading `=` skipped, nothing trimmed),
/// its value everything after, blanks included.
enum IniFile {
    struct Section {
        var name: String
        var entries: [(key: String, value: String)]
        /// The last value of `key` (the one Firefox keeps).
        var values: [String: String] { Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }) }
        func all(_ key: String) -> [String] { entries.filter { $0.key == key }.map(\.value) }
    }

    static func sections(_ text: String) -> [Section] {
        var sections: [Section] = []
        var current: Int?
        for raw in text.split(whereSeparator: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            if raw.first == "#" || raw.first == ";" { continue }
            let line = raw.drop { $0 == " " || $0 == "\t" }
            guard !line.isEmpty else { continue }
            if line.first == "[" {
                let rest = line.dropFirst().drop { $0 == "]" }
                guard let close = rest.firstIndex(of: "]"), !rest[..<close].isEmpty,
                      rest[rest.index(after: close)...].allSatisfy({ $0 == " " || $0 == "\t" }) else {
                    current = nil
                    continue
                }
                let name = String(rest[..<close])
                if let known = sections.firstIndex(where: { $0.name == name }) {
                    current = known
                } else {
                    sections.append(Section(name: name, entries: []))
                    current = sections.count - 1
                }
                continue
            }
            guard let current else { continue }
            let body = line.drop { $0 == "=" }
            guard let equal = body.firstIndex(of: "="), !body[..<equal].isEmpty else { continue }
            sections[current].entries.append((String(body[..<equal]), String(body[body.index(after: equal)...])))
        }
        return sections
    }
}
