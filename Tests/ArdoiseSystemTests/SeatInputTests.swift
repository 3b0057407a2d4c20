import ArdoiseCore
import Foundation
import Glibc
import Testing
@testable import ArdoiseSystem

/// A seat's input devices stood in for by named pipes in a folder of the test's: what a device node gives (events, then
/// nothing once unplugged) is what a pipe gives.
@Suite struct SeatInputTests {
    static func waitUntil(_ seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func eventsMoveTheLastInputOnAndAnUnpluggedDeviceNoLongerCounts() async throws {
        let folder = NSTemporaryDirectory() + "ardoise-input-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try #require(SeatInput(seat: "seat0", folder: folder))
        defer { input.stop() }
        #expect(input.lastInput == nil, "no device: nothing is known")
        // Not an event device: never opened.
        #expect(mkfifo(folder + "/mouse0", 0o600) == 0)
        // Plugged in after the watch began: seen through the folder.
        #expect(mkfifo(folder + "/event3", 0o600) == 0)
        #expect(await Self.waitUntil(5) { input.lastInput != nil })
        let started = try #require(input.lastInput)
        let writer = open(folder + "/event3", O_WRONLY | O_NONBLOCK)
        #expect(writer >= 0)
        let mouse = open(folder + "/mouse0", O_WRONLY | O_NONBLOCK)
        #expect(mouse < 0 && errno == ENXIO, "nobody reads the non-event node")
        try await Task.sleep(for: .milliseconds(50))
        // One key press: a struct input_event of 24 bytes, whose content is never looked at.
        var event = [UInt8](repeating: 7, count: 24)
        #expect(write(writer, &event, event.count) == 24)
        #expect(await Self.waitUntil(5) { (input.lastInput ?? 0) > started })
        close(writer)
        #expect(await Self.waitUntil(5) { input.lastInput == nil }, "unplugged: no device left")
    }

    @Test func seatsNoSessionNeedsAreNoLongerWatched() throws {
        let folder = NSTemporaryDirectory() + "ardoise-input-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inputs = SeatInputs(folder: folder)
        _ = inputs.lastInput(seat: "seat0")
        _ = inputs.lastInput(seat: "seat1")
        #expect(inputs.watchedSeats == ["seat0", "seat1"])
        inputs.keep(["seat1"])
        #expect(inputs.watchedSeats == ["seat1"])
        inputs.keep([])
        #expect(inputs.watchedSeats.isEmpty)
    }

    @Test func aDeviceBelongsToSeatZeroUnlessUdevSaysOtherwise() {
        #expect(SeatInput.seat(ofDevice: "event-that-does-not-exist") == "seat0")
    }
}
