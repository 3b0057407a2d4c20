/// What to watch in a home during a session: the browsers' profile folders (for a saved password) and the download folder.
public struct WatchRoots: Sendable, Equatable {
    public var profiles: [String]
    public var downloads: [String]
    /// File names of the browsers' password stores (`logins.json`, `key4.db`, `Login Data`...), from the catalogue.
    public var passwordFiles: Set<String>

    public init(profiles: [String], downloads: [String], passwordFiles: Set<String>) {
        self.profiles = profiles
        self.downloads = downloads
        self.passwordFiles = passwordFiles
    }

    /// Absolute paths inside `home`: every profile root of every browser and packaging (existing or not yet),
    /// and the download folder as the wipe resolves it (localized names, `user-dirs.dirs` checked to stay in the home).
    public static func of(home: String, catalogue: TraceCatalogue = .standard) -> WatchRoots {
        let profiles = catalogue.browsers.flatMap(\.locations).map { home + "/" + $0.profiles }
        var downloads: [String] = []
        if let root = try? OpenedRoot(path: home) {
            downloads = TraceResolver.plan(home: root, catalogue: catalogue).targets
                .filter { $0.kind == .downloads && $0.action == .empty }
                .map { home + "/" + $0.path.components.map(\.string).joined(separator: "/") }
        }
        let rules = catalogue.geckoProfile + catalogue.chromiumProfile
        let names = rules.filter { $0.kind == .passwords }.compactMap { $0.pattern.split(separator: "/").last.map(String.init) }
        return WatchRoots(profiles: Array(Set(profiles)).sorted(), downloads: downloads, passwordFiles: Set(names))
    }
}
