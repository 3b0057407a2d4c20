import FoundationEssentials
import Glibc

/// Cleans the session's traces out of a file the program needs to start normally (so the file stays).
public enum Scrubber: String, Sendable, Equatable {
    /// Chromium-family `Preferences` and `Local State` (JSON): per-site settings and engagement, last folders used.
    case chromiumPreferences
    /// Firefox `prefs.js`: the last folders used for downloads and printing to file.
    case firefoxPrefs
    /// LibreOffice `registrymodifications.xcu`: the recent-documents lists.
    case libreOfficeHistory

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        public var description: String {
            switch self { case .unreadable(let why): why }
        }
    }

    /// The cleaned content, or `nil` when there is nothing to clean.
    public func scrub(_ content: [UInt8]) throws(Problem) -> [UInt8]? {
        switch self {
        case .chromiumPreferences: try Self.scrubChromiumPreferences(content)
        case .firefoxPrefs: Self.dropLines(content) { Self.isFirefoxSessionPref($0) }
        case .libreOfficeHistory: Self.dropLines(content) { Self.isLibreOfficeHistory($0) }
        }
    }

    /// Preferences whose value records where the last session saved or opened a file.
    static let firefoxSessionPrefs = [
        "browser.download.lastDir", "browser.download.lastDir.*", "browser.open.lastDir",
        "print.print_to_filename", "print.printer_*.print_to_filename", "browser.sessionstore.upgradeBackup.latestBuildID",
    ]

    /// Keys written by the browser for the last file dialogs.
    static let chromiumSessionKeys: [[String]] = [
        ["selectfile", "last_directory"], ["savefile", "default_directory"], ["download", "last_complete_time"],
    ]

    static func isFirefoxSessionPref(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix("user_pref(\"") else { return false }
        let rest = trimmed.dropFirst("user_pref(\"".count)
        guard let end = rest.firstIndex(of: "\"") else { return false }
        let name = String(rest[..<end])
        return firefoxSessionPrefs.contains { fnmatch($0, name, 0) == 0 }
    }

    static func isLibreOfficeHistory(_ line: Substring) -> Bool {
        line.contains("oor:path=\"/org.openoffice.Office.Histories/") || line.contains("oor:path=\"/org.openoffice.Office.Common/History")
    }

    /// The lines kept stay byte for byte (a line that is not UTF-8 is kept as it is, never re-encoded).
    static func dropLines(_ content: [UInt8], where isTrace: (Substring) -> Bool) -> [UInt8]? {
        var kept: [UInt8] = []
        kept.reserveCapacity(content.count)
        var dropped = false
        var first = true
        for line in content.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if isTrace(Substring(String(decoding: line, as: UTF8.self))) {
                dropped = true
                continue
            }
            if !first { kept.append(UInt8(ascii: "\n")) }
            kept.append(contentsOf: line)
            first = false
        }
        return dropped ? kept : nil
    }

    /// Over this size a file is not parsed (a hostile 17 MB `Preferences` took gigabytes): it is removed whole, and said so.
    public static let sizeLimit = 2 << 20

    static func scrubChromiumPreferences(_ content: [UInt8]) throws(Problem) -> [UInt8]? {
        guard let parsed = JSONValue.parse(content) else { throw .unreadable("JSON: not readable") }
        guard var document = parsed.objectValue else { throw .unreadable("JSON: not an object") }
        var changed = false
        // Every per-site exception (engagement, permissions, zoom...) was learnt from the sites visited.
        if var profile = document["profile"]?.objectValue, var settings = profile["content_settings"]?.objectValue,
           var exceptions = settings["exceptions"]?.objectValue {
            for (type, value) in exceptions {
                if let sites = value.objectValue, !sites.isEmpty {
                    exceptions[type] = .object([:])
                    changed = true
                }
            }
            settings["exceptions"] = .object(exceptions)
            profile["content_settings"] = .object(settings)
            document["profile"] = .object(profile)
        }
        for path in chromiumSessionKeys where removeValue(at: path[...], in: &document) { changed = true }
        if removeSiteKeys(in: &document) { changed = true }
        guard changed else { return nil }
        do {
            return try JSONValue.object(document).serialized()
        } catch {
            throw .unreadable("JSON: \(error)")
        }
    }

    private static func removeValue(at path: ArraySlice<String>, in object: inout [String: JSONValue]) -> Bool {
        guard let first = path.first else { return false }
        if path.count == 1 { return object.removeValue(forKey: first) != nil }
        guard var child = object[first]?.objectValue else { return false }
        let removed = removeValue(at: path.dropFirst(), in: &child)
        if removed { object[first] = .object(child) }
        return removed
    }

    /// Any entry keyed by a web origin (`https://site,*`) anywhere in the document is a trace of a visit.
    private static func removeSiteKeys(in object: inout [String: JSONValue]) -> Bool {
        var changed = false
        for key in Array(object.keys) {
            if key.contains("://") {
                object.removeValue(forKey: key)
                changed = true
            } else if var child = object[key]?.objectValue, removeSiteKeys(in: &child) {
                object[key] = .object(child)
                changed = true
            }
        }
        return changed
    }
}
