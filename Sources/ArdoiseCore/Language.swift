/// The languages every text a person reads is written in; French first.
public enum Language: String, Sendable, CaseIterable, Codable {
    case french = "fr"
    case english = "en"

    /// From a locale such as `en_GB.UTF-8`; French when unknown or unset.
    public init(locale: String?) {
        let code = (locale ?? "").lowercased().prefix(2)
        self = code == "en" ? .english : .french
    }

    /// The session's language from `LC_ALL`, `LC_MESSAGES`, then `LANG`.
    public static func fromEnvironment(_ environment: [String: String]) -> Language {
        Language(locale: messagesLocale(environment))
    }

    /// The locale messages are shown in: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set.
    static func messagesLocale(_ environment: [String: String]) -> String? {
        ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
    }
}
