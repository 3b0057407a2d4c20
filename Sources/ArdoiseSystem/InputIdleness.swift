import ArdoiseCore
import CSystemd
import FoundationEssentials
import Glibc

/// How long nobody has touched the keyboard or the mouse, as the display server counts it (reset by any input).
public protocol IdleCounter: AnyObject, Sendable {
    /// Milliseconds since the last input; nil if the counter does not answer.
    func idleMilliseconds() -> UInt64?
    /// What measures it, for the service and the journal (`x11-screensaver`, `gnome-mutter`, `ext-idle-notify`).
    var source: String { get }
}

public enum IdleCounters {
    /// What this session offers: GNOME's own counter on GNOME (X11 or Wayland); ext-idle-notify-v1 on another Wayland
    /// desktop (sway, labwc, KDE Plasma), else GNOME's if it answers; the X11 screensaver extension on an X11 desktop.
    /// Never the X11 counter under Wayland: its X11 server sees only X11 programs' input.
    /// `limit`: the idle limit in minutes (a shorter one makes the Wayland compositor tell sooner).
    public static func forSession(_ environment: [String: String] = ProcessInfo.processInfo.environment, limit: Double = 15) -> IdleCounter? {
        let desktop = (environment["XDG_CURRENT_DESKTOP"] ?? "").uppercased()
        let wayland = environment["WAYLAND_DISPLAY"].flatMap { $0.isEmpty ? nil : $0 }
        if desktop.contains("GNOME"), let mutter = MutterIdleness() { return mutter }
        if let wayland { return WaylandIdleness(display: wayland, pause: UInt32(min(limit * 60_000, 10_000))) ?? MutterIdleness() }
        return X11Idleness(display: environment["DISPLAY"])
    }
}

/// GNOME Shell's idle counter (`org.gnome.Mutter.IdleMonitor.GetIdletime` on the session bus), on X11 and Wayland alike.
public final class MutterIdleness: IdleCounter, @unchecked Sendable {
    public let source = "gnome-mutter"
    private let bus: OpaquePointer
    private let lock = Lock()

    /// nil when there is no session bus or nobody answers for GNOME's idle monitor.
    public init?() {
        var bus: OpaquePointer?
        guard sd_bus_open_user(&bus) >= 0, let bus else { return nil }
        self.bus = bus
        guard idleMilliseconds() != nil else { return nil }
    }

    deinit { sd_bus_flush_close_unref(bus) }

    public func idleMilliseconds() -> UInt64? {
        lock.withLock {
            var message: OpaquePointer?
            guard sd_bus_message_new_method_call(bus, &message, "org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
                                                 "org.gnome.Mutter.IdleMonitor", "GetIdletime") >= 0, let message else { return nil }
            defer { sd_bus_message_unref(message) }
            var error = sd_bus_error()
            defer { sd_bus_error_free(&error) }
            var reply: OpaquePointer?
            guard sd_bus_call(bus, message, 2_000_000, &error, &reply) >= 0, let reply else { return nil }
            defer { sd_bus_message_unref(reply) }
            var idle: UInt64 = 0
            guard sd_bus_message_read_basic(reply, CChar(UInt8(ascii: "t")), &idle) > 0 else { return nil }
            return idle
        }
    }
}

/// How long nobody has touched the keyboard or the mouse, from the display server itself: the X11 screensaver extension's
/// idle counter (`XScreenSaverQueryInfo`, reset by the server on any input). libX11 and libXss are opened when needed
/// (`dlopen`): a kiosk without X11 loads nothing, and the program links to neither.
public final class X11Idleness: IdleCounter, @unchecked Sendable {
    public let source = "x11-screensaver"
    private typealias OpenDisplay = @convention(c) (UnsafePointer<CChar>?) -> OpaquePointer?
    private typealias CloseDisplay = @convention(c) (OpaquePointer?) -> Int32
    private typealias RootWindow = @convention(c) (OpaquePointer?) -> UInt
    private typealias QueryExtension = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    private typealias AllocInfo = @convention(c) () -> UnsafeMutableRawPointer?
    private typealias QueryInfo = @convention(c) (OpaquePointer?, UInt, UnsafeMutableRawPointer?) -> Int32
    private typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Int32

    private let display: OpaquePointer
    private let root: UInt
    private let info: UnsafeMutableRawPointer
    private let queryInfo: QueryInfo
    private let free: Free
    private let closeDisplay: CloseDisplay
    private let lock = Lock()

    /// nil when there is no X11 display, no libXss, or a server without the extension (Wayland, a text session).
    public init?(display name: String? = ProcessInfo.processInfo.environment["DISPLAY"]) {
        guard let name, !name.isEmpty,
              let x11 = dlopen("libX11.so.6", RTLD_NOW | RTLD_LOCAL), let xss = dlopen("libXss.so.1", RTLD_NOW | RTLD_LOCAL),
              let open = dlsym(x11, "XOpenDisplay"), let close = dlsym(x11, "XCloseDisplay"), let rootWindow = dlsym(x11, "XDefaultRootWindow"),
              let freeSymbol = dlsym(x11, "XFree"), let extensionSymbol = dlsym(xss, "XScreenSaverQueryExtension"),
              let alloc = dlsym(xss, "XScreenSaverAllocInfo"), let query = dlsym(xss, "XScreenSaverQueryInfo") else { return nil }
        closeDisplay = unsafeBitCast(close, to: CloseDisplay.self)
        guard let display = name.withCString({ unsafeBitCast(open, to: OpenDisplay.self)($0) }) else { return nil }
        var event: Int32 = 0, error: Int32 = 0
        guard unsafeBitCast(extensionSymbol, to: QueryExtension.self)(display, &event, &error) != 0,
              let info = unsafeBitCast(alloc, to: AllocInfo.self)() else {
            _ = closeDisplay(display)
            return nil
        }
        self.display = display
        self.root = unsafeBitCast(rootWindow, to: RootWindow.self)(display)
        self.info = info
        self.queryInfo = unsafeBitCast(query, to: QueryInfo.self)
        self.free = unsafeBitCast(freeSymbol, to: Free.self)
    }

    deinit {
        _ = free(info)
        _ = closeDisplay(display)
    }

    public func idleMilliseconds() -> UInt64? {
        lock.withLock {
            guard queryInfo(display, root, info) != 0 else { return nil }
            // XScreenSaverInfo: Window window; int state; int kind; unsigned long til_or_since; unsigned long idle; ...
            let idleOffset = MemoryLayout<UInt>.size + 2 * MemoryLayout<Int32>.size + MemoryLayout<UInt>.size
            return UInt64(info.load(fromByteOffset: idleOffset, as: UInt.self))
        }
    }
}
