/// What to do with an entry the catalogue names.
public enum TraceAction: Sendable, Equatable {
    /// The entry goes (for a file, with its SQLite companions `-journal`, `-wal`, `-shm`).
    case remove
    /// The folder stays, everything inside goes (but the keep list).
    case empty
    /// The file stays (the browser needs it), the session's traces inside it go.
    case scrub(Scrubber)
}

/// One row of the catalogue: a path pattern below an anchor (a profile, a browser's folder, the home).
/// Each component may be a shell pattern (`Profile *`, `Session_*`).
public struct TraceRule: Sendable, Equatable {
    public var kind: TraceKind
    public var pattern: String
    public var action: TraceAction

    public init(_ kind: TraceKind, _ pattern: String, _ action: TraceAction = .remove) {
        self.kind = kind
        self.pattern = pattern
        self.action = action
    }
}

public enum BrowserEngine: String, Sendable {
    case gecko, chromium
}

public enum Packaging: String, Sendable, Codable {
    case deb, snap, flatpak
}

/// Where one packaging of one browser keeps its profiles and its cache, relative to the home.
public struct BrowserLocation: Sendable, Equatable {
    public var packaging: Packaging
    public var profiles: String
    public var cache: String?

    public init(_ packaging: Packaging, profiles: String, cache: String? = nil) {
        self.packaging = packaging
        self.profiles = profiles
        self.cache = cache
    }
}

public struct Browser: Sendable, Equatable {
    public var name: String
    public var engine: BrowserEngine
    public var locations: [BrowserLocation]
}

/// Every place a session leaves a trace, as data: browsers (each packaging, each profile), then the desktop's own traces.
/// An admin extends it from the configuration (`[[wipe.extra]]`) and can leave kinds out (`wipe.exclude_kinds`).
public struct TraceCatalogue: Sendable {
    public var browsers: [Browser]
    /// Rules applied inside each Firefox-family profile.
    public var geckoProfile: [TraceRule]
    /// Rules applied in a Firefox-family profiles folder itself (next to `profiles.ini`).
    public var geckoRoot: [TraceRule]
    /// Rules applied inside each profile folder of a Firefox-family cache (`~/.cache/mozilla/firefox/<profile>`).
    public var geckoCacheProfile: [TraceRule]
    /// Rules applied inside each Chromium-family profile (`Default`, `Profile 1`...).
    public var chromiumProfile: [TraceRule]
    /// Rules applied in a Chromium-family user-data folder itself (next to `Local State`).
    public var chromiumRoot: [TraceRule]
    /// Rules applied from the home.
    public var home: [TraceRule]
    /// Names of the XDG user folders emptied at each wipe, with their usual English and French names
    /// (used when `user-dirs.dirs` does not say).
    public var userFolders: [UserFolder]

    public struct UserFolder: Sendable, Equatable {
        public var key: String
        public var kind: TraceKind
        public var usualNames: [String]
    }

    public static let standard = TraceCatalogue(
        browsers: standardBrowsers,
        geckoProfile: geckoProfileRules,
        geckoRoot: [
            TraceRule(.crashReports, "Crash Reports", .empty),
            TraceRule(.crashReports, "Pending Pings", .empty),
        ],
        geckoCacheProfile: [
            TraceRule(.cache, "cache2"),
            TraceRule(.cache, "thumbnails"),
            TraceRule(.cache, "OfflineCache"),
            TraceRule(.cache, "jumpListCache"),
            TraceRule(.cache, "shader-cache"),
            TraceRule(.history, "activity-stream.shortcut_cache.json"),
        ],
        chromiumProfile: chromiumProfileRules,
        chromiumRoot: [
            TraceRule(.history, "segmentation_platform"),
            TraceRule(.crashReports, "Crash Reports", .empty),
            TraceRule(.crashReports, "Crashpad", .empty),
            TraceRule(.crashReports, "BrowserMetrics"),
            TraceRule(.crashReports, "BrowserMetrics-spare.pma"),
            TraceRule(.crashReports, "DeferredBrowserMetrics"),
            TraceRule(.cache, "GPUPersistentCache"),
            TraceRule(.cache, "GrShaderCache"),
            TraceRule(.cache, "ShaderCache"),
            TraceRule(.cache, "GraphiteDawnCache"),
            TraceRule(.sessionRestore, "DevToolsActivePort"),
            TraceRule(.sitePermissions, "Local State", .scrub(.chromiumPreferences)),
        ],
        home: homeRules,
        userFolders: [
            UserFolder(key: "XDG_DOWNLOAD_DIR", kind: .downloads, usualNames: ["Downloads", "Téléchargements"]),
            UserFolder(key: "XDG_DESKTOP_DIR", kind: .userFiles, usualNames: ["Desktop", "Bureau"]),
            UserFolder(key: "XDG_DOCUMENTS_DIR", kind: .userFiles, usualNames: ["Documents"]),
            UserFolder(key: "XDG_PICTURES_DIR", kind: .userFiles, usualNames: ["Pictures", "Images"]),
            UserFolder(key: "XDG_MUSIC_DIR", kind: .userFiles, usualNames: ["Music", "Musique"]),
            UserFolder(key: "XDG_VIDEOS_DIR", kind: .userFiles, usualNames: ["Videos", "Vidéos"]),
            UserFolder(key: "XDG_PUBLICSHARE_DIR", kind: .userFiles, usualNames: ["Public"]),
        ]
    )

    static let standardBrowsers: [Browser] = [
        Browser(name: "Firefox", engine: .gecko, locations: [
            BrowserLocation(.deb, profiles: ".mozilla/firefox", cache: ".cache/mozilla/firefox"),
            BrowserLocation(.deb, profiles: ".config/mozilla/firefox", cache: ".cache/mozilla/firefox"),
            BrowserLocation(.deb, profiles: ".mozilla/firefox-esr", cache: ".cache/mozilla/firefox-esr"),
            BrowserLocation(.deb, profiles: ".config/mozilla/firefox-esr", cache: ".cache/mozilla/firefox-esr"),
            BrowserLocation(.snap, profiles: "snap/firefox/common/.mozilla/firefox", cache: "snap/firefox/common/.cache/mozilla/firefox"),
            BrowserLocation(.snap, profiles: "snap/firefox/common/.config/mozilla/firefox", cache: "snap/firefox/common/.cache/mozilla/firefox"),
            BrowserLocation(.flatpak, profiles: ".var/app/org.mozilla.firefox/.mozilla/firefox", cache: ".var/app/org.mozilla.firefox/cache/mozilla/firefox"),
            BrowserLocation(.flatpak, profiles: ".var/app/org.mozilla.firefox/config/mozilla/firefox", cache: ".var/app/org.mozilla.firefox/cache/mozilla/firefox"),
        ]),
        Browser(name: "Chromium", engine: .chromium, locations: [
            BrowserLocation(.deb, profiles: ".config/chromium", cache: ".cache/chromium"),
            BrowserLocation(.snap, profiles: "snap/chromium/common/chromium", cache: "snap/chromium/common/.cache/chromium"),
            BrowserLocation(.flatpak, profiles: ".var/app/org.chromium.Chromium/config/chromium", cache: ".var/app/org.chromium.Chromium/cache/chromium"),
        ]),
        Browser(name: "Google Chrome", engine: .chromium, locations: [
            BrowserLocation(.deb, profiles: ".config/google-chrome", cache: ".cache/google-chrome"),
            BrowserLocation(.deb, profiles: ".config/google-chrome-beta", cache: ".cache/google-chrome-beta"),
            BrowserLocation(.deb, profiles: ".config/google-chrome-unstable", cache: ".cache/google-chrome-unstable"),
            BrowserLocation(.flatpak, profiles: ".var/app/com.google.Chrome/config/google-chrome", cache: ".var/app/com.google.Chrome/cache/google-chrome"),
        ]),
        Browser(name: "Brave", engine: .chromium, locations: [
            BrowserLocation(.deb, profiles: ".config/BraveSoftware/Brave-Browser", cache: ".cache/BraveSoftware/Brave-Browser"),
            BrowserLocation(.snap, profiles: "snap/brave/current/.config/BraveSoftware/Brave-Browser", cache: "snap/brave/common/.cache/BraveSoftware/Brave-Browser"),
            BrowserLocation(.flatpak, profiles: ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser", cache: ".var/app/com.brave.Browser/cache/BraveSoftware/Brave-Browser"),
        ]),
        Browser(name: "Microsoft Edge", engine: .chromium, locations: [
            BrowserLocation(.deb, profiles: ".config/microsoft-edge", cache: ".cache/microsoft-edge"),
            BrowserLocation(.deb, profiles: ".config/microsoft-edge-beta", cache: ".cache/microsoft-edge-beta"),
            BrowserLocation(.deb, profiles: ".config/microsoft-edge-dev", cache: ".cache/microsoft-edge-dev"),
            BrowserLocation(.flatpak, profiles: ".var/app/com.microsoft.Edge/config/microsoft-edge", cache: ".var/app/com.microsoft.Edge/cache/microsoft-edge"),
        ]),
        Browser(name: "Vivaldi", engine: .chromium, locations: [
            BrowserLocation(.deb, profiles: ".config/vivaldi", cache: ".cache/vivaldi"),
            BrowserLocation(.deb, profiles: ".config/vivaldi-snapshot", cache: ".cache/vivaldi-snapshot"),
            BrowserLocation(.snap, profiles: "snap/vivaldi/current/.config/vivaldi", cache: "snap/vivaldi/common/.cache/vivaldi"),
            BrowserLocation(.flatpak, profiles: ".var/app/com.vivaldi.Vivaldi/config/vivaldi", cache: ".var/app/com.vivaldi.Vivaldi/cache/vivaldi"),
        ]),
        Browser(name: "Opera", engine: .chromium, locations: [
            BrowserLocation(.deb, profiles: ".config/opera", cache: ".cache/opera"),
            BrowserLocation(.deb, profiles: ".config/opera-beta", cache: ".cache/opera-beta"),
            BrowserLocation(.snap, profiles: "snap/opera/current/.config/opera", cache: "snap/opera/common/.cache/opera"),
            BrowserLocation(.flatpak, profiles: ".var/app/com.opera.Opera/config/opera", cache: ".var/app/com.opera.Opera/cache/opera"),
        ]),
    ]

    static let geckoProfileRules: [TraceRule] = [
        // places.sqlite also holds bookmarks: Firefox rebuilds them from bookmarkbackups/, which stays.
        TraceRule(.history, "places.sqlite"),
        TraceRule(.history, "favicons.sqlite"),
        TraceRule(.history, "places.sqlite.corrupt"),
        TraceRule(.cookies, "cookies.sqlite"),
        TraceRule(.cookies, "cookies.sqlite.bak*"),
        TraceRule(.passwords, "logins.json"),
        TraceRule(.passwords, "logins-backup.json"),
        TraceRule(.passwords, "logins.db"),
        TraceRule(.passwords, "key4.db"),
        TraceRule(.passwords, "key3.db"),
        TraceRule(.passwords, "signons.sqlite"),
        TraceRule(.passwords, "signedInUser.json"),
        TraceRule(.formData, "formhistory.sqlite"),
        TraceRule(.formData, "autofill-profiles.json"),
        TraceRule(.siteStorage, "storage/default"),
        TraceRule(.siteStorage, "storage/temporary"),
        TraceRule(.siteStorage, "storage/to-be-removed"),
        TraceRule(.siteStorage, "storage/ls-archive.sqlite"),
        TraceRule(.siteStorage, "storage.sqlite"),
        TraceRule(.siteStorage, "webappsstore.sqlite"),
        TraceRule(.siteStorage, "chromeappsstore.sqlite"),
        TraceRule(.siteStorage, "serviceworker.txt"),
        TraceRule(.siteStorage, "notificationstore.json"),
        TraceRule(.cache, "cache2"),
        TraceRule(.cache, "OfflineCache"),
        TraceRule(.cache, "thumbnails"),
        TraceRule(.sessionRestore, "sessionstore.jsonlz4"),
        TraceRule(.sessionRestore, "sessionstore.js"),
        TraceRule(.sessionRestore, "sessionstore-backups"),
        TraceRule(.sessionRestore, "sessionCheckpoints.json"),
        TraceRule(.downloadHistory, "downloads.sqlite"),
        TraceRule(.downloadHistory, "downloads.json"),
        TraceRule(.downloadHistory, "prefs.js", .scrub(.firefoxPrefs)),
        TraceRule(.sitePermissions, "permissions.sqlite"),
        TraceRule(.sitePermissions, "content-prefs.sqlite"),
        TraceRule(.sitePermissions, "bounce-tracking-protection.sqlite"),
        TraceRule(.sitePermissions, "protections.sqlite"),
        TraceRule(.sitePermissions, "SiteSecurityServiceState.bin"),
        TraceRule(.sitePermissions, "SiteSecurityServiceState.txt"),
        TraceRule(.sitePermissions, "AlternateServices.bin"),
        TraceRule(.sitePermissions, "AlternateServices.txt"),
        TraceRule(.sitePermissions, "ClientAuthRememberList.bin"),
        TraceRule(.sitePermissions, "ClientAuthRememberList.txt"),
        TraceRule(.crashReports, "crashes"),
        TraceRule(.crashReports, "minidumps"),
    ]

    static let chromiumProfileRules: [TraceRule] = [
        TraceRule(.history, "History"),
        TraceRule(.history, "Archived History"),
        TraceRule(.history, "History Provider Cache"),
        TraceRule(.history, "Visited Links"),
        TraceRule(.history, "Favicons"),
        TraceRule(.history, "Top Sites"),
        TraceRule(.history, "Shortcuts"),
        TraceRule(.history, "Network Action Predictor"),
        TraceRule(.history, "DIPS"),
        TraceRule(.history, "Segmentation Platform"),
        TraceRule(.history, "shared_proto_db"),
        TraceRule(.history, "heavy_ad_intervention_opt_out.db"),
        TraceRule(.history, "chrome_cart_db"),
        TraceRule(.history, "commerce_subscription_db"),
        TraceRule(.history, "discount_infos_db"),
        TraceRule(.history, "discounts_db"),
        TraceRule(.history, "parcel_tracking_db"),
        TraceRule(.history, "BrowsingTopicsSiteData"),
        TraceRule(.history, "BrowsingTopicsState"),
        TraceRule(.history, "SCT Auditing Pending Reports"),
        TraceRule(.history, "Network/SCT Auditing Pending Reports"),
        TraceRule(.cookies, "Cookies"),
        TraceRule(.cookies, "Extension Cookies"),
        TraceRule(.cookies, "Network/Cookies"),
        TraceRule(.cookies, "Trust Tokens"),
        TraceRule(.cookies, "Network/Trust Tokens"),
        TraceRule(.passwords, "Login Data"),
        TraceRule(.passwords, "Login Data For Account"),
        TraceRule(.passwords, "Affiliation Database"),
        TraceRule(.formData, "Web Data"),
        TraceRule(.formData, "Account Web Data"),
        TraceRule(.formData, "AutofillStrikeDatabase"),
        TraceRule(.formData, "AutofillAiModelCache"),
        TraceRule(.siteStorage, "Local Storage"),
        TraceRule(.siteStorage, "Session Storage"),
        TraceRule(.siteStorage, "IndexedDB"),
        TraceRule(.siteStorage, "Service Worker"),
        TraceRule(.siteStorage, "File System"),
        TraceRule(.siteStorage, "databases"),
        TraceRule(.siteStorage, "WebStorage"),
        TraceRule(.siteStorage, "Shared Dictionary"),
        TraceRule(.siteStorage, "SharedStorage"),
        TraceRule(.siteStorage, "blob_storage"),
        TraceRule(.siteStorage, "Site Characteristics Database"),
        TraceRule(.siteStorage, "BudgetDatabase"),
        TraceRule(.siteStorage, "Platform Notifications"),
        TraceRule(.siteStorage, "Interest Groups"),
        TraceRule(.siteStorage, "Conversions"),
        TraceRule(.siteStorage, "Attribution Reporting"),
        TraceRule(.siteStorage, "PrivateAggregation"),
        TraceRule(.siteStorage, "Aggregation Service"),
        TraceRule(.siteStorage, "MediaDeviceSalts"),
        TraceRule(.siteStorage, "Network Persistent State"),
        TraceRule(.siteStorage, "Network/Network Persistent State"),
        TraceRule(.siteStorage, "Reporting and NEL"),
        TraceRule(.siteStorage, "Network/Reporting and NEL"),
        TraceRule(.siteStorage, "TransportSecurity"),
        TraceRule(.siteStorage, "Network/TransportSecurity"),
        TraceRule(.cache, "Cache"),
        TraceRule(.cache, "Code Cache"),
        TraceRule(.cache, "GPUCache"),
        TraceRule(.cache, "DawnCache"),
        TraceRule(.cache, "DawnGraphiteCache"),
        TraceRule(.cache, "DawnWebGPUCache"),
        TraceRule(.cache, "Media Cache"),
        TraceRule(.cache, "Application Cache"),
        TraceRule(.cache, "ServerCertificate"),
        TraceRule(.sessionRestore, "Sessions"),
        TraceRule(.sessionRestore, "Sessions_Encrypted"),
        TraceRule(.sessionRestore, "Current Session"),
        TraceRule(.sessionRestore, "Current Tabs"),
        TraceRule(.sessionRestore, "Last Session"),
        TraceRule(.sessionRestore, "Last Tabs"),
        TraceRule(.downloadHistory, "Download Service"),
        TraceRule(.sitePermissions, "Preferences", .scrub(.chromiumPreferences)),
        TraceRule(.sitePermissions, "Origin Bound Certs"),
    ]

    static let homeRules: [TraceRule] = [
        TraceRule(.recentFiles, ".local/share/recently-used.xbel"),
        TraceRule(.recentFiles, ".local/share/recently-used.xbel.*"),
        TraceRule(.recentFiles, ".recently-used.xbel"),
        TraceRule(.recentFiles, ".recently-used"),
        TraceRule(.recentFiles, ".local/share/RecentDocuments", .empty),
        TraceRule(.recentFiles, ".local/share/kactivitymanagerd/resources", .empty),
        TraceRule(.recentFiles, ".config/libreoffice/4/user/registrymodifications.xcu", .scrub(.libreOfficeHistory)),
        TraceRule(.thumbnails, ".cache/thumbnails"),
        TraceRule(.thumbnails, ".thumbnails"),
        TraceRule(.trash, ".local/share/Trash"),
        TraceRule(.applicationHistory, ".local/share/gvfs-metadata"),
        TraceRule(.applicationHistory, ".xsession-errors"),
        TraceRule(.applicationHistory, ".xsession-errors.old"),
        TraceRule(.applicationHistory, ".local/share/evince"),
        TraceRule(.applicationHistory, ".cache/evince"),
        TraceRule(.applicationHistory, ".config/atril/*.xml"),
        TraceRule(.applicationHistory, ".local/share/atril"),
        TraceRule(.applicationHistory, ".cache/atril"),
        TraceRule(.applicationHistory, ".local/share/okular/docdata"),
        TraceRule(.applicationHistory, ".config/libreoffice/4/user/backup"),
        TraceRule(.applicationHistory, ".local/share/zeitgeist"),
        TraceRule(.applicationHistory, ".bash_history"),
        TraceRule(.applicationHistory, ".python_history"),
        TraceRule(.applicationHistory, ".lesshst"),
        TraceRule(.applicationHistory, ".wget-hsts"),
        TraceRule(.applicationHistory, ".sqlite_history"),
        TraceRule(.applicationHistory, ".viminfo"),
        TraceRule(.applicationHistory, ".local/share/nano"),
        TraceRule(.cache, ".cache/mesa_shader_cache"),
    ]
}
