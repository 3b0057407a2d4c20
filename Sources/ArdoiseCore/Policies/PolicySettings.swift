import FoundationEssentials
import Glibc

/// What the browsers of the kiosk are told to do, from `[policies]` in `ardoise.toml`; the defaults make a public
/// browser safe (CNIL: no password saved on a public computer).
public struct PolicySettings: Sendable, Equatable {
    /// Whether the browsers may offer to save passwords.
    public var savePasswords = false
    /// Whether forms remember what was typed in them.
    public var formHistory = false
    /// Whether addresses and bank cards are filled in for the person.
    public var autofill = false
    /// Whether a person may sign in to a browser account (and sync this computer's data to it).
    public var browserAccounts = false
    /// Whether the browsers send usage statistics.
    public var telemetry = false
    /// Whether the browser itself erases everything when it closes (the wipe still comes after).
    public var clearOnExit = true
    /// Whether third-party cookies are kept apart per site (Firefox) or blocked (Chromium family).
    public var partitionCookies = true
    /// Whether every window is a private one.
    public var privateBrowsing = false
    /// Whether guest sessions and added browser profiles are allowed (Chromium family).
    public var extraProfiles = false
    /// The default search engine; empty leaves the browser's own.
    public var searchEngine = "DuckDuckGo"
    /// Its address, `{searchTerms}` standing for what is searched.
    public var searchURL = "https://duckduckgo.com/?q={searchTerms}"

    public init() {}

    static let keys: Set<String> = ["save_passwords", "form_history", "autofill", "browser_accounts", "telemetry", "clear_on_exit",
                                    "partition_cookies", "private_browsing", "extra_profiles", "search_engine", "search_url"]

    /// Firefox's `policies` object (`policies.json`), from the schema of the Firefox ESR Debian ships.
    public var firefox: [String: JSONValue] {
        var policies: [String: JSONValue] = [:]
        if !savePasswords {
            policies["PasswordManagerEnabled"] = false
            policies["OfferToSaveLogins"] = false
        }
        if !formHistory { policies["DisableFormHistory"] = true }
        if !autofill {
            policies["AutofillAddressEnabled"] = false
            policies["AutofillCreditCardEnabled"] = false
        }
        if !browserAccounts { policies["DisableFirefoxAccounts"] = true }
        if !telemetry { policies["DisableTelemetry"] = true }
        if clearOnExit {
            policies["SanitizeOnShutdown"] = .object(["Cache": true, "Cookies": true, "Downloads": true, "FormData": true, "History": true,
                                                      "Sessions": true, "SiteSettings": true, "OfflineApps": true, "Locked": true])
        }
        if partitionCookies {
            policies["Cookies"] = .object(["Behavior": "reject-tracker-and-partition-foreign", "BehaviorPrivateBrowsing": "reject-tracker-and-partition-foreign", "Locked": true])
        }
        if privateBrowsing { policies["PrivateBrowsingModeAvailability"] = 2 }
        if !searchEngine.isEmpty {
            policies["SearchEngines"] = .object([
                "Add": .array([.object(["Name": .text(searchEngine), "URLTemplate": .text(searchURL), "Method": "GET"])]),
                "Default": .text(searchEngine),
                "PreventInstalls": true,
            ])
        }
        // A public computer is never anyone's default browser question.
        policies["DontCheckDefaultBrowser"] = true
        return policies
    }

    /// The Chromium family's managed policies (one JSON object, in `policies/managed/`).
    public var chromium: [String: JSONValue] {
        var policies: [String: JSONValue] = [:]
        if !savePasswords { policies["PasswordManagerEnabled"] = false }
        if !autofill {
            policies["AutofillAddressEnabled"] = false
            policies["AutofillCreditCardEnabled"] = false
        }
        if !formHistory { policies["SearchSuggestEnabled"] = false }
        if !browserAccounts {
            policies["BrowserSignin"] = 0
            policies["SyncDisabled"] = true
        }
        if !telemetry {
            policies["MetricsReportingEnabled"] = false
            policies["UrlKeyedAnonymizedDataCollectionEnabled"] = false
        }
        if clearOnExit {
            // Chromium applies this list only while sync is off (it is, unless browser accounts are allowed).
            policies["ClearBrowsingDataOnExitList"] = .array(["browsing_history", "download_history", "cookies_and_other_site_data",
                                                              "cached_images_and_files", "password_signin", "autofill", "site_settings",
                                                              "hosted_app_data"])
        }
        if partitionCookies { policies["BlockThirdPartyCookies"] = true }
        if privateBrowsing { policies["IncognitoModeAvailability"] = 2 }
        if !extraProfiles {
            policies["BrowserGuestModeEnabled"] = false
            policies["BrowserAddPersonEnabled"] = false
        }
        if !searchEngine.isEmpty {
            policies["DefaultSearchProviderEnabled"] = true
            policies["DefaultSearchProviderName"] = .text(searchEngine)
            policies["DefaultSearchProviderSearchURL"] = .text(searchURL)
        }
        policies["DefaultBrowserSettingEnabled"] = false
        return policies
    }
}

