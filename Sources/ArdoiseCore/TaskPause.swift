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

    /// Returns after `duration`, or at once when the task is cancelled (as `try? await Task.sleep` does).
    public static func sleep(for duration: Duration) async {
        let waiter = Waiter()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard waiter.wait(continuation) else { return continuation.resume() }
                let (seconds, attoseconds) = duration.components
                let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
                timers.asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) { waiter.resume() }
            }
        } onCancel: {
            waiter.resume()
        }
    }
}
