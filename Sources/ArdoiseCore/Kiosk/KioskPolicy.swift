/// Which accounts ardoise wipes: those the configuration names, never root nor an administrator.
public struct KioskPolicy: Sendable, Equatable {
    /// Members of this group read the journal through the daemon and are never wiped.
    public static let adminGroup = "ardoise-admin"

    public var settings: KioskSettings

    public init(_ settings: KioskSettings) { self.settings = settings }

    public func isKiosk(_ account: Account) -> Bool {
        guard account.uid != 0, !account.isMember(ofGroup: Self.adminGroup) else { return false }
        return settings.users.contains(account.name) || (settings.uidRange?.contains(account.uid) ?? false)
    }

    /// The kiosk accounts this computer has now.
    public func accounts() -> [Account] {
        var seen = Set<UInt32>()
        return Account.all().filter { isKiosk($0) && seen.insert($0.uid).inserted }
    }
}
