import CLinux
import Glibc

/// A thread of its own for work that blocks (a wait on a device, a connection, a file), outside Swift's task pool.
public enum DetachedThread {
    private final class Body {
        let name: String?
        let run: () -> Void
        init(_ name: String?, _ run: @escaping () -> Void) {
            self.name = name
            self.run = run
        }
    }

    /// Starts `body` on a new detached thread (`name`, at most 15 bytes, shows in `ps -L`); false if the system refused one.
    @discardableResult
    public static func start(name: String? = nil, stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, stackSize)
        let context = Unmanaged.passRetained(Body(name, body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            if let name = body.name { _ = ardoise_name_thread(name) }
            body.run()
            return nil
        }, context)
        if status != 0 { Unmanaged<Body>.fromOpaque(context).release() }
        return status == 0
    }

    /// Runs `body` on a thread of its own and waits for it without holding a thread of Swift's task pool, which stays free
    /// for the tasks that answer (a wipe, a subprocess, a blocking accept); on the calling thread if the system refuses one.
    public static func run<T: Sendable, E: Error>(name: String? = nil, _ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            let outcome: @Sendable () -> Result<T, E> = {
                do throws(E) { return .success(try body()) } catch { return .failure(error) }
            }
            if !start(name: name, { continuation.resume(returning: outcome()) }) { continuation.resume(returning: outcome()) }
        }
        return try result.get()
    }

    /// Runs `body(0)` ... `body(count - 1)` at once, `body(0)` on the calling thread and each other on a thread of its own,
    /// and returns when all have; one the system refuses a thread for runs on the calling thread after `body(0)`.
    public static func runConcurrently(_ count: Int, stackSize: Int = 1 << 20, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        let finished = Condition()
        nonisolated(unsafe) var running = 0
        var refused: [Int] = []
        for index in 1..<count {
            finished.lock()
            running += 1
            finished.unlock()
            let started = start(stackSize: stackSize) {
                body(index)
                finished.lock()
                running -= 1
                finished.broadcast()
                finished.unlock()
            }
            if !started {
                finished.lock()
                running -= 1
                finished.unlock()
                refused.append(index)
            }
        }
        body(0)
        for index in refused { body(index) }
        finished.lock()
        while running > 0 { finished.wait() }
        finished.unlock()
    }

    /// Blocks the calling thread for `seconds` (resumed after a signal handler, never cut short).
    public static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var left = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&left, &remaining) != 0 && errno == EINTR { left = remaining }
    }
}
