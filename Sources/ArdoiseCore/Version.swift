/// This release of ardoise (the Debian package's version: a test holds the two together).
public enum ArdoiseVersion {
    public static let current = "0.12.0"

    /// The service's status line starts with it, so that `ardoise check` can tell which version is running.
    public static let statusPrefix = "ardoise \(current): "

    /// The version a status line names, if it names one.
    public static func running(inStatus status: String) -> String? {
        guard status.hasPrefix("ardoise "), let colon = status.firstIndex(of: ":") else { return nil }
        let version = status[status.index(status.startIndex, offsetBy: 8)..<colon]
        return version.isEmpty || version.contains(" ") ? nil : String(version)
    }
}
