import Foundation

/// What the session notice says, from `[notice]`.
public struct NoticeSettings: Sendable, Equatable {
    public enum OnDecline: String, Sendable {
        /// The refusal is journaled; the session goes on.
        case nothing
        /// The session is ended.
        case logout
    }

    public var enabled = true
    public var requireAcknowledgement = false
    /// The screen is shown to a trainer's station (mirroring): the person must be told.
    public var screenMirrored = false
    /// Who runs this place and whom to ask about personal data.
    public var contact = ""
    public var onDecline = OnDecline.nothing
    /// Where an admin's own texts live (`fr.txt`, `en.txt`).
    public var overrideDirectory = "/etc/ardoise/notice"
    public init() {}
}

/// Which live warnings are given, from `[warnings]`.
public struct WarningSettings: Sendable, Equatable {
    public var passwords = true
    public var downloads = true
    public init() {}
}

/// The notice shown at the start of every session, written for people who are not technical, in French and English.
public struct SessionNotice: Sendable, Equatable {
    public var title: String
    public var body: String
    public var acknowledge: String
    public var decline: String

    public static func text(_ language: Language, settings: NoticeSettings, retentionDays: Int) -> SessionNotice {
        let fr = language == .french
        let duration = Self.duration(retentionDays, language)
        let contact = settings.contact.trimmingCharacters(in: .whitespacesAndNewlines)
        let title = fr ? "Information : ce poste est public" : "Please read: this is a public computer"
        let acknowledge = fr ? "J'ai compris" : "I understand"
        let decline = fr ? "Je refuse" : "I decline"
        if let custom = Self.override(language, directory: settings.overrideDirectory) {
            let body = custom.replacingOccurrences(of: "{retention}", with: duration).replacingOccurrences(of: "{contact}", with: contact)
            return SessionNotice(title: title, body: body, acknowledge: acknowledge, decline: decline)
        }
        var lines: [String] = []
        if fr {
            lines.append("Pour la sécurité, ce poste enregistre le nom du compte utilisé, le poste, et l'heure de connexion et de déconnexion. Le réseau peut aussi enregistrer les sites visités.")
            lines.append("Ces informations sont gardées \(duration), puis effacées. Seuls les responsables de ce lieu peuvent les lire (et la justice, si la loi le demande).")
            if settings.screenMirrored { lines.append("Votre écran est visible par l'animatrice ou l'animateur, pour pouvoir vous aider.") }
            lines.append("Quand vous fermez la session, tout ce qu'elle a laissé est effacé : historique, cookies, mots de passe enregistrés, fichiers téléchargés, documents.")
            lines.append("")
            lines.append("Trois conseils :")
            lines.append("• Déconnectez-vous de vos comptes (CAF, impôts, messagerie...) avant de partir.")
            lines.append("• Ne laissez jamais le navigateur enregistrer un mot de passe sur ce poste.")
            lines.append("• Emportez vos fichiers : sur votre clé USB, ou envoyez-les-vous par courriel.")
            if !contact.isEmpty { lines += ["", "Contact : \(contact)"] }
        } else {
            lines.append("For security, this computer records the account used, the computer, and when the session starts and ends. The network may also record the websites visited.")
            lines.append("This information is kept \(duration), then erased. Only the people in charge of this place may read it (and the courts, if the law requires it).")
            if settings.screenMirrored { lines.append("Your screen can be seen by the staff member who is here to help you.") }
            lines.append("When you close the session, everything it left is erased: history, cookies, saved passwords, downloaded files, documents.")
            lines.append("")
            lines.append("Three pieces of advice:")
            lines.append("• Log out of your accounts (benefits, taxes, email...) before you leave.")
            lines.append("• Never let the browser save a password on this computer.")
            lines.append("• Take your files with you: on your USB key, or email them to yourself.")
            if !contact.isEmpty { lines += ["", "Contact: \(contact)"] }
        }
        return SessionNotice(title: title, body: lines.joined(separator: "\n"), acknowledge: acknowledge, decline: decline)
    }

    /// "1 an", "6 mois", "90 jours" / "1 year", "6 months", "90 days".
    public static func duration(_ days: Int, _ language: Language) -> String {
        let fr = language == .french
        if days % 365 == 0 {
            let years = days / 365
            return fr ? "\(years) an\(years > 1 ? "s" : "")" : "\(years) year\(years > 1 ? "s" : "")"
        }
        if days % 30 == 0 || (days >= 180 && days % 30 <= 3) {
            let months = days / 30
            return fr ? "\(months) mois" : "\(months) month\(months > 1 ? "s" : "")"
        }
        return fr ? "\(days) jour\(days > 1 ? "s" : "")" : "\(days) day\(days > 1 ? "s" : "")"
    }

    static func override(_ language: Language, directory: String) -> String? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(language.rawValue).txt"),
              let text = String(data: data, encoding: .utf8), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A live warning for the person at the computer.
public enum SessionWarning: String, Sendable, Codable, Equatable {
    case passwordSaved = "password-saved"
    case downloadFinished = "download-finished"
    /// Nobody has touched the computer: the session ends in `count` seconds unless someone does.
    case idleCountdown = "idle-countdown"
    /// The time limit is near: `count` minutes left.
    case timeLimitSoon = "time-limit-soon"
    /// The time limit: the session ends in `count` seconds.
    case timeLimitCountdown = "time-limit-countdown"
    /// Staff end the session: in `count` seconds.
    case staffCountdown = "staff-countdown"
    /// Someone touched the computer (or staff gave more time): the countdown stops.
    case sessionContinues = "session-continues"
    /// The session ends now: the agent asks the desktop to log out, so that programs close properly.
    case sessionEnding = "session-ending"

    /// A warning that the session is about to end.
    public var isCountdown: Bool { self == .idleCountdown || self == .timeLimitCountdown || self == .staffCountdown }

    public func text(_ language: Language, count: Int = 1) -> (title: String, body: String) {
        let fr = language == .french
        switch self {
        case .passwordSaved:
            return fr ? ("Un mot de passe a été enregistré", "Ce poste public vient d'enregistrer un mot de passe. Il sera effacé quand vous fermerez la session. La prochaine fois, répondez « Jamais » quand le navigateur propose de l'enregistrer.")
                      : ("A password was saved", "This public computer has just saved a password. It will be erased when you close the session. Next time, answer \"Never\" when the browser offers to save it.")
        case .downloadFinished:
            let what = fr ? (count > 1 ? "\(count) fichiers téléchargés" : "Fichier téléchargé") : (count > 1 ? "\(count) files downloaded" : "File downloaded")
            return fr ? (what, "Les fichiers téléchargés seront effacés quand vous fermerez la session. Enregistrez-les sur votre clé USB ou envoyez-les-vous par courriel.")
                      : (what, "Downloaded files will be erased when you close the session. Save them on your USB key or email them to yourself.")
        // Short sentences, everyday words, one idea each: read by people in a hurry, with weak French, or with little reading.
        case .idleCountdown:
            return fr ? ("Vous êtes toujours là ?", "Sans action de votre part, la session se fermera dans \(count) secondes. Tout ce qu'elle contient sera effacé. Touchez la souris ou le clavier pour continuer. Pensez à reprendre votre clé USB et vos impressions.")
                      : ("Are you still there?", "If you do nothing, the session will close in \(count) seconds. Everything in it will be erased. Touch the mouse or the keyboard to go on. Remember to take your USB key and your printed pages.")
        case .timeLimitSoon:
            return fr ? ("Plus que \(count) minute\(count > 1 ? "s" : "")", "La session se fermera dans \(count) minute\(count > 1 ? "s" : ""). Tout ce qu'elle contient sera effacé. Enregistrez vos documents maintenant. Pensez à reprendre votre clé USB et vos impressions.")
                      : ("\(count) minute\(count > 1 ? "s" : "") left", "The session will close in \(count) minute\(count > 1 ? "s" : ""). Everything in it will be erased. Save your documents now. Remember to take your USB key and your printed pages.")
        case .timeLimitCountdown:
            return fr ? ("Le temps est écoulé", "La session se fermera dans \(count) secondes. Tout ce qu'elle contient sera effacé. Pensez à reprendre votre clé USB et vos impressions.")
                      : ("Time is up", "The session will close in \(count) seconds. Everything in it will be erased. Remember to take your USB key and your printed pages.")
        case .staffCountdown:
            return fr ? ("La session va se fermer", "Un membre de l'équipe ferme cette session. Elle se fermera dans \(count) secondes. Tout ce qu'elle contient sera effacé. Pensez à reprendre votre clé USB et vos impressions.")
                      : ("The session is closing", "A member of staff is closing this session. It will close in \(count) seconds. Everything in it will be erased. Remember to take your USB key and your printed pages.")
        case .sessionContinues:
            return fr ? ("La session continue", "Merci. Vous pouvez continuer.") : ("The session goes on", "Thank you. You can go on.")
        case .sessionEnding:
            return fr ? ("La session se ferme", "La session se ferme maintenant. Tout ce qu'elle contient va être effacé.")
                      : ("The session is closing", "The session is closing now. Everything in it will be erased.")
        }
    }
}

/// One warning for the session's agent to show: what, and how many times since the last one shown.
public struct WarningDelivery: Sendable, Codable, Equatable {
    public var warning: SessionWarning
    public var count: Int
    public init(warning: SessionWarning, count: Int) {
        self.warning = warning
        self.count = count
    }
}

/// What the session's agent reports about the notice.
public enum NoticeReport: String, Sendable, Codable {
    case shown, acknowledged, declined

    public var eventKind: EventKind {
        switch self {
        case .shown: .noticeShown
        case .acknowledged: .noticeAcknowledged
        case .declined: .noticeDeclined
        }
    }
}
