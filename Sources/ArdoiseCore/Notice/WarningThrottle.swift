/// Keeps live warnings from flooding the screen: the first of a kind is shown at once; those that follow within
/// `window` are gathered and shown once, with their count, when the window ends.
public struct WarningThrottle: Sendable, Equatable {
    public var window: Int64
    var lastShown: [SessionWarning: Int64] = [:]
    var held: [SessionWarning: Int] = [:]

    /// `window` in microseconds (default 15 s).
    public init(window: Int64 = 15_000_000) { self.window = window }

    /// A warning happened at `now`: the count to show now, or nil when it is held for later.
    public mutating func offer(_ warning: SessionWarning, now: Int64) -> Int? {
        if let last = lastShown[warning], now - last < window {
            held[warning, default: 0] += 1
            return nil
        }
        let count = 1 + (held.removeValue(forKey: warning) ?? 0)
        lastShown[warning] = now
        return count
    }

    /// When the held warnings are due (nil when nothing is held).
    public var nextDue: Int64? {
        held.keys.compactMap { lastShown[$0].map { $0 + window } }.min()
    }

    /// The held warnings whose window has ended, with their counts.
    public mutating func due(now: Int64) -> [(SessionWarning, Int)] {
        var out: [(SessionWarning, Int)] = []
        for (warning, count) in held.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where (lastShown[warning] ?? 0) + window <= now {
            out.append((warning, count))
            held[warning] = nil
            lastShown[warning] = now
        }
        return out
    }
}
