import ArdoiseCore
import CSystemd
import Dispatch
import FoundationEssentials
import Glibc

/// Stopping what a user left running after logout, so nothing writes into the home once it is wiped.
public protocol ProcessStopping: Sendable {
    /// Waits up to `grace` for the user's programs to exit by themselves, then stops the rest; returns how many were left to stop.
    func stopAll(uid: UInt32, grace: Duration) async -> Int
    /// Ends one login session (a notice declined where the configuration says so); false if logind refused.
    func endSession(_ id: String) async -> Bool
}

/// The real one: logind's `KillUser` over sd-bus (TERM, then KILL), with a scan of `/proc` as the last word.
public struct UserProcesses: ProcessStopping {
    public init() {}

    public func stopAll(uid: UInt32, grace: Duration) async -> Int {
        // The user's service manager stays a few seconds after logout by design: it is not waited for.
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, !Self.pids(of: uid, includingServiceManager: false).isEmpty {
            await TaskPause.sleep(for: .milliseconds(50))
        }
        let left = Self.pids(of: uid, includingServiceManager: true)
        guard !left.isEmpty else { return 0 }
        for (signal, wait) in [(SIGTERM, Duration.seconds(3)), (SIGKILL, Duration.seconds(5))] {
            if Self.killUser(uid, signal: signal) < 0 || signal == SIGKILL {
                for pid in Self.pids(of: uid, includingServiceManager: true) { kill(pid, signal) }
            }
            let until = ContinuousClock.now + wait
            while ContinuousClock.now < until, !Self.pids(of: uid, includingServiceManager: true).isEmpty {
                await TaskPause.sleep(for: .milliseconds(20))
            }
            if Self.pids(of: uid, includingServiceManager: true).isEmpty { break }
        }
        return left.count
    }

    /// `PID name` of a process, its name escaped (a program names itself).
    public static func describe(_ pid: pid_t) -> String {
        let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimming(.newlines) ?? "?"
        return "\(pid) \(DisplayText.escaped(name, limit: 32))"
    }

    /// `stopAll` for a command that is not itself asynchronous.
    public func stopAllBlocking(uid: UInt32, grace: Duration) -> Int {
        final class Box: @unchecked Sendable { var count = 0 }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.count = await stopAll(uid: uid, grace: grace)
            done.signal()
        }
        done.wait()
        return box.count
    }

    /// Processes whose real or effective user is `uid` (from `/proc/PID/status`).
    public static func pids(of uid: UInt32, includingServiceManager: Bool) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var found: [pid_t] = []
        for entry in entries {
            guard let pid = pid_t(entry), let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { continue }
            var name = ""
            var uids: [UInt32] = []
            for line in status.split(separator: "\n") {
                if line.hasPrefix("Name:") { name = line.dropFirst(5).trimming(.whitespaces) }
                if line.hasPrefix("Uid:") { uids = line.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " }).prefix(2).compactMap { UInt32($0) } }
            }
            guard uids.contains(uid) else { continue }
            // Kernel threads and zombies have no memory map: nothing to stop.
            if status.contains("State:\tZ") { continue }
            if !includingServiceManager && (name == "systemd" || name == "(sd-pam)") { continue }
            found.append(pid)
        }
        return found
    }

    public func endSession(_ id: String) async -> Bool {
        Self.callLogind("TerminateSession") { message in
            sd_bus_message_append_basic(message, CChar(UInt8(ascii: "s")), id)
        } >= 0
    }

    /// `org.freedesktop.login1.Manager.KillUser(u uid, i signal)`; a negative errno when logind cannot be asked.
    static func killUser(_ uid: UInt32, signal: Int32) -> Int32 {
        var user = uid
        var number = signal
        return callLogind("KillUser") { message in
            let result = sd_bus_message_append_basic(message, CChar(UInt8(ascii: "u")), &user)
            return result < 0 ? result : sd_bus_message_append_basic(message, CChar(UInt8(ascii: "i")), &number)
        }
    }

    /// One method call on logind's manager over the system bus; its arguments appended by `arguments`.
    static func callLogind(_ method: String, arguments: (OpaquePointer) -> Int32) -> Int32 {
        var bus: OpaquePointer?
        guard sd_bus_open_system(&bus) >= 0, let bus else { return -1 }
        defer { sd_bus_flush_close_unref(bus) }
        var message: OpaquePointer?
        var result = sd_bus_message_new_method_call(bus, &message, "org.freedesktop.login1", "/org/freedesktop/login1",
                                                    "org.freedesktop.login1.Manager", method)
        guard result >= 0, let message else { return result }
        defer { sd_bus_message_unref(message) }
        result = arguments(message)
        guard result >= 0 else { return result }
        var error = sd_bus_error()
        var reply: OpaquePointer?
        result = sd_bus_call(bus, message, 5_000_000, &error, &reply)
        sd_bus_error_free(&error)
        if let reply { sd_bus_message_unref(reply) }
        return result
    }
}
