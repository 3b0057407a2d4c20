import ArdoiseCore
import Glibc

/// The signals the service acts on — SIGTERM and SIGINT (stop), SIGHUP (reload) — taken by one thread blocked in
/// `sigwaitinfo`: no handler interrupts anything, and nothing wakes the process while none comes.
public final class ProcessSignals: Sendable {
    public static let watched: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// Blocks them in the calling thread and every thread started from it afterwards: call first, before any other thread
    /// exists, so that none of them takes a signal in its place. A signal that comes before `init` waits.
    public static func block() {
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in watched { sigaddset(&set, signal) }
        return set
    }

    /// The signals in the order they came.
    public let received: AsyncStream<Int32>

    public init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        received = stream
        DetachedThread.start(name: "signals") {
            var set = ProcessSignals.signalSet()
            while true {
                var info = siginfo_t()
                let signal = sigwaitinfo(&set, &info)
                if signal > 0 { continuation.yield(signal) }
            }
        }
    }
}
