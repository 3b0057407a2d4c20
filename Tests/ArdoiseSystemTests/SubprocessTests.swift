import ArdoiseCore
@testable import ArdoiseSystem
import Foundation
import Glibc
import Testing

/// What the service's children inherit: the service blocks the signals it waits for and ignores SIGPIPE; the
/// programs it runs must not (a helper that cannot be stopped, a pipe writer that never learns its reader left).
@Suite struct SubprocessTests {
    /// A mask in hexadecimal from /proc/self/status (`SigBlk:`, `SigIgn:`) of the child.
    static func masks(_ output: String) -> [String: UInt64] {
        var found: [String: UInt64] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimming(.whitespaces) }
            if parts.count == 2, let value = UInt64(parts[1], radix: 16) { found[parts[0]] = value }
        }
        return found
    }

    @Test func aChildStartsWithNoSignalBlockedAndSIGPIPEAsDefault() throws {
        signal(SIGPIPE, SIG_IGN)
        let finished = Condition()
        nonisolated(unsafe) var outcome: Subprocess.Outcome?
        // On a thread of its own, with the service's mask: the test's other threads keep theirs.
        DetachedThread.start {
            ProcessSignals.block()
            // grep itself, not through a shell: dash clears its mask at start.
            let result = Subprocess.run("/bin/grep", ["-E", "^(SigBlk|SigIgn):", "/proc/self/status"])
            finished.lock()
            outcome = result
            finished.broadcast()
            finished.unlock()
        }
        finished.lock()
        while outcome == nil { finished.wait() }
        finished.unlock()
        let masks = Self.masks(try #require(outcome).output)
        #expect(masks["SigBlk"] == 0, "blocked in the child: \(String(masks["SigBlk"] ?? 0, radix: 16))")
        let pipeBit = UInt64(1) << (SIGPIPE - 1)
        #expect(masks["SigIgn"].map { $0 & pipeBit == 0 } == true, "SIGPIPE ignored in the child")
    }
}
