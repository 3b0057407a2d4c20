import ArdoiseCore
import CLinux
import CSystemd
import FoundationEssentials
import Glibc

/// When a seat's keyboards, mice and touch screens were last used, read from their device nodes (`/dev/input/event*`):
/// the last resort for a desktop session whose agent does not run and whose desktop tells logind nothing. The devices
/// are never grabbed (the desktop gets every event as before) and what was typed is never kept: only when.
/// One thread that sleeps until an event comes, then looks again at most once a second.
public final class SeatInput: @unchecked Sendable {
    public static let source = "input-devices"
    public let seat: String
    private let folder: String
    private let lock = Lock()
    private var last: Int64
    private var devices = 0
    private var running = true
    private let stopPipe: (read: Int32, write: Int32)

    /// Starts watching the devices of `seat` in `folder`, those plugged in later too; nil if the folder cannot be watched.
    public init?(seat: String, folder: String = "/dev/input") {
        self.seat = seat
        self.folder = folder
        self.last = JournalClock.now()
        var fds: [Int32] = [-1, -1]
        guard ardoise_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else { return nil }
        stopPipe = (fds[0], fds[1])
        let watch = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard watch >= 0, inotify_add_watch(watch, folder, UInt32(IN_CREATE | IN_MOVED_TO)) >= 0 else {
            if watch >= 0 { close(watch) }
            close(fds[0])
            close(fds[1])
            return nil
        }
        // The devices there now are opened before the first question: its answer is true from the start.
        var open: [String: Int32] = [:]
        if let names = try? FileManager.default.contentsOfDirectory(atPath: folder) {
            for name in names.sorted() { add(name, to: &open) }
        }
        devices = open.count
        DetachedThread.start(name: "seat input") { [self, open] in run(watch: watch, open: open) }
    }

    deinit {
        close(stopPipe.write)
    }

    /// The last input on the seat (UTC microseconds): when it was seen, or when the watch began; nil while the seat has
    /// no input device at all.
    public var lastInput: Int64? {
        lock.withLock { devices > 0 ? last : nil }
    }

    public func stop() {
        lock.withLock { running = false }
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
    }

    private func add(_ name: String, to open: inout [String: Int32]) {
        guard name.hasPrefix("event"), open[name] == nil, Self.seat(ofDevice: name) == seat else { return }
        // Read only, never grabbed (no EVIOCGRAB): the desktop still receives every event.
        let fd = Glibc.open(folder + "/" + name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if fd >= 0 { open[name] = fd }
    }

    private func run(watch: Int32, open: [String: Int32]) {
        var open = open
        var buffer = [UInt8](repeating: 0, count: 4096)
        while lock.withLock({ running }) {
            lock.withLock { devices = open.count }
            var polled = [pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0), pollfd(fd: watch, events: Int16(POLLIN), revents: 0)]
            let names = Array(open.keys)
            polled += names.map { pollfd(fd: open[$0]!, events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, nfds_t(polled.count), -1) >= 0 || errno == EINTR else { break }
            if polled[0].revents != 0 { break }
            if polled[1].revents != 0 {
                // New device nodes: their names from inotify's records.
                while true {
                    let count = read(watch, &buffer, buffer.count)
                    guard count > 0 else { break }
                    var offset = 0
                    while offset + MemoryLayout<inotify_event>.size <= count {
                        let length = buffer.withUnsafeBytes { Int($0.load(fromByteOffset: offset + 12, as: UInt32.self)) }
                        let nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + length)].prefix { $0 != 0 }
                        add(String(decoding: nameBytes, as: UTF8.self), to: &open)
                        offset += 16 + length
                    }
                }
            }
            var used = false
            for (index, name) in names.enumerated() where polled[index + 2].revents != 0 {
                let fd = open[name]!
                // The events themselves are dropped unread: only their coming counts.
                var got = false
                var count = 0
                repeat {
                    count = read(fd, &buffer, buffer.count)
                    if count > 0 { got = true }
                } while count > 0
                if got {
                    used = true
                } else if count == 0 || errno == ENODEV || polled[index + 2].revents & Int16(POLLERR | POLLNVAL) != 0 {
                    close(fd)  // unplugged
                    open[name] = nil
                }
            }
            if used {
                lock.withLock { last = JournalClock.now() }
                // Someone is there: the next events can wait a second in the kernel's buffer.
                usleep(1_000_000)
            }
        }
        open.values.forEach { close($0) }
        close(watch)
        close(stopPipe.read)
    }

    /// The seat a device node belongs to, as logind and libinput assign it: udev's ID_SEAT on the event device or its
    /// parent, seat0 when none says otherwise.
    static func seat(ofDevice name: String) -> String {
        var device: OpaquePointer?
        guard sd_device_new_from_subsystem_sysname(&device, "input", name) >= 0, let device else { return "seat0" }
        defer { sd_device_unref(device) }
        var value: UnsafePointer<CChar>?
        if sd_device_get_property_value(device, "ID_SEAT", &value) >= 0, let value { return String(cString: value) }
        var parent: OpaquePointer?
        if sd_device_get_parent(device, &parent) >= 0, let parent, sd_device_get_property_value(parent, "ID_SEAT", &value) >= 0, let value {
            return String(cString: value)
        }
        return "seat0"
    }
}

/// The seats whose input devices are being watched: started when a session needs one, stopped when none does.
public final class SeatInputs: @unchecked Sendable {
    private let folder: String
    private let lock = Lock()
    private var watching: [String: SeatInput] = [:]

    public init(folder: String = "/dev/input") { self.folder = folder }

    /// The seat's last input; nil when it has no input device that can be read.
    public func lastInput(seat: String) -> Int64? {
        lock.withLock {
            if watching[seat] == nil { watching[seat] = SeatInput(seat: seat, folder: folder) }
            return watching[seat]?.lastInput
        }
    }

    /// Stops watching every seat but these.
    public func keep(_ seats: Set<String>) {
        lock.withLock {
            for (seat, input) in watching where !seats.contains(seat) {
                input.stop()
                watching[seat] = nil
            }
        }
    }

    public var watchedSeats: Set<String> { lock.withLock { Set(watching.keys) } }
}
