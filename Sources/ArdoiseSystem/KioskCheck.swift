import ArdoiseCore
import FoundationEssentials
import Glibc

/// One finding of `ardoise check`: what was looked at, whether it is right, and how to put it right.
public struct CheckFinding: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case ok, problem, info
    }

    /// A stable name (`service`, `pam`, `account`, `baseline`, `journal`...), for scripts and tests.
    public var check: String
    public var status: Status
    /// The account or file it is about, if any.
    public var subject: String?
    public var what: String
    /// What to do, for a problem.
    public var fix: String?
}

/// Whether this computer is set up as a kiosk the way ardoise needs: one look at everything an administrator would
/// otherwise have to know to check. Paths are read below `root` (the tests give a folder of their own).
public struct KioskCheck: Sendable {
    public var root = ""
    public var configPath: String?
    public var stateDirectory: String
    public var language: Language
    /// The service's state as systemd says it (`active`, `inactive`, `failed`...); nil when systemd cannot be asked.
    public var serviceState: @Sendable () -> String?
    /// The service's status line (`StatusText`), which names the version running; nil when systemd cannot be asked.
    public var serviceStatus: @Sendable () -> String?
    /// The kiosk accounts (the tests give their own).
    public var accounts: @Sendable (KioskSettings) -> [Account]
    /// Free bytes where the journal is written.
    public var freeBytes: @Sendable (String) -> UInt64?

    public init(configPath: String?, stateDirectory: String, language: Language) {
        self.configPath = configPath
        self.stateDirectory = stateDirectory
        self.language = language
        serviceState = {
            let outcome = Subprocess.run("systemctl", ["show", "ardoise.service", "-p", "ActiveState", "--value"])
            return outcome.code == 0 ? outcome.output.trimming(.whitespacesAndNewlines) : nil
        }
        serviceStatus = {
            let outcome = Subprocess.run("systemctl", ["show", "ardoise.service", "-p", "StatusText", "--value"])
            return outcome.code == 0 ? outcome.output.trimming(.whitespacesAndNewlines) : nil
        }
        accounts = { KioskPolicy($0).accounts() }
        freeBytes = { path in
            var info = statvfs()
            guard statvfs(path, &info) == 0 else { return nil }
            return UInt64(info.f_bavail) * UInt64(info.f_frsize)
        }
    }

    /// The journal needs room for a few years of events; below this, say so.
    public static let minimumFreeBytes: UInt64 = 200 << 20

    var fr: Bool { language == .french }

    func text(_ french: String, _ english: String) -> String { fr ? french : english }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: root + path).flatMap { String(data: $0, encoding: .utf8) }
    }

    func exists(_ path: String) -> Bool { access(root + path, F_OK) == 0 }

    public func run() -> [CheckFinding] {
        var findings: [CheckFinding] = []
        func add(_ check: String, _ status: CheckFinding.Status, _ subject: String? = nil, _ what: String, fix: String? = nil) {
            findings.append(CheckFinding(check: check, status: status, subject: subject.map { DisplayText.escaped($0) }, what: what, fix: fix))
        }
        // The configuration.
        let configuration: ArdoiseConfiguration
        do {
            configuration = try ArdoiseConfiguration.load(path: configPath.map { root + $0 } ?? (root.isEmpty ? nil : root + ArdoiseConfiguration.defaultPath))
            add("configuration", .ok, configPath ?? ArdoiseConfiguration.defaultPath, text("La configuration se lit sans erreur.", "The configuration reads without error."))
        } catch {
            add("configuration", .problem, error.file, error.message(language),
                fix: text("Corrigez le fichier à l'endroit indiqué, puis : sudo systemctl reload ardoise", "Fix the file where it says, then: sudo systemctl reload ardoise"))
            configuration = ArdoiseConfiguration()
        }
        // The service.
        switch serviceState() {
        case "active"?, "reloading"?:
            // An upgrade not yet followed by a restart runs the old program: said, with the version of each.
            let installed = ArdoiseVersion.current
            switch serviceStatus().flatMap(ArdoiseVersion.running(inStatus:)) {
            case installed?:
                add("service", .ok, "ardoise.service", text("Le service ardoise fonctionne (version \(installed)).", "The ardoise service is running (version \(installed))."))
            case let running?:
                add("service", .problem, "ardoise.service", text("Le service qui fonctionne est la version \(running), le programme installé la version \(installed).",
                                                                 "The service running is version \(running), the program installed version \(installed)."),
                    fix: "sudo systemctl restart ardoise.service")
            case nil:
                // Its status line does not say (not yet sent, or an older service): only the program's version is known.
                add("service", .ok, "ardoise.service", text("Le service ardoise fonctionne (programme installé : version \(installed)).",
                                                            "The ardoise service is running (program installed: version \(installed))."))
            }
        case let state?:
            add("service", .problem, "ardoise.service", text("Le service ardoise ne fonctionne pas (\(state)) : les sessions ne sont pas effacées à la déconnexion.",
                                                             "The ardoise service is not running (\(state)): sessions are not wiped at logout."),
                fix: "sudo systemctl enable --now ardoise.service")
        case nil:
            add("service", .problem, "ardoise.service", text("systemd ne répond pas : l'état du service est inconnu.", "systemd does not answer: the service's state is unknown."),
                fix: "sudo systemctl status ardoise.service")
        }
        // The hooks: the PAM profile, and LightDM's clean-up script where LightDM is installed.
        if read("/etc/pam.d/common-session")?.contains("ardoise session-end") == true {
            add("pam", .ok, "/etc/pam.d/common-session", text("La fin de session est signalée par PAM.", "PAM reports the end of sessions."))
        } else {
            add("pam", .problem, "/etc/pam.d/common-session", text("Le profil PAM d'ardoise n'est pas actif : la session suivante peut commencer avant l'effacement.",
                                                                   "ardoise's PAM profile is not active: the next session may start before the wipe."),
                fix: "sudo pam-auth-update --enable ardoise")
        }
        if exists("/usr/sbin/lightdm") {
            if exists("/etc/lightdm/lightdm.conf.d/50-ardoise.conf") {
                add("lightdm", .ok, "/etc/lightdm/lightdm.conf.d/50-ardoise.conf", text("LightDM appelle ardoise en fin de session.", "LightDM calls ardoise at the end of sessions."))
            } else {
                add("lightdm", .problem, "/etc/lightdm/lightdm.conf.d/50-ardoise.conf", text("LightDM n'appelle pas ardoise en fin de session.", "LightDM does not call ardoise at the end of sessions."),
                    fix: text("Réinstallez ardoise (le fichier est fourni avec).", "Reinstall ardoise (the file comes with it)."))
            }
        }
        // The kiosk accounts.
        let kiosk = accounts(configuration.kiosk)
        let store = BaselineStore(stateDirectory: root + stateDirectory)
        if kiosk.isEmpty {
            add("account", .problem, nil, text("Aucun compte de poste public : rien n'est effacé.", "No kiosk account: nothing is wiped."),
                fix: text("Nommez-les dans [kiosk] users = [\"kiosque\"] de /etc/ardoise/ardoise.toml.", "Name them in [kiosk] users = [\"kiosque\"] in /etc/ardoise/ardoise.toml."))
        }
        for name in configuration.kiosk.users where !kiosk.contains(where: { $0.name == name }) {
            add("account", .problem, name, text("Ce compte est nommé dans la configuration mais n'existe pas (ou est administrateur).",
                                                "This account is named in the configuration but does not exist (or is an administrator)."),
                fix: "sudo adduser \(name)")
        }
        for account in kiosk {
            var info = stat()
            if lstat(root + account.home, &info) != 0 || info.st_mode & S_IFMT != S_IFDIR {
                add("account", .problem, account.name, text("Son dossier personnel \(account.home) n'existe pas.", "Its home \(account.home) does not exist."),
                    fix: "sudo mkhomedir_helper \(account.name)")
            } else if !["/home/", "/tmp/", "/var/tmp/"].contains(where: account.home.hasPrefix) {
                add("account", .problem, account.name, text("Son dossier personnel \(account.home) est hors des dossiers que le service peut écrire.",
                                                            "Its home \(account.home) is outside the folders the service may write."),
                    fix: "sudo systemctl edit ardoise  →  [Service] ReadWritePaths=\(account.home.deletingLastPathComponent)")
            } else {
                add("account", .ok, account.name, text("Compte de poste public, dossier \(account.home).", "Kiosk account, home \(account.home)."))
            }
            let mode = configuration.wipe.mode(for: account.name)
            if mode == .catalogue {
                add("baseline", .info, account.name, text("Effacé par le catalogue (sans référence) : ce que les programmes inconnus écrivent peut rester.",
                                                          "Wiped by the catalogue (no baseline): what unknown programs write may stay."))
            } else if store.exists(account.name) {
                let captured = (try? store.copyPath(account.name)).flatMap { path -> Int64? in
                    var copy = stat()
                    return stat(path, &copy) == 0 ? Int64(copy.st_mtim.tv_sec) * 1_000_000 : nil
                }
                add("baseline", .ok, account.name, text("Sa référence existe (enregistrée le \(captured.map(TimeArgument.local) ?? "?")) ; « ardoise baseline show --user \(account.name) » montre ce qui s'y lance à la connexion.",
                                                        "Its baseline exists (captured \(captured.map(TimeArgument.local) ?? "?")); \"ardoise baseline show --user \(account.name)\" shows what in it runs at login."))
            } else {
                add("baseline", .problem, account.name, text("Aucune référence : le prochain démarrage du service en prendra une du dossier tel qu'il est.",
                                                             "No baseline: the service's next start will take one from the home as it is."),
                    fix: "sudo ardoise baseline capture --user \(account.name)")
            }
            if exists("/var/lib/systemd/linger/\(account.name)") {
                add("linger", .problem, account.name, text("Ses programmes peuvent tourner sans session (lingering) : ils survivraient à la déconnexion.",
                                                           "Its programs may run without a session (lingering): they would outlive the logout."),
                    fix: "sudo loginctl disable-linger \(account.name)")
            }
        }
        // Printing: CUPS keeps job history (with the document's name) and the documents themselves, by default.
        if let cups = read("/etc/cups/cupsd.conf") {
            func setting(_ key: String) -> String? {
                cups.split(separator: "\n").map { $0.trimming(.whitespaces) }.last { $0.hasPrefix(key + " ") }
                    .map { String($0.dropFirst(key.count)).trimming(.whitespaces) }
            }
            let history = setting("PreserveJobHistory") ?? "Yes", files = setting("PreserveJobFiles") ?? "86400"
            if history.lowercased() == "no" && files.lowercased() == "no" {
                add("cups", .ok, "/etc/cups/cupsd.conf", text("CUPS ne garde ni l'historique ni les documents imprimés.", "CUPS keeps neither the job history nor the printed documents."))
            } else {
                add("cups", .problem, "/etc/cups/cupsd.conf", text("CUPS garde l'historique des impressions (avec le nom des documents : \(history)) et les documents (\(files)).",
                                                                   "CUPS keeps the print history (with the documents' names: \(history)) and the documents (\(files))."),
                    fix: text("Dans /etc/cups/cupsd.conf : PreserveJobHistory No et PreserveJobFiles No, puis sudo systemctl restart cups",
                              "In /etc/cups/cupsd.conf: PreserveJobHistory No and PreserveJobFiles No, then sudo systemctl restart cups"))
            }
            var log = stat()
            let logged = lstat(root + "/var/log/cups/page_log", &log) == 0 && log.st_size > 0
            let disabled = setting("PageLogFormat").map { $0.isEmpty || $0 == "\"\"" } ?? false
            if logged || (!disabled && exists("/var/log/cups/page_log")) {
                add("cups", .problem, "/var/log/cups/page_log", text("Le journal des pages de CUPS note le nom de chaque document imprimé.", "CUPS's page log records the name of every document printed."),
                    fix: text("Dans /etc/cups/cupsd.conf : PageLogFormat \"\" (aucun journal des pages), puis videz /var/log/cups/page_log",
                              "In /etc/cups/cupsd.conf: PageLogFormat \"\" (no page log), then empty /var/log/cups/page_log"))
            }
        }
        // The browsers: each one installed reads ardoise's policies, and they parse.
        let policies = BrowserPolicies(root: root.isEmpty ? "/" : root, stateDirectory: root + stateDirectory, settings: configuration.policies)
        var browsers = 0
        for place in policies.show() where place.installed {
            browsers += 1
            let name = "\(place.browser) (\(place.packaging.rawValue))"
            if place.protected {
                add("browser", .ok, name, text("Règles en place (pas de mot de passe enregistré, pas de compte, tout effacé à la fermeture).",
                                               "Policies in place (no password saved, no account, everything erased on closing)."))
            } else {
                let line = place.line(language).drop { $0 == " " || $0 == "✗" }
                let broken = place.files.filter { [.broken, .refused].contains($0.state) || !$0.conflicts.isEmpty }.map(\.path)
                let fix = !place.supported ? text("Désinstallez ce navigateur, ou gardez Firefox ou Chromium (paquets Debian).", "Uninstall this browser, or keep Firefox or Chromium (Debian packages).")
                    : broken.isEmpty ? "sudo ardoise policies install"
                    : text("Corrigez ou déplacez \(broken.joined(separator: ", ")), puis : sudo ardoise policies install",
                           "Fix or move \(broken.joined(separator: ", ")), then: sudo ardoise policies install")
                add("browser", .problem, name, String(line), fix: fix)
            }
        }
        if browsers == 0 {
            add("browser", .info, nil, text("Aucun navigateur connu n'est installé.", "No known browser is installed."))
        }
        // The administrator's own notices.
        let noticeFolder = configuration.notice.overrideDirectory
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: root + noticeFolder)) ?? []).sorted() where name.hasSuffix(".txt") {
            let code = String(name.dropLast(4))
            let data = FileManager.default.contents(atPath: root + noticeFolder + "/" + name)
            if PublicLanguage(rawValue: code) == nil {
                add("notice", .problem, noticeFolder + "/" + name, text("Langue inconnue : ce texte ne sera jamais montré.", "Unknown language: this text will never be shown."),
                    fix: text("Nommez-le d'après la langue : \(PublicLanguage.allCases.map { $0.rawValue + ".txt" }.joined(separator: ", ")).",
                              "Name it after the language: \(PublicLanguage.allCases.map { $0.rawValue + ".txt" }.joined(separator: ", "))."))
            } else if let data, let text = String(data: data, encoding: .utf8), !text.trimming(.whitespacesAndNewlines).isEmpty, data.count <= 64 << 10 {
                add("notice", .ok, noticeFolder + "/" + name, self.text("Texte de l'information remplacé pour cette langue.", "Notice text replaced for this language."))
            } else {
                add("notice", .problem, noticeFolder + "/" + name, text("Ce texte est vide, trop long ou n'est pas en UTF-8 : le texte d'ardoise est montré à sa place.",
                                                                        "This text is empty, too long or not UTF-8: ardoise's own text is shown instead."),
                    fix: text("Enregistrez-le en UTF-8, 64 Ko au plus.", "Save it as UTF-8, 64 KB at most."))
            }
        }
        // The journal.
        do {
            let journal = try AccessJournal(directory: root + stateDirectory)
            let verification = try journal.verify()
            if verification.isClear {
                add("journal", .ok, journal.path, text("Le journal se vérifie (\(verification.checked) événements).", "The journal checks (\(verification.checked) events)."))
            } else {
                add("journal", .problem, journal.path, verification.report(language).split(separator: "\n").prefix(3).joined(separator: " "),
                    fix: "sudo ardoise journal verify")
            }
            if !journal.pendingVerificationKeys.isEmpty {
                add("key", .problem, nil, text("La clé de vérification du journal est encore sur ce poste : quelqu'un qui le prend pourrait réécrire le journal sans que ça se voie.",
                                               "The journal's verification key is still on this computer: whoever takes it could rewrite the journal unseen."),
                    fix: text("sudo ardoise journal key, puis gardez la clé hors du poste.", "sudo ardoise journal key, then keep the key away from the computer."))
            } else {
                add("key", .ok, nil, text("La clé de vérification a été remise.", "The verification key was handed over."))
            }
        } catch {
            add("journal", .problem, root + stateDirectory, error.message(language), fix: "sudo ardoise journal verify")
        }
        add("retention", .info, nil, text("Le journal garde \(configuration.journal.retentionDays) jours.", "The journal keeps \(configuration.journal.retentionDays) days."))
        if let free = freeBytes(root + stateDirectory) {
            let shown = WipeReport.size(UInt64(free), language)
            add("disk", free >= Self.minimumFreeBytes ? .ok : .problem, root + stateDirectory,
                text("Place libre pour le journal : \(shown).", "Free space for the journal: \(shown)."),
                fix: free >= Self.minimumFreeBytes ? nil : text("Libérez de la place sur ce disque.", "Free some space on this disk."))
        }
        // Sessions left open.
        let limits = configuration.sessions.defaults
        if limits.idleMinutes == 0 && limits.maxMinutes == 0 {
            add("sessions", .problem, nil, text("Aucune limite : une session oubliée reste ouverte pour la personne suivante.", "No limit: a forgotten session stays open for the next person."),
                fix: text("Dans [sessions] : idle_minutes = 15", "In [sessions]: idle_minutes = 15"))
        } else {
            add("sessions", .info, nil, text("Fermeture après \(limits.idleMinutes) min sans action\(limits.maxMinutes > 0 ? ", durée maximale \(limits.maxMinutes) min" : ""); écran verrouillé : \(limits.lockScreen == .end ? "compté comme une absence" : "ignoré").",
                                              "Closed after \(limits.idleMinutes) min without input\(limits.maxMinutes > 0 ? ", longest \(limits.maxMinutes) min" : ""); locked screen: \(limits.lockScreen == .end ? "counted as nobody there" : "ignored")."))
        }
        return findings
    }
}

extension Array where Element == CheckFinding {
    public var problems: Int { filter { $0.status == .problem }.count }

    public func rendered(_ language: Language) -> String {
        let fr = language == .french
        var lines: [String] = []
        for finding in self {
            let mark = finding.status == .ok ? "OK " : finding.status == .problem ? (fr ? "À CORRIGER" : "TO FIX") : "i  "
            lines.append("\(mark)  \(finding.check)\(finding.subject.map { " (\($0))" } ?? ""): \(finding.what)")
            if let fix = finding.fix { lines.append("     → " + fix) }
        }
        lines.append(problems == 0 ? (fr ? "Tout est en ordre." : "All is well.")
                                   : (fr ? "\(problems) point(s) à corriger." : "\(problems) thing(s) to fix."))
        return lines.joined(separator: "\n")
    }
}
