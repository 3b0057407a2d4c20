import ArdoiseCore
import CWaylandClient
import FoundationEssentials
import Glibc

/// How long nobody has touched the seat, from a Wayland compositor that offers `ext-idle-notify-v1` (sway, labwc, KDE
/// Plasma...): it says when nobody has used the keyboard, the mouse or the screen for a while (`idled`) and when someone
/// does again (`resumed`); nothing is asked between. Version 2's input notification ignores idle inhibitors (a video
/// playing in a forgotten session); a compositor with version 1 only is said as such (`source`).
/// libwayland-client is opened when needed (`dlopen`), as the X11 libraries are.
public final class WaylandIdleness: IdleCounter, @unchecked Sendable {
    public private(set) var source = "ext-idle-notify"
    /// A pause shorter than this (milliseconds) is not idleness: the compositor tells only changes past it.
    let pause: UInt32

    private typealias Connect = @convention(c) (UnsafePointer<CChar>?) -> OpaquePointer?
    private typealias Disconnect = @convention(c) (OpaquePointer?) -> Void
    private typealias Roundtrip = @convention(c) (OpaquePointer?) -> Int32
    private typealias MarshalArray = @convention(c) (OpaquePointer?, UInt32, UnsafeRawPointer?, UInt32, UInt32,
                                                     UnsafeMutablePointer<ardoise_wl_argument>?) -> OpaquePointer?
    private typealias AddListener = @convention(c) (OpaquePointer?, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32
    private typealias GetVersion = @convention(c) (OpaquePointer?) -> UInt32

    private let display: OpaquePointer
    private let dispatch: Roundtrip
    private let lock = Lock()
    /// When the compositor said nobody was there (nil: someone is), and whether the connection is still up.
    private var idledAt: Int64?
    private var connected = true
    /// What the globals seen at start-up were: name and version of the seat and of the idle notifier.
    private var seat: (name: UInt32, version: UInt32)?
    private var notifier: (name: UInt32, version: UInt32)?

    /// nil when there is no Wayland display, no libwayland-client, or a compositor without ext-idle-notify-v1.
    /// `pause`: how long without input counts as nobody there (at most 10 s; the agent's idle limit, if shorter).
    public init?(display name: String? = ProcessInfo.processInfo.environment["WAYLAND_DISPLAY"], pause: UInt32 = 10_000) {
        self.pause = min(max(pause, 500), 10_000)
        guard let name, !name.isEmpty, let library = dlopen("libwayland-client.so.0", RTLD_NOW | RTLD_LOCAL),
              let connectSymbol = dlsym(library, "wl_display_connect"), let disconnectSymbol = dlsym(library, "wl_display_disconnect"),
              let roundtripSymbol = dlsym(library, "wl_display_roundtrip"), let dispatchSymbol = dlsym(library, "wl_display_dispatch"),
              let marshalSymbol = dlsym(library, "wl_proxy_marshal_array_flags"), let listenerSymbol = dlsym(library, "wl_proxy_add_listener"),
              let versionSymbol = dlsym(library, "wl_proxy_get_version"),
              let registryInterface = dlsym(library, "wl_registry_interface"), let seatInterface = dlsym(library, "wl_seat_interface")
        else { return nil }
        let disconnect = unsafeBitCast(disconnectSymbol, to: Disconnect.self)
        let roundtrip = unsafeBitCast(roundtripSymbol, to: Roundtrip.self)
        let marshal = unsafeBitCast(marshalSymbol, to: MarshalArray.self)
        let addListener = unsafeBitCast(listenerSymbol, to: AddListener.self)
        guard let display = name.withCString({ unsafeBitCast(connectSymbol, to: Connect.self)($0) }) else { return nil }
        self.display = display
        self.dispatch = unsafeBitCast(dispatchSymbol, to: Roundtrip.self)

        // wl_display.get_registry (request 1), then the globals it announces.
        var newID = [ardoise_wl_argument(n: 0)]
        let displayVersion = unsafeBitCast(versionSymbol, to: GetVersion.self)(display)
        guard let registry = marshal(display, 1, UnsafeRawPointer(registryInterface), displayVersion, 0, &newID) else {
            disconnect(display)
            return nil
        }
        _ = addListener(registry, UnsafeRawPointer(WaylandProtocol.registryListener), Unmanaged.passUnretained(self).toOpaque())
        guard roundtrip(display) >= 0, let seat, let notifier else {
            disconnect(display)
            return nil
        }
        // wl_registry.bind (request 0): name, interface, version, new id.
        func bind(_ global: (name: UInt32, version: UInt32), _ interface: UnsafeRawPointer, named: StaticString, version: UInt32) -> OpaquePointer? {
            var arguments = [ardoise_wl_argument(u: global.name), ardoise_wl_argument(s: UnsafeRawPointer(named.utf8Start).assumingMemoryBound(to: CChar.self)),
                             ardoise_wl_argument(u: version), ardoise_wl_argument(n: 0)]
            return marshal(registry, 0, interface, version, 0, &arguments)
        }
        let notifierVersion = min(notifier.version, 2)
        guard let seatProxy = bind(seat, UnsafeRawPointer(seatInterface), named: "wl_seat", version: 1),
              let notifierProxy = bind(notifier, UnsafeRawPointer(WaylandProtocol.notifier(seat: seatInterface)), named: "ext_idle_notifier_v1", version: notifierVersion)
        else {
            disconnect(display)
            return nil
        }
        // get_input_idle_notification (2, version 2: input only) or get_idle_notification (1): new id, timeout, seat.
        var arguments = [ardoise_wl_argument(n: 0), ardoise_wl_argument(u: self.pause), ardoise_wl_argument(o: UnsafeMutableRawPointer(seatProxy))]
        guard let notification = marshal(notifierProxy, notifierVersion >= 2 ? 2 : 1, UnsafeRawPointer(WaylandProtocol.notification),
                                         notifierVersion, 0, &arguments) else {
            disconnect(display)
            return nil
        }
        if notifierVersion < 2 { source = "ext-idle-notify-inhibitable" }
        _ = addListener(notification, UnsafeRawPointer(WaylandProtocol.notificationListener), Unmanaged.passUnretained(self).toOpaque())
        guard roundtrip(display) >= 0 else {
            disconnect(display)
            return nil
        }
        // The compositor's messages are read as they come (a blocked read: no wake-up while nothing changes).
        // The connection lives as long as the agent: the thread holds it.
        DetachedThread.start(name: "wayland idleness") { [self] in
            while dispatch(self.display) >= 0 {}
            lock.withLock { connected = false }
        }
    }

    public func idleMilliseconds() -> UInt64? {
        lock.withLock {
            guard connected else { return nil }
            guard let idledAt else { return 0 }
            return UInt64(max(0, JournalClock.now() - idledAt) / 1000) + UInt64(pause)
        }
    }

    fileprivate func global(name: UInt32, interface: String, version: UInt32) {
        switch interface {
        case "wl_seat" where seat == nil: seat = (name, version)
        case "ext_idle_notifier_v1": notifier = (name, version)
        default: break
        }
    }

    fileprivate func changed(idle: Bool) {
        lock.withLock { idledAt = idle ? JournalClock.now() : nil }
    }
}

/// The two interfaces of ext-idle-notify-v1 (from its XML), and the listeners the compositor's events are given to.
private enum WaylandProtocol {
    static func string(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    static func messages(_ list: [(StaticString, StaticString, [UnsafeRawPointer?])]) -> UnsafePointer<ardoise_wl_message> {
        let messages = UnsafeMutablePointer<ardoise_wl_message>.allocate(capacity: max(list.count, 1))
        for (index, (name, signature, types)) in list.enumerated() {
            let typeArray = UnsafeMutablePointer<UnsafePointer<ardoise_wl_interface>?>.allocate(capacity: max(types.count, 1))
            for (slot, type) in types.enumerated() { typeArray[slot] = type?.assumingMemoryBound(to: ardoise_wl_interface.self) }
            messages[index] = ardoise_wl_message(name: string(name), signature: string(signature), types: typeArray)
        }
        return UnsafePointer(messages)
    }

    static func interface(_ name: StaticString, version: Int32, methods: [(StaticString, StaticString, [UnsafeRawPointer?])],
                          events: [(StaticString, StaticString, [UnsafeRawPointer?])]) -> UnsafeMutablePointer<ardoise_wl_interface> {
        let interface = UnsafeMutablePointer<ardoise_wl_interface>.allocate(capacity: 1)
        interface.initialize(to: ardoise_wl_interface(name: string(name), version: version, method_count: Int32(methods.count),
                                                      methods: messages(methods), event_count: Int32(events.count), events: messages(events)))
        return interface
    }

    nonisolated(unsafe) static let notification = interface("ext_idle_notification_v1", version: 2,
                                                            methods: [("destroy", "", [])],
                                                            events: [("idled", "", []), ("resumed", "", [])])

    nonisolated(unsafe) static var notifierInterface: UnsafeMutablePointer<ardoise_wl_interface>?

    /// Made once, with libwayland-client's own wl_seat interface in its requests' types.
    static func notifier(seat: UnsafeMutableRawPointer) -> UnsafeMutablePointer<ardoise_wl_interface> {
        if let notifierInterface { return notifierInterface }
        let made = interface("ext_idle_notifier_v1", version: 2,
                             methods: [("destroy", "", []),
                                       ("get_idle_notification", "nuo", [UnsafeRawPointer(notification), nil, UnsafeRawPointer(seat)]),
                                       ("get_input_idle_notification", "2nuo", [UnsafeRawPointer(notification), nil, UnsafeRawPointer(seat)])],
                             events: [])
        notifierInterface = made
        return made
    }

    typealias Global = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UInt32, UnsafePointer<CChar>?, UInt32) -> Void
    typealias GlobalRemove = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UInt32) -> Void
    typealias Event = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> Void

    static func listener(_ functions: [UnsafeRawPointer]) -> UnsafePointer<UnsafeRawPointer?> {
        let table = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: functions.count)
        for (index, function) in functions.enumerated() { table[index] = function }
        return UnsafePointer(table)
    }

    nonisolated(unsafe) static let registryListener = listener([
        unsafeBitCast({ data, _, name, interface, version in
            guard let data, let interface else { return }
            Unmanaged<WaylandIdleness>.fromOpaque(data).takeUnretainedValue().global(name: name, interface: String(cString: interface), version: version)
        } as Global, to: UnsafeRawPointer.self),
        unsafeBitCast({ _, _, _ in } as GlobalRemove, to: UnsafeRawPointer.self),
    ])

    nonisolated(unsafe) static let notificationListener = listener([
        unsafeBitCast({ data, _ in
            guard let data else { return }
            Unmanaged<WaylandIdleness>.fromOpaque(data).takeUnretainedValue().changed(idle: true)
        } as Event, to: UnsafeRawPointer.self),
        unsafeBitCast({ data, _ in
            guard let data else { return }
            Unmanaged<WaylandIdleness>.fromOpaque(data).takeUnretainedValue().changed(idle: false)
        } as Event, to: UnsafeRawPointer.self),
    ])
}
