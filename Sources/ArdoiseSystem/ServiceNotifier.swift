import ArdoiseCore
import CSystemd

/// Tells systemd how the service is doing (`sd_notify`): ready, status line, watchdog pings, stopping.
/// Without `NOTIFY_SOCKET` (run by hand) every call does nothing. Every status line starts with the version.
public struct ServiceNotifier: Sendable {
    public init() {}

    public func ready(status: String) { send("READY=1\nSTATUS=\(ArdoiseVersion.statusPrefix)\(status)") }
    public func status(_ status: String) { send("STATUS=\(ArdoiseVersion.statusPrefix)\(status)") }
    public func watchdog() { send("WATCHDOG=1") }
    public func reloading() { send("RELOADING=1") }
    public func reloaded(status: String) { send("READY=1\nSTATUS=\(ArdoiseVersion.statusPrefix)\(status)") }
    public func stopping() { send("STOPPING=1\nSTATUS=stopping") }

    /// How often systemd expects a ping (`WatchdogSec=`), or nil when the watchdog is off.
    public var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }

    private func send(_ state: String) { _ = sd_notify(0, state) }
}
