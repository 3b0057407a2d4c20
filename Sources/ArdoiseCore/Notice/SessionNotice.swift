import FoundationEssentials
import Glibc

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

    /// What a text session's person may type to decline, in their language.
    public static func declineWords(_ language: PublicLanguage) -> [String] { PublicTexts.of(language).declineWords }

    /// The prompt of a text session that asks for the acknowledgement.
    public static func pressEnter(_ language: PublicLanguage, acknowledge: String) -> String { PublicTexts.of(language).pressEnter(acknowledge) }

    public static func text(_ language: PublicLanguage, settings: NoticeSettings, retentionDays: Int) -> SessionNotice {
        let texts = PublicTexts.of(language)
        let duration = Self.duration(retentionDays, language)
        let contact = settings.contact.trimming(.whitespacesAndNewlines)
        if let custom = Self.override(language, directory: settings.overrideDirectory) {
            let body = custom.replacing("{retention}", with: duration).replacing("{contact}", with: contact)
            return SessionNotice(title: texts.title, body: body, acknowledge: texts.acknowledge, decline: texts.decline)
        }
        // One idea per line: what is noted, for how long, who reads it, that everything is erased, then three pieces of advice.
        var lines = [texts.recorded, texts.network, texts.kept(duration), texts.readers]
        if settings.screenMirrored { lines.append(texts.mirrored) }
        lines += [texts.erased, "", texts.adviceTitle] + texts.advice.map { "• " + $0 }
        if !contact.isEmpty { lines += ["", texts.contact + contact] }
        return SessionNotice(title: texts.title, body: lines.joined(separator: "\n"), acknowledge: texts.acknowledge, decline: texts.decline)
    }

    /// "1 an", "6 mois", "90 jours" / "1 year", "6 months", "90 days", and so on in each language.
    public static func duration(_ days: Int, _ language: PublicLanguage) -> String {
        let texts = PublicTexts.of(language)
        if days % 365 == 0 { return texts.duration(days / 365, nil, days) }
        if days % 30 == 0 || (days >= 180 && days % 30 <= 3) { return texts.duration(nil, days / 30, days) }
        return texts.duration(nil, nil, days)
    }

    static func override(_ language: PublicLanguage, directory: String) -> String? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(language.rawValue).txt"),
              let text = String(data: data, encoding: .utf8), !text.trimming(.whitespacesAndNewlines).isEmpty else { return nil }
        return text.trimming(.whitespacesAndNewlines)
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

    public func text(_ language: PublicLanguage, count: Int = 1) -> (title: String, body: String) {
        let texts = PublicTexts.of(language)
        switch self {
        case .passwordSaved: return texts.passwordSaved
        case .downloadFinished: return texts.downloaded(count)
        case .idleCountdown: return texts.idleCountdown(count)
        case .timeLimitSoon: return texts.timeLimitSoon(count)
        case .timeLimitCountdown: return texts.timeLimitCountdown(count)
        case .staffCountdown: return texts.staffCountdown(count)
        case .sessionContinues: return texts.continues
        case .sessionEnding: return texts.ending
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
