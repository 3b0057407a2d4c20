import ArdoiseCore
import FoundationEssentials

/// The staff signed in: a random token per sign-in (the cookie), forgotten after 30 minutes without a request, 12 hours
/// after the sign-in, or at sign-out. Kept in memory only: a restart signs everyone out.
public actor StaffSessions {
    struct Entry {
        var name: String
        var signedInAt: ContinuousClock.Instant
        var lastSeen: ContinuousClock.Instant
    }

    public let idle: Duration
    public let longest: Duration
    /// At most this many at once: the oldest goes first (a flood of sign-ins cannot fill the memory).
    public let capacity: Int
    private var entries: [String: Entry] = [:]
    private let clock = ContinuousClock()

    public init(idle: Duration = .seconds(30 * 60), longest: Duration = .seconds(12 * 3600), capacity: Int = 256) {
        self.idle = idle
        self.longest = longest
        self.capacity = capacity
    }

    public func open(for name: String) -> String {
        let now = clock.now
        entries = entries.filter { isAlive($0.value, now) }
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key { entries[oldest] = nil }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }.hex
        entries[token] = Entry(name: name, signedInAt: now, lastSeen: now)
        return token
    }

    /// The staff member of a token still valid, whose idle time starts again.
    public func name(for token: String) -> String? {
        let now = clock.now
        guard let entry = entries[token] else { return nil }
        guard isAlive(entry, now) else {
            entries[token] = nil
            return nil
        }
        entries[token]?.lastSeen = now
        return entry.name
    }

    public func close(_ token: String) { entries[token] = nil }

    private func isAlive(_ entry: Entry, _ now: ContinuousClock.Instant) -> Bool {
        now - entry.lastSeen < idle && now - entry.signedInAt < longest
    }
}
