import ArdoiseCore
import ArdoiseSystem
import Glibc
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

    /// The service's purge goes through a helper process: its answer is believed only when it reads as one.
    @Test func theHelpersAnswerIsReadAndAnythingElseIsAFailure() throws {
        let folder = NSTemporaryDirectory() + "ardoise-print-helper-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func helper(_ body: String) throws -> String {
            let path = folder + "/helper-\(UUID().uuidString)"
            // The arguments are checked too: the helper is asked for this account's jobs, by the hidden command.
            let script = "#!/bin/sh\n[ \"$1 $2 $3\" = \"purge-print-jobs --user kiosque\" ] || exit 9\n\(body)\n"
            // Written through a descriptor closed at exec: one left open in a program another test starts meanwhile
            // would make this one "text file busy" for as long as that program runs.
            if let failure = SmallFile.write(Array(script.utf8), to: path, flags: O_CREAT | O_EXCL, mode: 0o755) { throw SystemError(failure.code) }
            return path
        }
        #expect(PrintJobs.purge(user: "kiosque", helper: try helper("echo none")) == nil, "no CUPS: nothing to say")
        #expect(PrintJobs.purge(user: "kiosque", helper: try helper("echo '{\"jobs\":3}'")) == PrintJobs.Purge(jobs: 3, failure: nil))
        #expect(PrintJobs.purge(user: "kiosque", helper: try helper("echo '{\"jobs\":1,\"failure\":\"1 job(s) still there\"}'"))
                == PrintJobs.Purge(jobs: 1, failure: "1 job(s) still there"))
        for broken in ["echo jobs: 3", "exit 1", "echo '{\"jobs\":3}'; exit 4", "kill -9 $$"] {
            let purge = try #require(PrintJobs.purge(user: "kiosque", helper: try helper(broken)), "\(broken)")
            #expect(purge.failure != nil && purge.jobs == 0, "\(broken): \(purge)")
        }
        let missing = try #require(PrintJobs.purge(user: "kiosque", helper: folder + "/none"))
        #expect(missing.failure != nil)
    }
}
