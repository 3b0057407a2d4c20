import ArdoiseSystem
import Foundation
import Testing

/// Where CUPS is not running nothing happens; a CUPS that does not answer is never taken for "no job to purge".
/// (A real cupsd with jobs to purge is in the end-to-end test.)
@Suite struct PrintJobsTests {
    @Test func withoutCupsNothingHappensAndACupsThatDoesNotAnswerIsAFailure() throws {
        #expect(PrintJobs.purge(user: "kiosque", server: "/nonexistent/cups.sock") == nil, "no CUPS here: nothing to say")
        // A socket path that is there but where nobody listens: CUPS is installed and not answering.
        let dead = NSTemporaryDirectory() + "ardoise-cups-\(UUID().uuidString).sock"
        FileManager.default.createFile(atPath: dead, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: dead) }
        let purge = try #require(PrintJobs.purge(user: "kiosque", server: dead))
        #expect(purge.failure != nil && purge.jobs == 0, "not proven: \(purge)")
    }
}
