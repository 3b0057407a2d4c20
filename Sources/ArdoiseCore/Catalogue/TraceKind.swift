/// The kinds of trace a session leaves, as the report and the journal count them.
public enum TraceKind: String, CaseIterable, Codable, Sendable, Comparable {
    case history
    case cookies
    case passwords
    case formData = "form-data"
    case siteStorage = "site-storage"
    case cache
    case sessionRestore = "session-restore"
    case downloadHistory = "download-history"
    case sitePermissions = "site-permissions"
    case crashReports = "crash-reports"
    case downloads
    case userFiles = "user-files"
    case recentFiles = "recent-files"
    case thumbnails
    case trash
    case applicationHistory = "app-history"
    /// What runs at the next login: autostart entries, shell start-up files, user units, extensions, `user.js`...
    case startupPrograms = "startup-programs"
    /// The account's crontab, `at` jobs and logind linger flag.
    case scheduledTasks = "scheduled-tasks"
    case temporaryFiles = "temporary-files"
    case other

    public static func < (lhs: TraceKind, rhs: TraceKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.history, .french): "historique de navigation"
        case (.history, .english): "browsing history"
        case (.cookies, .french): "cookies"
        case (.cookies, .english): "cookies"
        case (.passwords, .french): "mots de passe enregistrés"
        case (.passwords, .english): "saved passwords"
        case (.formData, .french): "saisies de formulaires"
        case (.formData, .english): "form entries"
        case (.siteStorage, .french): "données des sites"
        case (.siteStorage, .english): "site data"
        case (.cache, .french): "cache"
        case (.cache, .english): "cache"
        case (.sessionRestore, .french): "onglets à restaurer"
        case (.sessionRestore, .english): "tabs to restore"
        case (.downloadHistory, .french): "liste des téléchargements"
        case (.downloadHistory, .english): "download list"
        case (.sitePermissions, .french): "autorisations des sites"
        case (.sitePermissions, .english): "site permissions"
        case (.crashReports, .french): "rapports de plantage"
        case (.crashReports, .english): "crash reports"
        case (.downloads, .french): "fichiers téléchargés"
        case (.downloads, .english): "downloaded files"
        case (.userFiles, .french): "documents laissés (bureau, documents, images...)"
        case (.userFiles, .english): "files left behind (desktop, documents, pictures...)"
        case (.recentFiles, .french): "fichiers récents"
        case (.recentFiles, .english): "recent files"
        case (.thumbnails, .french): "miniatures"
        case (.thumbnails, .english): "thumbnails"
        case (.trash, .french): "corbeille"
        case (.trash, .english): "trash"
        case (.applicationHistory, .french): "historique des autres logiciels"
        case (.applicationHistory, .english): "other programs' history"
        case (.startupPrograms, .french): "programmes lancés à l'ouverture de session"
        case (.startupPrograms, .english): "programs run at login"
        case (.scheduledTasks, .french): "tâches programmées (cron, at, session maintenue)"
        case (.scheduledTasks, .english): "scheduled tasks (cron, at, lingering)"
        case (.temporaryFiles, .french): "fichiers temporaires"
        case (.temporaryFiles, .english): "temporary files"
        case (.other, .french): "autres fichiers"
        case (.other, .english): "other files"
        }
    }
}
