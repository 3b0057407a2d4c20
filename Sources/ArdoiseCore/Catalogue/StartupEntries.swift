import Glibc

/// What in a home runs something at every login, or changes what the next person's programs do: autostart entries,
/// shell start-up files, `environment.d`, user units, programs in `~/.local/bin`, launchers and file associations, ssh's
/// configuration, browser extensions, Firefox `user.js`, native messaging hosts. Capture and `baseline show` point them out;
/// a reset counts what it took back from them as `startup-programs`.
public struct StartupEntries: Sendable {
    public enum Reason: String, Sendable, CaseIterable, Codable {
        case autostart, shell, environment, userUnit = "user-unit", program, launcher, fileAssociations = "file-associations"
        case ssh, browserExtension = "browser-extension", browserSettings = "browser-settings", nativeMessaging = "native-messaging"

        public func label(_ language: Language) -> String {
            let fr = language == .french
            switch self {
            case .autostart: return fr ? "lancé à l'ouverture de session" : "started at login"
            case .shell: return fr ? "fichier de démarrage du shell, différent de /etc/skel" : "shell start-up file, not the one of /etc/skel"
            case .environment: return fr ? "variables d'environnement de la session" : "session environment variables"
            case .userUnit: return fr ? "service systemd de l'utilisateur" : "systemd user unit"
            case .program: return fr ? "programme placé avant ceux du système" : "program found before the system's"
            case .launcher: return fr ? "lanceur d'application" : "application launcher"
            case .fileAssociations: return fr ? "programmes par défaut" : "default programs"
            case .ssh: return fr ? "configuration ssh" : "ssh configuration"
            case .browserExtension: return fr ? "extension de navigateur" : "browser extension"
            case .browserSettings: return fr ? "réglages imposés au navigateur (user.js)" : "browser settings forced (user.js)"
            case .nativeMessaging: return fr ? "programme appelé par le navigateur" : "program the browser calls"
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        public var path: HomePath
        public var reason: Reason
    }

    struct Rule: Sendable {
        var pattern: [String]
        var reason: Reason
    }

    let rules: [Rule]
    /// Shell start-up files that count only when they differ from their copy in `/etc/skel`.
    static let shellFiles: Set<String> = [".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv",
                                          ".zprofile", ".zlogin", ".zlogout", ".xsessionrc", ".xprofile", ".xinitrc", ".xsession",
                                          ".pam_environment", ".inputrc", ".gnomerc"]

    public init(catalogue: TraceCatalogue = .standard) {
        var rules: [Rule] = []
        func add(_ pattern: String, _ reason: Reason) { rules.append(Rule(pattern: pattern.split(separator: "/").map(String.init), reason: reason)) }
        add(".config/autostart/*", .autostart)
        add(".config/plasma-workspace/env/*", .environment)
        add(".config/plasma-workspace/shutdown/*", .autostart)
        add(".config/environment.d/*", .environment)
        add(".config/systemd/user/*", .userUnit)
        add(".local/share/systemd/user/*", .userUnit)
        add(".local/bin/*", .program)
        add("bin/*", .program)
        add(".local/share/applications/*", .launcher)
        add(".config/mimeapps.list", .fileAssociations)
        add(".ssh/config", .ssh)
        add(".ssh/rc", .ssh)
        add(".ssh/authorized_keys", .ssh)
        add(".mozilla/native-messaging-hosts/*", .nativeMessaging)
        for browser in catalogue.browsers {
            for location in browser.locations {
                switch browser.engine {
                case .gecko:
                    add(location.profiles + "/*/user.js", .browserSettings)
                    add(location.profiles + "/*/extensions/*", .browserExtension)
                case .chromium:
                    add(location.profiles + "/*/Extensions/*", .browserExtension)
                    add(location.profiles + "/NativeMessagingHosts/*", .nativeMessaging)
                }
            }
        }
        self.rules = rules
    }

    /// Why `path` (or the entry it is inside) runs something at login; nil when it does not.
    public func reason(for path: HomePath) -> Reason? {
        if path.components.count == 1, Self.shellFiles.contains(path.components[0].string) { return .shell }
        for rule in rules where path.components.count >= rule.pattern.count {
            if zip(rule.pattern, path.components).allSatisfy({ pattern, name in name.withCString { fnmatch(pattern, $0, 0) == 0 } }) { return rule.reason }
        }
        return nil
    }

    /// Every entry of the tree below `root` that runs something at login; shell files equal to `/etc/skel`'s are left out.
    public func find(in root: OpenedRoot, skeleton: String = "/etc/skel") -> [Entry] {
        var found: [Entry] = []
        for rule in rules {
            var bases = [HomePath()]
            for piece in rule.pattern {
                var next: [HomePath] = []
                for base in bases {
                    guard case .success(let entries) = root.list(base) else { continue }
                    for entry in entries where entry.name.withCString({ fnmatch(piece, $0, 0) == 0 }) { next.append(base.appending(entry.name)) }
                }
                bases = next
            }
            found += bases.map { Entry(path: $0, reason: rule.reason) }
        }
        let skel = try? OpenedRoot(path: skeleton)
        for name in Self.shellFiles.sorted() {
            let path = HomePath([EntryName(name)!])
            guard case .success(let status) = root.status(of: path) else { continue }
            if status.kind == .regular, let skel, case .success(let mine) = root.readFile(path, limit: 1 << 20),
               case .success(let usual) = skel.readFile(path, limit: 1 << 20), mine.bytes == usual.bytes { continue }
            found.append(Entry(path: path, reason: .shell))
        }
        return found.sorted { $0.path < $1.path }
    }
}
