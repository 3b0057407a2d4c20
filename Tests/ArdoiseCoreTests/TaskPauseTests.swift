@testable import ArdoiseCore
import Foundation
import Testing

/// The service's pause: it ends, it ends at once when its task is cancelled, and no length makes it trap.
@Suite struct TaskPauseTests {
    @Test func aPauseEndsAndACancelledOneEndsAtOnce() async {
        let start = ContinuousClock.now
        await TaskPause.sleep(for: .milliseconds(50))
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        let long = Task { await TaskPause.sleep(for: .seconds(3600)) }
        long.cancel()
        await long.value
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await TaskPause.sleep(for: .seconds(3600))
        }
        await cancelledFirst.value
        // Ended by their cancellation, not by their hour (a busy test run can hold any task back for minutes).
        #expect(ContinuousClock.now - start < .seconds(3600), "the cancelled pauses ended")
    }

    @Test func anyLengthGivesNanosecondsWithinTenYears() {
        #expect(TaskPause.nanoseconds(.milliseconds(1500)) == 1_500_000_000)
        #expect(TaskPause.nanoseconds(.microseconds(-5)) == 0)
        #expect(TaskPause.nanoseconds(.seconds(Int64.max)) == 10 * 365 * 86_400 * 1_000_000_000)
    }
}
