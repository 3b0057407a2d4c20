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
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[key], !value.isEmpty { return Language(locale: value) }
        }
        return .french
    }
}
