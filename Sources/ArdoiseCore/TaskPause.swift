import Dispatch

/// A task's pause, in place of `Task.sleep`: Swift's runtime hands `Task.sleep`'s timers to libdispatch's ordinary
/// (not overcommit) pool, whose first worker starts a monitor that then wakes the process every second for ever. This
/// timer fires on a serial queue, which libdispatch runs on its overcommit pool.
public enum TaskPause {
    private static let timers = DispatchQueue(label: "ardoise.task-pause")

    private final class Waiter: @unchecked Sendable {
        private let lock = Lock()
        private var continuation: CheckedContinuation<Void, Never>?
        private var done = false

        /// Keeps the continuation, unless the pause is already over (then false).
        func wait(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
            lock.withLock {
                guard !done else { return false }
                self.continuation = continuation
                return true
            }
        }

        func resume() {
            let waiting: CheckedContinuation<Void, Never>? = lock.withLock {
                guard !done else { return nil }
                done = true
                defer { continuation = nil }
                return continuation
            }
            waiting?.resume()
        }
    }

    /// At most ten years: a longer pause is one that never ends, and the arithmetic stays far from overflowing.
    static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let limit: Int64 = 10 * 365 * 86_400
        guard seconds < limit else { return Int(limit) * 1_000_000_000 }
        return Int(max(0, seconds)) * 1_000_000_000 + Int(max(0, attoseconds) / 1_000_000_000)
    }

    /// Returns after `duration`, or at once when the task is cancelled (as `try? await Task.sleep` does).
    public static func sleep(for duration: Duration) async {
        let waiter = Waiter()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard waiter.wait(continuation) else { return continuation.resume() }
                timers.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds(duration))) { waiter.resume() }
            }
        } onCancel: {
            waiter.resume()
        }
    }
}
