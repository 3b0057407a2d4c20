import Foundation
import Glibc

/// How long nobody has touched the keyboard or the mouse, from the display server itself: the X11 screensaver extension's
/// idle counter (`XScreenSaverQueryInfo`, reset by the server on any input). libX11 and libXss are opened when needed
/// (`dlopen`): a kiosk without X11 loads nothing, and the program links to neither.
public final class X11Idleness: @unchecked Sendable {
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
    private let lock = NSLock()

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

    /// Milliseconds since the last input; nil if the server does not answer.
    public func idleMilliseconds() -> UInt64? {
        lock.withLock {
            guard queryInfo(display, root, info) != 0 else { return nil }
            // XScreenSaverInfo: Window window; int state; int kind; unsigned long til_or_since; unsigned long idle; ...
            let idleOffset = MemoryLayout<UInt>.size + 2 * MemoryLayout<Int32>.size + MemoryLayout<UInt>.size
            return UInt64(info.load(fromByteOffset: idleOffset, as: UInt.self))
        }
    }
}
