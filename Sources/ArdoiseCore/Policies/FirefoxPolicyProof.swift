import FoundationEssentials
import Glibc

/// Whether each Firefox profile that ran in a session had its managed policies applied: Firefox writes
/// `browser.policies.applied` to `prefs.js` when it applied them, and clears it when its policy engine failed (a
/// `policies.json` that does not parse turns every policy off). A profile ran when its `toolkit.startup.last_success`
/// (written at every start) is not older than `since`.
public struct FirefoxPolicyProof: Sendable, Equatable, Codable {
    /// Profiles that ran since `since`.
    public var ran = 0
    /// Of those, the ones without their policies.
    public var notApplied = 0

    public init(ran: Int = 0, notApplied: Int = 0) {
        self.ran = ran
        self.notApplied = notApplied
    }

    /// Reads every Firefox profile of the home (each packaging, each profile `profiles.ini` names), through the safe file access.
    public static func check(home: OpenedRoot, since: Int64?, catalogue: TraceCatalogue = .standard) -> FirefoxPolicyProof {
        var proof = FirefoxPolicyProof()
        var resolver = TraceResolver(home: home, catalogue: catalogue)
        for profile in resolver.geckoProfiles() {
            guard let name = EntryName("prefs.js"),
                  case .success(let file) = home.readFile(profile.appending(name), limit: Scrubber.sizeLimit) else { continue }
            let prefs = Self.preferences(file.bytes)
            guard let started = prefs.lastStart else { continue }
            if let since, started * 1_000_000 < since { continue }
            proof.ran += 1
            if !prefs.applied { proof.notApplied += 1 }
        }
        return proof
    }

    /// The two preferences read from `prefs.js` (one `user_pref(...)` a line, as Firefox writes it).
    static func preferences(_ bytes: [UInt8]) -> (applied: Bool, lastStart: Int64?) {
        var applied = false
        var lastStart: Int64?
        for line in bytes.split(separator: 10) {
            let text = String(decoding: line, as: UTF8.self).trimming(.whitespaces)
            guard text.hasPrefix("user_pref("), text.hasSuffix(");") else { continue }
            let inside = text.dropFirst("user_pref(".count).dropLast(2)
            guard let comma = inside.firstIndex(of: ",") else { continue }
            let key = inside[..<comma].trimming(.whitespaces)
            let value = inside[inside.index(after: comma)...].trimming(.whitespaces)
            switch key {
            case "\"browser.policies.applied\"": applied = value == "true"
            case "\"toolkit.startup.last_success\"": lastStart = Int64(value)
            default: break
            }
        }
        return (applied, lastStart)
    }
}
