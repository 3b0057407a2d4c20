import Glibc

/// A mutual-exclusion lock between threads (a pthread mutex, allocated once so that it never moves).
public final class Lock: @unchecked Sendable {
    let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A lock with a condition to wait on (a pthread condition variable beside the lock's mutex).
public final class Condition: @unchecked Sendable {
    private let mutex = Lock()
    private let variable: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        variable = .allocate(capacity: 1)
        variable.initialize(to: pthread_cond_t())
        pthread_cond_init(variable, nil)
    }

    deinit {
        pthread_cond_destroy(variable)
        variable.deallocate()
    }

    public func lock() { mutex.lock() }
    public func unlock() { mutex.unlock() }
    /// Waits, the lock held, until another thread broadcasts (or spuriously: callers loop on their condition).
    public func wait() { pthread_cond_wait(variable, mutex.mutex) }
    public func broadcast() { pthread_cond_broadcast(variable) }
}
