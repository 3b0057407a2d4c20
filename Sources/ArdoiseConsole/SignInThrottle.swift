/// Five wrong passwords for a name within 15 minutes lock that name for 15 minutes: a password cannot be guessed
/// through the console. (The lock is per name, so that a stranger cannot lock everyone out by trying one name.)
public actor SignInThrottle {
    public let attempts: Int
    public let window: Duration
    private var failures: [String: [ContinuousClock.Instant]] = [:]
    private let clock = ContinuousClock()

    public init(attempts: Int = 5, window: Duration = .seconds(15 * 60)) {
        self.attempts = attempts
        self.window = window
    }

    public func isLocked(_ name: String) -> Bool {
        let now = clock.now
        let recent = (failures[name] ?? []).filter { now - $0 < window }
        failures[name] = recent.isEmpty ? nil : recent
        return recent.count >= attempts
    }

    public func failed(_ name: String) {
        failures[name, default: []].append(clock.now)
        // Names that are not accounts count too: bounded so that a flood of names cannot fill the memory.
        if failures.count > 10_000 { failures.removeAll() }
    }

    public func succeeded(_ name: String) { failures[name] = nil }
}
