import ArdoiseCore
import FoundationEssentials
import Glibc

/// How a browser reads managed policies: Firefox one `policies.json` (the first place found wins), the Chromium family
/// every `*.json` of a `policies/managed/` folder.
public enum PolicyFormat: String, Sendable, Codable {
    case firefox, chromium
}

/// Where one packaging of one browser is installed and where it reads managed policies.
public struct PolicyPlace: Sendable, Equatable {
    public var browser: String
    public var packaging: Packaging
    public var format: PolicyFormat
    /// Any of these present means the browser is installed in this packaging.
    public var installedMarkers: [String]
    /// The files ardoise writes for it (absolute); empty when this packaging is not known to read managed policies.
    public var files: [String]
    /// Said by `show` and `check` when the place comes from the packager's documentation, not a real run here.
    public var verified: Bool

    public init(_ browser: String, _ packaging: Packaging, _ format: PolicyFormat, installed: [String], files: [String], verified: Bool = false) {
        self.browser = browser
        self.packaging = packaging
        self.format = format
        self.installedMarkers = installed
        self.files = files
        self.verified = verified
    }

    public var name: String { "\(browser) (\(packaging.rawValue))" }

    /// The file ardoise owns in a Chromium-family `policies/managed/` folder.
    public static let chromiumFileName = "ardoise.json"

    /// Every browser of the trace catalogue, each packaging. Firefox reads `SysConfD/policies/policies.json` when it
    /// exists, else `distribution/policies.json`: Debian's firefox-esr and Mozilla's builds both take `/etc/firefox`
    /// (seen with Debian's firefox-esr 153: `/etc/firefox-esr/policies/` is not read).
    public static func standard(architecture: String = PolicyPlace.architecture) -> [PolicyPlace] {
        let managed = { (folder: String) in folder + "/policies/managed/" + chromiumFileName }
        let flatpak = "/var/lib/flatpak"
        return [
            PolicyPlace("Firefox", .deb, .firefox, installed: ["/usr/lib/firefox-esr/firefox-esr", "/usr/lib/firefox/firefox"],
                        files: ["/etc/firefox/policies/policies.json"], verified: true),
            PolicyPlace("Firefox", .snap, .firefox, installed: ["/snap/firefox/current"], files: ["/etc/firefox/policies/policies.json"]),
            // The flatpak reads the `org.mozilla.firefox.systemconfig` extension point, mounted on `/app/etc/firefox`.
            PolicyPlace("Firefox", .flatpak, .firefox, installed: ["\(flatpak)/app/org.mozilla.firefox"],
                        files: ["\(flatpak)/extension/org.mozilla.firefox.systemconfig/\(architecture)/stable/policies/policies.json"]),
            PolicyPlace("Chromium", .deb, .chromium, installed: ["/usr/lib/chromium/chromium"], files: [managed("/etc/chromium")], verified: true),
            PolicyPlace("Chromium", .snap, .chromium, installed: ["/snap/chromium/current"], files: [managed("/etc/chromium-browser")]),
            // An unmanaged extension of the `org.chromium.Chromium.Extension` point: its `policies/managed` is merged in.
            PolicyPlace("Chromium", .flatpak, .chromium, installed: ["\(flatpak)/app/org.chromium.Chromium"],
                        files: [managed("\(flatpak)/extension/org.chromium.Chromium.Extension.ardoise/\(architecture)/1")]),
            // Chrome's and Edge's flatpaks link the host's `/etc/opt/...` policies into their sandbox at start.
            PolicyPlace("Google Chrome", .deb, .chromium, installed: ["/opt/google/chrome/chrome"], files: [managed("/etc/opt/chrome")]),
            PolicyPlace("Google Chrome", .flatpak, .chromium, installed: ["\(flatpak)/app/com.google.Chrome"], files: [managed("/etc/opt/chrome")]),
            PolicyPlace("Brave", .deb, .chromium, installed: ["/opt/brave.com/brave/brave"], files: [managed("/etc/brave")]),
            PolicyPlace("Brave", .snap, .chromium, installed: ["/snap/brave/current"], files: []),
            PolicyPlace("Brave", .flatpak, .chromium, installed: ["\(flatpak)/app/com.brave.Browser"], files: []),
            PolicyPlace("Microsoft Edge", .deb, .chromium, installed: ["/opt/microsoft/msedge/msedge"], files: [managed("/etc/opt/edge")]),
            PolicyPlace("Microsoft Edge", .flatpak, .chromium, installed: ["\(flatpak)/app/com.microsoft.Edge"], files: [managed("/etc/opt/edge")]),
            // Vivaldi's own documentation and its packages disagree on the folder: both are written.
            PolicyPlace("Vivaldi", .deb, .chromium, installed: ["/opt/vivaldi/vivaldi"], files: [managed("/etc/opt/vivaldi"), managed("/etc/vivaldi")]),
            PolicyPlace("Vivaldi", .snap, .chromium, installed: ["/snap/vivaldi/current"], files: []),
            PolicyPlace("Vivaldi", .flatpak, .chromium, installed: ["\(flatpak)/app/com.vivaldi.Vivaldi"], files: []),
            // Opera reads no managed policies on Linux.
            PolicyPlace("Opera", .deb, .chromium, installed: ["/usr/lib/x86_64-linux-gnu/opera/opera", "/usr/lib/opera/opera"], files: []),
            PolicyPlace("Opera", .snap, .chromium, installed: ["/snap/opera/current"], files: []),
            PolicyPlace("Opera", .flatpak, .chromium, installed: ["\(flatpak)/app/com.opera.Opera"], files: []),
        ]
    }

    /// The machine's architecture as flatpak names it.
    public static var architecture: String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch machine {
        case "armv7l", "armv8l": return "arm"
        case "i686", "i586", "i486": return "i386"
        default: return machine
        }
    }
}
