import ArdoiseCore
import CLinux
import CSystemd
import FoundationEssentials
import Glibc

/// A login session as logind describes it.
public struct LoginSession: Sendable, Equatable, Hashable {
    public enum State: String, Sendable {
        case online, active, closing
    }

    public var id: String
    public var uid: UInt32
    public var seat: String?
    public var state: State
    /// `user`, `greeter`, `lock-screen`, `background`...
    public var sessionClass: String
    /// `tty`, `x11`, `wayland`, `unspecified`...
    public var type: String

    /// A desktop (X11, Wayland, Mir), not a text session.
    public var isGraphical: Bool { ["x11", "wayland", "mir"].contains(type) }

    public init(id: String, uid: UInt32, seat: String? = nil, state: State = .active, sessionClass: String = "user", type: String = "tty") {
        self.id = id
        self.uid = uid
        self.seat = seat
        self.state = state
        self.sessionClass = sessionClass
        self.type = type
    }
}

/// Where sessions come from: the daemon reads logind; its tests feed orderings logind can produce.
public protocol SessionSource: Sendable {
    /// The list of sessions now, then again after every change.
    func snapshots() -> AsyncStream<[LoginSession]>
    /// The ids of sessions whose idle or lock hints changed, as they change; nil when they can only be looked at.
    func activityChanges() -> AsyncStream<String>?
    /// The list of sessions read now, outside the stream (nil when it cannot be read now).
    func sessionsNow() -> [LoginSession]?
}

extension SessionSource {
    public func activityChanges() -> AsyncStream<String>? { nil }
    public func sessionsNow() -> [LoginSession]? { nil }
}

/// logind through sd-login: `sd_login_monitor_new("session")`, its descriptor waited on by one thread (no polling).
public struct LogindSessions: SessionSource {
    public init() {}

    public func sessionsNow() -> [LoginSession]? { Self.current() }

    public func snapshots() -> AsyncStream<[LoginSession]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [LoginSession].self, bufferingPolicy: .bufferingNewest(1))
        var wake: [Int32] = [-1, -1]
        guard ardoise_pipe2(&wake, O_CLOEXEC | O_NONBLOCK) == 0 else {
            continuation.finish()
            return stream
        }
        let stopReader = wake[0], stopWriter = wake[1]
        continuation.onTermination = { _ in
            var byte: UInt8 = 1
            _ = write(stopWriter, &byte, 1)
        }
        DetachedThread.start(name: "logind sessions") {
            defer { close(stopReader); close(stopWriter) }
            var monitor: OpaquePointer?
            guard sd_login_monitor_new("session", &monitor) >= 0, let monitor else {
                continuation.finish()
                return
            }
            defer { sd_login_monitor_unref(monitor) }
            continuation.yield(Self.current())
            var descriptors = [pollfd(fd: sd_login_monitor_get_fd(monitor), events: Int16(POLLIN), revents: 0),
                               pollfd(fd: stopReader, events: Int16(POLLIN), revents: 0)]
            while true {
                let ready = poll(&descriptors, 2, -1)
                if ready < 0 && errno == EINTR { continue }
                guard ready > 0, descriptors[1].revents == 0 else { break }
                sd_login_monitor_flush(monitor)
                continuation.yield(Self.current())
            }
            continuation.finish()
        }
        return stream
    }

    /// logind's `PropertiesChanged` signals for its sessions' bus objects (the idle and lock hints among their properties),
    /// on a system bus connection of their own waited on by one thread: a locked screen is seen when it is locked.
    public func activityChanges() -> AsyncStream<String>? {
        var opened: OpaquePointer?
        guard sd_bus_open_system(&opened) >= 0, let opened else { return nil }
        nonisolated(unsafe) let bus = opened
        var wake: [Int32] = [-1, -1]
        guard ardoise_pipe2(&wake, O_CLOEXEC | O_NONBLOCK) == 0 else {
            sd_bus_flush_close_unref(bus)
            return nil
        }
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(64))
        let sink = Unmanaged.passRetained(ChangeSink(continuation))
        let matched = sd_bus_match_signal(bus, nil, "org.freedesktop.login1", nil, "org.freedesktop.DBus.Properties", "PropertiesChanged", { message, userdata, _ in
            guard let message, let userdata, let path = sd_bus_message_get_path(message) else { return 0 }
            var id: UnsafeMutablePointer<CChar>?
            guard sd_bus_path_decode(path, "/org/freedesktop/login1/session", &id) > 0, let id else { return 0 }
            defer { free(id) }
            var interface: UnsafePointer<CChar>?
            guard sd_bus_message_read_basic(message, CChar(UInt8(ascii: "s")), &interface) >= 0, let interface,
                  String(cString: interface) == "org.freedesktop.login1.Session" else { return 0 }
            Unmanaged<ChangeSink>.fromOpaque(userdata).takeUnretainedValue().continuation.yield(String(cString: id))
            return 0
        }, sink.toOpaque())
        let stopReader = wake[0], stopWriter = wake[1]
        guard matched >= 0 else {
            sink.release()
            sd_bus_flush_close_unref(bus)
            close(stopReader)
            close(stopWriter)
            return nil
        }
        continuation.onTermination = { _ in
            var byte: UInt8 = 1
            _ = write(stopWriter, &byte, 1)
        }
        let started = DetachedThread.start(name: "logind changes") {
            defer {
                sd_bus_flush_close_unref(bus)
                sink.release()
                close(stopReader)
                close(stopWriter)
            }
            while true {
                var processed: Int32
                repeat { processed = sd_bus_process(bus, nil) } while processed > 0
                let events = sd_bus_get_events(bus)
                // The bus went away (its daemon restarted): the service goes back to looking.
                guard processed >= 0, events >= 0 else { break }
                var deadline: UInt64 = 0
                var wait: Int32 = -1
                if sd_bus_get_timeout(bus, &deadline) >= 0, deadline != UInt64.max {
                    var now = timespec()
                    clock_gettime(CLOCK_MONOTONIC, &now)
                    let current = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
                    wait = deadline <= current ? 0 : Int32(min((deadline - current + 999) / 1000, UInt64(Int32.max)))
                }
                var descriptors = [pollfd(fd: sd_bus_get_fd(bus), events: Int16(events), revents: 0),
                                   pollfd(fd: stopReader, events: Int16(POLLIN), revents: 0)]
                let ready = poll(&descriptors, 2, wait)
                if ready < 0 && errno == EINTR { continue }
                guard ready >= 0, descriptors[1].revents == 0 else { break }
            }
            continuation.finish()
        }
        if !started {
            continuation.finish()
            sd_bus_flush_close_unref(bus)
            sink.release()
            close(stopReader)
            close(stopWriter)
        }
        return stream
    }

    /// Every session logind knows now (closing ones included, until they are removed).
    public static func current() -> [LoginSession] {
        var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_get_sessions(&list)
        guard count > 0, let list else { return [] }
        defer { free(list) }
        var sessions: [LoginSession] = []
        for index in 0..<Int(count) {
            guard let raw = list[index] else { continue }
            defer { free(raw) }
            let id = String(cString: raw)
            var uid: uid_t = 0
            guard sd_session_get_uid(id, &uid) >= 0 else { continue }
            let state = text { sd_session_get_state(id, &$0) }.flatMap(LoginSession.State.init(rawValue:)) ?? .online
            sessions.append(LoginSession(id: id, uid: uid, seat: text { sd_session_get_seat(id, &$0) }, state: state,
                                         sessionClass: text { sd_session_get_class(id, &$0) } ?? "user",
                                         type: text { sd_session_get_type(id, &$0) } ?? "unspecified"))
        }
        return sessions
    }

    private static func text(_ read: (inout UnsafeMutablePointer<CChar>?) -> Int32) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard read(&value) >= 0, let value else { return nil }
        defer { free(value) }
        return String(cString: value)
    }
}

/// Hands what logind announces to the stream (the bus's C callback gets it as its user data).
private final class ChangeSink: @unchecked Sendable {
    let continuation: AsyncStream<String>.Continuation
    init(_ continuation: AsyncStream<String>.Continuation) { self.continuation = continuation }
}

/// What logind knows of a session's input: `IdleHint`, `IdleSinceHint` and `LockedHint` on its bus object. A text
/// session's input time is its terminal's (logind reads the tty's access time); a desktop that reports idleness sets
/// the hints itself; a session for which neither is known gives no input time (idleness cannot be measured there).
public enum LoginActivity {
    public static func read(_ session: LoginSession, now: Int64 = JournalClock.now()) -> SessionActivity {
        var bus: OpaquePointer?
        guard sd_bus_open_system(&bus) >= 0, let bus else { return SessionActivity(lastInput: nil) }
        defer { sd_bus_flush_close_unref(bus) }
        var encoded: UnsafeMutablePointer<CChar>?
        guard sd_bus_path_encode("/org/freedesktop/login1/session", session.id, &encoded) >= 0, let encoded else { return SessionActivity(lastInput: nil) }
        defer { free(encoded) }
        func property<T>(_ name: String, _ type: UInt8, _ initial: T) -> T? {
            var value = initial
            var error = sd_bus_error()
            defer { sd_bus_error_free(&error) }
            let result = withUnsafeMutableBytes(of: &value) { buffer in
                sd_bus_get_property_trivial(bus, "org.freedesktop.login1", encoded, "org.freedesktop.login1.Session", name, &error,
                                            CChar(bitPattern: type), buffer.baseAddress)
            }
            return result >= 0 ? value : nil
        }
        let idle = property("IdleHint", UInt8(ascii: "b"), Int32(0)).map { $0 != 0 }
        let since = property("IdleSinceHint", UInt8(ascii: "t"), UInt64(0)).flatMap { $0 > 0 ? Int64($0) : nil }
        let locked = property("LockedHint", UInt8(ascii: "b"), Int32(0)).map { $0 != 0 } ?? false
        var lastInput: Int64?
        if idle == true {
            lastInput = since
        } else if session.type == "tty" {
            // The terminal's last read: logind gives it whether or not its own idle delay has passed.
            lastInput = since
        } else if since != nil {
            // A desktop that sets the hints says it is in use now.
            lastInput = now
        }
        return SessionActivity(lastInput: lastInput, lockedSince: locked ? now : nil)
    }
}
